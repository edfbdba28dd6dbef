import { strict as assert } from 'node:assert';
import { PostingLists, TF_SHIFT } from '../../src/memory/postingLists';
import { seededRandom } from '../helpers/seededRandom';

// Short lists share slabs by size class and move up a class (and out into an array of their own) as
// they grow: whatever the interleaving, each term must read back exactly the postings pushed to it.

function read(lists: PostingLists, term: number): number[] {
  const list = lists.list(term);
  return list ? Array.from(list.data.subarray(0, list.size)) : [];
}

describe('posting lists (short lists in shared slabs)', () => {
  it('reads back every term\'s postings in order through every size class and out of the slabs, interleaved', () => {
    const next = seededRandom(7);
    const lists = new PostingLists();
    const expected: number[][] = [];
    for (let t = 0; t < 3000; t++) {
      assert.equal(lists.addTerm(), t);
      expected.push([]);
    }
    // Zipf-like: a few terms get hundreds of postings (past the slabs), most a handful.
    for (let doc = 0; doc < 4000; doc++) {
      for (let k = 0; k < 12; k++) {
        const term = Math.floor(3000 * next() ** 4);
        const list = expected[term];
        if (list.length > 0 && list[list.length - 1] >>> TF_SHIFT === doc) continue;
        const posting = (doc << TF_SHIFT) | (1 + k);
        lists.push(term, posting);
        list.push(posting);
      }
    }
    const lengths = expected.map((l) => l.length);
    assert.ok(Math.max(...lengths) > 1000, 'some list left the slabs');
    assert.ok(lengths.filter((n) => n > 0 && n <= 64).length > 500, 'many lists stayed in them');
    for (let t = 0; t < 3000; t++) {
      assert.deepEqual(read(lists, t), expected[t], `term ${t}`);
      assert.equal(lists.size(t), expected[t].length);
      if (expected[t].length > 0) assert.equal(lists.list(t)!.sorted, true);
    }
    assert.equal(lists.list(2999 + 0)?.size ?? 0, expected[2999].length);
  });

  it('keeps each list\'s postings through a filter, and goes on growing it after', () => {
    const lists = new PostingLists();
    const expected: number[][] = [];
    for (let t = 0; t < 50; t++) {
      lists.addTerm();
      expected.push([]);
    }
    const push = (term: number, doc: number) => {
      lists.push(term, (doc << TF_SHIFT) | 1);
      expected[term].push((doc << TF_SHIFT) | 1);
    };
    for (let doc = 0; doc < 300; doc++) for (let t = 0; t < 50; t++) if (doc % (t + 1) === 0) push(t, doc);
    lists.filter((doc) => doc % 3 !== 0);
    for (let t = 0; t < 50; t++) expected[t] = expected[t].filter((p) => (p >>> TF_SHIFT) % 3 !== 0);
    for (let doc = 300; doc < 400; doc++) for (let t = 0; t < 50; t++) if (doc % (t + 1) === 0) push(t, doc);
    for (let t = 0; t < 50; t++) assert.deepEqual(read(lists, t), expected[t], `term ${t}`);
  });

  it('says a list is unsorted once a document number comes back lower, and seeks a sorted one', () => {
    const lists = new PostingLists();
    const short = lists.addTerm();
    const long = lists.addTerm();
    for (let doc = 0; doc < 500; doc += 2) lists.push(long, doc << TF_SHIFT);
    lists.push(short, 9 << TF_SHIFT);
    lists.push(short, 4 << TF_SHIFT);
    assert.equal(lists.list(short)!.sorted, false);
    const list = lists.list(long)!;
    assert.equal(list.sorted, true);
    assert.equal(list.seek(0, 301), 151, 'the first document at or after 301 is 302, the 151st');
    assert.equal(list.data[list.seek(10, 20)] >>> TF_SHIFT, 20);
    lists.push(long, 3 << TF_SHIFT);
    assert.equal(lists.list(long)!.sorted, false);
    assert.equal(lists.list(lists.addTerm()), undefined, 'a term with no postings has no list');
  });
});
