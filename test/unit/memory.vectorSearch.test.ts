import { strict as assert } from 'node:assert';
import { quantizeInt8 } from '../../src/memory/int8Scan';
import { CANDIDATES, SKETCH_DIMENSIONS, sketchOf, type VectorShard, VectorSearch } from '../../src/memory/vectorSearch';

// The vector search of a store big enough to go through sketches (from 20k rows): the sketch scan, the
// pool scored by int8 in the SIMD module, and the best re-scored exactly; and of a store that keeps no
// sketches: every int8 vector scanned. Both checked against brute force over the full vectors.

const D = 384;
const ROWS_PER_SHARD = 1000;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

for (const sketched of [true, false]) {
  describe(sketched ? 'vector search through sketches' : 'vector search over every int8 vector', function () {
    this.timeout(60_000);
    const next = random(3);
    const total = 24_000;
    const vectors: Float32Array[] = [];
    // Clusters, so that near neighbours exist and the ranking is not noise.
    const centres = Array.from({ length: 40 }, () => unit(Float32Array.from({ length: D }, next)));
    for (let i = 0; i < total; i++) {
      const c = centres[i % centres.length];
      vectors.push(unit(Float32Array.from({ length: D }, (_, k) => c[k] + 0.6 * next())));
    }
    const search = new VectorSearch(D, ROWS_PER_SHARD, sketched);
    const shards: VectorShard[] = [];
    const placed: Array<{ ints: Int8Array; scales: Float32Array; sketches: Int8Array }> = [];
    for (let s = 0; s < total / ROWS_PER_SHARD; s++) {
      const docs = new Int32Array(ROWS_PER_SHARD);
      const ints = new Int8Array(ROWS_PER_SHARD * D);
      const scales = new Float32Array(ROWS_PER_SHARD);
      const sketches = new Int8Array(ROWS_PER_SHARD * SKETCH_DIMENSIONS);
      const sketchScales = new Float32Array(ROWS_PER_SHARD);
      for (let r = 0; r < ROWS_PER_SHARD; r++) {
        const doc = s * ROWS_PER_SHARD + r;
        docs[r] = doc;
        scales[r] = quantizeInt8(vectors[doc], ints, r * D);
        sketchScales[r] = quantizeInt8(sketchOf(vectors[doc], D), sketches, r * SKETCH_DIMENSIONS);
      }
      shards.push({ docs, slot: search.place(ints, scales, sketches, sketchScales) });
      placed.push({ ints, scales, sketches });
    }
    const exact = (docs: number[]) => docs.map((doc) => vectors[doc]);
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, k) => sum + x * b[k], 0);

    it('finds the true nearest neighbours, the first scored exactly, and keeps to the filter', () => {
      assert.equal(search.sketches, sketched ? 'ready' : 'none');
      let found = 0;
      let wanted = 0;
      for (let t = 0; t < 20; t++) {
        const query = unit(vectors[t * 997].map((x) => x + 0.3 * next()));
        const allowed = (doc: number) => doc % 5 !== 0;
        const hits = search.search(shards, total, query, { allowed, exact });
        assert.equal(hits.length, CANDIDATES);
        assert.ok(hits.every((h) => allowed(h.id)), 'a filtered-out document came back');
        // The first hits carry their exact cosine, best first.
        for (const h of hits.slice(0, 10)) assert.ok(Math.abs(h.score - cosine(vectors[h.id], query)) < 1e-5, `hit ${h.id}: ${h.score}`);
        for (let i = 1; i < 10; i++) assert.ok(hits[i - 1].score >= hits[i].score);
        const truth = vectors
          .map((v, doc) => ({ doc, score: cosine(v, query) }))
          .filter((h) => allowed(h.doc))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        const got = new Set(hits.slice(0, 10).map((h) => h.id));
        found += truth.filter((h) => got.has(h.doc)).length;
        wanted += truth.length;
      }
      // The sketch stage loses some (0.87 here, with the plain loop or the module alike); a pool scored
      // wrong loses far more. Every int8 vector compared loses only what int8 rounding swaps at the edge.
      assert.ok(found / wanted >= (sketched ? 0.8 : 0.97), `recall@10 ${found}/${wanted}`);
    });

    it('keeps to a filter that lets few through, and gives back each row as it was placed', () => {
      const few = new Set([5, 12_345, 23_999]);
      const hits = search.search(shards, total, vectors[12_345], { allowed: (doc) => few.has(doc), exact });
      const near = [5, 12_345, 23_999].filter((doc) => cosine(vectors[doc], vectors[12_345]) > 0);
      const ids = hits.map((h) => h.id).sort((a, b) => a - b);
      // Through sketches a row whose sketch scores at or below zero is not chosen, even when its vector is near.
      if (sketched) assert.ok(ids.every((id) => near.includes(id)));
      else assert.deepEqual(ids, near);
      assert.equal(hits[0].id, 12_345);
      const row = search.vectorAt(shards[12].slot, 345);
      assert.deepEqual(row.vector, placed[12].ints.subarray(345 * D, 346 * D));
      assert.equal(row.scale, placed[12].scales[345]);
      if (sketched) assert.deepEqual(row.sketch, placed[12].sketches.subarray(345 * SKETCH_DIMENSIONS, 346 * SKETCH_DIMENSIONS));
      else assert.equal(row.sketch, undefined);
    });

    it('never returns a released slot’s rows, and reuses the slot', () => {
      search.release(shards[3].slot);
      const gone = shards.splice(3, 1)[0];
      const hits = search.search(shards, total - ROWS_PER_SHARD, vectors[3_500], { allowed: () => true, exact });
      assert.ok(!hits.some((h) => h.id >= 3_000 && h.id < 4_000), 'a released shard came back');
      const again = search.place(placed[3].ints, placed[3].scales, placed[3].sketches, new Float32Array(ROWS_PER_SHARD).fill(1));
      assert.equal(again, gone.slot);
      shards.push({ docs: gone.docs, slot: again });
      assert.equal(search.search(shards, total, vectors[3_500], { allowed: () => true, exact })[0].id, 3_500);
    });
  });
}

describe('vector search that starts keeping sketches once its store has grown', function () {
  this.timeout(60_000);
  it('scans every int8 vector until each shard has its sketches, then the sketches', () => {
    const next = random(11);
    const rows = 400;
    const total = 8 * rows;
    const vectors = Array.from({ length: total }, () => unit(Float32Array.from({ length: D }, next)));
    const search = new VectorSearch(D, rows, false);
    const shards: Array<VectorShard & { sketches: Int8Array; sketchScales: Float32Array }> = [];
    const placeShard = (s: number) => {
      const docs = Int32Array.from({ length: rows }, (_, r) => s * rows + r);
      const ints = new Int8Array(rows * D);
      const scales = new Float32Array(rows);
      const sketches = new Int8Array(rows * SKETCH_DIMENSIONS);
      const sketchScales = new Float32Array(rows);
      docs.forEach((doc, r) => {
        scales[r] = quantizeInt8(vectors[doc], ints, r * D);
        sketchScales[r] = quantizeInt8(sketchOf(vectors[doc], D), sketches, r * SKETCH_DIMENSIONS);
      });
      shards.push({ docs, slot: search.place(ints, scales, sketches, sketchScales), sketches, sketchScales });
    };
    for (let s = 0; s < 6; s++) placeShard(s);
    const exact = (docs: number[]) => docs.map((doc) => vectors[doc]);
    const top = () => search.search(shards, 30_000, vectors[1_234], { allowed: () => true, exact })[0]?.id;
    assert.equal(search.sketches, 'none');
    search.keepSketches();
    assert.equal(search.sketches, 'filling');
    assert.equal(search.vectorAt(shards[0].slot, 0).sketch, undefined, 'no sketch yet');
    assert.equal(top(), 1_234, 'every int8 vector is still scanned while sketches are missing');
    // A shard placed now comes with its sketches; a released one no longer waits for them.
    placeShard(6);
    search.release(shards[5].slot);
    shards.splice(5, 1);
    for (const shard of shards.slice(0, 4)) search.placeSketches(shard.slot, shard.sketches, shard.sketchScales);
    assert.equal(search.sketches, 'filling', 'one shard still without');
    search.placeSketches(shards[4].slot, shards[4].sketches, shards[4].sketchScales);
    assert.equal(search.sketches, 'ready');
    assert.equal(top(), 1_234, 'through the sketches');
    assert.deepEqual(search.vectorAt(shards[2].slot, 7).sketch, shards[2].sketches.subarray(7 * SKETCH_DIMENSIONS, 8 * SKETCH_DIMENSIONS));
    placeShard(7);
    assert.equal(search.sketches, 'ready', 'a shard placed later brings its own');
  });
});
