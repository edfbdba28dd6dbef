// One editor save at 27k chunks, through the path the extension uses: the file watcher's batch reaches
// the folder's MemoryFolder.update(), which re-chunks, re-embeds and stores the file in the one open
// store. For comparison, the old path: every watcher drain opened a fresh store (and the agent was
// rebuilt after it, not counted here), as the host's ArchivalService did before the redesign.
// The store is filled with 27k passages of real text (windows of typescript/lib/*.d.ts) with
// synthetic vectors, so the figure measures the store, not the embedder; the saved files themselves go
// through the real chunker and the local embedder. Each save is of a different file whose passages
// sit in a full shard of 1,000, with the open shard half full: both shards are rewritten, the usual
// case (a file saved again and again ends up alone in the open shard, which is cheaper).
//
//   node --expose-gc --import tsx test/bench/editorSave.ts [--chunks 27000]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryFolder } from '../../src/app/memoryFolder';
import { archivalParts } from '../../src/app/lazyArchival';
import { MemoryStore } from '../../src/memory/store';
import { LOCAL_DEFAULT_DIMENSIONS } from '../../src/indexing/localEmbedder';
import type { ArchivalStore } from '../../src/memory/archival';
import { randomUnit } from './archivalScale';

export interface EditorSaveResults {
  chunksInIndex: number;
  saves: number;
  /** Save → searchable through the one shared store (the extension's path now). */
  shared: { medianMs: number; maxMs: number; cpuMedianMs: number };
  /** The same save with a fresh store opened for it (the path before the redesign). */
  reopened: { medianMs: number; maxMs: number; cpuMedianMs: number };
}

const SAVES = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function libWindows(): string[] {
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const out: string[] = [];
  for (const file of fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts')).sort()) {
    const lines = fs.readFileSync(path.join(libDir, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i += 30) out.push(lines.slice(i, i + 30).join('\n'));
  }
  return out;
}

/** A source file whose content changes with `version`, so every save really re-chunks and re-embeds it. */
function editedSource(version: number): string {
  const fns = Array.from({ length: 8 }, (_, i) => `export function retryPolicy${i}V${version}(attempt: number): number {\n  // backoff for attempt ${i}, revision ${version}\n  return Math.min(30_000, 250 * 2 ** attempt + ${i * version});\n}\n`);
  return `// The retry policies, revision ${version}.\n${fns.join('\n')}`;
}

async function timed(fn: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

export async function runEditorSave(targetChunks = 27_000, log: (m: string) => void = console.log): Promise<EditorSaveResults> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-save-'));
  try {
    fs.mkdirSync(path.join(root, 'src'));
    const file = (n: number) => `src/retry${n}.ts`;
    for (let n = 1; n <= SAVES * 2; n++) fs.writeFileSync(path.join(root, file(n)), editedSource(0));
    const memoryRoot = path.join(root, '.memcode');
    const folder = new MemoryFolder({ workspaceRoot: root, memoryRoot, embeddings: () => ({ provider: 'local' }), warn: log });
    await folder.index({});

    // Fill the store to the target with passages of other (unwritten) files, as a large repository would.
    const store = (await folder.archival()) as ArchivalStore;
    const texts = libWindows();
    const d = LOCAL_DEFAULT_DIMENSIONS;
    const t0 = performance.now();
    // The open shard is left half full, as it usually is.
    const fill = targetChunks + 500;
    for (let i = store.count(); i < fill; ) {
      const n = Math.min(5000, fill - i);
      const items = Array.from({ length: n }, (_, k) => {
        const j = i + k;
        return {
          record: { text: texts[j % texts.length], source: 'file' as const, path: `lib/module${Math.floor(j / 6)}.ts`, startLine: (j % 6) * 30 + 1, endLine: (j % 6) * 30 + 30, language: 'typescript', kind: 'lines' },
          vector: randomUnit(d, j + 1),
        };
      });
      await store.addEmbedded(items);
      i += n;
    }
    log(`editor save: ${store.count()} chunks in the index (filled in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    const shared: Array<{ ms: number; cpuMs: number }> = [];
    for (let v = 1; v <= SAVES; v++) {
      fs.writeFileSync(path.join(root, file(v)), editedSource(v));
      shared.push(await timed(() => folder.update([file(v)], [])));
      const hit = (await (await folder.archival()).search(`retryPolicy3V${v}`, { pageSize: 1, mode: 'keyword' })).results[0];
      if (hit?.path !== file(v)) throw new Error(`save ${v} is not searchable through the shared store`);
    }

    const memory = MemoryStore.open(memoryRoot, { warn: log });
    const reopened: Array<{ ms: number; cpuMs: number }> = [];
    for (let v = SAVES + 1; v <= SAVES * 2; v++) {
      fs.writeFileSync(path.join(root, file(v)), editedSource(v));
      global.gc?.();
      reopened.push(
        await timed(() =>
          memory.withLock('bench: old path', async () => {
            const fresh = await archivalParts().openArchivalStore(memory.paths, { provider: 'local' });
            await (await archivalParts().createIndexer(root, memory.paths, fresh)).updateFiles([file(v)]);
          }),
        ),
      );
    }
    const summary = (runs: Array<{ ms: number; cpuMs: number }>) => ({
      medianMs: +median(runs.map((r) => r.ms)).toFixed(1),
      maxMs: +Math.max(...runs.map((r) => r.ms)).toFixed(1),
      cpuMedianMs: +median(runs.map((r) => r.cpuMs)).toFixed(1),
    });
    const results = { chunksInIndex: store.count(), saves: SAVES, shared: summary(shared), reopened: summary(reopened) };
    log(`editor save at ${results.chunksInIndex} chunks: shared store ${results.shared.medianMs} ms (cpu ${results.shared.cpuMedianMs} ms), re-opened store ${results.reopened.medianMs} ms (cpu ${results.reopened.cpuMedianMs} ms)`);
    folder.dispose();
    return results;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const at = process.argv.indexOf('--chunks');
  runEditorSave(at > 0 ? Number(process.argv[at + 1]) : 27_000).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
