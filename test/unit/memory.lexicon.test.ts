import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lexiconForm, relatedWords } from '../../src/memory/lexicon';
import { RecallLog } from '../../src/memory/recall';
import { expansionsOf, rankDocs } from '../../src/memory/recallSearch';
import { MemoryStore } from '../../src/memory/store';

// The committed lexicon (src/memory/lexiconData.ts, generated from WordNet by scripts/buildLexicon.ts), not a stand-in.
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

  it('ranks the query’s own word above a related word', () => {
    add('my favourite pastime is knitting');
    add('my hobby is knitting');
    add('nothing to do with it');
    const hits = log.search('hobby knitting').results.map((r) => r.content);
    assert.deepEqual(hits, ['my hobby is knitting', 'my favourite pastime is knitting']);
  });
});
