import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore } from '../../src/memory/store';

describe('word frequencies of the conversation', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts the turns using each word, follows appends, and leaves tool output and recall blocks out', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-words-'));
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    const log = RecallLog.open(store.paths, { warn: () => {} });
    log.append({ session: 's', role: 'user', content: 'Mel: we adopted a rabbit, a rabbit!', tokens: 8 });
    log.append({ session: 's', role: 'assistant', content: 'Caroline: a rabbit? lovely', tokens: 5 });
    log.append({ session: 's', role: 'tool', content: 'rabbit rabbit rabbit', tokens: 3 });
    log.append({ session: 's', role: 'system', kind: 'auto_recall', content: 'rabbit', tokens: 1 });
    const words = log.wordFrequencies();
    assert.equal(words.size, 2, 'two turns of conversation');
    assert.equal(words.count('rabbit'), 2, 'once per turn, however often it says it');
    assert.equal(words.count('the'), 0);
    log.append({ session: 's', role: 'user', content: 'Mel: his name is Clover', tokens: 5 });
    assert.equal(log.wordFrequencies().count('clover'), 1, 'a message appended later is counted');
    assert.ok(log.wordFrequencies().idf('clover') > log.wordFrequencies().idf('rabbit'), 'the rarer word weighs more');
  });

  it('counts again from the start when the log is read again (replaced behind its back)', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-words-'));
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    const log = RecallLog.open(store.paths, { warn: () => {} });
    log.append({ session: 's', role: 'user', content: 'the ledger deploy rolled back', tokens: 5 });
    log.append({ session: 's', role: 'user', content: 'the ledger is fine now', tokens: 5 });
    assert.equal(log.wordFrequencies().count('ledger'), 2);
    fs.writeFileSync(store.paths.messagesFile, `${JSON.stringify({ id: 1, role: 'user', session: 's', content: 'pottery class', time: new Date().toISOString(), tokens: 2 })}\n`);
    log.refresh();
    const words = log.wordFrequencies();
    assert.equal(words.count('ledger'), 0);
    assert.equal(words.count('pottery'), 1);
    assert.equal(words.size, 1);
  });
});
