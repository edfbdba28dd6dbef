// The vector half of archival search, over what memory keeps of each vector: int8 with a scale per row,
// in a WebAssembly arena (int8Scan.ts; one slot of rows per shard, so a write copies one shard's rows,
// not all of them), and for a big store an int8 128-number count sketch in a second arena. A store
// without sketches compares every int8 vector in one SIMD pass; a big one first scores every sketch,
// compares the best SKETCH_POOL int8 vectors, and either way the best EXACT_TOP are scored again with
// their full vectors, read from disk by the caller. The store owns which shards there are; this owns
// their vectors and how they are searched.
import { createInt8Scanner, type Int8Scanner, int8DotRows, plainScanResult, quantizeInt8, type ScanResult } from './int8Scan';
import { TopK } from './topK';

/** Candidates kept from each ranking before fusion; paging goes no deeper. */
export const CANDIDATES = 100;
/**
 * A store opened with at least this many bytes of int8 vectors (200k rows of 384) keeps sketches (128
 * bytes a row) and scans them first. Below, one pass over the int8 vectors themselves costs a few
 * milliseconds (~6 ms at 130k rows of 384), is exact, and the memory is saved. Counted in bytes, not rows:
 * a model embedder's 1,536 numbers make each row's pass four times as long. A store that grows past it
 * while open goes on without them.
 */
const SKETCH_FROM_BYTES = 200_000 * 384;

/** Whether a store of `rows` vectors of `dimensions` keeps sketches (SKETCH_FROM_BYTES, or `fromBytes`). */
export function keepsSketches(rows: number, dimensions: number, fromBytes = SKETCH_FROM_BYTES): boolean {
  return rows * dimensions >= fromBytes;
}
/** Below this many live items even a store with sketches compares every int8 vector. */
const EXACT_SEARCH_BELOW = 20_000;
/** Candidates the sketch pass hands to the int8 pass. */
const SKETCH_POOL = 2000;
/**
 * Rows a scan chooses before the filter (dead or filtered-out rows are dropped after): more than it
 * keeps, and the full choice again here only when the filter leaves too few.
 */
const SKETCH_CHOICE = 2500;
const VECTOR_CHOICE = 4 * CANDIDATES;
/** The best this many by int8 are scored again exactly: int8 order is close, and only the top needs more. */
const EXACT_TOP = 20;
export const SKETCH_DIMENSIONS = 128;
/** Pool ids are shardIndex * SHARD_STRIDE + row. */
const SHARD_STRIDE = 1 << 20;

/** What the search uses of a scanner. */
type Arena = Pick<Int8Scanner, 'width' | 'reserve' | 'rows' | 'weights' | 'scan' | 'begin'>;

/** One shard as the search reads it: its rows' docs, and where its vectors are (`VectorSearch.place`). */
export interface VectorShard {
  /** Row → doc. */
  docs: Int32Array;
  slot: number;
}

/** One row's vector as memory keeps it, to write into a shard's next version. */
export interface KeptVector {
  vector: Int8Array;
  scale: number;
  /** Undefined when this store keeps no sketches (or not yet this shard's). */
  sketch?: Int8Array;
  sketchScale?: number;
}

export interface VectorSearchOptions {
  /** Whether `doc` may be returned (alive and through the caller's filter). */
  allowed: (doc: number) => boolean;
  /** The full vectors of `docs`, read from disk, in order. */
  exact: (docs: number[]) => Float32Array[];
}

export class VectorSearch {
  /** Every shard's int8 vectors (rows padded to the module's multiple of 16), weighed by their scales. */
  private readonly vectorArena: Arena;
  /** Their sketches, for a store big enough to scan those first; undefined for a smaller one. */
  private sketchArena: Arena | undefined;
  /** Per slot: whether its sketches are in the sketch arena (a store grown big gets them shard by shard). */
  private sketchedSlots = new Uint8Array(0);
  private slots = 0;
  private readonly free: number[] = [];
  /** Scores a big store's pool (scorePool), made at its first search; null without WebAssembly SIMD. */
  private poolScanner: Int8Scanner | null | undefined;

  constructor(
    private readonly dimensions: number,
    private readonly slotRows: number,
    /** Whether to keep sketches: `keepsSketches` of the store's size when opened. */
    sketched: boolean,
  ) {
    const width = Math.ceil(dimensions / 16) * 16;
    this.vectorArena = createInt8Scanner(width) ?? plainScanner(width);
    if (sketched) this.keepSketches();
  }

  /** Whether this search keeps sketches, and whether every shard's are in (the sketch scan is used only then). */
  get sketches(): 'none' | 'filling' | 'ready' {
    return !this.sketchArena ? 'none' : this.missingSketches() > 0 ? 'filling' : 'ready';
  }

  /** Slots in use whose sketches are not in yet: the sketch scan would miss their rows. */
  private missingSketches(): number {
    if (!this.sketchArena) return 0;
    let missing = this.slots - this.free.length;
    for (let slot = 0; slot < this.slots; slot++) if (this.sketchedSlots[slot] === 1) missing--;
    return missing;
  }

  /**
   * From now on keeps sketches: a store that grew past keepsSketches while open. Shards placed before
   * have none until `placeSketches` gives them theirs; until every one has, searches scan the int8 vectors.
   */
  keepSketches(): void {
    if (this.sketchArena) return;
    this.sketchArena = createInt8Scanner(SKETCH_DIMENSIONS) ?? plainScanner(SKETCH_DIMENSIONS);
    this.sketchArena.reserve(this.slots * this.slotRows);
  }

  /** Whether `slot`'s sketches are in. */
  hasSketches(slot: number): boolean {
    return this.sketchedSlots[slot] === 1;
  }

  /** A placed slot's sketches (rows × SKETCH_DIMENSIONS) and their scales, once this search keeps sketches. */
  placeSketches(slot: number, sketches: Int8Array, sketchScales: Float32Array): void {
    const arena = this.sketchArena;
    if (!arena || this.sketchedSlots[slot] === 1) return;
    arena.reserve(this.slots * this.slotRows);
    arena.rows().set(sketches, slot * this.slotRows * SKETCH_DIMENSIONS);
    setWeights(arena, slot * this.slotRows, this.slotRows, sketchScales);
    this.markSketched(slot, true);
  }

  /** A placed slot's sketches made from its own int8 vectors (`rows` of them), where no cache has them. */
  makeSketches(slot: number, rows: number): void {
    const sketches = new Int8Array(rows * SKETCH_DIMENSIONS);
    const sketchScales = new Float32Array(rows);
    for (let row = 0; row < rows; row++) {
      const { vector, scale } = this.vectorAt(slot, row);
      const made = sketchOfInt8(vector, scale);
      sketches.set(made.sketch, row * SKETCH_DIMENSIONS);
      sketchScales[row] = made.sketchScale;
    }
    this.placeSketches(slot, sketches, sketchScales);
  }

  private markSketched(slot: number, present: boolean): void {
    if (slot >= this.sketchedSlots.length) {
      const grown = new Uint8Array(Math.max(slot + 1, this.sketchedSlots.length * 2));
      grown.set(this.sketchedSlots);
      this.sketchedSlots = grown;
    }
    this.sketchedSlots[slot] = present ? 1 : 0;
  }

  /** Room for `slots` shards in all (those placed and released included), so placing them grows nothing. */
  reserveSlots(slots: number): void {
    for (const arena of [this.vectorArena, this.sketchArena]) arena?.reserve(Math.max(slots, this.slots) * this.slotRows);
  }

  /**
   * Copies a shard's int8 vectors (rows × dimensions) and scales, and its sketches and their scales
   * when this search keeps them, into a free slot; returns the slot.
   */
  place(vectors: Int8Array, scales: Float32Array, sketches: Int8Array, sketchScales: Float32Array): number {
    const slot = this.free.pop() ?? this.slots++;
    const d = this.dimensions;
    const arena = this.vectorArena;
    arena.reserve(this.slots * this.slotRows);
    const rows = arena.rows();
    const base = slot * this.slotRows;
    // A reused slot's rows past these keep what they held: weighed at zero (setWeights), no scan chooses
    // them, and writing zeros would only make their pages resident. Each row's padding past d is never
    // written, so stays zero and adds nothing to a dot product.
    if (arena.width === d) rows.set(vectors, base * d);
    else for (let r = 0; r < scales.length; r++) rows.set(vectors.subarray(r * d, (r + 1) * d), (base + r) * arena.width);
    setWeights(arena, base, this.slotRows, scales);
    this.placeSketches(slot, sketches, sketchScales);
    return slot;
  }

  /** A copy of one row's int8 vector and scale, and its sketch when kept. */
  vectorAt(slot: number, row: number): KeptVector {
    const at = slot * this.slotRows + row;
    const vector = this.vectorArena.rows().slice(at * this.vectorArena.width, at * this.vectorArena.width + this.dimensions);
    const kept: KeptVector = { vector, scale: this.vectorArena.weights()[at] };
    if (this.sketchArena && this.hasSketches(slot)) {
      kept.sketch = this.sketchArena.rows().slice(at * SKETCH_DIMENSIONS, (at + 1) * SKETCH_DIMENSIONS);
      kept.sketchScale = this.sketchArena.weights()[at];
    }
    return kept;
  }

  release(slot: number): void {
    // Weighed at zero, its rows are never chosen by a scan.
    for (const arena of [this.vectorArena, this.sketchArena]) arena?.weights().fill(0, slot * this.slotRows, (slot + 1) * this.slotRows);
    this.markSketched(slot, false);
    this.free.push(slot);
  }

  /** The CANDIDATES docs closest to `q`, best first: the first EXACT_TOP by their full vectors, the rest by int8. */
  search(shards: VectorShard[], live: number, q: Float32Array, opts: VectorSearchOptions): Array<{ id: number; score: number }> {
    return this.start(shards, live, q, opts)();
  }

  /**
   * `search` begun now (a big scan on a helper thread) and finished by the function returned, so work
   * done in between overlaps the scan. Nothing may change the shards before then.
   */
  start(shards: VectorShard[], live: number, q: Float32Array, opts: VectorSearchOptions): () => Array<{ id: number; score: number }> {
    const rows = this.slots * this.slotRows;
    if (!this.sketchArena || this.missingSketches() > 0 || live < EXACT_SEARCH_BELOW) {
      const query8 = new Int8Array(this.vectorArena.width);
      const queryScale = quantizeInt8(q, query8, 0);
      const choice = Math.min(rows, VECTOR_CHOICE);
      const scan = this.vectorArena.begin(query8, 0, rows, choice);
      return () => this.finish(q, opts, this.choose(shards, scan(), this.vectorArena, choice, CANDIDATES, opts.allowed, queryScale));
    }
    const sketch = new Int8Array(SKETCH_DIMENSIONS);
    quantizeInt8(sketchOf(q, this.dimensions), sketch, 0);
    const sketchArena = this.sketchArena;
    const choice = Math.min(rows, SKETCH_CHOICE);
    const scan = sketchArena.begin(sketch, 0, rows, choice);
    return () => {
      const pool = this.choose(shards, scan(), sketchArena, choice, SKETCH_POOL, opts.allowed, 1);
      return this.finish(q, opts, this.scorePool(shards, pool, q));
    };
  }

  private finish(q: Float32Array, opts: VectorSearchOptions, near: TopK): Array<{ id: number; score: number }> {
    // The query in doubles: V8 then multiplies without converting one side at every step.
    const query = Float64Array.from(q);
    const candidates = near.sorted();
    const top = candidates.slice(0, EXACT_TOP);
    const full = opts.exact(top.map((c) => c.id));
    // Nothing in common with the query is not a candidate, however short the list.
    const exact = top.map((c, i) => ({ id: c.id, score: dot(full[i], 0, query, this.dimensions) })).filter((c) => c.score > 0);
    exact.sort((a, b) => b.score - a.score);
    return [...exact, ...candidates.slice(EXACT_TOP)];
  }

  /**
   * The `keep` best allowed docs of a scan of `arena` (as docs with scores × `scale`, for the vector
   * arena; as shardIndex * SHARD_STRIDE + row, for the sketch arena's pool).
   */
  private choose(shards: VectorShard[], scan: ScanResult, arena: Arena, choice: number, keep: number, allowed: (doc: number) => boolean, scale: number): TopK {
    const asDocs = arena === this.vectorArena;
    const shardOfSlot = new Int32Array(this.slots).fill(-1);
    shards.forEach((shard, i) => (shardOfSlot[shard.slot] = i));
    const out = new TopK(keep);
    const offer = (absolute: number, score: number) => {
      const slot = Math.floor(absolute / this.slotRows);
      const row = absolute - slot * this.slotRows;
      const i = shardOfSlot[slot];
      if (i < 0 || row >= shards[i].docs.length || !(score > 0)) return;
      const doc = shards[i].docs[row];
      if (allowed(doc)) out.push(asDocs ? doc : i * SHARD_STRIDE + row, score * scale);
    };
    const { rows, scores } = scan.best;
    for (let j = 0; j < rows.length; j++) offer(rows[j], scores[j]);
    // The filter left fewer than wanted of a choice that was full: choose again, filtering as it goes.
    if (out.threshold === -Infinity && choice > 0 && rows.length === choice) {
      const weights = arena.weights();
      const again = new TopK(keep);
      for (let i = 0; i < shards.length; i++) {
        const { docs, slot } = shards[i];
        const base = slot * this.slotRows;
        for (let row = 0; row < docs.length; row++) {
          const score = scan.scores[base + row] * weights[base + row] * scale;
          if (score > 0 && score > again.threshold && allowed(docs[row])) again.push(asDocs ? docs[row] : i * SHARD_STRIDE + row, score);
        }
      }
      return again;
    }
    return out;
  }

  /**
   * The pool's int8 vectors scored into the CANDIDATES best: in the SIMD module (the rows copied into its
   * memory, the query quantized too), ~0.5 ms for 2,000 rows of 384 where the plain loop takes ~6.
   */
  private scorePool(shards: VectorShard[], pool: TopK, q: Float32Array): TopK {
    const d = this.dimensions;
    const near = new TopK(CANDIDATES);
    const ids: number[] = [];
    pool.forEach((id) => ids.push(id));
    const shardOf = (id: number) => shards[Math.floor(id / SHARD_STRIDE)];
    const rowOf = (id: number) => shardOf(id).slot * this.slotRows + (id % SHARD_STRIDE);
    const source = this.vectorArena.rows();
    const width = this.vectorArena.width;
    const scales = this.vectorArena.weights();
    if (this.poolScanner === undefined) this.poolScanner = createInt8Scanner(width) ?? null;
    const scanner = this.poolScanner ?? plainScanner(width);
    scanner.reserve(ids.length);
    const rows = scanner.rows();
    ids.forEach((id, i) => rows.set(source.subarray(rowOf(id) * width, rowOf(id) * width + d), i * width));
    const query8 = new Int8Array(width);
    const queryScale = quantizeInt8(q, query8, 0);
    const dots = scanner.scan(query8, 0, ids.length);
    ids.forEach((id, i) => {
      const score = scales[rowOf(id)] * dots[i] * queryScale;
      if (score > 0) near.push(shardOf(id).docs[id % SHARD_STRIDE], score);
    });
    return near;
  }
}

/** Weights [base, base + slotRows) of `arena`: `values` first, zeros after. */
function setWeights(arena: Arena, base: number, slotRows: number, values: Float32Array): void {
  const weights = arena.weights();
  weights.set(values, base);
  weights.fill(0, base + values.length, base + slotRows);
}

/** The arena in plain JavaScript, where WebAssembly SIMD is missing. */
function plainScanner(width: number): Arena {
  let data = new Int8Array(0);
  let weights = new Float32Array(0);
  let out = new Int32Array(0);
  const arena: Arena = {
    width,
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

/** The sketch of an int8 vector (`vector` × `scale`), quantized as a cache keeps it. */
export function sketchOfInt8(vector: Int8Array, scale: number): { sketch: Int8Array; sketchScale: number } {
  const sketch = new Int8Array(SKETCH_DIMENSIONS);
  const sketchScale = quantizeInt8(sketchOf(Float32Array.from(vector, (x) => x * scale), vector.length), sketch, 0);
  return { sketch, sketchScale };
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

