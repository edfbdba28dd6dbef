import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createToolRegistry } from '../../src/tools/index';
import { removeTempWorkspaces } from '../helpers/workspace';
import { call, parsed, testWorkspace, type TestWorkspace } from '../helpers/toolContext';

const registry = createToolRegistry({});

async function ok(ws: TestWorkspace, name: string, args: Record<string, unknown>): Promise<any> {
  const out = await registry.dispatch(call(name, args), ws.ctx);
  assert.equal(out.ok, true, out.content);
  return parsed(out.content);
}

async function error(ws: TestWorkspace, name: string, args: Record<string, unknown>): Promise<string> {
  const out = await registry.dispatch(call(name, args), ws.ctx);
  assert.equal(out.ok, false, `expected an error, got ${out.content.slice(0, 300)}`);
  return parsed(out.content).error;
}

function blockFile(ws: TestWorkspace, label: string): string {
  return fs.readFileSync(path.join(ws.store.paths.memoryDir, `${label}.md`), 'utf8');
}

describe('working context tools', () => {
  after(removeTempWorkspaces);

  it('appends to a block and writes it to its Markdown file, saying how full it is', async () => {
    const ws = testWorkspace();
    const out = await ok(ws, 'working_context_append', { block: 'project', content: '- Tests: npm test (mocha)' });
    assert.equal(out.ok, true);
    assert.equal(out.block, 'project');
    assert.match(out.chars, /^\d+\/5000$/);
    assert.equal(Number(out.chars.split('/')[0]), ws.ctx.workingContext.get('project').value.length);
    assert.match(blockFile(ws, 'project'), /- Tests: npm test \(mocha\)/);
  });

  it('replaces exactly one match, and explains a match count of 0 or more than 1', async () => {
    const ws = testWorkspace();
    await ok(ws, 'working_context_rewrite', { block: 'user', content: 'likes tabs\nlikes short answers\n' });
    await ok(ws, 'working_context_replace', { block: 'user', old_content: 'likes tabs', new_content: 'likes spaces' });
    assert.match(blockFile(ws, 'user'), /likes spaces\nlikes short answers/);
    assert.match(await error(ws, 'working_context_replace', { block: 'user', old_content: 'likes', new_content: 'x' }), /matched 2 times/);
    assert.match(await error(ws, 'working_context_replace', { block: 'user', old_content: 'hates', new_content: 'x' }), /matched 0 times/);
  });

  it('rewrites a whole block to consolidate it', async () => {
    const ws = testWorkspace();
    await ok(ws, 'working_context_append', { block: 'task', content: 'step 1 done' });
    const out = await ok(ws, 'working_context_rewrite', { block: 'task', content: '' });
    assert.equal(out.chars, '0/5000');
    assert.equal(ws.ctx.workingContext.get('task').value, '');
    assert.doesNotMatch(blockFile(ws, 'task'), /step 1 done/);
  });

  it('surfaces an unknown block and an edit over the limit as errors the model can act on', async () => {
    const ws = testWorkspace();
    assert.match(await error(ws, 'working_context_append', { block: 'notes', content: 'x' }), /no block "notes"; the blocks are: project, user, task/);
    const err = await error(ws, 'working_context_rewrite', { block: 'task', content: 'x'.repeat(5_100) });
    assert.match(err, /over its limit/);
    assert.equal(ws.ctx.workingContext.get('task').value, '');
  });
});

describe('conversation search tools', () => {
  after(removeTempWorkspaces);

  function withHistory(): TestWorkspace {
    const ws = testWorkspace();
    const recall = ws.ctx.recall;
    recall.append({ session: 's1', role: 'user', content: 'The ledger service listens on port 7411.', tokens: 10, time: '2026-03-02T09:00:00Z' });
    recall.append({ session: 's1', role: 'assistant', content: 'Noted: ledger-svc uses port 7411.', tokens: 10, time: '2026-03-02T09:01:00Z' });
    recall.append({ session: 's2', role: 'user', content: 'Let us rename the billing module.', tokens: 10, time: '2026-03-04T10:00:00Z' });
    recall.append({ session: 's2', role: 'assistant', content: 'x'.repeat(2_000), tokens: 500, time: '2026-03-04T10:01:00Z' });
    return ws;
  }

  it('finds an appended message by its words, with id, time, session and role', async () => {
    const ws = withHistory();
    const out = await ok(ws, 'conversation_search', { query: 'ledger port' });
    assert.equal(out.total, 2);
    assert.equal(out.page, 1);
    assert.equal(out.pages, 1);
    assert.equal(out.next_page, undefined);
    const first = out.results.find((r: any) => r.role === 'user');
    assert.deepEqual(first, {
      id: 1,
      time: '2026-03-02T09:00:00Z',
      session: 's1',
      role: 'user',
      content: 'The ledger service listens on port 7411.',
    });
  });

  it('shows each hit with the turns around it in its session, once each and within a budget', async () => {
    const ws = testWorkspace();
    const add = (session: string, role: 'user' | 'assistant' | 'tool', content: string) =>
      ws.ctx.recall.append({ session, role, content, tokens: 5, time: '2026-03-02T09:00:00Z', ...(role === 'tool' ? { toolCallId: 'c', name: 'read_file' } : {}) });
    add('s1', 'assistant', 'How was your trip to Lisbon?');
    add('s1', 'tool', 'a tool result between the two turns');
    add('s1', 'user', 'Amazing. We ate bacalhau every night.');
    add('s1', 'assistant', 'Sounds delicious!');
    add('s2', 'user', 'Back at work on the Lisbon slides.');
    const out = await ok(ws, 'conversation_search', { query: 'trip to Lisbon' });
    const trip = out.results.find((r: any) => r.id === 1);
    assert.deepEqual(
      trip.context.map((c: any) => [c.id, c.role, c.content]),
      [[3, 'user', 'Amazing. We ate bacalhau every night.']],
      'the reply after the question, stepping over the tool result; nothing before the session start',
    );
    const slides = out.results.find((r: any) => r.id === 5);
    assert.equal(slides.context, undefined, 'a turn from another session is not its neighbour');

    const hits = await ok(ws, 'conversation_search', { query: 'bacalhau lisbon trip' });
    const shown = hits.results.flatMap((r: any) => [r.id, ...(r.context ?? []).map((c: any) => c.id)]);
    assert.equal(new Set(shown).size, shown.length, 'no turn is shown twice on a page');

    const long = testWorkspace();
    for (let i = 0; i < 10; i++) {
      long.ctx.recall.append({ session: 's', role: 'user', content: `question ${i} about the ledger?`, tokens: 5 });
      long.ctx.recall.append({ session: 's', role: 'assistant', content: `${'x'.repeat(290)} answer ${i}`, tokens: 80 });
    }
    const page = await ok(long, 'conversation_search', { query: 'ledger question' });
    const contextChars = page.results.flatMap((r: any) => r.context ?? []).reduce((n: number, c: any) => n + c.content.length, 0);
    assert.ok(contextChars > 0 && contextChars <= 1_500, `the turns beside a page stay within its budget (${contextChars} characters)`);
  });

  it('shows the editor text a message was sent with, as the model first read it', async () => {
    const ws = testWorkspace();
    ws.ctx.recall.append({
      session: 's1',
      role: 'user',
      content: 'why does this time out?',
      attachments: [{ path: 'src/net/retry.ts', startLine: 3, endLine: 4, text: 'const TIMEOUT_MS = 50;\nawait fetchWithDeadline(url, TIMEOUT_MS);' }],
      tokens: 30,
      time: '2026-03-02T09:00:00Z',
    });
    const out = await ok(ws, 'conversation_search', { query: 'fetchWithDeadline' });
    assert.equal(out.total, 1);
    assert.match(out.results[0].content, /^why does this time out\?/);
    assert.match(out.results[0].content, /Attached src\/net\/retry\.ts:3-4/);
    assert.match(out.results[0].content, /fetchWithDeadline\(url, TIMEOUT_MS\)/);
  });

  it('says when nothing is found and suggests other words', async () => {
    const ws = withHistory();
    const out = await ok(ws, 'conversation_search', { query: 'kubernetes' });
    assert.equal(out.total, 0);
    assert.deepEqual(out.results, []);
    assert.match(out.message, /nothing in recall memory matches "kubernetes"; try other words/);
  });

  it('pages results five at a time with next_page', async () => {
    const ws = testWorkspace();
    for (let i = 1; i <= 12; i++) ws.ctx.recall.append({ session: 's', role: 'user', content: `deploy attempt ${i}`, tokens: 3 });
    const first = await ok(ws, 'conversation_search', { query: 'deploy' });
    assert.equal(first.total, 12);
    assert.equal(first.pages, 3);
    assert.equal(first.results.length, 5);
    assert.equal(first.next_page, 2);
    const last = await ok(ws, 'conversation_search', { query: 'deploy', page: '3' });
    assert.equal(last.results.length, 2);
    assert.equal(last.next_page, undefined);
  });

  it('keeps a paged search to what the log held at page 1, so the search\'s own logging does not shift its pages', async () => {
    const ws = testWorkspace();
    const recall = ws.ctx.recall;
    for (let i = 1; i <= 10; i++) recall.append({ session: 's', role: 'user', content: `pnpm is the package manager for svc-${i}`, tokens: 5, time: '2026-03-02T09:00:00Z' });
    const first = await ok(ws, 'conversation_search', { query: 'pnpm package manager' });
    // Logged between the pages: the search's call and its result, both full of the query's words.
    recall.append({ session: 's', role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'conversation_search', arguments: '{"query":"pnpm package manager"}' }], tokens: 5, time: '2026-03-02T09:00:00Z' });
    recall.append({ session: 's', role: 'tool', toolCallId: 'c1', name: 'conversation_search', content: JSON.stringify(first), tokens: 50, time: '2026-03-02T09:00:00Z' });
    const second = await ok(ws, 'conversation_search', { query: 'pnpm package manager', page: 2 });
    const ids = [...first.results, ...second.results].map((r: any) => r.id);
    assert.equal(new Set(ids).size, 10, `no repeats across pages: ${ids}`);
    assert.equal(second.total, 10);
    const dated = await ok(ws, 'conversation_search_date', { start_date: '2026-03-02', end_date: '2026-03-02', query: 'pnpm' });
    assert.equal(dated.total, 12, 'a new search (page 1) sees everything logged');
    recall.append({ session: 's', role: 'user', content: 'and pnpm for svc-11', tokens: 5, time: '2026-03-02T09:00:00Z' });
    const datedNext = await ok(ws, 'conversation_search_date', { start_date: '2026-03-02', end_date: '2026-03-02', query: 'pnpm', page: 2 });
    assert.equal(datedNext.total, 12, 'its page 2 keeps to the same messages');
  });

  it('lists messages between two dates, oldest first, cutting long ones', async () => {
    const ws = withHistory();
    const out = await ok(ws, 'conversation_search_date', { start_date: '2026-03-04', end_date: '2026-03-04' });
    assert.equal(out.total, 2);
    assert.equal(out.results[0].content, 'Let us rename the billing module.');
    assert.ok(out.results[1].content.length < 700, `content length ${out.results[1].content.length}`);
    assert.match(out.results[1].content, /…\[1400 more characters\]$/);
  });

  it('explains a date it cannot read and an empty range', async () => {
    const ws = withHistory();
    assert.match(await error(ws, 'conversation_search_date', { start_date: 'last monday', end_date: '2026-03-04' }), /is not a date/);
    const none = await ok(ws, 'conversation_search_date', { start_date: '2025-01-01', end_date: '2025-01-02' });
    assert.equal(none.total, 0);
    assert.match(none.message, /no messages between 2025-01-01 and 2025-01-02/);
  });

  it('ranks a date range by a query, and says on every page which days it covers', async () => {
    const ws = withHistory();
    const out = await ok(ws, 'conversation_search_date', { start_date: '2026-03-02', end_date: '2026-03-04', query: 'billing rename' });
    assert.equal(out.total, 4);
    assert.equal(out.results[0].content, 'Let us rename the billing module.', 'the match first, not the oldest');
    assert.equal(out.covers, '2026-03-02 … 2026-03-04');
    const oneDay = await ok(ws, 'conversation_search_date', { start_date: '2026-03-02', end_date: '2026-03-02' });
    assert.equal(oneDay.covers, '2026-03-02');
  });

  it('says which date window conversation_search applied, read against the person\'s latest message', async () => {
    const ws = withHistory();
    ws.ctx.recall.append({ session: 's3', role: 'user', content: 'what port did the ledger use?', tokens: 5, time: '2026-03-10T09:00:00Z' });
    const out = await ok(ws, 'conversation_search', { query: 'port on 2 March' });
    assert.deepEqual(out.date_window, {
      read: 'on 2 March',
      dates: '2026-03-02',
      ranked_first: '2026-02-23 … 2026-03-09',
      note: 'messages from ranked_first come first, then the others; the date words were not searched as keywords',
    });
    assert.deepEqual(out.results.map((r: any) => r.id), [2, 1, 5], 'the port messages of 2 March first, the question of 10 March after them');
    const plain = await ok(ws, 'conversation_search', { query: 'ledger port' });
    assert.equal(plain.date_window, undefined, 'no dates, no window');
  });
});
