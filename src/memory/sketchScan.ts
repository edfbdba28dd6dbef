// The first pass of a big vector search: dot products of one 128-number query sketch with every stored
// sketch. At 100k sketches that is 12.8M multiply-adds per query; plain JavaScript does them one at a
// time (~10-14 ms), WebAssembly SIMD four at a time (~3 ms). The module is a few hundred bytes assembled here,
// so nothing ships or loads beyond this file; where WebAssembly SIMD is missing, `createSketchScanner`
// returns undefined and the caller keeps its JavaScript loop.

export const SCAN_DIMENSIONS = 128;
const ROW_BYTES = SCAN_DIMENSIONS * 4;
/** Four floats per SIMD lane. */
const LANES = SCAN_DIMENSIONS / 4;
const PAGE = 65536;

export interface SketchScanner {
  /** Room for `rows` sketches; views from `sketches()` and `scores()` made before are stale after. */
  reserve(rows: number): void;
  /** rows × SCAN_DIMENSIONS floats to fill. */
  sketches(): Float32Array;
  /** Scores `rows` sketches against `query`; the result is a view valid until the next call. */
  scan(query: Float32Array, rows: number): Float32Array;
}

export function createSketchScanner(): SketchScanner | undefined {
  try {
    const bytes = assemble();
    if (!WebAssembly.validate(bytes)) return undefined;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WebAssembly.Memory;
    const scan = instance.exports.scan as (q: number, m: number, rows: number, out: number) => void;
    let capacity = 0;
    // Layout: query (ROW_BYTES) | scores (capacity × 4) | sketches (capacity × ROW_BYTES).
    const scoresAt = ROW_BYTES;
    const sketchesAt = () => scoresAt + capacity * 4;
    const scanner: SketchScanner = {
      reserve(rows) {
        if (rows <= capacity) return;
        const wanted = Math.max(rows, Math.ceil(capacity * 1.25));
        const bytesNeeded = ROW_BYTES + wanted * 4 + wanted * ROW_BYTES;
        const have = memory.buffer.byteLength;
        if (bytesNeeded > have) memory.grow(Math.ceil((bytesNeeded - have) / PAGE));
        capacity = wanted;
      },
      sketches() {
        return new Float32Array(memory.buffer, sketchesAt(), capacity * SCAN_DIMENSIONS);
      },
      scan(query, rows) {
        if (rows > capacity) throw new RangeError(`${rows} sketches but room for ${capacity}`);
        new Float32Array(memory.buffer, 0, SCAN_DIMENSIONS).set(query);
        scan(0, sketchesAt(), rows, scoresAt);
        return new Float32Array(memory.buffer, scoresAt, rows);
      },
    };
    // A self-check against the plain loop: a wrong byte above must cost speed, never results.
    scanner.reserve(3);
    const sk = scanner.sketches();
    const q = new Float32Array(SCAN_DIMENSIONS);
    for (let i = 0; i < SCAN_DIMENSIONS; i++) {
      q[i] = (i % 7) - 3;
      for (let r = 0; r < 3; r++) sk[r * SCAN_DIMENSIONS + i] = ((i * (r + 2)) % 5) - 2;
    }
    const got = scanner.scan(q, 3);
    for (let r = 0; r < 3; r++) {
      let want = 0;
      for (let i = 0; i < SCAN_DIMENSIONS; i++) want += q[i] * sk[r * SCAN_DIMENSIONS + i];
      if (Math.abs(got[r] - want) > 1e-3) return undefined;
    }
    return scanner;
  } catch {
    return undefined;
  }
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
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const F32X4_EXTRACT_LANE = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, ...leb(0xe4)];
const F32X4_MUL = [SIMD, ...leb(0xe6)];

/**
 * scan(q, m, rows, out): for each of `rows` sketches at m (SCAN_DIMENSIONS f32 each), out[row] =
 * dot(q, sketch). Locals 4..(3 + LANES) hold the query, four floats each; products are summed as a balanced tree so the
 * adds do not wait on one another.
 */
function assemble(): Uint8Array<ArrayBuffer> {
  const [Q, M, ROWS, OUT] = [0, 1, 2, 3];
  const lane = (k: number) => 4 + k;
  const code: number[] = [];
  for (let k = 0; k < LANES; k++) code.push(LOCAL_GET, Q, ...V128_LOAD, 4, ...leb(16 * k), LOCAL_SET, lane(k));
  const tree = (lo: number, hi: number): void => {
    if (hi - lo === 1) {
      code.push(LOCAL_GET, M, ...V128_LOAD, 4, ...leb(16 * lo), LOCAL_GET, lane(lo), ...F32X4_MUL);
      return;
    }
    const mid = (lo + hi) >> 1;
    tree(lo, mid);
    tree(mid, hi);
    code.push(...F32X4_ADD);
  };
  const ACC = 4 + LANES;
  code.push(0x02, 0x40); // block
  code.push(LOCAL_GET, ROWS, 0x45, 0x0d, 0); // rows == 0 → out
  code.push(0x03, 0x40); // loop
  tree(0, LANES);
  code.push(LOCAL_SET, ACC);
  code.push(LOCAL_GET, OUT);
  code.push(LOCAL_GET, ACC, ...F32X4_EXTRACT_LANE, 0);
  code.push(LOCAL_GET, ACC, ...F32X4_EXTRACT_LANE, 1, 0x92); // f32.add
  code.push(LOCAL_GET, ACC, ...F32X4_EXTRACT_LANE, 2);
  code.push(LOCAL_GET, ACC, ...F32X4_EXTRACT_LANE, 3, 0x92, 0x92);
  code.push(0x38, 2, 0); // f32.store align=4 offset=0
  code.push(LOCAL_GET, M, 0x41, ...sleb(ROW_BYTES), 0x6a, LOCAL_SET, M);
  code.push(LOCAL_GET, OUT, 0x41, 4, 0x6a, LOCAL_SET, OUT);
  code.push(LOCAL_GET, ROWS, 0x41, 1, 0x6b, LOCAL_TEE, ROWS, 0x0d, 0); // rows-- != 0 → again
  code.push(0x0b, 0x0b, 0x0b); // end loop, end block, end function
  const body = [1, LANES + 1, V128, ...code]; // one group of v128 locals: the query's lanes and the sum
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name('memory'), 2, 0, ...name('scan'), 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
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
