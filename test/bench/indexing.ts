// Indexing throughput on a corpus nobody here wrote: the `typescript` package's lib/ folder, copied
// to a temp workspace. Compares a first full index with merely reading + tokenizing the same files
// (the ratio is the figure), then times a re-index with nothing changed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createIndexer, openArchivalStore } from '../../src/app/archivalParts';
import { isSkipped, WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { countTokens } from '../../src/llm/tokens';
import { MemoryStore } from '../../src/memory/store';

export interface IndexingResults {
  files: number;
  skipped: number;
  megabytes: number;
  chunks: number;
  readTokenize: { seconds: number; mbPerSecond: number };
  firstIndex: { seconds: number; mbPerSecond: number };
  ratio: number;
  reindexUnchanged: { seconds: number; files: number; secondsPer10kFiles: number };
}

export async function runIndexing(log: (m: string) => void = console.log): Promise<IndexingResults> {
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-index-'));
  try {
    fs.cpSync(libDir, path.join(workspace, 'lib'), { recursive: true });

    // The same files the indexer takes (the 1 MB cap leaves out the compiler's own .js bundles).
    const files: string[] = [];
    let skipped = 0;
    for await (const entry of new WorkspaceFiles({ root: workspace }).indexableFiles()) {
      if (isSkipped(entry)) skipped++;
      else files.push(entry.abs);
    }
    let t = performance.now();
    let bytes = 0;
    let tokens = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      bytes += Buffer.byteLength(text);
      tokens += countTokens(text);
    }
    const readSeconds = (performance.now() - t) / 1000;
    const mb = bytes / 1e6;
    log(`read + tokenize: ${files.length} files, ${mb.toFixed(1)} MB, ${tokens} tokens in ${readSeconds.toFixed(2)} s (${(mb / readSeconds).toFixed(2)} MB/s)`);

    const store = MemoryStore.open(path.join(workspace, '.memcode'));
    t = performance.now();
    const archival = await openArchivalStore(store.paths, { provider: 'local' }, { rebuild: true });
    const indexer = await createIndexer(workspace, store.paths, archival);
    const report = await indexer.run();
    const indexSeconds = (performance.now() - t) / 1000;
    log(`first index: ${report.filesIndexed} files, ${archival.count()} chunks in ${indexSeconds.toFixed(2)} s (${(mb / indexSeconds).toFixed(2)} MB/s)`);

    t = performance.now();
    const again = await indexer.run();
    const reindexSeconds = (performance.now() - t) / 1000;
    if (again.filesIndexed !== 0) throw new Error(`re-index with nothing changed indexed ${again.filesIndexed} files`);
    const scanned = again.filesUnchanged;
    log(`re-index, nothing changed: ${scanned} files in ${(reindexSeconds * 1000).toFixed(0)} ms`);
    return {
      files: files.length,
      skipped,
      megabytes: +mb.toFixed(2),
      chunks: archival.count(),
      readTokenize: { seconds: +readSeconds.toFixed(3), mbPerSecond: +(mb / readSeconds).toFixed(2) },
      firstIndex: { seconds: +indexSeconds.toFixed(3), mbPerSecond: +(mb / indexSeconds).toFixed(2) },
      ratio: +(readSeconds / indexSeconds).toFixed(2),
      reindexUnchanged: { seconds: +reindexSeconds.toFixed(4), files: scanned, secondsPer10kFiles: +((reindexSeconds / Math.max(1, scanned)) * 10_000).toFixed(3) },
    };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** Re-index of `count` small files with nothing changed: the cost of checking, not of indexing. */
export async function runReindexManyFiles(count: number, log: (m: string) => void = console.log): Promise<{ files: number; seconds: number; firstIndexSeconds: number }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-many-'));
  try {
    for (let i = 0; i < count; i++) {
      const dir = path.join(workspace, 'src', `pkg${Math.floor(i / 100)}`);
      if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `file${i}.ts`), `export function handler${i}(input: string): string {\n  return input.trim() + '${i}';\n}\n`);
    }
    const store = MemoryStore.open(path.join(workspace, '.memcode'));
    const archival = await openArchivalStore(store.paths, { provider: 'local' }, { rebuild: true });
    const indexer = await createIndexer(workspace, store.paths, archival);
    let t = performance.now();
    await indexer.run();
    const firstIndexSeconds = (performance.now() - t) / 1000;
    // Three runs, the median reported: one run swings by a factor of three with the file cache and GC.
    // (Files written less than 2 s before the first index are "racily clean" and hashed once more.)
    const runs: number[] = [];
    let again!: Awaited<ReturnType<typeof indexer.run>>;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      again = await indexer.run();
      runs.push((performance.now() - t) / 1000);
      if (again.filesIndexed !== 0) throw new Error(`re-index with nothing changed indexed ${again.filesIndexed} files`);
    }
    const seconds = [...runs].sort((a, b) => a - b)[1];
    log(`re-index of ${again.filesUnchanged} unchanged files: median ${(seconds * 1000).toFixed(0)} ms of ${runs.map((s) => (s * 1000).toFixed(0)).join(', ')} (first index ${firstIndexSeconds.toFixed(1)} s)`);
    return { files: again.filesUnchanged, seconds: +seconds.toFixed(3), firstIndexSeconds: +firstIndexSeconds.toFixed(2) };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
