// Exact integer dot products of one int8 query with many int8 rows: the engine under lean archival
// memory, where each resident vector is `width` int8 numbers plus one float scale the owner keeps
// (issue 14: ~1 KiB per chunk at 1M chunks, instead of Float32). The rows live in WebAssembly memory, so
// scanning them needs no copy; the module is a few hundred bytes of bytecode assembled here. Where
// WebAssembly SIMD is missing, or the assembled code disagrees with the plain loop on the self-check, `createInt8Scanner` returns undefined and the caller uses `int8DotRows`.
// Weighing the integers and keeping the best rows (`begin`) is plain JS after the scan, on whichever thread
// scanned: a variant that did both in the module (float scores, a maximum per 32 rows to skip blocks)
// measured slower than `scan` plus a JS loop.

import { Worker } from 'node:worker_threads';

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
   * row's weight is best and positive, begun now and taken with the function returned: on a helper thread
   * when the range is big (SCAN_HELPER_ROWS) and one is running, so the caller's own work between the two
   * overlaps it. Any other call first waits for a scan begun and not yet taken.
   */
  begin(query: Int8Array, from: number, count: number, k: number): () => ScanResult;
  /** Whether a helper thread takes big scans now (it starts at the first big `begin`, and takes the ones after). */
  helping(): boolean;
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

/**
 * Where the query's lanes wait while rows stream past: in v128 locals (registers, spilled to the stack
 * past sixteen), or reloaded from memory for each row. Locals measured as fast or faster at every width
 * 16..1024 (test/bench/int8Scan.ts); 'memory' stays for the bench.
 */
export type QueryPlacement = 'locals' | 'memory';

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
// | scores (capacity × 4) | the choice's scores (POOL_MAX × 8, 8-aligned) and rows (POOL_MAX × 4).
// The rows begin at a fixed place, so growing the memory keeps them where they are; the weights move.
function instantiate(width: number, module: WebAssembly.Module, shared: boolean): Int8Scanner {
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: MAX_PAGES, shared: true } : { initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const scan = instance.exports.scan as (m: number, count: number, out: number) => void;
  const rowsAt = 2 * width;
  let capacity = 0;
  let helper: ScanHelper | undefined;
  const weightsAt = () => rowsAt + capacity * width;
  const scoresAt = () => weightsAt() + capacity * 4;
  const bestAt = () => Math.ceil((scoresAt() + capacity * 4) / 8) * 8;
  const bestRowsAt = () => bestAt() + POOL_MAX * 8;
  const bytesFor = (rows: number) => Math.ceil((rowsAt + rows * (width + 8)) / 8) * 8 + POOL_MAX * 12;
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
      // The weights move past the longer rows; what they and the last scores held becomes new rows, zeros.
      const oldWeights = weightsAt();
      const newWeights = rowsAt + wanted * width;
      bytes.copyWithin(newWeights, oldWeights, oldWeights + capacity * 4);
      bytes.fill(0, oldWeights, newWeights);
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
        helper ??= ScanHelper.start(module, memory);
        const job = { at: rowsAt + from * width, count, out: scoresAt(), from, weights: weightsAt(), k, best: bestAt(), bestRows: bestRowsAt() };
        if (helper.post(job)) {
          const taken = helper;
          return () => {
            const size = taken.settle();
            return size >= 0 ? result(size) : plainScan(from, count, k);
          };
        }
      }
      return () => {
        const weights = new Float32Array(memory.buffer, weightsAt(), capacity);
        const bestRows = new Int32Array(memory.buffer, bestRowsAt(), k);
        return result(chooseBest(scanNow(from, count), weights, from, count, k, bestRows, new Float64Array(memory.buffer, bestAt(), k)));
      };
    },
    helping: () => helper?.ready() ?? false,
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

/** WebAssembly pages a shared memory may grow to (4 GiB, all a 32-bit address reaches): only address space until used. */
const MAX_PAGES = 65536;
/**
 * From this many rows a scan goes to the helper thread: at 1M rows of 128 it takes 8–18 ms, which the
 * caller's keyword search then overlaps; below, the hand-off would cost more than it saves (and a store
 * that small never starts the thread, ~10 MiB of its own).
 */
export const SCAN_HELPER_ROWS = 250_000;
/** How long a scan may take on the helper before it is given up for one in plain JS on this thread. */
const HELPER_TIMEOUT_MS = 3000;

// The helper's control words: what it is to do, where, and whether it has started.
const STATE = 0;
const IDLE = 0;
const JOB = 1;
const DONE = 2;
const QUIT = 3;
const READY = 1;
/** The job's words, in HelperJob's order; then the size of the choice it made. */
const JOB_AT = 2;
const JOB_WORDS = ['at', 'count', 'out', 'from', 'weights', 'k', 'best', 'bestRows'] as const;
const SIZE = JOB_AT + JOB_WORDS.length;

/** Byte addresses and counts of one scan and choice. */
type HelperJob = Record<(typeof JOB_WORDS)[number], number>;

/**
 * A worker thread that runs the scan function over the same shared memory: posted and awaited through
 * Atomics on a few shared words, so neither side waits on an event loop. Its source is a few lines, run
 * with `eval`, so nothing needs bundling beside the extension.
 */
class ScanHelper {
  private broken = false;
  private pending = false;
  private lastSize = -1;

  private constructor(
    private readonly control: Int32Array,
    private readonly worker: Worker | undefined,
  ) {}

  static start(module: WebAssembly.Module, memory: WebAssembly.Memory): ScanHelper {
    const control = new Int32Array(new SharedArrayBuffer((SIZE + 1) * 4));
    let worker: Worker | undefined;
    try {
      worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, control } });
      worker.unref();
    } catch {
      worker = undefined;
    }
    const helper = new ScanHelper(control, worker);
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
    JOB_WORDS.forEach((word, i) => (this.control[JOB_AT + i] = job[word]));
    Atomics.store(this.control, STATE, JOB);
    Atomics.notify(this.control, STATE);
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
    Atomics.notify(this.control, STATE);
    void this.worker?.terminate();
    return -1;
  }
}

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const scan = new WebAssembly.Instance(module, { env: { memory } }).exports.scan;
const chooseBest = ${chooseBest.toString()};
Atomics.store(control, ${READY}, 1);
for (;;) {
  const state = Atomics.load(control, ${STATE});
  if (state === ${QUIT}) break;
  if (state === ${JOB}) {
    const [${JOB_WORDS.join(', ')}] = control.subarray(${JOB_AT}, ${SIZE});
    scan(at, count, out);
    const buffer = memory.buffer;
    control[${SIZE}] = chooseBest(new Int32Array(buffer, out, count), new Float32Array(buffer, weights, from + count), from, count, k,
      new Int32Array(buffer, bestRows, k), new Float64Array(buffer, best, k));
    Atomics.store(control, ${STATE}, ${DONE});
    Atomics.notify(control, ${STATE});
  } else {
    Atomics.wait(control, ${STATE}, state);
  }
}
`;

/** `begin`'s result in plain JS: the dot products into `out`, the best `k` into arrays of their own. */
export function plainScanResult(rows: Int8Array, weights: Float32Array, width: number, query: Int8Array, from: number, count: number, k: number, out: Int32Array): ScanResult {
  const scores = int8DotRows(rows, width, query, from, count, out).subarray(0, count);
  const best = { rows: new Int32Array(k), scores: new Float64Array(k) };
  const size = chooseBest(scores, weights, from, count, k, best.rows, best.scores);
  return { scores, best: { rows: best.rows.subarray(0, size), scores: best.scores.subarray(0, size) } };
}

/**
 * Into rows/best: the `k` rows of [from, from + count) whose scores[i] × weights[from + i] are best and
 * positive, unordered (a min-heap); returns how many. Self-contained, because its source text is also
 * what the helper thread runs: so it keeps its own small heap rather than use TopK.
 */
function chooseBest(scores: Int32Array, weights: Float32Array, from: number, count: number, k: number, rows: Int32Array, best: Float64Array): number {
  if (k <= 0) return 0;
  let size = 0;
  let bar = 0;
  for (let i = 0; i < count; i++) {
    const score = scores[i] * weights[from + i];
    if (score <= bar) continue;
    let at = 0;
    if (size < k) {
      at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (best[parent] <= score) break;
        best[at] = best[parent];
        rows[at] = rows[parent];
        at = parent;
      }
    } else {
      for (;;) {
        const left = 2 * at + 1;
        if (left >= size) break;
        const child = left + 1 < size && best[left + 1] < best[left] ? left + 1 : left;
        if (best[child] >= score) break;
        best[at] = best[child];
        rows[at] = rows[child];
        at = child;
      }
    }
    best[at] = score;
    rows[at] = from + i;
    if (size === k) bar = best[0];
  }
  return size;
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

// ------------------------------------------------------------------ assembler

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, for i32.const. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function name(s: string): number[] {
  return [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_EQZ = 0x45;
const BLOCK = 0x02;
const LOOP = 0x03;
const EMPTY = 0x40;
const I32_STORE = 0x36;
const BR_IF = 0x0d;
const END = 0x0b;
const SIMD = 0xfd;
/** v128.load with 16-byte alignment (2^4) and the given offset. */
const v128Load = (offset: number) => [SIMD, ...leb(0x00), 4, ...leb(offset)];
const I16X8_EXTEND_LOW_I8X16_S = [SIMD, ...leb(0x87)];
const I16X8_EXTEND_HIGH_I8X16_S = [SIMD, ...leb(0x88)];
const I32X4_DOT_I16X8_S = [SIMD, ...leb(0xba)];
const I32X4_ADD = [SIMD, ...leb(0xae)];
const i32x4ExtractLane = (lane: number) => [SIMD, ...leb(0x1b), lane];

/**
 * scan(m, count, out): for each of `count` rows at m (`width` int8 each), the i32 at out = dot(query, row),
 * the query read as `width` int16 at address 0. Per 16 bytes of row: widen its low and high halves to
 * int16 (i16x8.extend_*_i8x16_s), multiply-add against the query's halves (i32x4.dot_i16x8_s: a lane gets
 * at most 2 × 128², a row at most width × 128² = 2^24, so nothing overflows) and add into the row's four
 * lanes, summed at the end of the row. The loop over the width is fully unrolled. With 'locals' the
 * query's lanes are loaded into v128 locals once per call; with 'memory' they are loaded again for every
 * row (from cache). Two rows per step, sharing each query load, measured no faster: at 1M rows the scan
 * already streams near the memory bandwidth (see the bench).
 */
function assemble(width: number, query: QueryPlacement, shared: boolean): Uint8Array<ArrayBuffer> {
  const [M, COUNT, OUT] = [0, 1, 2];
  const chunks = width / 16;
  // v128 locals after the three i32 parameters: the row's 16 bytes, the row's sum, then (with 'locals')
  // the query's lanes.
  const ROW = 3;
  const SUM = 4;
  const queryLane = (k: number) => 5 + k; // k < 2 × chunks: int16 lanes 8k..8k+7
  const vectorLocals = 2 + (query === 'locals' ? 2 * chunks : 0);
  const local = (op: number, index: number) => [op, ...leb(index)];
  const queryHalf = (k: number): number[] =>
    query === 'locals' ? local(LOCAL_GET, queryLane(k)) : [I32_CONST, 0, ...v128Load(16 * k)];

  const code: number[] = [];
  if (query === 'locals') {
    for (let k = 0; k < 2 * chunks; k++) code.push(I32_CONST, 0, ...v128Load(16 * k), ...local(LOCAL_SET, queryLane(k)));
  }
  code.push(BLOCK, EMPTY, LOCAL_GET, COUNT, I32_EQZ, BR_IF, 0); // no rows → done
  code.push(LOOP, EMPTY);
  for (let c = 0; c < chunks; c++) {
    code.push(LOCAL_GET, M, ...v128Load(16 * c), LOCAL_TEE, ROW);
    code.push(...I16X8_EXTEND_LOW_I8X16_S, ...queryHalf(2 * c), ...I32X4_DOT_I16X8_S);
    code.push(LOCAL_GET, ROW, ...I16X8_EXTEND_HIGH_I8X16_S, ...queryHalf(2 * c + 1), ...I32X4_DOT_I16X8_S);
    code.push(...I32X4_ADD);
    if (c > 0) code.push(LOCAL_GET, SUM, ...I32X4_ADD);
    code.push(LOCAL_SET, SUM);
  }
  const lane = (i: number) => [LOCAL_GET, SUM, ...i32x4ExtractLane(i)];
  code.push(LOCAL_GET, OUT, ...lane(0), ...lane(1), I32_ADD, ...lane(2), ...lane(3), I32_ADD, I32_ADD);
  code.push(I32_STORE, 2, 0); // align=4 offset=0
  code.push(LOCAL_GET, M, I32_CONST, ...sleb(width), I32_ADD, LOCAL_SET, M);
  code.push(LOCAL_GET, OUT, I32_CONST, 4, I32_ADD, LOCAL_SET, OUT);
  code.push(LOCAL_GET, COUNT, I32_CONST, 1, I32_SUB, LOCAL_TEE, COUNT, BR_IF, 0); // rows left → again
  code.push(END, END, END); // loop, block, function
  const body = [1, ...leb(vectorLocals), V128, ...code];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, I32, I32, I32, 0]),
    // The memory comes from outside (env.memory), so a helper thread's instance can share it.
    ...section(2, [1, ...name('env'), ...name('memory'), 2, ...(shared ? [3, 1, ...leb(MAX_PAGES)] : [0, 1])]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}
