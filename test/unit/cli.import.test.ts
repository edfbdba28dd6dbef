import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli } from '../helpers/cli';
import { readMessages, startTestEnv, stopTestEnv, withoutTime } from '../helpers/workspace';

const FIXTURES = path.resolve(__dirname, '../fixtures/import');
const CLAUDE_SESSION = '7f3c2a9e-4b1d-4c55-9a0e-2f6f1d8b3c10';
const CLAUDE_FILE = path.join(FIXTURES, 'claude-code/-home-dev-shop', `${CLAUDE_SESSION}.jsonl`);

function readSessions(workspace: string): Array<Record<string, any>> {
  return JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/sessions.json'), 'utf8'));
}

describe('memcode import', function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;
  const importInto = (...args: string[]) => runCli(['import', ...args, '-C', workspace]);
  const chat = (message: string, ...extra: string[]) =>
    runCli(['chat', '-C', workspace, '-m', message, '--base-url', llm.url, '--model', 'fake-model', ...extra]);

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('imports a Claude Code session with its original dates, as one ended session marked imported, and nothing twice', async () => {
    const run = await importInto(path.dirname(CLAUDE_FILE));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Claude Code: .*7f3c2a9e.*\.jsonl: 1 session, 2 messages added/);

    const messages = readMessages(workspace);
    assert.deepEqual(
      messages.map((m) => [m.role, m.time, m.importedFrom]),
      [
        ['user', '2025-03-04T09:12:05.120Z', 'claude-code'],
        ['assistant', '2025-03-04T09:12:10.000Z', 'claude-code'],
      ],
    );
    assert.match(messages[0].content, /^The checkout test flakes on CI/, 'the caveat, slash command and sub-agent lines are left out');
    // The reply spread over several lines, its tool call and the call's result become one assistant message.
    assert.match(messages[1].content, /I'll run the checkout test/);
    assert.match(messages[1].content, /\[called Bash: npx jest tests\/checkout_retry\.spec\.ts\]/);
    assert.match(messages[1].content, /\[Bash error: FAIL tests\/checkout_retry\.spec\.ts/);
    assert.match(messages[1].content, /jest\.setTimeout\(10000\)/);
    assert.doesNotMatch(messages[1].content, /Let me run the test first/, 'thinking is not imported');
    assert.ok(messages.every((m) => !m.toolCalls && m.role !== 'tool'), 'tool calls are text, never tool records');

    const [session] = readSessions(workspace);
    assert.equal(session.importedFrom, 'claude-code');
    assert.match(session.title, /^The checkout test flakes on CI/);
    assert.equal(session.started, '2025-03-04T09:12:05.120Z');
    assert.equal(session.ended, '2025-03-04T09:13:02.000Z');
    assert.ok(messages.every((m) => m.session === session.id));

    const again = await importInto(CLAUDE_FILE);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 messages added \(2 already imported\)/);
    assert.equal(readMessages(workspace).length, 2);
    assert.equal(readSessions(workspace).length, 1);
  });

  it('adds only the new messages of a session that grew since it was imported, to the same session', async () => {
    const copy = path.join(workspace, 'history', `${CLAUDE_SESSION}.jsonl`);
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(CLAUDE_FILE, copy);
    assert.equal((await importInto(copy)).code, 0);
    const later = {
      type: 'user',
      sessionId: CLAUDE_SESSION,
      uuid: 'b1',
      timestamp: '2025-03-05T08:00:00.000Z',
      message: { role: 'user', content: 'The retry suite passed overnight, thanks.' },
    };
    fs.appendFileSync(copy, `${JSON.stringify(later)}\n`);
    const run = await importInto(copy);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 message added \(2 already imported\)/);
    const messages = readMessages(workspace);
    assert.equal(messages.length, 3);
    const sessions = readSessions(workspace);
    assert.equal(sessions.length, 1);
    assert.equal(messages[2].session, sessions[0].id);
    assert.equal(sessions[0].ended, '2025-03-05T08:00:00.000Z');
  });

  it('tells Codex (JSONL and older single JSON), Cline and the generic JSONL apart by content and keeps their dates', async () => {
    const run = await importInto(FIXTURES);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Codex: .*rollout-2025-05-07T17-24-21-.*\.jsonl: 1 session, 2 messages added/);
    assert.match(run.stdout, /Codex: .*rollout-2025-04-02T08-00-00-.*\.json: 1 session, 2 messages added/);
    assert.match(run.stdout, /Cline: .*1718035200000\/api_conversation_history\.json: 1 session, 4 messages added/);
    assert.match(run.stdout, /JSONL: .*conversations\.jsonl: 2 sessions, 4 messages added/);
    assert.match(run.stdout, /14 messages imported into 6 new sessions/);

    const bySource = (source: string) => readMessages(workspace).filter((m) => m.importedFrom === source);
    const codex = bySource('codex');
    assert.deepEqual(
      codex.map((m) => [m.role, m.time]),
      [
        ['user', '2025-05-07T17:24:30.500Z'],
        ['assistant', '2025-05-07T17:24:34.000Z'],
        ['user', '2025-04-02T08:00:00.000Z'],
        ['assistant', '2025-04-02T08:00:00.000Z'],
      ],
    );
    assert.doesNotMatch(codex[0].content, /environment_context/, 'Codex\'s own context is not the person\'s message');
    assert.match(codex[1].content, /\[called shell: rg -n "router" services\/orders\]\n\[shell result: services\/orders\/src\/router\.ts:3/);
    assert.match(codex[1].content, /Added GET \/healthz/);
    assert.equal(codex.filter((m) => /healthz/.test(m.content)).length, 1, 'the event copy of a message is not imported again');

    const cline = bySource('cline');
    assert.deepEqual(
      cline.map((m) => [m.role, m.time]),
      [
        ['user', '2024-06-10T16:00:01.000Z'],
        ['assistant', '2024-06-10T16:00:01.000Z'],
        ['user', '2024-06-10T16:01:31.000Z'],
        ['assistant', '2024-06-10T16:01:31.000Z'],
      ],
      'dates from ui_messages.json',
    );
    assert.equal(cline[0].content, 'Rename the Ledger class to AccountLedger across the billing package.');
    assert.match(cline[1].content, /\[called search_files: billing\]\n\[search_files result: Found 3 results/);
    assert.doesNotMatch(cline[1].content, /<thinking>/);
    assert.equal(cline[2].content, 'Also update the docs mention in billing/README.md', 'the feedback is what the person said');

    const generic = bySource('jsonl');
    assert.deepEqual(
      generic.map((m) => [m.role, m.time]),
      [
        ['user', '2024-11-18T14:00:00.000Z'],
        ['assistant', '2024-11-18T14:00:40.000Z'],
        ['user', '2024-11-18T16:00:00.000Z'],
        ['assistant', '2024-11-18T16:01:00.000Z'],
      ],
      'ISO times, epoch seconds and epoch milliseconds; the system line is skipped',
    );
    const titles = readSessions(workspace).map((s) => `${s.importedFrom}: ${s.title}`);
    assert.ok(titles.includes('jsonl: Should the outbox table keep delivered events?'), titles.join('\n'));
    assert.ok(titles.includes('cline: Rename the Ledger class to AccountLedger across the billing…'), titles.join('\n'));

    const again = await importInto(FIXTURES);
    assert.match(again.stdout, /0 messages imported into 0 new sessions; 14 messages were already in memory/);
    assert.equal(readMessages(workspace).length, 14);
  });

  it('never imports from inside .git or the memory folder, skips unknown files and checks --from', async () => {
    const gitDir = path.join(workspace, 'repo/.git/logs');
    fs.mkdirSync(gitDir, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'conversations.jsonl'), path.join(gitDir, 'chat.jsonl'));
    fs.writeFileSync(path.join(workspace, 'repo/notes.txt'), 'just notes\n');
    const named = await importInto(path.join(gitDir, 'chat.jsonl'), path.join(workspace, 'repo/notes.txt'));
    assert.match(named.stdout, /skipped .*chat\.jsonl: inside \.git/);
    assert.match(named.stdout, /skipped .*notes\.txt: not a conversation file MemCode knows/);
    const walked = await importInto(path.join(workspace, 'repo'));
    assert.equal(walked.code, 1);
    assert.match(walked.stdout, /No conversation files found/);
    assert.equal(fs.existsSync(path.join(workspace, '.memcode/recall/messages.jsonl')), false);

    // Named explicitly, a file is read in the format given.
    fs.copyFileSync(path.join(FIXTURES, 'conversations.jsonl'), path.join(workspace, 'repo/export.txt'));
    const forced = await importInto(path.join(workspace, 'repo/export.txt'), '--from', 'jsonl');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /JSONL: .*export\.txt: 2 sessions, 4 messages added/);
    const self = await importInto(path.join(workspace, '.memcode'));
    assert.match(self.stdout, /inside the memory folder/);
    assert.equal(readMessages(workspace).length, 4);

    const bad = await importInto(FIXTURES, '--from', 'copilot');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from must be one of claude-code, codex, cline, jsonl/);
    const missing = await importInto(path.join(workspace, 'nowhere.jsonl'));
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /could not import .*nowhere\.jsonl: does not exist/);
  });

  it('lets conversation_search find an imported Claude Code message, and keeps imported messages out of the queue', async () => {
    llm.script({ text: 'Hello! What are we working on?' });
    assert.equal((await chat('hi, I am back on the shop project', '--no-auto-recall')).code, 0);
    assert.equal((await importInto(CLAUDE_FILE)).code, 0);

    llm.script(
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'stripe mock timeout' } }] },
      { toolCalls: [{ name: 'conversation_search_date', arguments: { start_date: '2025-03-04', end_date: '2025-03-04' } }] },
      { text: 'Last time the stripe mock answered after the 5 s jest timeout.' },
    );
    const run = await chat('why did the checkout test time out last time?', '--no-auto-recall');
    assert.equal(run.code, 0, run.stderr);
    const requests = llm.chatRequests();
    const [first, , last] = requests.slice(-3).map((r) => r.body.messages as any[]);

    // The conversation queue: the earlier turn is there, the imported session is not.
    const talk = (messages: any[]) => messages.filter((m) => m.role === 'user' || (m.role === 'assistant' && !m.tool_calls)).map((m) => withoutTime(m.content ?? ''));
    assert.deepEqual(talk(first), ['hi, I am back on the shop project', 'Hello! What are we working on?', 'why did the checkout test time out last time?']);
    assert.ok(!JSON.stringify(first).includes('checkout_retry.spec.ts'), 'no imported message in the queue');

    const results = last.filter((m) => m.role === 'tool').map((m) => m.content as string);
    assert.match(results[0], /stripe mock waits 6 s/);
    assert.match(results[0], /2025-03-04/, 'with its original date');
    assert.match(results[1], /The checkout test flakes on CI/);
    assert.match(results[1], /jest\.setTimeout\(10000\)/);
    assert.doesNotMatch(results[1], /hi, I am back/, 'only that day');

    // The next turn's queue still holds only this project's own conversation.
    llm.script({ text: 'ok' });
    assert.equal((await chat('thanks', '--no-auto-recall')).code, 0);
    const next = llm.chatRequests().at(-1)!.body.messages as any[];
    assert.ok(!next.some((m) => m.role !== 'tool' && /flakes on CI|stripe mock waits/.test(m.content ?? '')), 'imported messages never enter the queue');
    assert.ok(readMessages(workspace).every((m) => m.id > 0), 'ids stay increasing');
    const ids = readMessages(workspace).map((m) => m.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  it('lets automatic recall bring up an imported message that was numbered after the queue started', async () => {
    llm.script({ text: 'Hello!' });
    assert.equal((await chat('hi')).code, 0);
    assert.equal((await importInto(CLAUDE_FILE)).code, 0);
    llm.script({ text: 'The stripe mock was slow.' });
    assert.equal((await chat('what happened with the stripe mock timeout?')).code, 0);
    const sent = JSON.stringify(llm.chatRequests().at(-1)!.body.messages);
    assert.match(sent, /Possibly relevant memories[^"]*recall #\d+ \(2025-03-04, assistant\)[^"]*stripe mock waits 6 s/);
  });

  it('prints memory show and memory search as JSON with the documented fields', async () => {
    assert.equal((await importInto(CLAUDE_FILE)).code, 0);
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/checkout.ts'), 'export function retryDeclinedCard(attempts: number): boolean {\n  return attempts < 3;\n}\n');
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);

    const shown = await runCli(['memory', 'show', '--json', '-C', workspace]);
    assert.equal(shown.code, 0, shown.stderr);
    const show = JSON.parse(shown.stdout);
    assert.equal(show.version, 1);
    assert.equal(show.memoryFolder, path.join(workspace, '.memcode'));
    assert.ok(show.blocks.length > 0);
    assert.deepEqual(Object.keys(show.blocks[0]).sort(), ['chars', 'description', 'label', 'limit', 'value']);
    assert.equal(show.summary, '');
    assert.deepEqual(show.counts, { messages: 2, inQueue: 0, imported: 2, sessions: 1 });
    assert.deepEqual(Object.keys(show.sessions[0]).sort(), ['ended', 'id', 'importedFrom', 'started', 'title']);
    assert.equal(show.sessions[0].importedFrom, 'claude-code');

    const searched = await runCli(['memory', 'search', 'retryDeclinedCard stripe mock', '--json', '-C', workspace]);
    assert.equal(searched.code, 0, searched.stderr);
    const found = JSON.parse(searched.stdout);
    assert.equal(found.version, 1);
    assert.equal(found.query, 'retryDeclinedCard stripe mock');
    assert.equal(found.archivalError, null);
    assert.deepEqual(Object.keys(found.messages).sort(), ['page', 'pages', 'results', 'total']);
    const message = found.messages.results[0];
    assert.deepEqual(Object.keys(message).sort(), ['content', 'id', 'importedFrom', 'role', 'session', 'time']);
    assert.match(message.time, /^2025-03-04T09:12/, 'the original date');
    assert.equal(message.importedFrom, 'claude-code');
    const hit = found.archival.results.find((h: any) => h.path === 'src/checkout.ts');
    assert.ok(hit, searched.stdout);
    assert.deepEqual(Object.keys(hit).sort(), ['endLine', 'path', 'score', 'source', 'startLine', 'symbol', 'text']);
    assert.equal(hit.source, 'file');
    assert.equal(hit.startLine, 1);
    assert.equal(typeof hit.score, 'number');
    assert.match(hit.text, /retryDeclinedCard/);
  });
});
