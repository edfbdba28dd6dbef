// The vector half of archival search, over what memory keeps of each vector: int8 with a scale per row,
// and an int8 128-number count sketch. A small store compares every int8 vector; a big one first scores
// every sketch in one pass over a WebAssembly arena (int8Scan.ts; one slot of rows per shard, so a
// write copies one shard's sketches, not all of them), compares the best SKETCH_POOL int8 vectors, and
// either way the best EXACT_TOP are scored again with their full vectors, read from disk by the caller.
// The store owns the vectors (per shard); this owns how they are searched.
import { createInt8Scanner, type Int8Scanner, int8DotRows, plainScanResult, quantizeInt8, type ScanResult } from './int8Scan';
import { TopK } from './topK';

/** Candidates kept from each ranking before fusion; paging goes no deeper. */
export const CANDIDATES = 100;
/** Below this many items a vector search compares every int8 vector. */
const EXACT_SEARCH_BELOW = 20_000;
/** Candidates the sketch pass hands to the int8 pass. */
const SKETCH_POOL = 2000;
/**
 * Rows the scan chooses by sketch before the filter (dead or filtered-out rows are dropped after): a
 * quarter more than the pool, and the full choice again here only when the filter leaves too few.
 */
const SKETCH_CHOICE = 2500;
/** The best this many by int8 are scored again exactly: int8 order is close, and only the top needs more. */
const EXACT_TOP = 20;
export const SKETCH_DIMENSIONS = 128;
/** Pool ids are shardIndex * SHARD_STRIDE + row. */
const SHARD_STRIDE = 1 << 20;

/** What the search uses of a scanner. */
type Arena = Pick<Int8Scanner, 'reserve' | 'rows' | 'weights' | 'scan' | 'begin'>;

/** One shard's vectors as the search reads them. */
export interface VectorShard {
  /** Row → doc. */
  docs: Int32Array;
  /** docs.length × dimensions. */
  vectors: Int8Array;
  scales: Float32Array;
  /** Where its sketches and their scales are in the arena (`VectorSearch.place`). */
  slot: number;
}

export interface VectorSearchOptions {
  /** Rows per arena slot: the most rows a shard holds. */
  slotRows: number;
  /** Whether `doc` may be returned (alive and through the caller's filter). */
  allowed: (doc: number) => boolean;
  /** The full vectors of `docs`, read from disk, in order. */
  exact: (docs: number[]) => Float32Array[];
}

export class VectorSearch {
  private readonly arena: Arena;
  private slots = 0;
  private readonly free: number[] = [];
  /** Scores a big store's pool (scorePool), made at its first search; null without WebAssembly SIMD. */
  private poolScanner: Int8Scanner | null | undefined;

  constructor(
    private readonly dimensions: number,
    private readonly slotRows: number,
  ) {
    this.arena = createInt8Scanner(SKETCH_DIMENSIONS) ?? plainScanner(SKETCH_DIMENSIONS);
  }

  /** Copies a shard's sketches (rows × SKETCH_DIMENSIONS) and their scales into a free slot; returns the slot. */
  place(sketches: Int8Array, scales: Float32Array): number {
    const slot = this.free.pop() ?? this.slots++;
    this.arena.reserve(this.slots * this.slotRows);
    const rows = this.arena.rows();
    const at = slot * this.slotRows * SKETCH_DIMENSIONS;
    rows.set(sketches, at);
    // A reused slot's tail would score as rows that are not there.
    rows.fill(0, at + sketches.length, at + this.slotRows * SKETCH_DIMENSIONS);
    const weights = this.arena.weights();
    weights.set(scales, slot * this.slotRows);
    weights.fill(0, slot * this.slotRows + scales.length, (slot + 1) * this.slotRows);
    return slot;
  }

  /** A copy of one row's sketch, and its scale. */
  sketchAt(slot: number, row: number): { sketch: Int8Array; scale: number } {
    const at = (slot * this.slotRows + row) * SKETCH_DIMENSIONS;
    return { sketch: this.arena.rows().slice(at, at + SKETCH_DIMENSIONS), scale: this.arena.weights()[slot * this.slotRows + row] };
  }

  release(slot: number): void {
    // Weighed at zero, its rows are never chosen by the scan.
    this.arena.weights().fill(0, slot * this.slotRows, (slot + 1) * this.slotRows);
    this.free.push(slot);
  }

  /** The CANDIDATES docs closest to `q`, best first: the first EXACT_TOP by their full vectors, the rest by int8. */
  search(shards: VectorShard[], live: number, q: Float32Array, opts: VectorSearchOptions): Array<{ id: number; score: number }> {
    return this.start(shards, live, q, opts)();
  }

  /**
   * `search` begun now (a big store's sketch scan, on a helper thread) and finished by the function
   * returned, so work done in between overlaps the scan. Nothing may change the shards before then.
   */
  start(shards: VectorShard[], live: number, q: Float32Array, opts: VectorSearchOptions): () => Array<{ id: number; score: number }> {
    if (live < EXACT_SEARCH_BELOW) return () => this.finish(shards, live, q, opts, undefined);
    const sketch = new Int8Array(SKETCH_DIMENSIONS);
    quantizeInt8(sketchOf(q, this.dimensions), sketch, 0);
    const scan = this.arena.begin(sketch, 0, this.slots * this.slotRows, SKETCH_CHOICE);
    return () => this.finish(shards, live, q, opts, scan);
  }

  private finish(shards: VectorShard[], live: number, q: Float32Array, opts: VectorSearchOptions, sketchScan: (() => ScanResult) | undefined): Array<{ id: number; score: number }> {
    const d = this.dimensions;
    // The query in doubles: V8 then multiplies without converting one side at every step.
    const query = Float64Array.from(q);
    const near = new TopK(CANDIDATES);
    if (!sketchScan) {
      for (const shard of shards) {
        const { docs, vectors, scales } = shard;
        for (let row = 0, offset = 0; row < docs.length; row++, offset += d) {
          const score = scales[row] * dotInt8(vectors, offset, query, d);
          if (score > 0 && score > near.threshold && opts.allowed(docs[row])) near.push(docs[row], score);
        }
      }
    } else {
      this.scorePool(shards, this.sketchPool(shards, sketchScan(), opts.allowed), q, query, near);
    }
    const candidates = near.sorted();
    const top = candidates.slice(0, EXACT_TOP);
    const full = opts.exact(top.map((c) => c.id));
    // Nothing in common with the query is not a candidate, however short the list.
    const exact = top.map((c, i) => ({ id: c.id, score: dot(full[i], 0, query, d) })).filter((c) => c.score > 0);
    exact.sort((a, b) => b.score - a.score);
    return [...exact, ...candidates.slice(EXACT_TOP)];
  }

  /**
   * Scores the pool's int8 vectors into `near`: in the SIMD module (the rows copied into its memory, the
   * query quantized too), ~0.5 ms for 2,000 rows of 384 where the plain loop over float64 takes ~6.
   */
  private scorePool(shards: VectorShard[], pool: TopK, q: Float32Array, query: Float64Array, near: TopK): void {
    const d = this.dimensions;
    const ids: number[] = [];
    pool.forEach((id) => ids.push(id));
    const shardOf = (id: number) => shards[Math.floor(id / SHARD_STRIDE)];
    if (this.poolScanner === undefined) this.poolScanner = createInt8Scanner(Math.ceil(d / 16) * 16) ?? null;
    const scanner = this.poolScanner;
    let scoreOf = (i: number, shard: VectorShard, row: number) => shard.scales[row] * dotInt8(shard.vectors, row * d, query, d);
    if (scanner) {
      scanner.reserve(ids.length);
      const rows = scanner.rows();
      // Each row's tail past d (to the module's multiple of 16) is never written, so stays zero.
      ids.forEach((id, i) => rows.set(shardOf(id).vectors.subarray((id % SHARD_STRIDE) * d, (id % SHARD_STRIDE) * d + d), i * scanner.width));
      const query8 = new Int8Array(scanner.width);
      const queryScale = quantizeInt8(q, query8, 0);
      const dots = scanner.scan(query8, 0, ids.length);
      scoreOf = (i, shard, row) => shard.scales[row] * dots[i] * queryScale;
    }
    ids.forEach((id, i) => {
      const shard = shardOf(id);
      const row = id % SHARD_STRIDE;
      const score = scoreOf(i, shard, row);
      if (score > 0) near.push(shard.docs[row], score);
    });
  }

  /** The SKETCH_POOL rows whose sketches score best, as shardIndex * SHARD_STRIDE + row. */
  private sketchPool(shards: VectorShard[], scan: ScanResult, allowed: (doc: number) => boolean): TopK {
    const shardOfSlot = new Int32Array(this.slots).fill(-1);
    shards.forEach((shard, i) => (shardOfSlot[shard.slot] = i));
    const pool = new TopK(SKETCH_POOL);
    const { rows, scores } = scan.best;
    for (let j = 0; j < rows.length; j++) {
      const slot = Math.floor(rows[j] / this.slotRows);
      const row = rows[j] - slot * this.slotRows;
      const i = shardOfSlot[slot];
      if (i >= 0 && row < shards[i].docs.length && allowed(shards[i].docs[row])) pool.push(i * SHARD_STRIDE + row, scores[j]);
    }
    // The filter left fewer than the pool of a choice that was full: choose again, filtering as it goes.
    if (pool.threshold === -Infinity && rows.length === SKETCH_CHOICE) return this.filteredPool(shards, scan.scores, allowed);
    return pool;
  }

  private filteredPool(shards: VectorShard[], scores: Int32Array, allowed: (doc: number) => boolean): TopK {
    const pool = new TopK(SKETCH_POOL);
    const weights = this.arena.weights();
    let bar = 0;
    for (let i = 0; i < shards.length; i++) {
      const { docs, slot } = shards[i];
      const base = slot * this.slotRows;
      for (let row = 0; row < docs.length; row++) {
        const score = scores[base + row] * weights[base + row];
        if (score > bar && allowed(docs[row])) {
          pool.push(i * SHARD_STRIDE + row, score);
          bar = Math.max(0, pool.threshold);
        }
      }
    }
    return pool;
  }
}

/** The arena in plain JavaScript, where WebAssembly SIMD is missing. */
function plainScanner(width: number): Arena {
  let data = new Int8Array(0);
  let weights = new Float32Array(0);
  let out = new Int32Array(0);
  const arena: Arena = {
    reserve(rows) {
      if (rows * width <= data.length) return;
      const capacity = Math.max(rows, Math.ceil((data.length / width) * 1.25));
      const grown = new Int8Array(capacity * width);
      grown.set(data);
      data = grown;
      const grownWeights = new Float32Array(capacity);
      grownWeights.set(weights);
      weights = grownWeights;
    },
    rows: () => data,
    weights: () => weights,
    scan(query, from, count) {
      if (out.length < count) out = new Int32Array(count);
      return int8DotRows(data, width, query, from, count, out).subarray(0, count);
    },
    begin(query, from, count, k) {
      if (out.length < count) out = new Int32Array(count);
      return () => plainScanResult(data, weights, width, query, from, count, k, out);
    },
  };
  return arena;
}

function dotInt8(matrix: Int8Array, offset: number, q: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    s0 += matrix[offset + i] * q[i];
    s1 += matrix[offset + i + 1] * q[i + 1];
  }
  for (; i < d; i++) s0 += matrix[offset + i] * q[i];
  return s0 + s1;
}

export function dot(matrix: Float32Array, offset: number, q: Float64Array, d: number): number {
  // Four accumulators let V8 keep independent adds in flight.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    s0 += matrix[offset + i] * q[i];
    s1 += matrix[offset + i + 1] * q[i + 1];
    s2 += matrix[offset + i + 2] * q[i + 2];
    s3 += matrix[offset + i + 3] * q[i + 3];
  }
  for (; i < d; i++) s0 += matrix[offset + i] * q[i];
  return s0 + s1 + s2 + s3;
}

const sketchTables = new Map<number, Int32Array>();

/**
 * Count sketch (a sparse random projection): each dimension adds, with a fixed random sign, into one
 * of SKETCH_DIMENSIONS buckets. Dot products of sketches estimate those of the vectors, unbiased.
 * Table entry i is bucket << 1 | signBit.
 */
function sketchTable(d: number): Int32Array {
  let table = sketchTables.get(d);
  if (!table) {
    table = new Int32Array(d);
    for (let i = 0; i < d; i++) {
      let h = Math.imul(i + 0x9e3779b9, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      // Balanced buckets (d / SKETCH_DIMENSIONS dimensions each) keep every bucket's variance alike.
      table[i] = ((i % SKETCH_DIMENSIONS) << 1) | (h & 1);
    }
    // Shuffle which dimensions share a bucket, deterministically.
    let x = 0x2545f491;
    for (let i = d - 1; i > 0; i--) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = (x >>> 0) % (i + 1);
      const bucketI = table[i] >> 1;
      table[i] = (table[j] & ~1) | (table[i] & 1);
      table[j] = (bucketI << 1) | (table[j] & 1);
    }
    sketchTables.set(d, table);
  }
  return table;
}

export function sketchOf(vector: Float32Array, d: number): Float32Array {
  const out = new Float32Array(SKETCH_DIMENSIONS);
  sketchInto(vector, 0, d, sketchTable(d), out, 0);
  return out;
}

function sketchInto(vectors: Float32Array, offset: number, d: number, table: Int32Array, out: Float32Array, at: number): void {
  for (let i = 0; i < d; i++) {
    const t = table[i];
    const v = vectors[offset + i];
    out[at + (t >> 1)] += t & 1 ? v : -v;
  }
}

