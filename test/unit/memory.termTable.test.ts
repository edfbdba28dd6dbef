import { strict as assert } from 'node:assert';
import { TermTable } from '../../src/memory/termTable';

// The keyword index's vocabulary as bytes in one arena: every term must come back exactly as given,
// whatever its characters, and keep its id as the table grows.

describe('term table (the keyword index\'s vocabulary)', () => {
  it('gives each term one id, finds it again after the table has grown many times, and spells it back', () => {
    const table = new TermTable();
    const terms = Array.from({ length: 50_000 }, (_, i) => `term${i.toString(36)}x`);
    terms.forEach((term, i) => assert.equal(table.id(term), i));
    assert.equal(table.size, terms.length);
    terms.forEach((term, i) => {
      assert.equal(table.find(term), i);
      assert.equal(table.id(term), i, 'a second sight makes no new id');
      assert.equal(table.term(i), term);
    });
    assert.equal(table.find('term'), -1);
    assert.equal(table.find(''), -1);
    assert.equal(table.size, terms.length);
  });

  it('keeps any text intact: accents, CJK, emoji, a lone surrogate, the empty term', () => {
    const table = new TermTable();
    const odd = ['café', 'naïve', '数据', 'straße', '😀smile', 'a\ud800b', '\udc00', '', 'ǅ', 'x'.repeat(500)];
    const ids = odd.map((term) => table.id(term));
    assert.deepEqual(ids, odd.map((_, i) => i));
    odd.forEach((term, i) => {
      assert.equal(table.term(i), term);
      assert.equal(table.find(term), i);
    });
    assert.equal(table.find('cafe'), -1, 'a different spelling is a different term');
  });
});
