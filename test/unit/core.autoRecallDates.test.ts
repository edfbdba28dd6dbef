import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecallRetriever } from '../../src/core/recallRetriever';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore } from '../../src/memory/store';

describe('automatic recall with dates', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the dates of the message being answered against its own time (the clock), not the previous message', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-autorecall-dates-'));
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    const log = RecallLog.open(store.paths, { clock: () => new Date('2026-12-15T10:00:00Z'), warn: () => {} });
    log.append({ session: 's', role: 'assistant', content: 'the ledger deploy was rolled back', tokens: 1, time: '2026-12-14T10:00:00Z' });
    log.append({ session: 's', role: 'assistant', content: 'the ledger deploy went fine', tokens: 1, time: '2026-11-20T10:00:00Z' });
    // The person's previous message is a month old: "yesterday" read against it would be 14 November.
    log.append({ session: 's', role: 'user', content: 'hello', tokens: 1, time: '2026-11-15T10:00:00Z' });
    const hits = await new RecallRetriever(log, () => 1_000).retrieve('how did the ledger deploy go yesterday?', 1);
    assert.equal(hits.length, 1);
    assert.match(hits[0].source, /2026-12-14/);
    assert.equal(hits[0].text, 'the ledger deploy was rolled back');
  });
});
