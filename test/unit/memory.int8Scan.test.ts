import { strict as assert } from 'node:assert';
import { createInt8Scanner, int8DotRows, plainScanResult, POOL_MAX, quantizeInt8, SCAN_HELPER_ROWS, type Int8Scanner, type QueryPlacement, type ScanResult } from '../../src/memory/int8Scan';

function generator(seed: number) {
  let x = seed >>> 0;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  return {
    int8: () => (next() >>> 24) - 128,
    uniform: () => next() / 2 ** 32,
    /** Standard normal, Box-Muller. */
    normal() {
      const u = (next() + 1) / (2 ** 32 + 1);
      const v = next() / 2 ** 32;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

function scannerOf(width: number, query?: QueryPlacement): Int8Scanner {
  const scanner = createInt8Scanner(width, query);
  // Node 20 has WebAssembly SIMD; without it the store would use int8DotRows.
  assert.ok(scanner, `WebAssembly SIMD scanner for width ${width}`);
  return scanner;
}

/** A scanner of `rows` random rows, each weighing 0.5–1.5 except every `zeroEvery`th, which weighs nothing (a released slot's). */
function randomScanner(random: ReturnType<typeof generator>, width: number, rows: number, zeroEvery: number) {
  const scanner = scannerOf(width);
  scanner.reserve(rows);
  const stored = scanner.rows();
  for (let i = 0; i < rows * width; i++) stored[i] = random.int8();
  const weights = scanner.weights();
  for (let i = 0; i < rows; i++) weights[i] = i % zeroEvery === 0 ? 0 : 0.5 + random.uniform();
  return { scanner, stored, weights };
}

/** Waits for the helper thread a first big scan starts. */
async function untilHelping(scanner: Int8Scanner): Promise<void> {
  for (let waited = 0; !scanner.helping() && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.ok(scanner.helping(), 'the helper thread started');
}

function plainDot(a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aAt + i] * b[bAt + i];
  return s;
}

describe('int8 scan', () => {
  it('gives the exact dot products of the plain loop for every width, query placement and row range', () => {
    const random = generator(20261201);
    for (const width of [16, 32, 48, 128, 384, 1024]) {
      for (const placement of ['locals', 'memory'] as const) {
        const scanner = scannerOf(width, placement);
        const rows = 300;
        scanner.reserve(rows);
        const stored = scanner.rows();
        for (let i = 0; i < rows * width; i++) stored[i] = random.int8();
        const query = Int8Array.from({ length: width }, random.int8);
        for (const [from, count] of [[0, rows], [17, 1], [123, 77], [rows, 0]]) {
          const got = Array.from(scanner.scan(query, from, count));
          const js = Array.from(int8DotRows(stored, width, query, from, count, new Int32Array(count)));
          const want = Array.from({ length: count }, (_, r) => plainDot(query, 0, stored, (from + r) * width, width));
          assert.deepEqual(js, want, `JS, width ${width}, rows ${from}+${count}`);
          assert.deepEqual(got, want, `SIMD (${placement}), width ${width}, rows ${from}+${count}`);
        }
      }
    }
  });

  it('holds the extremes: -128 × -128 in every place, and 127 against -128', () => {
    for (const width of [16, 384, 1024]) {
      const scanner = scannerOf(width);
      scanner.reserve(3);
      const stored = scanner.rows();
      stored.fill(-128, 0, width);
      stored.fill(127, width, 2 * width);
      for (let i = 0; i < width; i++) stored[2 * width + i] = i % 2 ? 127 : -128;
      const lowest = new Int8Array(width).fill(-128);
      assert.deepEqual(Array.from(scanner.scan(lowest, 0, 3)), [width * 16384, -width * 16256, (width / 2) * (16384 - 16256)]);
      const highest = new Int8Array(width).fill(127);
      assert.deepEqual(Array.from(scanner.scan(highest, 0, 2)), [-width * 16256, width * 16129]);
      assert.deepEqual(Array.from(int8DotRows(stored, width, lowest, 0, 3, new Int32Array(3))), [width * 16384, -width * 16256, (width / 2) * (16384 - 16256)]);
    }
  });

  it('keeps the rows already written when it grows, and scans them the same after', () => {
    const random = generator(7);
    const width = 128;
    const scanner = scannerOf(width);
    scanner.reserve(10);
    const before = Int8Array.from({ length: 10 * width }, random.int8);
    scanner.rows().set(before);
    const query = Int8Array.from({ length: width }, random.int8);
    const scores = Array.from(scanner.scan(query, 0, 10));
    // Far past the first page: WebAssembly memory grows and every earlier view detaches.
    scanner.reserve(50_000);
    assert.ok(scanner.capacity() >= 50_000);
    assert.deepEqual(scanner.rows().subarray(0, 10 * width), before);
    assert.deepEqual(Array.from(scanner.scan(query, 0, 10)), scores);
    assert.deepEqual(Array.from(scanner.scan(query, 10, 5)), [0, 0, 0, 0, 0], 'new rows start as zeros');
  });

  it('moves rows in place with copyWithin, overlapping either way, as Int8Array.copyWithin would', () => {
    const random = generator(99);
    const width = 32;
    const scanner = scannerOf(width);
    scanner.reserve(20);
    const reference = Int8Array.from({ length: 20 * width }, random.int8);
    scanner.rows().set(reference);
    for (const [target, start, end] of [[2, 5, 12], [9, 3, 10], [0, 19, 20], [4, 4, 8], [6, 6, 6]]) {
      scanner.copyWithin(target, start, end);
      reference.copyWithin(target * width, start * width, end * width);
      assert.deepEqual(scanner.rows().subarray(0, 20 * width), reference, `copyWithin(${target}, ${start}, ${end})`);
    }
    const query = Int8Array.from({ length: width }, random.int8);
    assert.deepEqual(Array.from(scanner.scan(query, 0, 20)), Array.from(int8DotRows(reference, width, query, 0, 20, new Int32Array(20))));
    assert.throws(() => scanner.copyWithin(15, 0, 10), RangeError);
    assert.throws(() => scanner.copyWithin(0, 10, 5), RangeError);
  });

  it('scans a big range and chooses its best weighted rows on a helper thread, as the caller\'s thread does', async () => {
    const random = generator(4242);
    const width = 32;
    const rows = SCAN_HELPER_ROWS + 1000;
    const k = 300;
    // Some rows weigh nothing (a released slot's): they are never chosen.
    const { scanner, stored, weights: placed } = randomScanner(random, width, rows, 7);
    let weights = placed;
    const query = Int8Array.from({ length: width }, random.int8);
    const dots = Array.from(int8DotRows(stored, width, query, 0, rows, new Int32Array(rows)));
    /** The k best positive weighted rows of [from, from + count), the slow way. */
    const bestOf = (from: number, count: number) =>
      dots
        .slice(from, from + count)
        .map((d, i) => ({ row: from + i, score: d * weights[from + i] }))
        .filter((r) => r.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map((r) => r.row)
        .sort((a, b) => a - b);
    const check = (take: () => ScanResult, from: number, count: number, what: string) => {
      const result = take();
      assert.deepEqual(Array.from(result.scores), dots.slice(from, from + count), `${what}: the scan`);
      assert.deepEqual(Array.from(result.best.rows).sort((a, b) => a - b), bestOf(from, count), `${what}: the choice`);
      result.best.rows.forEach((row, i) => assert.equal(result.best.scores[i], dots[row] * weights[row]));
    };
    // The first big scan starts the thread and runs here; the thread takes the ones after it has started.
    check(scanner.begin(query, 0, rows, k), 0, rows, 'before the helper is up');
    await untilHelping(scanner);
    const take = scanner.begin(query, 0, rows, k);
    // A row written before the scan is taken waits for it: the scan sees the rows as they were when begun.
    scanner.rows()[0] = stored[0] === 5 ? 6 : 5;
    check(take, 0, rows, 'on the helper');
    check(scanner.begin(query, 1000, SCAN_HELPER_ROWS, k), 1000, SCAN_HELPER_ROWS, 'a range not at the start');
    // A scan begun and never taken is waited for by the next call.
    scanner.begin(query, 0, rows, k);
    assert.equal(scanner.scan(query, 5, 3).length, 3);
    // Below the threshold the caller's thread scans; growing keeps rows and weights where they read.
    check(scanner.begin(query, 7, 100, k), 7, 100, 'a small range');
    const before = Array.from(weights);
    scanner.reserve(rows * 2);
    weights = scanner.weights();
    assert.deepEqual(Array.from(weights.subarray(0, rows)), before, 'the weights moved with the growth');
    assert.ok(weights.subarray(rows).every((w) => w === 0), 'new rows weigh nothing');
    assert.ok(scanner.rows().subarray(rows * width).every((v) => v === 0), 'new rows are zeros');
    check(scanner.begin(query, 7, 100, k), 7, 100, 'after growing');
  });

  it('shares a big scan between the helper and the caller in chunks, job after job, with the plain results', async () => {
    const random = generator(777);
    // Rows of 128: a chunk is 32,768 rows, so a job is eight or nine chunks to share, and a job may have
    // more chunks than the one before it.
    const width = 128;
    const rows = SCAN_HELPER_ROWS + 20_000;
    const { scanner, stored, weights } = randomScanner(random, width, rows, 5);
    scanner.begin(new Int8Array(width), 0, rows, 10)();
    await untilHelping(scanner);
    const byRow = (rows: Int32Array, scores: Float64Array) => Array.from(rows, (row, i): [number, number] => [row, scores[i]]).sort((a, b) => a[0] - b[0]);
    for (let job = 0; job < 40; job++) {
      const query = Int8Array.from({ length: width }, random.int8);
      const from = job % 3 === 0 ? 0 : Math.floor(random.uniform() * 1000);
      const count = rows - from - (job % 2) * Math.floor(random.uniform() * 19_000);
      const k = [1, 300, 2500][job % 3];
      const take = scanner.begin(query, from, count, k);
      // Taken at once, the caller scans chunks beside the helper; taken later, the helper has scanned them
      // all and chosen; a scan begun and never taken is finished by the next call.
      const start = performance.now();
      if (job % 4 === 1) while (performance.now() - start < 30);
      if (job % 4 === 3) continue;
      const { scores, best } = take();
      const plain = plainScanResult(stored, weights, width, query, from, count, k, new Int32Array(count));
      assert.deepEqual(Array.from(scores), Array.from(plain.scores), `job ${job}: the scan`);
      assert.deepEqual(byRow(best.rows, best.scores), byRow(plain.best.rows, plain.best.scores), `job ${job}: the choice`);
    }
    // Not given up on the way (a give-up answers right too, from a plain scan, but stops the helper).
    assert.ok(scanner.helping(), 'the helper is still taking scans');
  });

  it('chooses the lower row of equal scores, whatever the range holds besides', () => {
    const random = generator(12);
    const width = 16;
    const scanner = scannerOf(width);
    scanner.reserve(40);
    // Three patterns and three weights: scores tie in every choice.
    const patterns = Array.from({ length: 3 }, () => Int8Array.from({ length: width }, random.int8));
    const query = Int8Array.from({ length: width }, random.int8);
    for (let trial = 0; trial < 200; trial++) {
      const stored = scanner.rows();
      const weights = scanner.weights();
      for (let r = 0; r < 40; r++) {
        stored.set(patterns[Math.floor(random.uniform() * 3)], r * width);
        weights[r] = [0, 1, 2][Math.floor(random.uniform() * 3)];
      }
      const k = 1 + Math.floor(random.uniform() * 12);
      const dots = int8DotRows(stored, width, query, 0, 40, new Int32Array(40));
      const want = Array.from({ length: 40 }, (_, row) => row)
        .filter((row) => dots[row] * weights[row] > 0)
        .sort((a, b) => dots[b] * weights[b] - dots[a] * weights[a] || a - b)
        .slice(0, k)
        .sort((a, b) => a - b);
      const { best } = scanner.begin(query, 0, 40, k)();
      assert.deepEqual(Array.from(best.rows).sort((a, b) => a - b), want, `trial ${trial}, k ${k}`);
    }
  });

  it('sieves a big range before choosing, and chooses exactly the rows and scores the plain choice does, ties included, on either thread', async () => {
    const random = generator(31337);
    const width = 16;
    const rows = SCAN_HELPER_ROWS + 1000;
    const scanner = scannerOf(width);
    assert.ok(scanner.sieving(), 'the sieve passed its self-check');
    scanner.reserve(rows);
    // Rows drawn from 4000 patterns, so with weights of a few values many scores tie, at the choice's edge too.
    const patterns = Int8Array.from({ length: 4000 * width }, random.int8);
    const stored = scanner.rows();
    for (let r = 0; r < rows; r++) {
      const p = Math.floor(random.uniform() * 4000);
      stored.set(patterns.subarray(p * width, (p + 1) * width), r * width);
    }
    const query = Int8Array.from({ length: width }, random.int8);
    const dots = int8DotRows(stored, width, query, 0, rows, new Int32Array(rows));
    const weightings: Array<[string, (row: number) => number]> = [
      ['random weights, a seventh of them zero and a few negative', (row) => (row % 7 === 0 ? 0 : row % 101 === 0 ? -0.5 : 0.5 + random.uniform())],
      ['weights of four values, so that scores tie', (row) => [0.25, 0.5, 1, 2][row % 4]],
      ['fewer positive rows than the choice takes', (row) => (row % 300 === 0 ? 1 : 0)],
      // Periodic weights that a sample of the rows may over- or under-represent.
      ['every 1024th run of 32 rows weighs 100 times more', (row) => (row % 1024 < 32 ? 100 : 1)],
      ['every 1024th run of 32 rows weighs nothing', (row) => (row % 1024 < 32 ? 0 : 1)],
    ];
    /** [row, score] of the positive rows of [from, from + count), best first, of equal scores the lower row first. */
    const ranked = (weights: Float32Array, from: number, count: number) => {
      const all: Array<[number, number]> = [];
      for (let row = from; row < from + count; row++) if (dots[row] * weights[row] > 0) all.push([row, dots[row] * weights[row]]);
      return all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    };
    const byRow = (rows: Int32Array, scores: Float64Array) => Array.from(rows, (row, i): [number, number] => [row, scores[i]]).sort((a, b) => a[0] - b[0]);
    let helped = false;
    for (const [what, weigh] of weightings) {
      const weights = scanner.weights();
      for (let row = 0; row < rows; row++) weights[row] = weigh(row);
      // The whole range goes to the helper thread once it is up; 150k rows are sieved on the caller's.
      for (const [from, count] of [[0, rows], [1000, 150_000]]) {
        const want = ranked(weights, from, count);
        for (const k of [2500, POOL_MAX]) {
          const { best } = scanner.begin(query, from, count, k)();
          const plain = plainScanResult(stored, weights, width, query, from, count, k, new Int32Array(count)).best;
          const expected = want.slice(0, k).sort((a, b) => a[0] - b[0]);
          assert.deepEqual(byRow(plain.rows, plain.scores), expected, `${what}, rows ${from}+${count}, k ${k}: the plain choice`);
          assert.deepEqual(byRow(best.rows, best.scores), expected, `${what}, rows ${from}+${count}, k ${k}: the sieved choice${helped ? ' on the helper' : ''}`);
        }
      }
      for (let waited = 0; !helped && waited < 10_000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
        helped = scanner.helping();
      }
      assert.ok(helped, 'the helper thread started');
    }
  });

  it('refuses what it cannot do instead of reading past its rows', () => {
    assert.throws(() => createInt8Scanner(24), RangeError);
    assert.throws(() => createInt8Scanner(0), RangeError);
    const scanner = scannerOf(16);
    assert.throws(() => scanner.reserve(-1), RangeError);
    assert.throws(() => scanner.reserve(2.5), RangeError);
    scanner.reserve(4);
    const last = scanner.capacity() - 1;
    assert.equal(scanner.scan(new Int8Array(16), last, 1).length, 1);
    assert.throws(() => scanner.scan(new Int8Array(16), last, 2), RangeError);
    assert.throws(() => scanner.scan(new Int8Array(16), -1, 1), RangeError);
    assert.throws(() => scanner.scan(new Int8Array(32), 0, 1), RangeError);
  });

  it('quantizes within half a step of the float vector and reads back through its scale', () => {
    const random = generator(5);
    const out = new Int8Array(3 * 384);
    for (let trial = 0; trial < 50; trial++) {
      const vector = Float32Array.from({ length: 384 }, () => random.normal() * (trial + 1));
      const at = (trial % 3) * 384;
      const scale = quantizeInt8(vector, out, at);
      let maxAbs = 0;
      for (const v of vector) maxAbs = Math.max(maxAbs, Math.abs(v));
      assert.ok(Math.abs(scale - maxAbs / 127) <= 1e-12 * maxAbs);
      let extreme = 0;
      for (let i = 0; i < 384; i++) {
        const q = out[at + i];
        assert.ok(q >= -127 && q <= 127);
        if (Math.abs(q) === 127) extreme++;
        assert.ok(Math.abs(vector[i] - q * scale) <= scale / 2 + 1e-9 * maxAbs, `element ${i}: ${vector[i]} vs ${q} × ${scale}`);
      }
      assert.ok(extreme >= 1, 'the largest number uses the whole range');
    }
    out.fill(5);
    assert.equal(quantizeInt8(new Float32Array(384), out, 384), 0);
    assert.deepEqual(out.subarray(384, 768), new Int8Array(384), 'a zero vector is written as zeros');
    assert.equal(out[0], 5, 'nothing outside [at, at + length) is touched');
  });

  it('ranks random unit vectors by int8 dot product × row scale as float cosine does (top-10 overlap ≥ 9/10)', () => {
    const random = generator(42);
    const width = 384;
    const count = 5000;
    const unit = () => {
      const v = Float32Array.from({ length: width }, random.normal);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const scanner = scannerOf(width);
    scanner.reserve(count);
    const stored = scanner.rows();
    const vectors: Float32Array[] = [];
    const scales = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      vectors.push(unit());
      scales[r] = quantizeInt8(vectors[r], stored, r * width);
    }
    const queries = 30;
    let overlap = 0;
    const top10 = (score: (r: number) => number) => {
      const scores = Float64Array.from({ length: count }, (_, r) => score(r));
      return Array.from({ length: count }, (_, r) => r)
        .sort((a, b) => scores[b] - scores[a])
        .slice(0, 10);
    };
    for (let n = 0; n < queries; n++) {
      const query = unit();
      const query8 = new Int8Array(width);
      quantizeInt8(query, query8, 0);
      const dots = scanner.scan(query8, 0, count);
      const exact = top10((r) => plainDot(query, 0, vectors[r], 0, width));
      const approximate = new Set(top10((r) => dots[r] * scales[r]));
      overlap += exact.filter((r) => approximate.has(r)).length;
    }
    assert.ok(overlap / queries >= 9, `mean top-10 overlap ${overlap / queries}`);
  });
});
