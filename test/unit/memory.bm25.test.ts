import { strict as assert } from 'node:assert';
import { Bm25Index, bm25Idf, bm25Tf, textTerms } from '../../src/memory/bm25';
import { codeTerms } from '../../src/memory/codeTokens';
import { seededRandom } from '../helpers/seededRandom';

// The search stops reading new candidates once the rarer terms settle the best `limit` (MaxScore) and
// seeks through long lists: these check it still returns exactly what scoring every document would.

/** Words with a Zipf-like spread: a few in most documents, many rare. */
function corpus(docs: number, seed: number): string[] {
  const next = seededRandom(seed);
  const vocabulary = Array.from({ length: 400 }, (_, i) => `word${i}x`);
  return Array.from({ length: docs }, () => {
    const length = 5 + Math.floor(next() * 40);
    const words: string[] = [];
    for (let i = 0; i < length; i++) words.push(vocabulary[Math.floor(vocabulary.length * next() ** 3)]);
    return words.join(' ');
  });
}

/** Plain BM25 over every present document, the way the index defines it. */
function bruteForce(texts: Map<number, string>, query: string, limit: number): { id: number; score: number }[] {
  const terms = [...new Set(codeTerms(query))];
  const counts = new Map<number, Map<string, number>>();
  let total = 0;
  for (const [doc, text] of texts) {
    const c = new Map<string, number>();
    for (const term of codeTerms(text)) c.set(term, (c.get(term) ?? 0) + 1);
    counts.set(doc, c);
    for (const n of c.values()) total += n;
  }
  const average = total / texts.size;
  const df = new Map<string, number>();
  for (const c of counts.values()) for (const term of terms) if (c.has(term)) df.set(term, (df.get(term) ?? 0) + 1);
  const scored: { id: number; score: number }[] = [];
  for (const [doc, c] of counts) {
    let length = 0;
    for (const n of c.values()) length += n;
    let score = 0;
    for (const term of terms) {
      const tf = c.get(term);
      if (!tf) continue;
      score += bm25Idf(df.get(term) ?? 0, texts.size) * bm25Tf(tf, length, average);
    }
    if (score > 0) scored.push({ id: doc, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, limit);
}

/** Every present document's plain BM25 score, to check a hit's own score. */
function allScores(texts: Map<number, string>, query: string): Map<number, number> {
  return new Map(bruteForce(texts, query, texts.size).map((h) => [h.id, h.score]));
}

function assertSameTop(texts: Map<number, string>, actual: { id: number; score: number }[], query: string, limit: number): void {
  const expected = bruteForce(texts, query, limit);
  const truth = allScores(texts, query);
  assert.equal(actual.length, expected.length, `hit count for "${query}"`);
  for (let i = 0; i < expected.length; i++) {
    // The same scores in the same order, each the hit's own full score (equal scores may tie either way).
    assert.ok(Math.abs(actual[i].score - expected[i].score) < 1e-9, `score ${i} for "${query}": ${actual[i].score} vs ${expected[i].score}`);
    assert.ok(Math.abs((truth.get(actual[i].id) ?? 0) - actual[i].score) < 1e-9, `hit ${actual[i].id} for "${query}" has its full score`);
  }
}

describe('BM25 index', () => {
  const texts = corpus(3000, 7);
  const queries = [
    'word0x word1x word2x word3x word250x',
    'word399x word5x word0x',
    'word120x word121x word122x word0x word1x word2x word4x word7x',
    'word1x',
    'word380x word390x word0x word1x word2x word3x word4x word5x word6x',
  ];

  it('returns exactly the best documents plain BM25 scoring finds, for short and long queries', () => {
    const index = new Bm25Index();
    const present = new Map<number, string>();
    texts.forEach((text, doc) => {
      index.add(doc, text);
      present.set(doc, text);
    });
    for (const query of queries) {
      for (const limit of [1, 10, 50]) assertSameTop(present, index.search(query, limit).hits, query, limit);
    }
  });

  it('stays exact when documents are removed and numbers come in out of order', () => {
    const index = new Bm25Index();
    const present = new Map<number, string>();
    // Descending numbers leave every list unsorted, so the search must read rather than seek.
    for (let doc = texts.length - 1; doc >= 0; doc--) {
      index.add(doc, texts[doc]);
      present.set(doc, texts[doc]);
    }
    const removed = [...present.keys()].filter((doc) => doc % 3 === 0);
    index.removeMany(removed);
    for (const doc of removed) present.delete(doc);
    for (const query of queries) assertSameTop(present, index.search(query, 10).hits, query, 10);
  });

  it('keeps to the filter it is given', () => {
    const index = new Bm25Index();
    const present = new Map<number, string>();
    texts.forEach((text, doc) => {
      index.add(doc, text);
      if (doc % 2 === 1) present.set(doc, text);
    });
    const query = queries[2];
    const hits = index.search(query, 20, (doc) => doc % 2 === 1).hits;
    assert.ok(hits.length > 0);
    assert.ok(hits.every((h) => h.id % 2 === 1));
  });

  it('indexes from terms made elsewhere (the index worker) exactly as from the text', () => {
    const fromText = new Bm25Index();
    const fromTerms = new Bm25Index();
    texts.forEach((text, doc) => {
      fromText.add(doc, text);
      // As a worker's message carries them: a string and a byte array, structured-cloned.
      fromTerms.addCounts(doc, fromTerms.countsFrom(structuredClone(textTerms(text))));
    });
    for (const query of queries) assert.deepEqual(fromTerms.search(query, 10).hits, fromText.search(query, 10).hits, query);
    const repeated = textTerms(`${'retry '.repeat(300)}parseConfigFile`);
    assert.deepEqual(repeated.terms.split('\n').slice(0, 1), ['retri']);
    assert.equal(repeated.counts[0], 127, 'a count is capped as postings cap it');
    // The byte's high bit: a word is the term itself (the compound StringEdit), not only a part of one.
    const marked = textTerms('StringEdit and stringedit_value');
    const byteOf = (term: string) => marked.counts[marked.terms.split('\n').indexOf(term)];
    assert.equal(byteOf('stringedit'), 128 | 2, 'twice, once as the word itself');
    assert.equal(byteOf('stringedit_value'), 128 | 1);
    assert.equal(byteOf('edit'), 1, 'a part only');
    const index = new Bm25Index();
    index.add(0, 'const x = stringedit_value;');
    index.add(1, 'let s: StringEdit;');
    assert.deepEqual([index.has(0, 'stringedit'), index.hasWhole(0, 'stringedit'), index.hasWhole(1, 'stringedit')], [true, false, true]);
    assert.deepEqual(textTerms(''), { terms: '', counts: new Uint8Array(0) });
  });

  it("indexes a shard's counts through its own term numbers, and stays exact as it grows again", () => {
    const direct = new Bm25Index();
    const mapped = new Bm25Index();
    // As a cache stores a shard: one flat array of (local term << 8 | tf), rows cut by starts.
    const local: string[] = [];
    const localOf = new Map<string, number>();
    const flat: number[] = [];
    const starts = [0];
    const half = texts.length / 2;
    texts.slice(0, half).forEach((text, doc) => {
      direct.add(doc, text);
      const counts = new Map<string, number>();
      for (const term of codeTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, tf] of counts) {
        if (!localOf.has(term)) localOf.set(term, local.push(term) - 1);
        flat.push((localOf.get(term)! << 8) | Math.min(tf, 255));
      }
      starts.push(flat.length);
    });
    const ids = local.map((term) => mapped.idOf(term));
    for (let doc = 0; doc < half; doc++) mapped.addMapped(doc, Uint32Array.from(flat), starts[doc], starts[doc + 1], ids);
    for (const query of queries) assert.deepEqual(mapped.search(query, 10).hits, direct.search(query, 10).hits, query);
    texts.slice(half).forEach((text, i) => {
      direct.add(half + i, text);
      mapped.add(half + i, text);
    });
    for (const query of queries) assert.deepEqual(mapped.search(query, 10).hits, direct.search(query, 10).hits, `${query}, after growing again`);
  });

  it('stays exact through skips of long sorted lists when they are searched, compacted and grown', () => {
    // Ascending numbers keep every list sorted, so long ones are sought through their skip blocks; a
    // search between changes builds the skips, compaction rewrites the lists under them, growth extends them.
    const many = corpus(12000, 11);
    const index = new Bm25Index();
    const present = new Map<number, string>();
    const addRange = (from: number, to: number) => {
      for (let doc = from; doc < to; doc++) {
        index.add(doc, many[doc]);
        present.set(doc, many[doc]);
      }
    };
    const check = (when: string) => {
      for (const query of [queries[2], queries[4]]) assertSameTop(present, index.search(query, 20).hits, `${when}: ${query}`, 20);
      const term = 'word3x';
      for (const doc of [0, 1, 777, 5000, 8999, 11999]) assert.equal(index.has(doc, term), present.get(doc)?.split(' ').includes('word3x') ?? false, `${when}: doc ${doc}`);
    };
    addRange(0, 6000);
    check('built');
    const removed = [...present.keys()].filter((doc) => doc % 3 !== 0);
    index.removeMany(removed);
    for (const doc of removed) present.delete(doc);
    check('compacted');
    addRange(6000, 12000);
    check('grown');
  });

  it('says whether a document has a term, in sorted and unsorted lists', () => {
    for (const order of ['up', 'down']) {
      const index = new Bm25Index();
      const docs = order === 'up' ? [0, 1, 2, 3, 4] : [4, 3, 2, 1, 0];
      for (const doc of docs) index.add(doc, doc % 2 === 0 ? 'parseConfigFile reads it' : 'something else');
      assert.deepEqual(docs.filter((doc) => index.has(doc, 'parseconfigfile')).sort(), [0, 2, 4], order);
      assert.equal(index.has(1, 'nowhere'), false);
    }
  });
});
