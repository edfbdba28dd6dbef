import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Role } from '../../src/llm/types';
import { RecallLog } from '../../src/memory/recall';
import { parseQuery } from '../../src/memory/recallSearch';
import { MemoryStore } from '../../src/memory/store';
import { MemoryError, type MessageKind } from '../../src/memory/types';

describe('recall search', () => {
  let dir: string;
  let log: RecallLog;
  let now: number;
  const add = (content: string, role: Role = 'user', kind?: MessageKind, time?: string) => {
    now += 60_000;
    return log.append({ session: 's-1', role, content, kind, tokens: 1, time });
  };
  const search = (q: string, opts?: Parameters<RecallLog['search']>[1]) => log.search(q, opts).results.map((r) => r.content);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-search-'));
    now = Date.parse('2026-03-02T09:00:00Z');
    const store = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} });
    log = RecallLog.open(store.paths, { clock: () => new Date(now), warn: () => {} });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ranks messages with all the query terms above those with some, however often those repeat them', () => {
    add('postgres postgres postgres postgres, lots of postgres talk');
    add('We chose Postgres for the ledger because of transactions', 'assistant');
    add('the ledger ledger ledger');
    add('unrelated chatter about lunch');
    const page = log.search('why postgres for the ledger?');
    assert.equal(page.total, 3, 'the lunch message matches nothing');
    assert.equal(page.results[0].content, 'We chose Postgres for the ledger because of transactions', 'beats older and newer partial matches');
    assert.deepEqual(page.results.slice(1).map((r) => r.content).sort(), ['postgres postgres postgres postgres, lots of postgres talk', 'the ledger ledger ledger']);
  });

  it('ranks the answer beside a turn that asks in the query’s words above turns that match no less, but never above a turn that says them', () => {
    const say = (session: string, content: string, role: Role = 'user') => {
      now += 60_000;
      return log.append({ session, role, content, tokens: 1 }).content;
    };
    say('s-1', 'Bo: I had a coffee this morning');
    const question = say('s-1', 'Al: How was the trip to Lisbon, Bo?', 'assistant');
    const answer = say('s-1', 'Bo: Amazing, we ate pastéis every night');
    say('s-1', 'Bo: anyway the cat is fine');
    for (let i = 0; i < 6; i++) say('s-2', `Bo: nothing much happened on day ${i}`);
    // The last turn of one session is not beside the first of the next.
    const lastOfSession = say('s-2', 'Bo: the weather is grey again');
    const says = say('s-3', 'Bo: the Lisbon trip photos are online');
    const found = search('What did Bo eat on the trip to Lisbon?', { pageSize: 4 });
    assert.deepEqual(found.slice(0, 2).sort(), [question, says].sort(), 'the turns that say the words first');
    assert.equal(found[2], answer, 'then the answer beside the question, above the other turns naming Bo');
    assert.ok(!found.includes(lastOfSession), 'the turn before the next session’s first is not its neighbour');
  });

  it('is case-insensitive', () => {
    add('Deploy with `make SHIP` from the Release branch');
    assert.deepEqual(search('make ship release'), ['Deploy with `make SHIP` from the Release branch']);
    assert.deepEqual(search('MAKE Ship'), ['Deploy with `make SHIP` from the Release branch']);
  });

  it('finds words inside identifiers and commands', () => {
    add('restart ledger-svc after changing its config', 'assistant');
    add('run pnpm install first', 'user');
    add('see src/auth/loginHandler.ts', 'user');
    assert.deepEqual(search('ledger'), ['restart ledger-svc after changing its config']);
    assert.deepEqual(search('ledger-svc'), ['restart ledger-svc after changing its config']);
    assert.deepEqual(search('pnpm'), ['run pnpm install first']);
    assert.deepEqual(search('loginhandler'), ['see src/auth/loginHandler.ts']);
    assert.deepEqual(search('`loginHandler.ts`?'), ['see src/auth/loginHandler.ts']);
  });

  it('matches a term of three letters or fewer only as a word of its own or with an inflection', () => {
    add('Zabun joined the team');
    add('the bun was stale');
    add('two buns for Ana');
    add('a bundle of notes');
    add("the api's rate limit", 'assistant');
    add('rapid prototyping', 'assistant');
    assert.deepEqual(search('bun').sort(), ['the bun was stale', 'two buns for Ana'], 'not inside zabun or bundle');
    assert.deepEqual(search('api'), ["the api's rate limit"], 'not inside rapid');
    assert.deepEqual(log.documentFrequencies(['bun', 'api']), [2, 1], 'document frequencies count what search matches');
    assert.deepEqual(search('zabun'), ['Zabun joined the team'], 'the longer word still matches itself');
    assert.deepEqual(search('bund'), ['a bundle of notes'], 'four letters still match the start of a longer word');
  });

  it('looks for an inflected word as its dictionary form, so other forms of it match', () => {
    add('We are adopting a cat from the shelter');
    add('the adoption papers came through');
    add('lunch at noon');
    assert.deepEqual(search('who adopted a pet?').sort(), ['We are adopting a cat from the shelter', 'the adoption papers came through']);
    add('painting the fence');
    assert.deepEqual(search('painted'), ['painting the fence']);
  });

  it('prefers a whole-word match and the exact phrase', () => {
    add('the test suite is slow');
    add('fix the latest flaky run');
    assert.equal(search('test')[0], 'the test suite is slow', 'whole word beats a word inside another');
    add('flaky tests: the suite retries them', 'user');
    add('the suite is flaky', 'user');
    assert.equal(search('flaky suite')[0], 'the suite is flaky', 'newer wins a tie');
    add('a flaky suite of tests, again', 'user');
    add('suite of things that are flaky', 'user');
    assert.equal(search('flaky suite')[0], 'a flaky suite of tests, again', 'the exact phrase wins over a newer message');
  });

  it('breaks ties by recency, newest first', () => {
    add('the build uses esbuild');
    add('the build uses esbuild');
    const ids = log.search('esbuild').results.map((r) => r.id);
    assert.deepEqual(ids, [2, 1]);
  });

  it('searches talk and tool results and tool calls, but not system alerts or automatic recall copies', () => {
    add('token budget alert', 'system', 'system_alert');
    add('auto recalled: token budget', 'user', 'auto_recall');
    add('token budget is 16k', 'tool', 'tool_result');
    log.append({ session: 's-1', role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'run_command', arguments: '{"command":"npm run lint-costs"}' }], tokens: 1 });
    assert.deepEqual(search('token budget'), ['token budget is 16k']);
    assert.equal(log.search('lint-costs').results[0]?.role, 'assistant');
    assert.deepEqual(search('token budget', { roles: ['system'] }), ['token budget alert']);
  });

  it('leaves out excluded ids (messages already in the conversation queue)', () => {
    const old = add('the API key lives in .env.local');
    const recent = add('the API key is rotated monthly');
    assert.deepEqual(log.search('api key', { excludeIds: new Set([recent.id]) }).results.map((r) => r.id), [old.id]);
  });

  it('pages the results', () => {
    for (let i = 1; i <= 12; i++) add(`migration step ${i}`);
    const first = log.search('migration');
    assert.deepEqual({ total: first.total, page: first.page, pages: first.pages, n: first.results.length }, { total: 12, page: 1, pages: 3, n: 5 });
    assert.equal(first.results[0].content, 'migration step 12');
    const last = log.search('migration', { page: 3 });
    assert.deepEqual(last.results.map((r) => r.content), ['migration step 2', 'migration step 1']);
    assert.deepEqual(log.search('migration', { page: 4 }).results, []);
    assert.equal(log.search('migration', { pageSize: 10, page: 2 }).results.length, 2);
    assert.throws(() => log.search('migration', { page: 0 }), (e: unknown) => e instanceof MemoryError && e.kind === 'invalid');
    assert.deepEqual(log.search('nothing-like-this'), { total: 0, page: 1, pages: 0, results: [] });
  });

  it('orders results the same whether a few or very many are asked for', () => {
    const topics = ['cache', 'cache invalidation', 'invalidation of the cache key', 'key', 'cache cache key'];
    for (let i = 0; i < 400; i++) add(`${topics[i % topics.length]} note ${i % 7 === 0 ? 'cache' : ''}`);
    const all = log.search('cache key', { pageSize: 400 }).results.map((r) => r.id);
    const paged: number[] = [];
    for (let p = 1; p <= 80; p++) paged.push(...log.search('cache key', { page: p, pageSize: 5 }).results.map((r) => r.id));
    assert.equal(all.length, log.search('cache key').total);
    assert.deepEqual(paged, all);
  });

  it('drops small stop words from the query unless they are all there is', () => {
    assert.deepEqual(parseQuery('What did we decide about the `ledger-svc` port?').terms, ['decide', 'ledger-svc', 'port']);
    assert.deepEqual(parseQuery('is it done').terms, ['done']);
    assert.deepEqual(parseQuery('is it').terms, ['is', 'it']);
    // A pronoun after the name it stands for names no one: it must not win a turn a matched-terms tier.
    assert.deepEqual(parseQuery('What did Ann do with her dog and his ball?').terms, ['ann', 'dog', 'ball']);
    assert.deepEqual(parseQuery('   ').terms, []);
    add('is it');
    assert.equal(log.search('').total, 0);
  });

  describe('by date', () => {
    beforeEach(() => {
      add('late on the 1st', 'user', undefined, '2026-03-01T23:59:59.999Z');
      add('midnight of the 2nd', 'user', undefined, '2026-03-02T00:00:00.000Z');
      add('noon of the 2nd', 'assistant', undefined, '2026-03-02T12:00:00.000Z');
      add('recalled copy', 'user', 'auto_recall', '2026-03-02T12:00:00.000Z');
      add('last moment of the 2nd', 'user', undefined, '2026-03-02T23:59:59.999Z');
      add('start of the 3rd', 'user', undefined, '2026-03-03T00:00:00.000Z');
      add('written late, dated early', 'user', undefined, '2026-03-02T06:00:00.000Z');
    });
    const byDate = (a: string, b: string, opts?: { page?: number; pageSize?: number }) => log.searchByDate(a, b, opts).results.map((r) => r.content);

    it('includes whole UTC days at both ends, oldest first', () => {
      assert.deepEqual(byDate('2026-03-02', '2026-03-02', { pageSize: 10 }), ['midnight of the 2nd', 'written late, dated early', 'noon of the 2nd', 'last moment of the 2nd']);
      assert.equal(log.searchByDate('2026-03-01', '2026-03-03').total, 6);
    });

    it('takes ISO timestamps as exact inclusive bounds', () => {
      assert.deepEqual(byDate('2026-03-02T12:00:00Z', '2026-03-03T00:00:00.000Z'), ['noon of the 2nd', 'last moment of the 2nd', 'start of the 3rd']);
      assert.deepEqual(byDate('2026-03-02T12:00', '2026-03-02T12:00'), ['noon of the 2nd'], 'no zone means UTC');
    });

    it('pages date results', () => {
      const page = log.searchByDate('2026-03-01', '2026-03-03', { page: 2, pageSize: 4 });
      assert.deepEqual({ total: page.total, pages: page.pages }, { total: 6, pages: 2 });
      assert.deepEqual(page.results.map((r) => r.content), ['last moment of the 2nd', 'start of the 3rd']);
    });

    it('refuses dates that are not dates, and a start after the end', () => {
      const invalid = (pattern: RegExp) => (e: unknown) => e instanceof MemoryError && e.kind === 'invalid' && pattern.test(e.message);
      assert.throws(() => log.searchByDate('yesterday', '2026-03-02'), invalid(/^start_date "yesterday" is not a date: use YYYY-MM-DD/));
      assert.throws(() => log.searchByDate('2026-03-01', '2026-02-30'), invalid(/^end_date "2026-02-30" is not a date/));
      assert.throws(() => log.searchByDate('2026-03-01', '03/02/2026'), invalid(/^end_date "03\/02\/2026" is not a date/));
      assert.throws(() => log.searchByDate('2026-03-03', '2026-03-01'), invalid(/^start_date 2026-03-03 is after end_date 2026-03-01/));
    });
  });

  describe('with dates in the query', () => {
    const at = (content: string, time: string, role: Role = 'user') => log.append({ session: 's-1', role, content, tokens: 1, time });
    const december = new Date('2026-12-15T10:00:00Z');

    it('no longer matches the date words as numbers ("9 November" is not "9 out of 10")', () => {
      at('I scored 9 out of 10 on the quiz', '2026-06-01T10:00:00Z');
      at('We went hiking in the hills', '2026-11-09T15:00:00Z');
      const page = log.search('what happened on 9 November', { reference: december });
      assert.deepEqual(page.results.map((r) => r.content), ['We went hiking in the hills'], 'the day itself, and no "9 out of 10"');
      assert.equal(page.window?.startMs, Date.parse('2026-11-09T00:00:00Z'));
    });

    it('ranks a message from around the named day above a better keyword match months away, and keeps the rest after it', () => {
      at('The ledger deploy to production failed with a timeout on the ledger', '2026-04-02T10:00:00Z');
      at('ledger deploy went out', '2026-11-10T10:00:00Z');
      at('unrelated chatter about lunch', '2026-11-09T12:00:00Z');
      const page = log.search('ledger deploy on 9 November', { reference: december });
      assert.deepEqual(page.results.map((r) => r.content), [
        'ledger deploy went out',
        'unrelated chatter about lunch',
        'The ledger deploy to production failed with a timeout on the ledger',
      ], 'in the window first, then that day\'s other messages, then the rest: a wrong date costs ranking, never results');
      assert.equal(page.total, 3);
    });

    it('reads "last Tuesday" against the person\'s latest message by default, and the clock when there is none', () => {
      at('the ledger migration is done', '2026-12-08T10:00:00Z', 'assistant');
      at('the ledger migration plan', '2026-09-01T10:00:00Z', 'assistant');
      assert.equal(log.search('ledger migration last Tuesday').window?.startMs, Date.parse('2026-02-24T00:00:00Z'), 'no user message: the clock (2026-03-02)');
      const asked = at('what about the ledger migration last Tuesday?', '2026-12-15T10:00:00Z');
      // The question itself is in the conversation, not something to find (and newer than every answer).
      const page = log.search('ledger migration last Tuesday', { excludeIds: new Set([asked.id]) });
      assert.equal(page.window?.startMs, Date.parse('2026-12-08T00:00:00Z'));
      assert.equal(page.results[0].content, 'the ledger migration is done');
    });

    it('lists the messages of a date when the query is nothing but the date, and falls back to the words when that date is empty', () => {
      at('first thing that day', '2026-12-14T08:00:00Z');
      at('second thing that day', '2026-12-14T09:00:00Z');
      at('another day', '2026-12-10T09:00:00Z');
      const page = log.search('what did we do yesterday?', { reference: december });
      assert.deepEqual(page.results.map((r) => r.content), ['first thing that day', 'second thing that day']);
      assert.equal(search('yesterday', { reference: new Date('2027-06-01T00:00:00Z') }).length, 0, 'nothing that day and no word matches');
    });

    it('leaves a query without dates, or with dates switched off, to the keywords alone', () => {
      at('I scored 9 out of 10 on the quiz', '2026-06-01T10:00:00Z');
      const plain = log.search('quiz score', { reference: december });
      assert.equal(plain.window, undefined);
      assert.equal(plain.results.length, 1);
      assert.deepEqual(search('9 November', { reference: december, dates: false }), ['I scored 9 out of 10 on the quiz']);
    });

    it('ranks a date range by a query inside it, best first, then the rest of the range oldest first', () => {
      at('standup notes', '2026-03-02T09:00:00Z');
      at('the ledger deploy failed', '2026-03-03T09:00:00Z');
      at('ledger deploy retried and the ledger deploy passed', '2026-03-04T09:00:00Z');
      at('ledger deploy outside the range', '2026-03-09T09:00:00Z');
      const page = log.searchByDate('2026-03-02', '2026-03-04', { query: 'ledger deploy', pageSize: 10 });
      assert.equal(page.total, 3);
      assert.deepEqual(page.results.map((r) => r.content), ['ledger deploy retried and the ledger deploy passed', 'the ledger deploy failed', 'standup notes']);
      assert.deepEqual(log.searchByDate('2026-03-02', '2026-03-04').results.map((r) => r.content)[0], 'standup notes', 'without a query, oldest first');
    });
  });
});
