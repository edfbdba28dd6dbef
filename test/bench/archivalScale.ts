// Archival memory at scale: query latency at 10k and 100k chunks, save-to-searchable with 100k chunks
// in the index, open time, and size on disk and in memory. Texts are real (line windows of the
// `typescript` package's lib/*.d.ts, so BM25 sees real vocabulary); stored vectors are synthetic unit
// vectors (embedding 100k chunks would measure the embedder, not the store).
//
//   node --expose-gc --import tsx test/bench/archivalScale.ts [--max 100000]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import { buildRetrievalSet } from './archivalRecall';

export interface ScaleResults {
  dimensions: number;
  queries: Record<string, { chunks: number; p50Ms: number; p95Ms: number; keywordP95Ms: number; vectorP95Ms: number }>;
  saveToSearchableMs: { median: number; max: number; chunksInIndex: number };
  openMs: number;
  diskMB: number;
  memoryMB: number;
  buildSeconds: number;
}

function windows(libDir: string, lines: number): string[] {
  const out: string[] = [];
  for (const file of fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts')).sort()) {
    const all = fs.readFileSync(path.join(libDir, file), 'utf8').split('\n');
    for (let i = 0; i < all.length; i += lines) out.push(all.slice(i, i + lines).join('\n'));
  }
  return out;
}

/** A deterministic synthetic unit vector (xorshift): the benches store these instead of embedding. */
export function randomUnit(d: number, seed: number): Float32Array {
  // xorshift: deterministic, fast, good enough for synthetic vectors.
  let x = seed * 2654435761 + 1;
  const v = new Float32Array(d);
  let norm = 0;
  for (let i = 0; i < d; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = ((x >>> 0) / 4294967296) * 2 - 1;
    norm += v[i] * v[i];
  }
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < d; i++) v[i] *= s;
  return v;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderSize(full) : fs.statSync(full).size;
  }
  return total;
}

async function timeQueries(store: ArchivalStore, queries: string[], mode: 'hybrid' | 'keyword' | 'vector'): Promise<number[]> {
  for (const q of queries.slice(0, 10)) await store.search(q, { mode });
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await store.search(q, { mode });
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export async function runArchivalScale(max = 100_000, log: (m: string) => void = console.log): Promise<ScaleResults> {
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const texts = windows(libDir, 12);
  const queries = buildRetrievalSet(libDir, 200).pairs.map((p) => p.query);
  const embedder = new LocalEmbedder();
  const d = embedder.dimensions;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-scale-'));
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    const store = await ArchivalStore.rebuild(dir, embedder);
    const results: ScaleResults = {
      dimensions: d,
      queries: {},
      saveToSearchableMs: { median: 0, max: 0, chunksInIndex: 0 },
      openMs: 0,
      diskMB: 0,
      memoryMB: 0,
      buildSeconds: 0,
    };
    const started = performance.now();
    const checkpoints = [10_000, max].filter((n, i, a) => n <= max && a.indexOf(n) === i);
    let added = 0;
    for (const checkpoint of checkpoints) {
      while (added < checkpoint) {
        const n = Math.min(25_000, checkpoint - added);
        await store.addEmbedded(
          Array.from({ length: n }, (_, i) => {
            const k = added + i;
            return {
              record: { text: texts[k % texts.length], source: 'file' as const, path: `corpus/f${Math.floor(k / 10)}.ts`, startLine: 1, endLine: 12, language: 'typescript', kind: 'lines' },
              vector: randomUnit(d, k + 1),
            };
          }),
        );
        added += n;
      }
      const hybrid = await timeQueries(store, queries, 'hybrid');
      const keyword = await timeQueries(store, queries, 'keyword');
      const vector = await timeQueries(store, queries, 'vector');
      results.queries[String(checkpoint)] = {
        chunks: store.count(),
        p50Ms: percentile(hybrid, 50),
        p95Ms: percentile(hybrid, 95),
        keywordP95Ms: percentile(keyword, 95),
        vectorP95Ms: percentile(vector, 95),
      };
      log(`${checkpoint} chunks: hybrid p50 ${percentile(hybrid, 50).toFixed(1)} ms, p95 ${percentile(hybrid, 95).toFixed(1)} ms (keyword p95 ${percentile(keyword, 95).toFixed(1)}, vector p95 ${percentile(vector, 95).toFixed(1)})`);
    }
    results.buildSeconds = (performance.now() - started) / 1000;

    // A save: the file's old chunks go, ten new ones are embedded and stored, then it is searchable.
    const saves: number[] = [];
    for (let round = 0; round < 7; round++) {
      const file = `corpus/f${round * 997}.ts`;
      const t = performance.now();
      await store.deleteByPath([file]);
      await store.addChunks(
        Array.from({ length: 10 }, (_, i) => ({ path: file, startLine: i * 10 + 1, endLine: i * 10 + 10, language: 'typescript', kind: 'function', text: `export function savedRound${round}Part${i}() { return ${i}; }` })),
      );
      const page = await store.search(`savedRound${round}Part3`, { pageSize: 1 });
      saves.push(performance.now() - t);
      if (page.results[0]?.path !== file) throw new Error('the saved chunk was not searchable');
    }
    saves.sort((a, b) => a - b);
    results.saveToSearchableMs = { median: percentile(saves, 50), max: saves[saves.length - 1], chunksInIndex: store.count() };
    log(`save-to-searchable with ${store.count()} chunks: median ${results.saveToSearchableMs.median.toFixed(0)} ms, max ${results.saveToSearchableMs.max.toFixed(0)} ms`);

    gc?.();
    const before = process.memoryUsage();
    const t = performance.now();
    const reopened = await ArchivalStore.open(dir, embedder);
    results.openMs = performance.now() - t;
    gc?.();
    const after = process.memoryUsage();
    results.memoryMB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
    results.diskMB = folderSize(dir) / 1e6;
    log(`open ${reopened.count()} chunks: ${(results.openMs / 1000).toFixed(2)} s; disk ${results.diskMB.toFixed(0)} MB; memory ${results.memoryMB.toFixed(0)} MB${gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--max');
  runArchivalScale(i >= 0 ? Number(process.argv[i + 1]) : 100_000).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
