// The int8 scanning engine alone (src/memory/int8Scan.ts): one full scan of 1M rows at the widths lean
// archival memory uses (128: sketches, 384: full vectors), SIMD with the query in locals or reloaded
// from memory, the plain-JS fallback, a scan followed by what a search does next (each row's scale,
// the best 2,000 kept); today's Float32 sketch scan beside. Not part of `npm run bench`:
//   node --import tsx test/bench/int8Scan.ts [rows]
import * as os from 'node:os';
import { createInt8Scanner, int8DotRows, type Int8Scanner, type QueryPlacement } from '../../src/memory/int8Scan';
import { TopK } from '../../src/memory/topK';

const RUNS = 20;
const WARMUP = 3;
const POOL = 2000;

export interface Timing {
  p50Ms: number;
  p95Ms: number;
  /** The least of the runs: the cost with nothing else on the cores (2 cores are often shared here). */
  minMs: number;
}

export interface Int8ScanResults {
  rows: number;
  widths: Record<string, { locals: Timing; memory: Timing; js: Timing; scanScaleTop2000: Timing; pool2000: Timing; gbPerSecond: number; firstTouchMs: number }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (x: number) => +x.toFixed(2);
  return { p50Ms: r(percentile(sorted, 50)), p95Ms: r(percentile(sorted, 95)), minMs: r(sorted[0]) };
}

/** Runs each contender once per round, in turn, so a burst of load elsewhere falls on all of them alike. */
function race(runs: number, contenders: Record<string, () => void>): Record<string, Timing> {
  const ms: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) ms[name] = [];
  for (let round = 0; round < WARMUP + runs; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const t = process.hrtime.bigint();
      run();
      if (round >= WARMUP) ms[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([name, m]) => [name, summary(m)]));
}

function randomInt8(out: Int8Array, seed: number): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  let x = seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
}

/** A scanner with `rows` random rows, and how long reserving and first writing its rows took. */
function filled(width: number, rows: number, placement: QueryPlacement): { scanner: Int8Scanner; firstTouchMs: number } {
  const scanner = createInt8Scanner(width, placement);
  if (!scanner) throw new Error('no WebAssembly SIMD here');
  const t = process.hrtime.bigint();
  scanner.reserve(rows);
  scanner.rows().fill(1, 0, rows * width);
  const firstTouchMs = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
  randomInt8(scanner.rows().subarray(0, rows * width), 0x2545f491 + width);
  return { scanner, firstTouchMs };
}

export function runInt8Scan(rows = 1_000_000, log: (m: string) => void = console.log): Int8ScanResults {
  const results: Int8ScanResults = { rows, widths: {} };
  const f = (t: Timing) => `${t.p50Ms} / ${t.p95Ms} ms (min ${t.minMs})`;
  for (const width of [128, 384]) {
    const query = new Int8Array(width);
    randomInt8(query, 7 + width);
    const { scanner: locals, firstTouchMs } = filled(width, rows, 'locals');
    const memory = filled(width, rows, 'memory').scanner;
    // What a search does with the integers next: each row's scale, then the best POOL.
    const scales = new Float32Array(rows);
    for (let i = 0; i < rows; i++) scales[i] = 0.5 + (i % 97) / 97;
    // The second pass of a two-pass search: a pool of scattered rows, one call each.
    const pool = Int32Array.from({ length: POOL }, (_, i) => Math.floor((((i + 1) * 2654435761) % 2 ** 32) / 2 ** 32 * rows));
    const poolScores = new Int32Array(POOL);
    const simd = race(RUNS, {
      pool: () => {
        for (let i = 0; i < POOL; i++) poolScores[i] = locals.scan(query, pool[i], 1)[0];
      },
      locals: () => locals.scan(query, 0, rows),
      memory: () => memory.scan(query, 0, rows),
      scanScaleTop2000: () => {
        const dots = locals.scan(query, 0, rows);
        const top = new TopK(POOL);
        let threshold = -Infinity;
        for (let i = 0; i < rows; i++) {
          const s = dots[i] * scales[i];
          if (s > threshold) {
            top.push(i, s);
            threshold = top.threshold;
          }
        }
      },
    });
    const stored = locals.rows();
    const out = new Int32Array(rows);
    const jsRuns = 10;
    const { js } = race(jsRuns, { js: () => int8DotRows(stored, width, query, 0, rows, out) });
    const want = locals.scan(query, 0, rows);
    for (let i = 0; i < rows; i++) if (out[i] !== want[i]) throw new Error(`row ${i}: JS ${out[i]} vs SIMD ${want[i]}`);
    const gbPerSecond = +((rows * width) / (Math.min(simd.locals.minMs, simd.memory.minMs) / 1000) / 1e9).toFixed(1);
    results.widths[width] = { locals: simd.locals, memory: simd.memory, js, scanScaleTop2000: simd.scanScaleTop2000, pool2000: simd.pool, gbPerSecond, firstTouchMs };
    log(`width ${width}, ${rows} rows, one full scan (p50 / p95 of ${RUNS}):`);
    log(`  SIMD, query in locals:   ${f(simd.locals)}`);
    log(`  SIMD, query from memory: ${f(simd.memory)}   (${gbPerSecond} GB/s of rows at the better min)`);
    log(`  plain JS fallback:       ${f(js)}   (${jsRuns} runs)`);
    log(`  SIMD scan, then scale and keep the best ${POOL} in JS: ${f(simd.scanScaleTop2000)}`);
    log(`  ${POOL} scattered rows, one scan call each: ${f(simd.pool)}`);
    log(`  reserve + first write of the ${Math.round((rows * width) / 2 ** 20)} MiB of rows (page faults): ${firstTouchMs} ms`);
  }
  return results;
}
if (require.main === module) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  console.log(`int8 scan bench: node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`);
  const results = runInt8Scan(rows);
  console.log(JSON.stringify(results));
}
