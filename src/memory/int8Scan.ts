// Exact integer dot products of one int8 query with many int8 rows: the engine under lean archival
// memory, where each resident vector is `width` int8 numbers plus one float scale the owner keeps
// (issue 14: ~1 KiB per chunk at 1M chunks, instead of Float32). The rows live in WebAssembly memory, so
// scanning them needs no copy; the module is a few hundred bytes of bytecode (int8Assembly.ts). Where
// WebAssembly SIMD is missing, or the assembled code disagrees with the plain loop on the self-check,
// `createInt8Scanner` returns undefined and the caller uses `int8DotRows`.
// Weighing the integers and keeping the best rows (`begin`) is plain JS after the scan, on whichever thread
// scanned its last chunk: a variant that did both in the module (float scores, a maximum per 32 rows to skip blocks)
// measured slower than `scan` plus a JS loop. What the module does do for a big range is sieve: a second
// function (`above`) lists the rows whose weighted score, in float32, clears a bar taken from a sample,
// with their exact scores, so the JS heap reads a few thousand in order instead of all of them.

import { Worker } from 'node:worker_threads';
import { assemble, MAX_PAGES, type QueryPlacement } from './int8Assembly';

const PAGE = 65536;

export interface Int8Scanner {
  /** Numbers per row (a multiple of 16; a shorter vector is padded with zeros, which add nothing). */
  readonly width: number;
  /** Rows there is room for. */
  capacity(): number;
  /**
   * Room for at least `rows` rows; rows already written stay where they are, new ones read as zeros.
   * Growing the memory detaches every view made before (from `rows()` or `scan`): take them again after a
   * reserve. Throws RangeError when WebAssembly memory cannot grow that far (4 GiB in all).
   */
  reserve(rows: number): void;
  /** capacity × width numbers to fill or overwrite in place; row r starts at r × width. Stale after `reserve`. */
  rows(): Int8Array;
  /**
   * Dot products of `query` (width numbers) with rows [from, from + count): exact, as integers. The
   * result is a view into the scanner's memory, valid until the next `scan` or `reserve`.
   */
  scan(query: Int8Array, from: number, count: number): Int32Array;
  /** capacity weights, one per row, for `begin`'s choice; zero for a row never set. Stale after `reserve`. */
  weights(): Float32Array;
  /**
   * `scan` of rows [from, from + count), and of those the `k` (at most POOL_MAX) whose dot product × the
   * row's weight is best and positive (of equal ones, the lower rows), begun now and taken with the
   * function returned: on a helper thread when the range is big (SCAN_HELPER_ROWS) and one is running, so
   * the caller's own work between the two overlaps it, and the caller scans the chunks the helper has not
   * reached once it takes the result. Any other call first waits for a scan begun and not yet taken.
   */
  begin(query: Int8Array, from: number, count: number, k: number): () => ScanResult;
  /** Whether a helper thread takes big scans now (it starts at the first big `begin`, and takes the ones after). */
  helping(): boolean;
  /** Whether `begin` sieves a big range (SIEVE_ROWS) with the module's `above`: false when it failed its self-check. */
  sieving(): boolean;
  /** Moves rows [start, end) to begin at row `target` (overlap allowed), as Array.prototype.copyWithin does, in place. */
  copyWithin(target: number, start: number, end: number): void;
}

export interface ScanResult {
  /** The dot products, as `scan` returns them. */
  scores: Int32Array;
  /** The best rows (absolute row numbers) and their weighted scores, in no order. */
  best: { rows: Int32Array; scores: Float64Array };
}

/** The most rows `begin` chooses. */
export const POOL_MAX = 8192;

export type { QueryPlacement };

/** A scanner for rows of `width` int8 numbers, or undefined without WebAssembly SIMD. */
export function createInt8Scanner(width: number, query?: QueryPlacement): Int8Scanner | undefined {
  if (!Number.isInteger(width) || width < 16 || width % 16 !== 0) throw new RangeError(`width ${width} is not a positive multiple of 16`);
  // Shared memory lets a helper thread scan the rows in place; where it cannot be made, one thread scans.
  for (const shared of [true, false]) {
    try {
      const bytes = assemble(width, query ?? 'locals', shared);
      if (!WebAssembly.validate(bytes)) continue;
      const scanner = instantiate(width, new WebAssembly.Module(bytes), shared);
      if (selfCheck(scanner)) return scanner;
    } catch {
      // The other kind of memory, or none.
    }
  }
  return undefined;
}

/**
 * out[i] = dot(query, row from + i) for i < count, rows laid end to end in `rows` (`width` numbers each):
 * the plain loop, and the reference the SIMD code is checked against.
 */
export function int8DotRows(rows: Int8Array, width: number, query: Int8Array, from: number, count: number, out: Int32Array): Int32Array {
  for (let r = 0; r < count; r++) {
    const at = (from + r) * width;
    // Four partial sums: the adds do not wait on one another. Each stays far inside int32 (|x| ≤ 2^24 at width 1024).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < width; i += 4) {
      s0 += query[i] * rows[at + i];
      s1 += query[i + 1] * rows[at + i + 1];
      s2 += query[i + 2] * rows[at + i + 2];
      s3 += query[i + 3] * rows[at + i + 3];
    }
    out[r] = s0 + s1 + s2 + s3;
  }
  return out;
}

/**
 * Writes `vector` as int8 into out[at, at + vector.length) and returns its scale: vector[i] ≈ out[at + i] ×
 * scale, off by at most scale / 2, where scale = max |vector[i]| / 127 (0 for a zero vector, written as
 * zeros). So dot(a, b) ≈ dot8(a, b) × scaleA × scaleB, and a cosine ranking of int8 rows multiplies each
 * row's integer dot product by its scale (the query's scale is the same for every row). -128 is never
 * written, so negating a row stays in range.
 */
export function quantizeInt8(vector: Float32Array, out: Int8Array, at: number): number {
  let maxAbs = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i]);
    if (a > maxAbs) maxAbs = a;
  }
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) {
    out.fill(0, at, at + vector.length);
    return 0;
  }
  const scale = maxAbs / 127;
  const inverse = 127 / maxAbs;
  for (let i = 0; i < vector.length; i++) {
    const q = Math.round(vector[i] * inverse);
    out[at + i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return scale;
}

// Memory layout: query widened to int16 (2 × width bytes) | rows (capacity × width) | weights (capacity × 4)
// | scores (capacity × 4) | the choice's scores (POOL_MAX × 8, 8-aligned) and rows (POOL_MAX × 4) | the
// sieve's scores and indices (sieveRoom(capacity) × 8, × 4). The rows begin at a fixed place, so growing
// the memory keeps them where they are; the weights move.
function instantiate(width: number, module: WebAssembly.Module, shared: boolean): Int8Scanner {
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: MAX_PAGES, shared: true } : { initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const scan = instance.exports.scan as (m: number, count: number, out: number) => void;
  // Checked while the memory holds nothing else; a sieve that disagrees is not used.
  const above = aboveAgrees(instance.exports.above as Above, memory) ? (instance.exports.above as Above) : undefined;
  const rowsAt = 2 * width;
  let capacity = 0;
  let helper: ScanHelper | undefined;
  const weightsAt = () => rowsAt + capacity * width;
  const scoresAt = () => weightsAt() + capacity * 4;
  const bestAt = () => Math.ceil((scoresAt() + capacity * 4) / 8) * 8;
  const bestRowsAt = () => bestAt() + POOL_MAX * 8;
  const passedAt = () => bestRowsAt() + POOL_MAX * 4;
  const passedRowsAt = () => passedAt() + sieveRoom(capacity) * 8;
  const bytesFor = (rows: number) => Math.ceil((rowsAt + rows * (width + 8)) / 8) * 8 + POOL_MAX * 12 + sieveRoom(rows) * 12;
  const checkRange = (from: number, count: number) => {
    if (!(Number.isInteger(from) && Number.isInteger(count) && from >= 0 && count >= 0 && from + count <= capacity)) {
      throw new RangeError(`rows ${from}..${from + count} but room for ${capacity}`);
    }
  };
  const setQuery = (query: Int8Array) => {
    if (query.length !== width) throw new RangeError(`query of ${query.length} numbers for rows of ${width}`);
    new Int16Array(memory.buffer, 0, width).set(query);
  };
  const scanNow = (from: number, count: number) => {
    scan(rowsAt + from * width, count, scoresAt());
    return new Int32Array(memory.buffer, scoresAt(), count);
  };
  const settle = () => void helper?.settle();
  return {
    width,
    capacity: () => capacity,
    reserve(rows) {
      if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`room for ${rows} rows`);
      if (rows <= capacity) return;
      settle();
      const wanted = Math.max(rows, Math.ceil(capacity * 1.25));
      const have = memory.buffer.byteLength;
      if (bytesFor(wanted) > have) memory.grow(Math.ceil((bytesFor(wanted) - have) / PAGE));
      const bytes = new Uint8Array(memory.buffer);
      // The weights move past the longer rows; what they and the areas after them held becomes new rows,
      // zeros. Past those the memory was never written (it only grows): zeroing it would only fault in
      // pages (400 MB for 1M rows reserved at open) that placing rows touches anyway.
      const oldWeights = weightsAt();
      const oldEnd = bytesFor(capacity);
      const newWeights = rowsAt + wanted * width;
      bytes.copyWithin(newWeights, oldWeights, oldWeights + capacity * 4);
      bytes.fill(0, oldWeights, Math.min(newWeights, oldEnd));
      bytes.fill(0, newWeights + capacity * 4, newWeights + wanted * 4);
      capacity = wanted;
      // Touched now, so the first scan does not pay for faulting the scores' pages in (~30 ms per 4 MB on a VM).
      new Int32Array(memory.buffer, scoresAt(), capacity).fill(0);
    },
    rows() {
      settle();
      return new Int8Array(memory.buffer, rowsAt, capacity * width);
    },
    scan(query, from, count) {
      checkRange(from, count);
      settle();
      setQuery(query);
      return scanNow(from, count);
    },
    weights() {
      settle();
      return new Float32Array(memory.buffer, weightsAt(), capacity);
    },
    begin(query, from, count, k) {
      checkRange(from, count);
      if (!(Number.isInteger(k) && k >= 0 && k <= POOL_MAX)) throw new RangeError(`the best ${k} rows, at most ${POOL_MAX}`);
      settle();
      setQuery(query);
      const result = (size: number): ScanResult => ({
        scores: new Int32Array(memory.buffer, scoresAt(), count),
        best: { rows: new Int32Array(memory.buffer, bestRowsAt(), size), scores: new Float64Array(memory.buffer, bestAt(), size) },
      });
      if (shared && count >= SCAN_HELPER_ROWS) {
        helper ??= ScanHelper.start(module, memory, scan, above);
        const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / width));
        const job = { at: rowsAt + from * width, count, out: scoresAt(), from, weights: weightsAt(), k, best: bestAt(), bestRows: bestRowsAt(), passed: passedAt(), passedRows: passedRowsAt(), width, chunkRows };
        if (helper.post(job)) {
          const taken = helper;
          return () => {
            const size = taken.settle();
            return size >= 0 ? result(size) : plainScan(from, count, k);
          };
        }
      }
      return () => {
        const scores = scanNow(from, count);
        const weights = new Float32Array(memory.buffer, weightsAt(), capacity);
        const bestRows = new Int32Array(memory.buffer, bestRowsAt(), k);
        const sieve = above && count >= SIEVE_ROWS ? sieveOf(above, memory.buffer, scoresAt(), weightsAt() + 4 * from, count, passedAt(), passedRowsAt()) : undefined;
        return result(chooseBest(scores, weights, from, count, k, bestRows, new Float64Array(memory.buffer, bestAt(), k), sieve));
      };
    },
    helping: () => helper?.ready() ?? false,
    sieving: () => above !== undefined,
    copyWithin(target, start, end) {
      const bound = (n: number) => Number.isInteger(n) && n >= 0 && n <= capacity;
      if (!bound(target) || !bound(start) || !bound(end) || end < start || target + (end - start) > capacity) {
        throw new RangeError(`copyWithin(${target}, ${start}, ${end}) with room for ${capacity}`);
      }
      settle();
      new Int8Array(memory.buffer, rowsAt, capacity * width).copyWithin(target * width, start * width, end * width);
    },
  };

  /** The scan and choice in plain JS into memory of its own, for when a helper failed and may still write. */
  function plainScan(from: number, count: number, k: number): ScanResult {
    const query = Int8Array.from(new Int16Array(memory.buffer, 0, width));
    const rows = new Int8Array(memory.buffer, rowsAt, capacity * width);
    return plainScanResult(rows, new Float32Array(memory.buffer, weightsAt(), capacity), width, query, from, count, k, new Int32Array(count));
  }
}

/**
 * From this many rows a scan goes to the helper thread: at 1M rows of 128 it takes 8–18 ms, which the
 * caller's keyword search then overlaps; below, the hand-off would cost more than it saves (and a store
 * that small never starts the thread, ~10 MiB of its own).
 */
export const SCAN_HELPER_ROWS = 250_000;
/**
 * A shared scan is handed out in chunks of about this many bytes of rows (~0.5 ms each): the caller, once it
 * waits, takes chunks the helper has not, so both cores scan (1M rows of 128: 16 ms alone, ~10 together).
 */
const CHUNK_BYTES = 4 << 20;
/** How long a scan may take on the helper before it is given up for one in plain JS on this thread. */
const HELPER_TIMEOUT_MS = 3000;

/** From this many rows `begin` sieves before choosing: below, the sample and the sieve save too little. */
const SIEVE_ROWS = 65536;

/** Rows the sieve has room for at `rows` rows: it gives up past a quarter of them, after up to 4 more (sieveOf). */
const sieveRoom = (rows: number) => (rows >> 2) + 4;

// The helper's control words: what it is to do, where, and whether it has started.
const STATE = 0;
const IDLE = 0;
const JOB = 1;
const DONE = 2;
const QUIT = 3;
const READY = 1;
/** Bumped at each job posted (and at quit): the helper sleeps on it. */
const SEQ = 2;
/** The next chunk to take, tagged with its job's number in the high bits: a late thread cannot take a later job's chunk with an earlier job's addresses. */
const NEXT = 3;
/** Chunks not yet scanned: whoever scans the last one chooses. */
const LEFT = 4;
/** The job's words, in HelperJob's order; then the size of the choice it made. */
const JOB_AT = 5;
const JOB_WORDS = ['at', 'count', 'out', 'from', 'weights', 'k', 'best', 'bestRows', 'passed', 'passedRows', 'width', 'chunkRows'] as const;
const SIZE = JOB_AT + JOB_WORDS.length;
/** NEXT's low bits count chunks: a job has at most 1,024 (4 GiB of rows in chunks of CHUNK_BYTES), so CHUNK_MASK is never one: it closes a job. */
const TAG_SHIFT = 16;
const CHUNK_MASK = (1 << TAG_SHIFT) - 1;
/** Where shareScan finds its words: it cannot see this module's constants, since the helper runs its source. */
const WORDS = { STATE, DONE, NEXT, LEFT, JOB_AT, SIZE, TAG_SHIFT, SIEVE_ROWS };
type Words = typeof WORDS;

/** Byte addresses and counts of one scan and choice. */
type HelperJob = Record<(typeof JOB_WORDS)[number], number>;
type Scan = (m: number, count: number, out: number) => void;

/**
 * A worker thread that runs the scan function (and the sieve, when it passed its self-check) over
 * the same shared memory: posted and awaited through Atomics on a few shared words, so neither side waits
 * on an event loop. Its source is a few lines, run with `eval`, so nothing needs bundling beside the extension.
 */
class ScanHelper {
  private broken = false;
  private pending = false;
  private lastSize = -1;

  private constructor(
    private readonly control: Int32Array,
    private readonly worker: Worker | undefined,
    /** The caller's thread taking chunks of the posted job (shareScan). */
    private readonly share: () => void,
  ) {}

  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, scan: Scan, above: Above | undefined): ScanHelper {
    const control = new Int32Array(new SharedArrayBuffer((SIZE + 1) * 4));
    let worker: Worker | undefined;
    try {
      worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, control, sieving: above !== undefined, words: WORDS } });
      worker.unref();
    } catch {
      worker = undefined;
    }
    const helper = new ScanHelper(control, worker, () => shareScan(control, memory, scan, above, chooseBest, sieveOf, WORDS));
    if (!worker) helper.broken = true;
    worker?.on('error', () => (helper.broken = true));
    worker?.on('exit', () => (helper.broken = true));
    return helper;
  }

  ready(): boolean {
    return !this.broken && Atomics.load(this.control, READY) === 1;
  }

  /** Hands the helper a scan; false when it cannot take one (not started yet, or gone). */
  post(job: HelperJob): boolean {
    if (!this.ready()) return false;
    const control = this.control;
    // The last job is closed before its words are overwritten: a thread waking late for it, holding its
    // tag, must find no chunk left to take, even where the new job has more chunks than it had.
    Atomics.or(control, NEXT, CHUNK_MASK);
    JOB_WORDS.forEach((word, i) => (control[JOB_AT + i] = job[word]));
    const seq = (control[SEQ] + 1) & ((1 << (31 - TAG_SHIFT)) - 1);
    Atomics.store(control, LEFT, Math.ceil(job.count / job.chunkRows));
    Atomics.store(control, NEXT, seq << TAG_SHIFT);
    Atomics.store(control, STATE, JOB);
    Atomics.store(control, SEQ, seq);
    Atomics.notify(control, SEQ);
    this.pending = true;
    return true;
  }

  /**
   * Waits for the scan posted, if any (it may have been waited for already, by another call): the size of
   * the last scan's choice, or -1 if the helper failed it (and is given up).
   */
  settle(): number {
    if (!this.pending) return this.lastSize;
    this.pending = false;
    this.lastSize = -1;
    // Scans what the helper has not taken yet; a helper stuck in its chunk is given up below.
    this.share();
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    while (Atomics.load(this.control, STATE) === JOB) {
      const left = deadline - performance.now();
      if (left <= 0) return this.giveUp();
      try {
        Atomics.wait(this.control, STATE, JOB, left);
      } catch {
        // A thread that may not block (none of Node's): spin instead, the scan is milliseconds.
      }
    }
    Atomics.store(this.control, STATE, IDLE);
    this.lastSize = this.control[SIZE];
    return this.lastSize;
  }

  private giveUp(): number {
    this.broken = true;
    Atomics.store(this.control, STATE, QUIT);
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
    void this.worker?.terminate();
    return -1;
  }
}

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, sieving, words } = workerData;
const { scan, above } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const chooseBest = ${chooseBest.toString()};
const sieveOf = ${sieveOf.toString()};
const shareScan = ${shareScan.toString()};
Atomics.store(control, ${READY}, 1);
let seen = 0;
for (;;) {
  if (Atomics.load(control, ${STATE}) === ${QUIT}) break;
  const seq = Atomics.load(control, ${SEQ});
  if (seq === seen) {
    Atomics.wait(control, ${SEQ}, seen);
    continue;
  }
  seen = seq;
  shareScan(control, memory, scan, sieving ? above : undefined, chooseBest, sieveOf, words);
}
`;

/**
 * Scans chunks of the posted job until none is left to take, on whichever thread calls it (the helper
 * as soon as it is posted; the caller once it waits for it). The thread that scans the last chunk sieves
 * and chooses, writes the choice's size and marks the job done. A job already done, or replaced by a later
 * one, is left alone. Self-contained, because its source text is also what the helper thread runs: what it
 * needs comes in as arguments.
 */
function shareScan(control: Int32Array, memory: WebAssembly.Memory, scan: Scan, above: Above | undefined, choose: typeof chooseBest, sieveFor: typeof sieveOf, words: Words): void {
  const next = Atomics.load(control, words.NEXT);
  const tag = next >>> words.TAG_SHIFT;
  const [at, count, out, from, weights, k, best, bestRows, passed, passedRows, width, chunkRows] = Array.from(
    control.subarray(words.JOB_AT, words.SIZE),
    (word) => word >>> 0,
  );
  const chunks = Math.ceil(count / chunkRows);
  for (;;) {
    const claim = Atomics.load(control, words.NEXT);
    const chunk = claim & ((1 << words.TAG_SHIFT) - 1);
    // The job words read above are this job's only while its tag stands.
    if (claim >>> words.TAG_SHIFT !== tag || chunk >= chunks) return;
    if (Atomics.compareExchange(control, words.NEXT, claim, claim + 1) !== claim) continue;
    const first = chunk * chunkRows;
    scan(at + first * width, Math.min(chunkRows, count - first), out + first * 4);
    if (Atomics.sub(control, words.LEFT, 1) !== 1) continue;
    const buffer = memory.buffer;
    const sieve = above && count >= words.SIEVE_ROWS ? sieveFor(above, buffer, out, weights + 4 * from, count, passed, passedRows) : undefined;
    control[words.SIZE] = choose(new Int32Array(buffer, out, count), new Float32Array(buffer, weights, from + count), from, count, k, new Int32Array(buffer, bestRows, k), new Float64Array(buffer, best, k), sieve);
    Atomics.store(control, words.STATE, words.DONE);
    Atomics.notify(control, words.STATE);
    return;
  }
}

/** `begin`'s result in plain JS: the dot products into `out`, the best `k` into arrays of their own. */
export function plainScanResult(rows: Int8Array, weights: Float32Array, width: number, query: Int8Array, from: number, count: number, k: number, out: Int32Array): ScanResult {
  const scores = int8DotRows(rows, width, query, from, count, out).subarray(0, count);
  const best = { rows: new Int32Array(k), scores: new Float64Array(k) };
  const size = chooseBest(scores, weights, from, count, k, best.rows, best.scores);
  return { scores, best: { rows: best.rows.subarray(0, size), scores: best.scores.subarray(0, size) } };
}

/**
 * Into rows/best: the `k` rows of [from, from + count) whose scores[i] × weights[from + i] are best and
 * positive, unordered (a min-heap); returns how many. Of equal scores the lower row is kept, so the choice
 * depends only on which rows are offered, not on their order or on rows that could never be chosen: the
 * sieve may drop those and leave it the same. Self-contained, because its source text is also what the
 * helper thread runs: so it keeps its own small heap rather than use TopK.
 */
function chooseBest(scores: Int32Array, weights: Float32Array, from: number, count: number, k: number, rows: Int32Array, best: Float64Array, sieve?: Sieve): number {
  if (k <= 0) return 0;
  if (sieve) {
    // A bar from a sample of 32 rows in every 1024 (few cache lines, each read whole): its r-th best, which
    // about 32r ≈ 2k rows of all reach. It stands only if it proves safe: every row at or above it passes
    // the sieve, so when k of those do, no row below it is among the best k; else the plain choice runs.
    // The sieve's float32 product and bar each round by at most 2^-24, far less than the 1e-6 the bar is
    // lowered by; outside (1e-30, 1e30), where float32 cannot keep that, the bar is 0, which it keeps
    // exactly (a positive int × a positive float32 never rounds to 0): every positive row passes.
    const r = Math.min(k, Math.ceil(k / 16) + 8);
    const floor = keep(scores, weights, from, r, rows, best, count, 32, 1024) === r ? best[0] : 0;
    const bar = floor > 1e-30 && floor < 1e30 ? floor * (1 - 1e-6) : 0;
    const passed = sieve(bar);
    if (passed) {
      const n = passed.indices.length;
      const size = keep(scores, weights, from, k, rows, best, n, n, n, passed);
      if (bar === 0 || (size === k && best[0] >= floor)) return size;
    }
  }
  return keep(scores, weights, from, k, rows, best, count, count, count);

  /** The heap over rows j < end in runs of `run` every `every`, or over the sieve's rows j < end. */
  function keep(scores: Int32Array, weights: Float32Array, from: number, k: number, rows: Int32Array, best: Float64Array, end: number, run: number, every: number, passed?: Passed): number {
    const indices = passed?.indices;
    const passedScores = passed?.scores;
    let size = 0;
    let bar = 0;
    for (let start = 0; start < end; start += every) {
      for (let j = start, stop = Math.min(start + run, end); j < stop; j++) {
        const score = passedScores ? passedScores[j] : scores[j] * weights[from + j];
        // Rows come in ascending order, so one that ties the worst kept loses; NaN is never kept.
        if (!(score > bar)) continue;
        let at = 0;
        if (size < k) {
          at = size++;
          while (at > 0) {
            const parent = (at - 1) >> 1;
            if (best[parent] < score) break;
            best[at] = best[parent];
            rows[at] = rows[parent];
            at = parent;
          }
        } else {
          for (;;) {
            const left = 2 * at + 1;
            if (left >= size) break;
            const right = left + 1;
            // The worse child: the lower score, or of equal scores the later row.
            const child = right < size && (best[right] < best[left] || (best[right] === best[left] && rows[right] > rows[left])) ? right : left;
            if (best[child] >= score) break;
            best[at] = best[child];
            rows[at] = rows[child];
            at = child;
          }
        }
        best[at] = score;
        rows[at] = from + (indices ? indices[j] : j);
        if (size === k) bar = best[0];
      }
    }
    return size;
  }
}

/** The module's `above`: see aboveCode. */
type Above = (scores: number, weights: number, count: number, bar: number, outScores: number, outRows: number, limit: number) => number;
/** Rows of a range (indices into it, ascending) and their scores, as chooseBest reckons them. */
type Passed = { indices: Int32Array; scores: Float64Array };
/** Every row of the range whose weighted score may be above `bar`, or undefined when too many are. */
type Sieve = (bar: number) => Passed | undefined;

/**
 * A Sieve over scores and weights in the module's memory, what passes written at passedAt (scores) and
 * passedRowsAt (indices); it gives up past a quarter of the rows, where it would save too little.
 * Self-contained: the helper runs its source.
 */
function sieveOf(above: Above, buffer: ArrayBufferLike, scoresAt: number, weightsAt: number, count: number, passedAt: number, passedRowsAt: number): Sieve {
  return (bar) => {
    const limit = count >> 2;
    const n = above(scoresAt, weightsAt, count, bar, passedAt, passedRowsAt, limit);
    return n > limit ? undefined : { indices: new Int32Array(buffer, passedRowsAt, n), scores: new Float64Array(buffer, passedAt, n) };
  };
}

/**
 * `above` against the plain loop, in float32 as it sieves and in doubles as it scores: extreme and zero
 * scores; zero, negative, subnormal and huge weights; a bar equal to a product; a range that starts off
 * 16-byte alignment and ends mid-step; and a limit. A wrong byte in its assembler must cost speed, never
 * results. Leaves the memory as it found it, zero.
 */
function aboveAgrees(above: Above | undefined, memory: WebAssembly.Memory): boolean {
  if (typeof above !== 'function') return false;
  const count = 23;
  const scoresAt = 4;
  const weightsAt = scoresAt + 4 * (count + 1);
  const outAt = 8 * Math.ceil((weightsAt + 4 * (count + 1)) / 8);
  const outRowsAt = outAt + 8 * (count + 4);
  const scores = new Int32Array(memory.buffer, scoresAt, count + 1);
  const weights = new Float32Array(memory.buffer, weightsAt, count + 1);
  const out = new Int32Array(memory.buffer, outRowsAt, count + 4);
  const outScores = new Float64Array(memory.buffer, outAt, count + 4);
  let x = 0x2545f491;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  scores.set([2 ** 24, -(2 ** 24), 0, 1, -1]);
  weights.set([3e38, 0.5, 1, 1e-40, -0.25, 0, -1e-40]);
  for (let i = 5; i < count; i++) scores[i] = (next() >>> 11) - 2 ** 20;
  for (let i = 7; i < count; i++) weights[i] = next() / 2 ** 31 - 0.5;
  // Past the range, a row every bar passes: it must not be listed.
  scores[count] = 2 ** 24;
  weights[count] = 1;
  const product = (i: number) => Math.fround(scores[i] * weights[i]);
  let same = true;
  // Bars equal to a product in a step of four and in the tail: neither passes.
  for (const bar of [0, -1, 0.75, 2 ** 18, product(9), product(10), product(21)]) {
    const want: number[] = [];
    for (let i = 0; i < count; i++) if (product(i) > Math.fround(bar)) want.push(i);
    const passed = above(scoresAt, weightsAt, count, bar, outAt, outRowsAt, count);
    same = same && passed === want.length && want.every((row, j) => out[j] === row && outScores[j] === scores[row] * weights[row]);
    const stopped = above(scoresAt, weightsAt, count, bar, outAt, outRowsAt, 2);
    same = same && (want.length > 2 ? stopped > 2 && stopped <= 6 : stopped === want.length) && want.slice(0, stopped).every((row, j) => out[j] === row);
  }
  new Uint8Array(memory.buffer, 0, outRowsAt + 4 * (count + 4)).fill(0);
  return same;
}

/**
 * Random rows and the extremes (-128 × -128 is the largest product) through both the SIMD code and the
 * plain loop: a wrong byte in the assembler must cost speed, never results. Leaves the rows zero.
 */
function selfCheck(scanner: Int8Scanner): boolean {
  const width = scanner.width;
  const count = 5;
  scanner.reserve(count);
  const rows = scanner.rows();
  let x = 0x9e3779b9;
  for (let i = 0; i < count * width; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    rows[i] = (x >>> 24) - 128;
  }
  rows.fill(-128, 0, width);
  rows.fill(127, width, 2 * width);
  const query = new Int8Array(width);
  for (let i = 0; i < width; i++) query[i] = i % 3 === 0 ? -128 : i % 3 === 1 ? 127 : (i * 37) % 256 - 128;
  const want = int8DotRows(rows, width, query, 0, count, new Int32Array(count));
  const got = scanner.scan(query, 0, count);
  let same = got.length === count;
  for (let r = 0; r < count && same; r++) same = got[r] === want[r];
  // A scan of a middle range reads from the right row.
  const tail = scanner.scan(query, 2, 2);
  same = same && tail[0] === want[2] && tail[1] === want[3];
  scanner.rows().fill(0);
  return same;
}
