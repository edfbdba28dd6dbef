import { strict as assert } from 'node:assert';
import { createSketchScanner, SCAN_DIMENSIONS } from '../../src/memory/sketchScan';

describe('sketch scan', () => {
  it('scores every stored sketch as the plain dot product does, after growing', () => {
    const scanner = createSketchScanner();
    // Node 20 has WebAssembly SIMD; without it the store keeps its JavaScript loop.
    assert.ok(scanner, 'WebAssembly SIMD is available');
    let x = 12345;
    const random = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 2 ** 32 - 0.5;
    };
    for (const rows of [1, 7, 5000]) {
      scanner.reserve(rows);
      const sketches = scanner.sketches();
      for (let i = 0; i < rows * SCAN_DIMENSIONS; i++) sketches[i] = random();
      const query = Float32Array.from({ length: SCAN_DIMENSIONS }, random);
      const scores = scanner.scan(query, rows);
      assert.equal(scores.length, rows);
      for (let r = 0; r < rows; r++) {
        let want = 0;
        for (let i = 0; i < SCAN_DIMENSIONS; i++) want += query[i] * sketches[r * SCAN_DIMENSIONS + i];
        assert.ok(Math.abs(scores[r] - want) < 1e-4, `row ${r}: ${scores[r]} vs ${want}`);
      }
    }
  });
});
