import { strict as assert } from 'node:assert';
import { codeTerms } from '../../src/memory/codeTokens';
import { parseQuery } from '../../src/memory/recallSearch';
import { CODE_STOP_WORDS, QUESTION_STOP_WORDS } from '../../src/memory/stopWords';

describe('stop words', () => {
  it('ignores the same English filler in code and in questions about the conversation', () => {
    for (const word of ['the', 'what', 'did', 'we', 'about', 'with']) {
      assert.ok(CODE_STOP_WORDS.has(word) && QUESTION_STOP_WORDS.has(word), word);
    }
    assert.deepEqual(codeTerms('what did we do about the ledger'), ['ledg']);
    assert.deepEqual(parseQuery('what did we do about the ledger').terms, ['ledger']);
  });

  it('drops words that ask about the past only from recall queries, and prose about code only from code', () => {
    assert.deepEqual(parseQuery('remember what we discussed earlier about retries').terms, ['retries']);
    assert.deepEqual(codeTerms('recall remember'), ['recall', 'rememb']);
    assert.deepEqual(codeTerms('the value used'), ['valu']);
    assert.deepEqual(parseQuery('the value used').terms, ['value', 'used']);
  });
});
