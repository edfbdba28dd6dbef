import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli, startCli } from '../helpers/cli';
import { readMessages, systemPrompt, startTestEnv, stopTestEnv, withoutTime } from '../helpers/workspace';

describe('memcode CLI', function () {
  this.timeout(30_000);
  let llm: FakeLlm;
  let workspace: string;
  const chat = (message: string, ...extra: string[]) =>
    runCli(['chat', '-C', workspace, '-m', message, '--base-url', llm.url, '--model', 'fake-model', ...extra]);

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('streams the reply to stdout and shows tool calls on stderr', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: 'Tests: `npm test`' } }] },
      { text: 'Saved the test command.' },
    );
    const run = await chat('remember: tests run with npm test');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Saved the test command.\n');
    assert.match(run.stderr, /→ working_context_append/);
    assert.match(run.stderr, /✎ updated project notes/);
  });

  it('recalls a fact stored in working context in the next process', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: 'Deploy with `fly deploy --remote-only`' } }] },
      { text: 'Noted.' },
    );
    assert.equal((await chat('we deploy with fly deploy --remote-only')).code, 0);
    llm.script({ text: 'You deploy with fly deploy --remote-only.' });
    const run = await chat('how do we deploy?');
    assert.equal(run.code, 0, run.stderr);
    assert.match(systemPrompt(llm.chatRequests().at(-1)!.body), /Deploy with `fly deploy --remote-only`/);
    assert.match(run.stdout, /fly deploy --remote-only/);
  });

  it('finds a message from an earlier session with conversation_search', async () => {
    llm.script({ text: 'Got it.' });
    assert.equal((await chat('The flaky test is tests/payment_retry.spec.ts; it fails when TZ is not UTC.')).code, 0);
    llm.script(
      { text: 'Summary: the person pointed out a flaky test.' }, // --new folds the old session into the summary first
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'flaky test' } }] },
      { text: 'It was payment_retry.' },
    );
    const run = await chat('which test was flaky last time?', '--new', '--no-auto-recall');
    assert.equal(run.code, 0, run.stderr);
    const last = llm.chatRequests().at(-1)!.body;
    assert.equal(last.messages.filter((m: any) => /payment_retry/.test(m.content ?? '') && m.role === 'user').length, 0, 'the old message is not in the new session queue');
    const tool = last.messages.find((m: any) => m.role === 'tool');
    assert.match(tool.content, /tests\/payment_retry\.spec\.ts/);
    const sessions = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/sessions.json'), 'utf8'));
    assert.equal(sessions.length, 2);
  });

  it('retries a 429 and then answers', async () => {
    llm.script({ status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Slow down.' } } }, { text: 'after the rate limit' });
    const run = await chat('hi');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'after the rate limit\n');
    assert.equal(llm.chatRequests().length, 2);
    assert.match(run.stderr, /Slow down; retry 1 in/, 'one separator between the reason and the retry');
  });

  it('gives up after three 500s with a clear error and exit 3', async () => {
    llm.script({ status: 500 }, { status: 500 }, { status: 500 }, { text: 'too late' });
    const run = await chat('hi');
    assert.equal(run.code, 3);
    assert.equal(llm.chatRequests().length, 3);
    assert.match(run.stderr, new RegExp(llm.url.replace(/[/.]/g, '\\$&')));
    assert.match(run.stderr, /500/);
    assert.equal(readMessages(workspace).filter((m) => m.role === 'user').length, 1, 'the message itself is kept');
  });

  it('reports a stream cut mid-way and keeps memory loadable', async () => {
    llm.script({ cutAfterChunks: 2, text: 'this answer will be cut somewhere in the middle of it' });
    const run = await chat('hi');
    assert.equal(run.code, 3);
    assert.match(run.stderr, /interrupted/i);
    llm.script({ text: 'whole answer' });
    const again = await chat('again');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'whole answer\n');
  });

  it('exits 3 naming the URL when the server refuses the key or cannot be reached', async () => {
    llm.script({ status: 401 });
    const refused = await chat('hi');
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /401|API key/);
    const unreachable = await runCli(['chat', '-C', workspace, '-m', 'hi', '--base-url', 'http://127.0.0.1:9/v1']);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /127\.0\.0\.1:9/);
  });

  it('gives up on a server that never answers within --timeout, with exit 3 and a message that names the timeout', async () => {
    llm.script({ neverAnswer: true }, { neverAnswer: true }, { neverAnswer: true });
    const started = Date.now();
    const run = await chat('hi', '--timeout', '2');
    const took = Date.now() - started;
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /did not answer within 2 s/);
    assert.match(run.stderr, /--timeout/);
    // Far below the 120 s default: the flag was obeyed. Not tighter: a loaded machine takes seconds to start the process.
    assert.ok(took < 20_000, `exit after ${took} ms`);
    assert.equal(llm.chatRequests().length, 1, 'no retry past the timeout');
    assert.equal(readMessages(workspace).filter((m) => m.role === 'user').length, 1, 'the message itself is kept');
  });

  it('reads the timeout from MEMCODE_TIMEOUT, the flag winning over it', async () => {
    llm.script({ stallAfterHeaders: true });
    const started = Date.now();
    const run = await runCli(['chat', '-C', workspace, '-m', 'hi', '--base-url', llm.url], { MEMCODE_TIMEOUT: '1' });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /no data for 1 s/);
    assert.ok(Date.now() - started < 20_000, 'far below the 120 s default');
    const bad = await runCli(['chat', '-C', workspace, '-m', 'hi', '--base-url', llm.url, '--timeout', '0'], { MEMCODE_TIMEOUT: '1' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--timeout must be a positive number of seconds/);
  });

  it('does not cut an answer that streams slowly for longer than --timeout', async () => {
    llm.script({ text: 'slow and steady wins', chunkSize: 2, delayMs: 250 });
    const run = await chat('hi', '--timeout', '1');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'slow and steady wins\n');
  });

  it('says the server answered with a web page, not an empty reply, when the base URL lacks /v1', async () => {
    llm.script({ htmlPage: '<html><head><title>Open WebUI</title></head></html>' });
    const run = await chat('hi');
    assert.equal(run.code, 3);
    assert.match(run.stderr, /answered with an HTML page \(text\/html\) titled "Open WebUI".*\/v1/);
    assert.doesNotMatch(run.stderr, /empty reply/);
  });

  it('exits 2 on bad usage', async () => {
    assert.equal((await runCli(['chat', '--context-window', 'lots', '-m', 'x', '-C', workspace])).code, 2);
    assert.equal((await runCli(['chat', '--bogus'])).code, 2);
    assert.equal((await runCli(['nonsense'])).code, 2);
    const missing = await runCli(['chat', '-C', path.join(workspace, 'nope'), '-m', 'x']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such folder/);
  });

  it('survives kill -9 in the middle of a run without losing what was acknowledged', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'task', content: 'Migrating auth to OAuth2' } }] },
      { hangMs: 20_000, text: 'never finished' },
    );
    const { child, done } = startCli(['chat', '-C', workspace, '-m', 'start the OAuth2 migration', '--base-url', llm.url]);
    while (llm.chatRequests().length < 2) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    const killed = await done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(fs.existsSync(path.join(workspace, '.memcode/lock')), 'the dead process left its lock behind');

    llm.script({ text: 'Resuming the migration.' });
    const run = await chat('where were we?');
    assert.equal(run.code, 0, run.stderr);
    const log = readMessages(workspace);
    assert.deepEqual(log.map((m) => m.role), ['user', 'assistant', 'tool', 'user', 'assistant']);
    const body = llm.chatRequests().at(-1)!.body;
    assert.match(systemPrompt(body), /Migrating auth to OAuth2/);
    assert.ok(body.messages.some((m: any) => withoutTime(m.content ?? '') === 'start the OAuth2 migration'));
  });

  it('lets two processes on one folder take turns without mixing their writes', async () => {
    llm.setPolicy(({ body }) => ({ text: `answer to ${withoutTime(body.messages.at(-1).content)}`, chunkSize: 4, delayMs: 10 }));
    const [a, b] = await Promise.all([chat('first process'), chat('second process')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const log = readMessages(workspace);
    assert.deepEqual(log.map((m) => m.id), [1, 2, 3, 4]);
    assert.equal(log[1].content, `answer to ${log[0].content}`);
    assert.equal(log[3].content, `answer to ${log[2].content}`);
  });

  it('tells the second process clearly when it will not wait for the lock', async () => {
    llm.script({ hangMs: 3_000, text: 'slow' });
    const first = startCli(['chat', '-C', workspace, '-m', 'slow one', '--base-url', llm.url]);
    while (llm.chatRequests().length < 1) await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['chat', '-C', workspace, '-m', 'impatient', '--base-url', llm.url, '--lock-wait', '1']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /in use by process \d+/);
    assert.equal((await first.done).code, 0);
  });

  it('says whom it waits for while another process holds the memory folder', async () => {
    llm.script({ hangMs: 2_500, text: 'slow' }, { text: 'my turn' });
    const first = startCli(['chat', '-C', workspace, '-m', 'slow one', '--base-url', llm.url]);
    while (llm.chatRequests().length < 1) await new Promise((r) => setTimeout(r, 20));
    const second = await chat('patient');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'my turn\n');
    const waits = second.stderr.match(/waiting for the memory folder: in use by chat turn \(pid (\d+)\)…/g) ?? [];
    assert.equal(waits.length, 1, second.stderr);
    assert.match(waits[0], new RegExp(`pid ${first.child.pid}\\)`));
    assert.equal((await first.done).code, 0);
  });

  it('takes piped lines one turn at a time in a session without -m', async () => {
    llm.setPolicy(({ body }) => ({ text: `re: ${withoutTime(body.messages.at(-1).content)}` }));
    const run = await runCli(['chat', '-C', workspace, '--base-url', llm.url], {}, 'first line\nsecond line\n');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 're: first line\nre: second line\n');
    assert.deepEqual(readMessages(workspace).map((m) => m.content), ['first line', 're: first line', 'second line', 're: second line']);
  });

  it('applies an edit with --yes and refuses it without a terminal to ask', async () => {
    fs.writeFileSync(path.join(workspace, 'app.py'), 'DEBUG = True\n');
    const edit = { toolCalls: [{ name: 'edit_file', arguments: { path: 'app.py', old_text: 'DEBUG = True', new_text: 'DEBUG = False' } }] };
    llm.script(edit, { text: 'Could not edit.' });
    assert.equal((await chat('turn debug off')).code, 0);
    assert.equal(fs.readFileSync(path.join(workspace, 'app.py'), 'utf8'), 'DEBUG = True\n');
    assert.match(llm.chatRequests()[1].body.messages.at(-1).content, /rejected.*--yes/);

    llm.script(edit, { text: 'Done.' });
    const run = await chat('turn debug off', '--yes');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(workspace, 'app.py'), 'utf8'), 'DEBUG = False\n');
  });

  it('shows and searches memory', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: 'Likes short answers.' } }] },
      { text: 'Understood, the queue uses Redis streams.' },
    );
    await chat('we use Redis streams for the job queue');
    const show = await runCli(['memory', 'show', '-C', workspace]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /## user .*\nLikes short answers\./);
    const search = await runCli(['memory', 'search', 'redis streams', '-C', workspace]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /#1 .* user: we use Redis streams/);
  });
});
