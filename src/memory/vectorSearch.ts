// The vector half of archival search: exact dot products over every vector while the store is small,
// and over EXACT_SEARCH_BELOW items a two-pass search that first scores 128-number count sketches of
// every vector (WebAssembly SIMD, sketchScan.ts) and compares only the best SKETCH_POOL in full.
// The store owns the vectors (one Float32Array per shard); this owns how they are searched.
import { createSketchScanner, SCAN_DIMENSIONS, type SketchScanner } from './sketchScan';
import { TopK } from './topK';

/** Candidates kept from each ranking before fusion; paging goes no deeper. */
export const CANDIDATES = 100;
/** Below this many items a vector search compares every vector in full. */
const EXACT_SEARCH_BELOW = 20_000;
/** Candidates the sketch pass hands to the exact pass. */
const SKETCH_POOL = 2000;
export const SKETCH_DIMENSIONS = SCAN_DIMENSIONS;
/** Pool ids are shardIndex * SHARD_STRIDE + row. */
const SHARD_STRIDE = 1 << 20;

/** One shard's vectors as the search reads them. */
export interface VectorShard {
  docs: number[];
  /** docs.length × dimensions, row-major. */
  vectors: Float32Array;
  /** docs.length × SKETCH_DIMENSIONS: the vectors' count sketches, for the first pass of a big search. */
  sketch: Float32Array;
}

export class VectorSearch {
  /** null: WebAssembly SIMD is not available here. */
  private scanner: SketchScanner | null | undefined;
  private packed: { version: number; shards: VectorShard[]; starts: number[]; rows: number } | undefined;
  /** Reused by every search: one shard's sketch scores. */
  private sketchScores = new Float64Array(1000);

  constructor(private readonly dimensions: number) {}

  /**
   * The CANDIDATES docs closest to `q`, best first. `version` changes whenever a shard does, so the
   * sketches packed for the SIMD scan are redone only then.
   */
  search(shards: VectorShard[], live: number, version: number, q: Float32Array, allowed?: (doc: number) => boolean): Array<{ id: number; score: number }> {
    const d = this.dimensions;
    // The query in doubles: V8 then multiplies without converting one side at every step.
    const query = Float64Array.from(q);
    const top = new TopK(CANDIDATES);
    // Nothing in common with the query is not a candidate, however short the list.
    let threshold = 0;
    if (live < EXACT_SEARCH_BELOW) {
      for (const shard of shards) {
        const { docs, vectors } = shard;
        for (let row = 0, offset = 0; row < docs.length; row++, offset += d) {
          if (allowed && !allowed(docs[row])) continue;
          const score = dot(vectors, offset, query, d);
          if (score > threshold) {
            top.push(docs[row], score);
            threshold = Math.max(0, top.threshold);
          }
        }
      }
      return top.sorted();
    }
    // Two passes: the count sketches (a third of the numbers, scored four at a time) pick a pool of
    // candidates, the full vectors rank the pool exactly. Scanning all 100k full vectors in JavaScript
    // would take the whole time budget.
    const sketched = Float64Array.from(sketchOf(q, d));
    const pool = new TopK(SKETCH_POOL);
    const packed = this.packedSketches(shards, version);
    const shardList = packed ? packed.shards : shards;
    const all = packed ? packed.scanner.scan(Float32Array.from(sketched), packed.rows) : undefined;
    let bar = -Infinity;
    for (let shardIndex = 0; shardIndex < shardList.length; shardIndex++) {
      const { docs, sketch } = shardList[shardIndex];
      const base = shardIndex * SHARD_STRIDE;
      const rows = docs.length;
      let scores: Float32Array | Float64Array;
      if (all) scores = all.subarray(packed!.starts[shardIndex], packed!.starts[shardIndex] + rows);
      else {
        // Scores first in a tight loop, then the few that beat the pool's weakest: V8 keeps the loop lean.
        scores = this.sketchScores.length >= rows ? this.sketchScores : (this.sketchScores = new Float64Array(rows));
        for (let row = 0, offset = 0; row < rows; row++, offset += SKETCH_DIMENSIONS) {
          scores[row] = dot(sketch, offset, sketched, SKETCH_DIMENSIONS);
        }
      }
      for (let row = 0; row < rows; row++) {
        if (scores[row] > bar && (!allowed || allowed(docs[row]))) {
          pool.push(base + row, scores[row]);
          bar = pool.threshold;
        }
      }
    }
    pool.forEach((id) => {
      const shard = shardList[Math.floor(id / SHARD_STRIDE)];
      const row = id % SHARD_STRIDE;
      const score = dot(shard.vectors, row * d, query, d);
      if (score > threshold) {
        top.push(shard.docs[row], score);
        threshold = Math.max(0, top.threshold);
      }
    });
    return top.sorted();
  }

  /** Every shard's sketch side by side in WebAssembly memory, redone after a write; undefined without SIMD. */
  private packedSketches(shards: VectorShard[], version: number): { scanner: SketchScanner; shards: VectorShard[]; starts: number[]; rows: number } | undefined {
    if (this.scanner === undefined) this.scanner = createSketchScanner() ?? null;
    if (!this.scanner) return undefined;
    if (this.packed?.version !== version) {
      const starts: number[] = [];
      let rows = 0;
      for (const shard of shards) {
        starts.push(rows);
        rows += shard.docs.length;
      }
      this.scanner.reserve(rows);
      const target = this.scanner.sketches();
      shards.forEach((shard, i) => target.set(shard.sketch, starts[i] * SKETCH_DIMENSIONS));
      this.packed = { version, shards, starts, rows };
    }
    return { scanner: this.scanner, ...this.packed };
  }
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

export function sketchAll(vectors: Float32Array, rows: number, d: number): Float32Array {
  const table = sketchTable(d);
  const out = new Float32Array(rows * SKETCH_DIMENSIONS);
  for (let row = 0; row < rows; row++) sketchInto(vectors, row * d, d, table, out, row * SKETCH_DIMENSIONS);
  return out;
}

function sketchInto(vectors: Float32Array, offset: number, d: number, table: Int32Array, out: Float32Array, at: number): void {
  for (let i = 0; i < d; i++) {
    const t = table[i];
    const v = vectors[offset + i];
    out[at + (t >> 1)] += t & 1 ? v : -v;
  }
}

