import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gatherAutoRecall } from '../../src/core/autoRecall';
import { RecallRetriever } from '../../src/core/recallRetriever';
import { createTokenCounter } from '../../src/llm/tokens';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore } from '../../src/memory/store';

const tokens = createTokenCounter();
const CHAT = ['Haha, totally.', 'That sounds fun!', 'How has your week been?', 'I finally finished that book.', 'Work has been busy lately.', 'Same here honestly.'];

describe('automatic recall from the message log', () => {
  let dir: string;
  let log: RecallLog;
  let now: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-recall-retriever-'));
    now = Date.parse('2026-12-01T10:00:00Z');
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    log = RecallLog.open(store.paths, { clock: () => new Date(now), warn: () => {} });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** One session on `day` between Caroline (the user) and Mel: chat around `facts`, each said by Mel. */
  function session(day: string, facts: string[]): void {
    let t = Date.parse(`${day}T10:00:00Z`);
    const say = (role: 'user' | 'assistant', text: string) => {
      t += 120_000;
      const content = `${role === 'user' ? 'Caroline' : 'Mel'}: ${text}`;
      log.append({ session: day, role, content, tokens: tokens.count(content), time: new Date(t).toISOString() });
    };
    CHAT.forEach((c, i) => {
      say(i % 2 ? 'assistant' : 'user', c);
      if (i === 2) for (const f of facts) say('assistant', f);
    });
  }

  const ask = (q: string) => gatherAutoRecall([new RecallRetriever(log, () => log.lastId() + 1)], q, tokens, 1_000);

  it('answers a question naming a day with what was said that day, the specific turn before chat', async () => {
    session('2026-11-02', ['I ran my first half marathon this morning, my legs are jelly.', 'I would give that race 9 out of 10.']);
    session('2026-11-09', ['We adopted a rabbit from the shelter today, we are calling him Clover.']);
    session('2026-11-16', ['Spent the whole day volunteering at the food bank.']);
    const block = await ask('What did Mel do on 9 November?');
    assert.match(block ?? '', /rabbit from the shelter/, block);
    assert.doesNotMatch(block ?? '', /half marathon|food bank/, 'other days stay out');
    // "9" is the day's, not a word to find in "9 out of 10".
    assert.doesNotMatch(block ?? '', /9 out of 10/);
    now = Date.parse('2026-11-10T09:00:00Z');
    assert.match((await ask('What did Mel do yesterday?')) ?? '', /rabbit from the shelter/, 'a relative day, read against the time asked');
  });

  it('injects nothing for a named day nothing was said on', async () => {
    session('2026-11-02', ['I ran my first half marathon this morning, my legs are jelly.']);
    session('2026-11-09', ['We adopted a rabbit from the shelter today, we are calling him Clover.']);
    assert.equal(await ask('What did Mel do on 20 October?'), undefined);
  });

  it('gives the latest restatement of a fact first when asked for the current state, following one update to the next', async () => {
    session('2026-09-01', ['My favourite food has to be sushi, no contest.']);
    session('2026-09-20', []);
    log.append({ session: '2026-09-20', role: 'user', content: 'Caroline: My favourite food has to be tacos, no contest.', tokens: 12, time: '2026-09-20T12:00:00Z' });
    session('2026-10-05', ['Confession: I am so over sushi. Pho all the way now.']);
    // The other side restates their own old favourite later still: not Mel's update.
    log.append({ session: '2026-10-20', role: 'user', content: 'Caroline: I am so over tacos, sushi is my thing now.', tokens: 12, time: '2026-10-20T12:00:00Z' });
    session('2026-11-10', ['Pho was a phase, ramen is my thing these days.']);
    const block = (await ask("What is Mel's favourite food now?")) ?? '';
    const lines = block.split('\n').filter((l) => l.startsWith('- '));
    assert.match(block, /ramen is my thing/, block);
    assert.match(block, /favourite food has to be sushi/, 'the old statement stays, so the model sees what changed');
    assert.doesNotMatch(block, /so over tacos/, "the other person's change is not Mel's");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.ok(at(/ramen/) < at(/has to be sushi/), 'the newest statement comes first');
  });

  it('brings two turns tied by a name when together they answer more than either alone (multi-hop)', async () => {
    session('2026-08-01', ['My sister Lena just got engaged, we are all thrilled.']);
    session('2026-08-15', ['My sister called for an hour about nothing, as usual.']);
    session('2026-09-01', ['That is a big move.']);
    session('2026-10-01', ['Lena packed up and moved to Denver for her fiance.']);
    const block = (await ask("Which city did Mel's sister move to?")) ?? '';
    assert.match(block, /Lena just got engaged/, block);
    assert.match(block, /moved to Denver/, block);
  });

  it('does not pair turns without a name in common', async () => {
    session('2026-08-01', ['My sister just got engaged, we are all thrilled.']);
    session('2026-10-01', ['She packed up and moved to Denver for her fiance.']);
    assert.equal(await ask("Which city did Mel's sister move to?"), undefined, 'neither turn alone holds enough of the question');
  });
});
