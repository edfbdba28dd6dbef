import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gatherAutoRecall } from '../../src/core/autoRecall';
import { RecallRetriever } from '../../src/core/recallRetriever';
import { createTokenCounter } from '../../src/llm/tokens';
import { RecallLog } from '../../src/memory/recall';
import { parseQuery } from '../../src/memory/recallSearch';
import { MemoryStore } from '../../src/memory/store';

// When several messages state the same fact, the newest is the update and the others are outdated:
// search and automatic recall must put it first, or the model answers with a stale value.
describe('recall ranking of updated facts', () => {
  let dir: string;
  let log: RecallLog;
  let now: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-update-'));
    now = Date.parse('2026-03-02T09:00:00Z');
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    log = RecallLog.open(store.paths, { clock: () => new Date(now), warn: () => {} });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const say = (content: string, session = 's-1') => {
    now += 86_400_000;
    return log.append({ session, role: 'user', content, tokens: 1 });
  };
  const filler = (n: number) => {
    for (let i = 0; i < n; i++) say(['Looked at it, nothing to change.', 'Lunch was fine.', 'Build is green again.'][i % 3]);
  };

  it('reads "now", "current", "latest" as asking for the newest statement, not as topic words', () => {
    assert.deepEqual(parseQuery('What is the dev port for ledger-svc now?').recent, true);
    assert.deepEqual(parseQuery("What is Melanie's current job?").recent, true);
    assert.deepEqual(parseQuery('What is the dev port for ledger-svc?').recent, false);
    assert.deepEqual(parseQuery('now').recent, false, 'nothing else to search for: "now" is the topic');
  });

  it('ranks the update above the older statement, even when the older one happens to say "now"', () => {
    const old = say('For ledger-svc, set the dev port to `5432` from now on.');
    filler(6);
    const update = say('ledger-svc moved its dev port to `6543`.');
    filler(3);
    const ids = log.search('What is the dev port for ledger-svc now?').results.map((r) => r.id);
    assert.equal(ids[0], update.id);
    assert.ok(ids.includes(old.id), 'the older statement still follows');
  });

  it('does not let the question\'s "use" lift an older "we use `x`" above the update', () => {
    say('Heads up, we use `pnpm` as the package manager of vega-ui.');
    filler(4);
    const update = say('vega-ui moved its package manager to `bun`.');
    assert.equal(log.search('Which package manager does vega-ui use now?').results[0].id, update.id);
    assert.equal(log.search('Which package manager does vega-ui use?').results[0].id, update.id);
  });

  it('does not let "remind me" outweigh the fact asked about in automatic recall', async () => {
    say('The test command for leset-svc is `just check-a`.');
    filler(4);
    const update = say('leset-svc moved its test command to `just check-b`.');
    filler(4);
    const retriever = new RecallRetriever(log, () => log.lastId() + 1);
    const block = await gatherAutoRecall([retriever], "Remind me, what's leset-svc's test command now?", createTokenCounter(), 1000, 3);
    assert.ok(block?.includes(`recall #${update.id} `), block);
  });

  it('puts the newer of two near-equal matches first, but a clearly better older match still wins', () => {
    filler(6);
    const older = say('The build command for pay-api is `make all`.');
    const newer = say('The build command for pay-api is `just make-all`, switched.');
    assert.equal(log.search('pay-api build command').results[0].id, newer.id);
    const best = say('pay-api pay-api build command build command: run the pay-api build command');
    say('The command is done.');
    assert.equal(log.search('pay-api build command').results[0].id, best.id, 'matching much better beats being newer');
    void older;
  });

  it('orders the same whether a page of two or all results are asked for', () => {
    for (let i = 0; i < 30; i++) say(`migration step ${i} for the ledger${i % 4 === 0 ? ' ledger ledger' : ''}`);
    const all = log.search('ledger migration', { pageSize: 30 }).results.map((r) => r.id);
    const two = log.search('ledger migration', { pageSize: 2 }).results.map((r) => r.id);
    assert.deepEqual(two, all.slice(0, 2));
  });

  it('gives automatic recall the update first, in a later session', async () => {
    say("Note for later: vega-ui's package manager is `pnpm`.", 's-1');
    filler(5);
    const update = say('Change of plan: the package manager for vega-ui is now `bun`.', 's-2');
    filler(5);
    const retriever = new RecallRetriever(log, () => log.lastId() + 1);
    const hits = await retriever.retrieve('Which package manager does vega-ui use now?', 6);
    assert.equal(hits[0].source.startsWith(`recall #${update.id} `), true, hits.map((h) => h.source).join(', '));
    const block = await gatherAutoRecall([retriever], 'Which package manager does vega-ui use now?', createTokenCounter(), 1000, 3);
    assert.ok(block && block.indexOf('`bun`') >= 0, block);
    if (block!.includes('`pnpm`')) assert.ok(block!.indexOf('`bun`') < block!.indexOf('`pnpm`'), 'the update reads first');
  });
});
