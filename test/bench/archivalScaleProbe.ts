// Child process of the archival scale bench: opens the store in <dir> in a fresh process, so resident
// memory is the store's and nothing else's, and measures open, memory, queries and save-to-searchable.
// A store that opens lazily (has `whenLoaded()`) is timed to open, to its first answered query and to
// fully loaded. Prints one `result {...}` line; run by archivalScale.ts.
//
//   node --expose-gc --require tsx/cjs test/bench/archivalScaleProbe.ts <dir> <queries.json>
import * as fs from 'node:fs';
import * as os from 'node:os';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import { CHUNKS_PER_FILE, corpusPath } from './archivalScaleCorpus';

export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
  arrayBuffersMiB: number;
}

export interface Timings {
  p50Ms: number;
  p95Ms: number;
}

export interface ProbeResult {
  chunks: number;
  /** The store has whenLoaded(): open may resolve before every shard is resident. */
  lazy: boolean;
  /** From calling open() to: it resolving; the first hybrid query answered; every shard loaded. */
  openMs: number;
  firstQueryMs: number;
  loadedMs: number;
  firstQueryHits: number;
  /** CPU spent from calling open() until loaded and the first query answered: steadier than wall time on shared cores. */
  loadedCpuMs: number;
  /** 1-minute load average when the probe started (2 cores here; above 2, the wall times wait for a core). */
  loadAverage: number;
  memory: {
    /** Modules loaded, query set built, embedder warm, after a gc: the process without the store. */
    beforeOpen: MemorySample;
    /** Right after open() resolves (no gc). */
    afterOpen: MemorySample;
    /** Every shard loaded, after a gc. */
    loaded: MemorySample;
    /** After the query runs (whatever they build lazily stays), after a gc. */
    afterQueries: MemorySample;
    peakRssMiB: number;
  };
  hybrid: Timings;
  keyword: Timings;
  vector: Timings;
  queries: number;
  /** `eachMs` in round order: the first save after open has been the slow one. */
  saveToSearchableMs: { median: number; max: number; rounds: number; eachMs: number[] };
}

const MiB = 1024 * 1024;
const SAVE_ROUNDS = 7;

function sample(): MemorySample {
  const m = process.memoryUsage();
  const mib = (b: number) => +(b / MiB).toFixed(1);
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), arrayBuffersMiB: mib(m.arrayBuffers) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round2 = (x: number) => +x.toFixed(2);

async function timeQueries(store: ArchivalStore, queries: string[], mode: 'hybrid' | 'keyword' | 'vector'): Promise<Timings> {
  for (const q of queries.slice(0, 10)) await store.search(q, { mode });
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await store.search(q, { mode });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round2(percentile(times, 50)), p95Ms: round2(percentile(times, 95)) };
}

/**
 * A save as the extension does it: the file's old chunks go, ten new ones are embedded and stored, and
 * a search finds them. The files are among the first 10k chunks, so every size replaces the same ones
 * and the store keeps its count.
 */
async function saveRounds(store: ArchivalStore): Promise<ProbeResult['saveToSearchableMs']> {
  const times: number[] = [];
  for (let round = 0; round < SAVE_ROUNDS; round++) {
    const file = corpusPath(round * 137);
    const t = performance.now();
    await store.deleteByPath([file]);
    await store.addChunks(
      Array.from({ length: CHUNKS_PER_FILE }, (_, i) => ({ path: file, startLine: i * 10 + 1, endLine: i * 10 + 10, language: 'typescript', kind: 'function', text: `export function savedRound${round}Part${i}() { return ${i}; }` })),
    );
    const page = await store.search(`savedRound${round}Part3`, { pageSize: 1 });
    times.push(performance.now() - t);
    if (page.results[0]?.path !== file) throw new Error(`the saved chunks of ${file} were not searchable`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: round2(percentile(sorted, 50)), max: round2(sorted[sorted.length - 1]), rounds: SAVE_ROUNDS, eachMs: times.map(Math.round) };
}

async function main(dir: string, queriesFile: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc: the memory figures need a collection before each sample');
  const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8')) as string[];
  const embedder = new LocalEmbedder();
  await embedder.embed(['warm the embedder before the baseline']);
  gc();
  const beforeOpen = sample();

  const loadAverage = +os.loadavg()[0].toFixed(1);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const store = await ArchivalStore.open(dir, embedder);
  const openMs = performance.now() - t0;
  const afterOpen = sample();
  const first = await store.search(queries[0], { mode: 'hybrid' });
  const firstQueryMs = performance.now() - t0;
  const lazyStore = store as { whenLoaded?: () => Promise<void> };
  const lazy = typeof lazyStore.whenLoaded === 'function';
  if (lazy) await lazyStore.whenLoaded!();
  const loadedMs = lazy ? performance.now() - t0 : openMs;
  const cpu = process.cpuUsage(cpu0);
  gc();
  const loaded = sample();

  const hybrid = await timeQueries(store, queries, 'hybrid');
  const keyword = await timeQueries(store, queries, 'keyword');
  const vector = await timeQueries(store, queries, 'vector');
  gc();
  const afterQueries = sample();
  const chunks = store.count();
  const saveToSearchableMs = await saveRounds(store);
  await (store as { close?: () => Promise<void> }).close?.();

  const result: ProbeResult = {
    chunks,
    lazy,
    openMs: round2(openMs),
    firstQueryMs: round2(firstQueryMs),
    loadedMs: round2(loadedMs),
    firstQueryHits: first.results.length,
    loadedCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    loadAverage,
    memory: { beforeOpen, afterOpen, loaded, afterQueries, peakRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / MiB) },
    hybrid,
    keyword,
    vector,
    queries: queries.length,
    saveToSearchableMs,
  };
  console.log(`result ${JSON.stringify(result)}`);
}

if (require.main === module) {
  main(process.argv[2], process.argv[3]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
