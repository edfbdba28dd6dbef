// The int8 scanning engine alone (src/memory/int8Scan.ts): one full scan of 1M rows at the widths lean
// archival memory uses (128: sketches, 384: full vectors), SIMD with the query in locals or reloaded
// from memory, the plain-JS fallback, and a scan followed by what a search does next (each row's
// scale, the best 2,000 kept). Not part of `npm run bench`:
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
}

export interface Int8ScanResults {
  rows: number;
  widths: Record<string, { locals: Timing; memory: Timing; js: Timing; scanScaleTop2000: Timing; gbPerSecond: number }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function time(runs: number, run: () => void): Timing {
  for (let i = 0; i < WARMUP; i++) run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    run();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50Ms: +percentile(ms, 50).toFixed(2), p95Ms: +percentile(ms, 95).toFixed(2) };
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

function filled(width: number, rows: number, placement: QueryPlacement): Int8Scanner {
  const scanner = createInt8Scanner(width, placement);
  if (!scanner) throw new Error('no WebAssembly SIMD here');
  scanner.reserve(rows);
  randomInt8(scanner.rows().subarray(0, rows * width), 0x2545f491 + width);
  return scanner;
}

export function runInt8Scan(rows = 1_000_000, log: (m: string) => void = console.log): Int8ScanResults {
  const results: Int8ScanResults = { rows, widths: {} };
  for (const width of [128, 384]) {
    const query = new Int8Array(width);
    randomInt8(query, 7 + width);
    const simd = (placement: QueryPlacement) => {
      const scanner = filled(width, rows, placement);
      const timing = time(RUNS, () => scanner.scan(query, 0, rows));
      return { scanner, timing };
    };
    const locals = simd('locals');
    const memory = simd('memory');
    const scanner = memory.scanner;
    const stored = scanner.rows();
    const out = new Int32Array(rows);
    const js = time(Math.min(RUNS, 10), () => int8DotRows(stored, width, query, 0, rows, out));
    // What a search does with the integers: each row's scale, then the best POOL.
    const scales = new Float32Array(rows);
    for (let i = 0; i < rows; i++) scales[i] = 0.5 + (i % 97) / 97;
    const want = scanner.scan(query, 0, rows).slice();
    const scanScaleTop2000 = time(RUNS, () => {
      const dots = scanner.scan(query, 0, rows);
      const top = new TopK(POOL);
      for (let i = 0; i < rows; i++) {
        const s = dots[i] * scales[i];
        if (s > top.threshold) top.push(i, s);
      }
    });
    for (let i = 0; i < rows; i++) if (out[i] !== want[i]) throw new Error(`row ${i}: JS ${out[i]} vs SIMD ${want[i]}`);
    const best = Math.min(locals.timing.p50Ms, memory.timing.p50Ms);
    const gbPerSecond = +((rows * width) / (best / 1000) / 1e9).toFixed(1);
    results.widths[width] = { locals: locals.timing, memory: memory.timing, js, scanScaleTop2000, gbPerSecond };
    const f = (t: Timing) => `${t.p50Ms} / ${t.p95Ms} ms`;
    log(`width ${width}, ${rows} rows (p50 / p95 of ${RUNS}):`);
    log(`  SIMD, query in locals:   ${f(locals.timing)}`);
    log(`  SIMD, query from memory: ${f(memory.timing)}   (${gbPerSecond} GB/s of rows at the better p50)`);
    log(`  plain JS fallback:       ${f(js)}   (${Math.min(RUNS, 10)} runs)`);
    log(`  SIMD scan + scale + best ${POOL} (JS): ${f(scanScaleTop2000)}`);
  }
  return results;
}

if (require.main === module) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  console.log(`int8 scan bench: node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`);
  const results = runInt8Scan(rows);
  console.log(JSON.stringify(results));
}
