// First-index throughput as the index grows: synthetic TypeScript files indexed by the real Indexer
// (tree-sitter chunker, file records, batches as in production) into a real ArchivalStore, with a fast
// deterministic embedder so what is measured is the store and the file records, not the model.
// Throughput is taken over a window of chunks just before each mark (10k, 50k, 100k, 500k), so a
// per-batch cost that grows with the index shows as a falling rate. The write column is what the process
// handed to write() (Linux /proc/self/io wchar), per MB of source, over the same window.
//
//   node --import tsx test/bench/firstIndexScale.ts [--max 500000]
//
// Measured 2026-12-01 (2 shared cores, the store as of then), chunks/s at 10k / 50k / 100k / 500k:
// files.json rewritten per batch: 3837 / 3540 / 3363 / 1433 (46 MB written per MB of source at 500k);
// files.log appended per batch:   3646 / 3669 / 3532 / 3019 (22 MB per MB, flat: the store's own writes).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { Indexer } from '../../src/indexing/indexer';
import { ArchivalStore } from '../../src/memory/archival';
import type { Embedder } from '../../src/memory/archivalMemory';
import { memoryPaths } from '../../src/memory/store';
import { randomUnit } from './archivalScale';

export interface FirstIndexWindow {
  /** The mark: chunks in the index at the end of the window. */
  chunks: number;
  /** Chunks the window spans. */
  windowChunks: number;
  chunksPerSecond: number;
  mbPerSecond: number;
  /** MB passed to write() per MB of source indexed in the window. */
  writtenPerSourceMB?: number;
}

export interface FirstIndexScaleResults {
  files: number;
  chunks: number;
  sourceMB: number;
  seconds: number;
  windows: FirstIndexWindow[];
  /** Slowest window's chunks/s over the fastest's: 1 is flat; the target is ≥ 0.8. */
  flatness: number;
}

/** Hashes the text into a unit vector: deterministic, and ~free next to a real model. */
class HashEmbedder implements Embedder {
  readonly id = 'bench-hash-384';
  readonly dimensions = 384;
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => {
      let h = 2166136261;
      for (let i = 0; i < t.length; i += 7) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
      return randomUnit(this.dimensions, h >>> 0);
    });
  }
}

const WORDS = ['parse', 'token', 'buffer', 'render', 'index', 'query', 'cache', 'stream', 'retry', 'config', 'schema', 'widget', 'session', 'encode', 'merge', 'scope', 'symbol', 'layout', 'cursor', 'vector'];
const FUNCTIONS_PER_FILE = 8;

/** One file of FUNCTIONS_PER_FILE top-level functions (a chunk each, and one for the header), ~3 KB, distinct per index. */
function syntheticFile(n: number): string {
  const out: string[] = [`// generated module ${n}`, `import { helper${n % 97} } from './helpers';`, ''];
  for (let f = 0; f < FUNCTIONS_PER_FILE; f++) {
    const a = WORDS[(n + f) % WORDS.length];
    const b = WORDS[(n * 7 + f * 3) % WORDS.length];
    out.push(
      `/** ${a}s the ${b} of module ${n}, step ${f}. */`,
      `export function ${a}${b[0].toUpperCase()}${b.slice(1)}${n}_${f}(input: string, limit = ${f + 1}): string[] {`,
      `  const parts = input.split('${b}').slice(0, limit);`,
      `  const seen = new Set<string>();`,
      `  for (const part of parts) {`,
      `    if (part.length > ${(n + f) % 13}) seen.add(part.trim());`,
      `    else seen.add(helper${n % 97}(part, '${a}'));`,
      `  }`,
      `  return [...seen].sort();`,
      `}`,
      '',
    );
  }
  return out.join('\n');
}

function writtenBytes(): number | undefined {
  try {
    const m = /wchar:\s*(\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function runFirstIndexScale(marks: number[], log: (m: string) => void = console.log): Promise<FirstIndexScaleResults> {
  const max = Math.max(...marks);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-first-index-'));
  try {
    const chunker = await CodeChunker.create({ languages: ['typescript'] });
    const perFile = chunker.chunk('src/pkg0/module0.ts', syntheticFile(0)).length;
    // Files enough for the last mark, a batch over.
    const files = Math.ceil(max / perFile) + 100;
    let sourceBytes = 0;
    for (let i = 0; i < files; i++) {
      const dir = path.join(workspace, 'src', `pkg${Math.floor(i / 200)}`);
      if (i % 200 === 0) fs.mkdirSync(dir, { recursive: true });
      const text = syntheticFile(i);
      sourceBytes += text.length;
      fs.writeFileSync(path.join(dir, `module${i}.ts`), text);
    }
    log(`first-index scale: ${files} files, ${(sourceBytes / 1e6).toFixed(1)} MB, ${perFile} chunks per file`);

    const paths = memoryPaths(path.join(workspace, '.memcode'));
    const archival = await ArchivalStore.rebuild(paths.archivalDir, new HashEmbedder());
    const indexer = new Indexer({ workspaceRoot: workspace, archival, fileRecordsPath: paths.fileRecordsFile, chunker });
    const samples: Array<{ t: number; chunks: number; bytes: number; written?: number }> = [];
    const controller = new AbortController();
    const started = performance.now();
    const report = await indexer.run({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase !== 'indexing' || (samples.length > 0 && samples[samples.length - 1].chunks === p.chunks)) return;
        samples.push({ t: performance.now(), chunks: p.chunks, bytes: p.bytes, written: writtenBytes() });
        if (p.chunks >= max) controller.abort();
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const windows: FirstIndexWindow[] = [];
    for (const mark of [...marks].sort((a, b) => a - b)) {
      const end = samples.find((s) => s.chunks >= mark);
      const span = Math.min(mark / 2, 10_000);
      const begin = [...samples].reverse().find((s) => s.chunks <= mark - span);
      if (!end || !begin) continue;
      const dt = (end.t - begin.t) / 1000;
      const mb = (end.bytes - begin.bytes) / 1e6;
      const window: FirstIndexWindow = {
        chunks: mark,
        windowChunks: end.chunks - begin.chunks,
        chunksPerSecond: Math.round((end.chunks - begin.chunks) / dt),
        mbPerSecond: +(mb / dt).toFixed(2),
      };
      if (end.written !== undefined && begin.written !== undefined) window.writtenPerSourceMB = +((end.written - begin.written) / 1e6 / mb).toFixed(1);
      windows.push(window);
      log(
        `first index at ${mark} chunks (window of ${window.windowChunks}): ${window.chunksPerSecond} chunks/s, ${window.mbPerSecond} MB/s` +
          (window.writtenPerSourceMB !== undefined ? `, ${window.writtenPerSourceMB} MB written per MB of source` : ''),
      );
    }
    const rates = windows.map((w) => w.chunksPerSecond);
    const flatness = rates.length ? +(Math.min(...rates) / Math.max(...rates)).toFixed(2) : 0;
    log(`first index: ${report.chunks} chunks from ${report.filesIndexed} files in ${seconds.toFixed(1)} s; slowest window / fastest = ${flatness}`);
    return { files: report.filesIndexed, chunks: report.chunks, sourceMB: +(report.bytes / 1e6).toFixed(1), seconds: +seconds.toFixed(1), windows, flatness };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--max');
  const max = i > 0 ? Number(process.argv[i + 1]) : 100_000;
  const marks = [10_000, 50_000, 100_000, 500_000, 1_000_000].filter((m) => m <= max);
  runFirstIndexScale(marks).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
