// The postgres backend's rows (memcode.archival.backend = postgres), as far as the embedded store's rows
// apply: index throughput, save-to-searchable, query p50/p95 (hybrid, keyword, vector) at 10k chunks
// and at the largest size measured, open time, and a teammate's index run over files already indexed.
// The engine is PGlite (PostgreSQL compiled to WebAssembly, single-threaded) with real pgvector, served
// over the wire protocol in this same process and reached with the ordinary `pg` client: a real server
// on its own cores is faster, so these figures are an upper bound, labelled "pglite" in the table.
// Texts are real (line windows of typescript/lib/*.d.ts, each made unique); vectors are synthetic unit
// vectors from the text's hash (embedding 100k chunks would measure the embedder, not the store).
//
//   node --expose-gc --import tsx test/bench/postgresScale.ts [--max 20000] [--bulk 100000]
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { LOCAL_DEFAULT_DIMENSIONS } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import type { Embedder, FilePassage } from '../../src/memory/archivalMemory';
import { PostgresArchival } from '../../src/memory/postgresArchival';
import { ensureVectorIndex, TERMS_INDEX } from '../../src/memory/postgresSchema';
import { startPgliteServer } from '../helpers/pgliteServer';
import { buildRetrievalSet } from './archivalRecall';
import { randomUnit } from './archivalScale';

export interface PostgresScaleResults {
  engine: string;
  dimensions: number;
  /** First index through replaceChunks, batches of 100 files × 10 passages (the indexer's batch). */
  indexing: { chunks: number; seconds: number; chunksPerSecond: number; mbPerSecond: number };
  queries: Record<string, { chunks: number; p50Ms: number; p95Ms: number; keywordP95Ms: number; vectorP95Ms: number; vectorPlan: string }>;
  saveToSearchableMs: { median: number; max: number; chunksInIndex: number };
  /**
   * With --bulk N: the rows from the last checkpoint to N added with the HNSW and full-text indexes
   * dropped, then the indexes built over all of them (how a large table is loaded into PostgreSQL; on
   * PGlite each row's HNSW insert costs ~10 ms, so 100k rows one by one would take hours). The queries
   * and the saves are then measured at N, through the same store code.
   */
  bulk?: { chunks: number; loadSeconds: number; indexSeconds: number };
  /** A second store on the same repository: open (schema check + path counts) and an index run over the same files. */
  teammate: { openMs: number; files: number; seconds: number; embedded: number };
}

/** Synthetic vectors from the text's hash: the same text always gets the same vector, as with a real embedder. */
class SyntheticEmbedder implements Embedder {
  readonly id = `bench-synthetic-${LOCAL_DEFAULT_DIMENSIONS}`;
  readonly dimensions = LOCAL_DEFAULT_DIMENSIONS;
  texts = 0;
  async embed(texts: string[]): Promise<Float32Array[]> {
    this.texts += texts.length;
    return texts.map((t) => randomUnit(this.dimensions, crypto.createHash('sha1').update(t).digest().readUInt32LE(0) || 1));
  }
}

function windows(libDir: string, lines: number): string[] {
  const out: string[] = [];
  for (const file of fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts')).sort()) {
    const all = fs.readFileSync(path.join(libDir, file), 'utf8').split('\n');
    for (let i = 0; i < all.length; i += lines) out.push(all.slice(i, i + lines).join('\n'));
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const PER_FILE = 10;
const FILES_PER_BATCH = 100;

export async function runPostgresScale(max = 20_000, log: (m: string) => void = console.log, bulk = 0): Promise<PostgresScaleResults> {
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const texts = windows(libDir, 12);
  const queries = buildRetrievalSet(libDir, 200).pairs.map((p) => p.query).slice(0, 100);
  const server = await startPgliteServer();
  const notesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-pg-'));
  const stores: PostgresArchival[] = [];
  const open = async (embedder: Embedder) => {
    const notes = await ArchivalStore.open(path.join(notesDir, `notes-${stores.length}`), embedder);
    const store = await PostgresArchival.open({ databaseUrl: server.url, repo: 'bench/repo', embedder, notes });
    stores.push(store);
    return store;
  };
  const fileOf = (f: number): FilePassage[] =>
    Array.from({ length: PER_FILE }, (_, i) => {
      const k = f * PER_FILE + i;
      return { path: `corpus/f${f}.ts`, startLine: i * 12 + 1, endLine: i * 12 + 12, language: 'typescript', kind: 'lines', text: `// part ${k}\n${texts[k % texts.length]}` };
    });
  try {
    const embedder = new SyntheticEmbedder();
    const store = await open(embedder);
    const results: PostgresScaleResults = {
      engine: 'PGlite 0.5.14 + pgvector (WebAssembly, in-process, over the wire with pg)',
      dimensions: embedder.dimensions,
      indexing: { chunks: 0, seconds: 0, chunksPerSecond: 0, mbPerSecond: 0 },
      queries: {},
      saveToSearchableMs: { median: 0, max: 0, chunksInIndex: 0 },
      teammate: { openMs: 0, files: 0, seconds: 0, embedded: 0 },
    };
    const timeQueries = async (mode: 'hybrid' | 'keyword' | 'vector') => {
      for (const q of queries.slice(0, 5)) await store.search(q, { mode });
      const times: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        await store.search(q, { mode });
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b);
    };
    const checkpoints = [10_000, max].filter((n, i, a) => n <= max && a.indexOf(n) === i);
    let files = 0;
    let bytes = 0;
    let indexMs = 0;
    /** Adds files up to `to` chunks; the time spent in the store, and the bytes of text added. */
    const fill = async (to: number) => {
      const added = { ms: 0, bytes: 0 };
      while (files * PER_FILE < to) {
        const batch: FilePassage[] = [];
        for (let i = 0; i < FILES_PER_BATCH && (files + i) * PER_FILE < to; i++) batch.push(...fileOf(files + i));
        added.bytes += batch.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
        const t = performance.now();
        await store.replaceChunks([], batch);
        added.ms += performance.now() - t;
        files += batch.length / PER_FILE;
      }
      return added;
    };
    const stages = bulk > max ? [...checkpoints, bulk] : checkpoints;
    for (const checkpoint of stages) {
      if (checkpoint === bulk && bulk > max) {
        const built = await withIndexesDropped(server.url, embedder.dimensions, async () => (await fill(bulk)).ms);
        results.bulk = { chunks: store.count(), loadSeconds: +(built.loadMs / 1000).toFixed(1), indexSeconds: +(built.indexMs / 1000).toFixed(1) };
        log(`postgres (pglite) bulk: ${store.count()} chunks, rows added in ${results.bulk.loadSeconds} s, indexes built in ${results.bulk.indexSeconds} s`);
      } else {
        const added = await fill(checkpoint);
        indexMs += added.ms;
        bytes += added.bytes;
      }
      const hybrid = await timeQueries('hybrid');
      const keyword = await timeQueries('keyword');
      const vector = await timeQueries('vector');
      const vectorPlan = await planOf(server.url, embedder.dimensions);
      results.queries[String(checkpoint)] = {
        chunks: store.count(),
        p50Ms: +percentile(hybrid, 50).toFixed(1),
        p95Ms: +percentile(hybrid, 95).toFixed(1),
        keywordP95Ms: +percentile(keyword, 95).toFixed(1),
        vectorP95Ms: +percentile(vector, 95).toFixed(1),
        vectorPlan,
      };
      log(`postgres (pglite) ${store.count()} chunks: hybrid p50 ${percentile(hybrid, 50).toFixed(1)} ms, p95 ${percentile(hybrid, 95).toFixed(1)} ms (keyword p95 ${percentile(keyword, 95).toFixed(1)}, vector p95 ${percentile(vector, 95).toFixed(1)}; vector plan: ${vectorPlan})`);
    }
    const indexed = Math.min(store.count(), max);
    results.indexing = {
      chunks: indexed,
      seconds: +(indexMs / 1000).toFixed(1),
      chunksPerSecond: Math.round(indexed / (indexMs / 1000)),
      mbPerSecond: +(bytes / 1e6 / (indexMs / 1000)).toFixed(2),
    };
    log(`postgres (pglite) first index: ${results.indexing.chunks} chunks in ${results.indexing.seconds} s (${results.indexing.chunksPerSecond} chunks/s, ${results.indexing.mbPerSecond} MB/s)`);

    // A save: the file's passages are replaced by ten new ones (embedded), then it is searchable.
    const saves: number[] = [];
    for (let round = 0; round < 7; round++) {
      const file = `corpus/f${round * 97}.ts`;
      const t = performance.now();
      await store.replaceChunks(
        [file],
        Array.from({ length: PER_FILE }, (_, i) => ({ path: file, startLine: i * 10 + 1, endLine: i * 10 + 10, language: 'typescript', kind: 'function', text: `export function savedRound${round}Part${i}() { return ${i}; }` })),
      );
      const page = await store.search(`savedRound${round}Part3`, { pageSize: 1 });
      saves.push(performance.now() - t);
      if (page.results[0]?.path !== file) throw new Error('the saved passage was not searchable');
    }
    saves.sort((a, b) => a - b);
    results.saveToSearchableMs = { median: +percentile(saves, 50).toFixed(1), max: +saves[saves.length - 1].toFixed(1), chunksInIndex: store.count() };
    log(`postgres (pglite) save-to-searchable at ${store.count()} chunks: median ${results.saveToSearchableMs.median} ms, max ${results.saveToSearchableMs.max} ms`);

    // A teammate opens the same repository and runs the index over the same files: nothing is embedded.
    const theirs = new SyntheticEmbedder();
    const t0 = performance.now();
    const teammate = await open(theirs);
    results.teammate.openMs = +(performance.now() - t0).toFixed(1);
    const t1 = performance.now();
    const reused = Math.min(files, 1000);
    for (let f = 0; f < reused; f += FILES_PER_BATCH) {
      const batch: FilePassage[] = [];
      for (let i = f; i < Math.min(reused, f + FILES_PER_BATCH); i++) if (i % 97 !== 0 || i / 97 >= 7) batch.push(...fileOf(i));
      await teammate.replaceChunks([...new Set(batch.map((p) => p.path))], batch);
    }
    results.teammate = { ...results.teammate, files: reused, seconds: +((performance.now() - t1) / 1000).toFixed(2), embedded: theirs.texts };
    log(`postgres (pglite) teammate: open ${results.teammate.openMs} ms; ${reused} files already indexed re-checked in ${results.teammate.seconds} s, ${theirs.texts} passages embedded`);
    return results;
  } finally {
    for (const s of stores) await s.close();
    await server.stop();
    fs.rmSync(notesDir, { recursive: true, force: true });
  }
}

/**
 * Runs `load` with the HNSW and full-text indexes dropped, then builds them again with the schema's own
 * statements (TERMS_INDEX, ensureVectorIndex) and gathers statistics for the planner.
 */
async function withIndexesDropped(url: string, d: number, load: () => Promise<number>): Promise<{ loadMs: number; indexMs: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP INDEX IF EXISTS memcode_chunks_hnsw_${d}`);
    await client.query('DROP INDEX IF EXISTS memcode_chunks_terms');
    const loadMs = await load();
    const t = performance.now();
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query(TERMS_INDEX);
    await ensureVectorIndex(client, d);
    await client.query('ANALYZE memcode_chunks');
    return { loadMs, indexMs: performance.now() - t };
  } finally {
    await client.end();
  }
}

/** Whether the vector ranking walks the HNSW index or sorts every row (the planner decides by its statistics). */
async function planOf(url: string, d: number): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = `[${Array.from(randomUnit(d, 1)).join(',')}]`;
    const plan = await client.query(
      `EXPLAIN SELECT id FROM memcode_chunks WHERE dimensions = ${d} AND repo = $2 ORDER BY embedding::vector(${d}) <=> $1::vector(${d}) LIMIT 100`,
      [q, 'bench/repo'],
    );
    const text = plan.rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    return /memcode_chunks_hnsw_/.test(text) ? 'HNSW index' : 'every row sorted';
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  void runPostgresScale(flag('--max') ?? 20_000, console.log, flag('--bulk') ?? 0).then((r) => console.log(JSON.stringify(r, null, 2)));
}
