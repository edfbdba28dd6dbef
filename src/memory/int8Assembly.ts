// The int8 scanner's WebAssembly module (int8Scan.ts), assembled here from bytecode: a few hundred bytes,
// so nothing is compiled or bundled beside the extension. Two functions share one imported memory (so a
// helper thread's instance can scan the same rows): `scan`, dot products of int8 rows with a query, and
// `above`, the rows whose weighted score clears a bar. int8Scan.ts checks both against plain loops
// before using them.

/**
 * Where the query's lanes wait while rows stream past: in v128 locals (registers, spilled to the stack
 * past sixteen), or reloaded from memory for each row. Locals measured as fast or faster at every width
 * 16..1024 (test/bench/int8Scan.ts); 'memory' stays for the bench.
 */
export type QueryPlacement = 'locals' | 'memory';

/** WebAssembly pages a shared memory may grow to (4 GiB, all a 32-bit address reaches): only address space until used. */
export const MAX_PAGES = 65536;

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
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_SHR_U = 0x76;
const I32_EQZ = 0x45;
const I32_GT_U = 0x4b;
const I32_GE_U = 0x4f;
const F32_CONVERT_I32_S = 0xb2;
const F32_MUL = 0x94;
const F32_GT = 0x5e;
const F64_CONVERT_I32_S = 0xb7;
const F64_PROMOTE_F32 = 0xbb;
const F64_MUL = 0xa2;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const EMPTY = 0x40;
const I32_LOAD = 0x28;
const F32_LOAD = 0x2a;
const I32_STORE = 0x36;
const F64_STORE = 0x39;
const BR = 0x0c;
const BR_IF = 0x0d;
const RETURN = 0x0f;
const END = 0x0b;
const SIMD = 0xfd;
/** v128.load with the given alignment (2^align bytes; a hint only) and offset. */
const v128Load = (offset: number, align = 4) => [SIMD, ...leb(0x00), align, ...leb(offset)];
const I16X8_EXTEND_LOW_I8X16_S = [SIMD, ...leb(0x87)];
const I16X8_EXTEND_HIGH_I8X16_S = [SIMD, ...leb(0x88)];
const I32X4_DOT_I16X8_S = [SIMD, ...leb(0xba)];
const I32X4_ADD = [SIMD, ...leb(0xae)];
const i32x4ExtractLane = (lane: number) => [SIMD, ...leb(0x1b), lane];
const f32x4ExtractLane = (lane: number) => [SIMD, ...leb(0x1f), lane];
const F32X4_SPLAT = [SIMD, ...leb(0x13)];
const F32X4_CONVERT_I32X4_S = [SIMD, ...leb(0xfa)];
const F32X4_MUL = [SIMD, ...leb(0xe6)];
const F32X4_GT = [SIMD, ...leb(0x44)];
const I32X4_BITMASK = [SIMD, ...leb(0xa4)];

const local = (op: number, index: number) => [op, ...leb(index)];

/** The two functions, sharing the imported memory: scan (scanCode) and above (aboveCode). */
export function assemble(width: number, query: QueryPlacement, shared: boolean): Uint8Array<ArrayBuffer> {
  const scan = scanCode(width, query);
  const above = aboveCode();
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // Type 0 (i32, i32, i32) → (), scan's; type 1 (i32, i32, i32, f32, i32, i32, i32) → i32, above's.
    ...section(1, [2, 0x60, 3, I32, I32, I32, 0, 0x60, 7, I32, I32, I32, F32, I32, I32, I32, 1, I32]),
    // The memory comes from outside (env.memory), so a helper thread's instance can share it.
    ...section(2, [1, ...name('env'), ...name('memory'), 2, ...(shared ? [3, 1, ...leb(MAX_PAGES)] : [0, 1])]),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('scan'), 0, 0, ...name('above'), 0, 1]),
    ...section(10, [2, ...leb(scan.length), ...scan, ...leb(above.length), ...above]),
  ];
  return Uint8Array.from(bytes);
}

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
function scanCode(width: number, query: QueryPlacement): number[] {
  const [M, COUNT, OUT] = [0, 1, 2];
  const chunks = width / 16;
  // v128 locals after the three i32 parameters: the row's 16 bytes, the row's sum, then (with 'locals')
  // the query's lanes.
  const ROW = 3;
  const SUM = 4;
  const queryLane = (k: number) => 5 + k; // k < 2 × chunks: int16 lanes 8k..8k+7
  const vectorLocals = 2 + (query === 'locals' ? 2 * chunks : 0);
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
  return [1, ...leb(vectorLocals), V128, ...code];
}

/**
 * above(scores, weights, count, bar, outScores, outRows, limit) → n: of the i32 scores and f32 weights at
 * those addresses (4-byte aligned), the rows i < count, ascending, for which f32(scores[i]) × weights[i] >
 * bar in float32, written as i32 at outRows, with f64(scores[i]) × f64(weights[i]) (exact, as JS reckons
 * it) at outScores. Four rows a step (f32x4.convert_i32x4_s, f32x4.mul, f32x4.gt): when none passes,
 * i32x4.bitmask is 0 and the step writes nothing; else each lane is written at the end of the lists, which
 * grow by the lane's bit, so nothing branches per lane. The last count % 4 rows one at a time. It stops
 * once more than `limit` have passed, after the step that passed them, so the lists need room for
 * limit + 4 (the caller then reads only that n > limit).
 */
function aboveCode(): number[] {
  const [SCORES, WEIGHTS, COUNT, BAR, OUT_SCORES, OUT_ROWS, LIMIT] = [0, 1, 2, 3, 4, 5, 6];
  // Locals after the parameters: the row, the number passed, the step's bits (i32); the bar in four
  // lanes, the step's scores and weights (v128).
  const [I, N, BITS, BARS, SCORE4, WEIGHT4] = [7, 8, 9, 10, 11, 12];
  const get = (index: number) => local(LOCAL_GET, index);
  const step = (index: number, by: number) => [...get(index), I32_CONST, ...sleb(by), I32_ADD, ...local(LOCAL_SET, index)];
  /** Stores row `row` and the product of `score` (i32) and `weight` (f32) at the ends of the lists. */
  const append = (row: number[], score: number[], weight: number[]) => [
    ...get(OUT_ROWS), ...get(N), I32_CONST, 2, I32_SHL, I32_ADD, ...row, I32_STORE, 2, 0,
    ...get(OUT_SCORES), ...get(N), I32_CONST, 3, I32_SHL, I32_ADD,
    ...score, F64_CONVERT_I32_S, ...weight, F64_PROMOTE_F32, F64_MUL, F64_STORE, 3, 0,
  ];

  const code: number[] = [...get(BAR), ...F32X4_SPLAT, ...local(LOCAL_SET, BARS)];
  code.push(BLOCK, EMPTY, LOOP, EMPTY);
  code.push(...get(I), I32_CONST, 4, I32_ADD, ...get(COUNT), I32_GT_U, BR_IF, 1); // fewer than 4 left → the tail
  code.push(...get(SCORES), ...v128Load(0, 2), ...local(LOCAL_TEE, SCORE4), ...F32X4_CONVERT_I32X4_S);
  code.push(...get(WEIGHTS), ...v128Load(0, 2), ...local(LOCAL_TEE, WEIGHT4), ...F32X4_MUL);
  code.push(...get(BARS), ...F32X4_GT, ...I32X4_BITMASK, ...local(LOCAL_TEE, BITS), IF, EMPTY);
  for (let lane = 0; lane < 4; lane++) {
    code.push(...append([...get(I), I32_CONST, lane, I32_ADD], [...get(SCORE4), ...i32x4ExtractLane(lane)], [...get(WEIGHT4), ...f32x4ExtractLane(lane)]));
    code.push(...get(N), ...get(BITS), I32_CONST, lane, I32_SHR_U, I32_CONST, 1, I32_AND, I32_ADD, ...local(LOCAL_SET, N));
  }
  code.push(...get(N), ...get(LIMIT), I32_GT_U, IF, EMPTY, ...get(N), RETURN, END); // past the limit → give up
  code.push(END); // if any passed
  code.push(...step(SCORES, 16), ...step(WEIGHTS, 16), ...step(I, 4), BR, 0);
  code.push(END, END); // loop, block
  code.push(BLOCK, EMPTY, LOOP, EMPTY);
  code.push(...get(I), ...get(COUNT), I32_GE_U, BR_IF, 1); // no rows left → done
  const score = [...get(SCORES), I32_LOAD, 2, 0];
  const weight = [...get(WEIGHTS), F32_LOAD, 2, 0];
  code.push(...score, F32_CONVERT_I32_S, ...weight, F32_MUL, ...get(BAR), F32_GT);
  code.push(IF, EMPTY, ...append(get(I), score, weight), ...step(N, 1), END);
  code.push(...step(SCORES, 4), ...step(WEIGHTS, 4), ...step(I, 1), BR, 0);
  code.push(END, END); // loop, block
  code.push(...get(N), END);
  return [2, 3, I32, 3, V128, ...code];
}
