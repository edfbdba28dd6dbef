import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { broaderWords, lexiconForm, relatedWords } from '../../src/memory/lexicon';
import { RecallLog } from '../../src/memory/recall';
import { expansionsOf, rankDocs } from '../../src/memory/recallSearch';
import { MemoryStore } from '../../src/memory/store';

// The committed lexicon (src/memory/lexicon.txt, generated from WordNet by scripts/buildLexicon.ts), not a stand-in.
describe('the WordNet lexicon', () => {
  it('lists synonyms and related words of common words, best first', () => {
    assert.ok(relatedWords('hobby').includes('pastime'), `hobby: ${relatedWords('hobby').join(' ')}`);
    assert.ok(relatedWords('job').includes('occupation'), `job: ${relatedWords('job').join(' ')}`);
    assert.ok(relatedWords('relax').includes('unwind'), `relax: ${relatedWords('relax').join(' ')}`);
  });

  it('looks inflected and irregular forms up by their dictionary form', () => {
    assert.equal(lexiconForm('hobbies'), 'hobby');
    assert.equal(lexiconForm('relaxing'), 'relax');
    assert.equal(lexiconForm('took'), 'take');
    assert.equal(lexiconForm('Jobs'), 'job');
    assert.deepEqual(relatedWords('relaxed'), relatedWords('relax'));
  });

  it("gives a noun's broader terms, nearest first, without the top of the hierarchy", () => {
    assert.ok(broaderWords('dogs').includes('animal'), `dog: ${broaderWords('dog').join(' ')}`);
    assert.ok(broaderWords('pizza').includes('food'), `pizza: ${broaderWords('pizza').join(' ')}`);
    assert.ok(broaderWords('violin').includes('instrument'), `violin: ${broaderWords('violin').join(' ')}`);
    for (const word of ['dog', 'pizza', 'violin', 'wedding']) for (const general of ['entity', 'object', 'thing', 'abstraction']) assert.ok(!broaderWords(word).includes(general), `${word}: ${general}`);
    assert.deepEqual(broaderWords('loginhandler'), []);
  });

  it('knows nothing of identifiers and names, so code queries are not expanded', () => {
    assert.deepEqual(relatedWords('loginhandler'), []);
    assert.deepEqual(relatedWords('ledger-svc'), []);
    assert.deepEqual(expansionsOf(['loginhandler', 'melanie']), [[], []]);
  });

  it('never expands to a short word or one the query already finds', () => {
    for (const words of expansionsOf(['job', 'hobby', 'current', 'trip'])) {
      for (const w of words) assert.ok(w.length >= 4, w);
    }
    assert.ok(!expansionsOf(['job', 'occupation']).flat().includes('occupation'));
  });
});

describe('recall search with related words', () => {
  let dir: string;
  let log: RecallLog;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-lexicon-'));
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    log = RecallLog.open(store.paths, { clock: () => new Date('2026-03-02T09:00:00Z'), warn: () => {} });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const add = (content: string) => log.append({ session: 's-1', role: 'user', content, tokens: 1 });

  it('finds a message that says the same thing in other words', () => {
    add('Gina: my favourite pastime is birdwatching by the reservoir');
    add('Gina: the weather was grey all week');
    const hits = log.search("what is Gina's hobby").results.map((r) => r.content);
    assert.equal(hits[0], 'Gina: my favourite pastime is birdwatching by the reservoir');
    const docs = log.all().map((r) => ({ id: r.id, role: r.role, text: r.content.toLowerCase(), timeMs: Date.parse(r.time) }));
    assert.equal(rankDocs(docs, 'hobby', { expand: false }).total, 0, 'without expansion nothing says "hobby"');
    assert.equal(rankDocs(docs, 'hobby').total, 1);
  });

  it('finds what a message names specifically when the question asks in a broader word, below the word itself', () => {
    add('Ann: we took Biscuit the dog to the park');
    add('Ann: the weather was grey all week');
    add('Ann: the animal shelter downtown is closing');
    const hits = log.search('which animal does Ann have').results.map((r) => r.content);
    assert.deepEqual(hits.slice(0, 2), ['Ann: the animal shelter downtown is closing', 'Ann: we took Biscuit the dog to the park']);
    const docs = log.all().map((r) => ({ id: r.id, role: r.role, text: r.content.toLowerCase(), timeMs: Date.parse(r.time) }));
    assert.equal(rankDocs(docs, 'animals').total, 2, 'the dog, and the animal shelter');
    assert.equal(rankDocs(docs, 'animals', { expand: false }).total, 1, 'without expansion only the word itself');
    assert.equal(rankDocs(docs, "animal's").total, 2, 'a possessive too');
    const named = [{ id: 1, role: 'user' as const, text: 'renamed x_dog and dog2 in the test', timeMs: 0 }];
    assert.equal(rankDocs(named, 'animal').total, 0, 'a noun inside an identifier is not named');
  });

  it('ranks the query’s own word above a related word', () => {
    add('my favourite pastime is knitting');
    add('my hobby is knitting');
    add('nothing to do with it');
    const hits = log.search('hobby knitting').results.map((r) => r.content);
    assert.deepEqual(hits, ['my hobby is knitting', 'my favourite pastime is knitting']);
  });
});
