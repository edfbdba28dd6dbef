// `memcode mcp` as another agent meets it: the real built CLI as a child process, driven by the MCP SDK's
// own client over stdio (as Claude Code, Copilot, Cursor or Codex would), on a temp workspace on disk.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { FakeLlm } from '../helpers/fakeLlm';
import { CLI, cliEnv, runCli } from '../helpers/cli';
import { readMessages, startTestEnv, stopTestEnv, systemPrompt } from '../helpers/workspace';
import { MemoryStore } from '../../src/memory/store';

interface Connection {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

async function connect(workspace: string, extra: string[] = [], name = 'claude-code'): Promise<Connection> {
  // The user block where this test edits it by hand: in the project (the per-user store is memory.scopes.test.ts's).
  const env = Object.fromEntries(Object.entries(cliEnv({ MEMCODE_USER_STORE: path.join(workspace, '.memcode', 'memory', 'user.md') })).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '-C', workspace, ...extra], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

interface ToolAnswer {
  isError: boolean;
  json: any;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  assert.equal(content[0].type, 'text');
  return { isError: result.isError === true, json: JSON.parse(content[0].text) };
}

async function ok(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const answer = await call(client, name, args);
  assert.equal(answer.isError, false, JSON.stringify(answer.json));
  return answer.json;
}

async function toolError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const answer = await call(client, name, args);
  assert.equal(answer.isError, true, `expected a tool error, got ${JSON.stringify(answer.json)}`);
  return answer.json.error;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const blockFile = (workspace: string, label: string) => fs.readFileSync(path.join(workspace, '.memcode', 'memory', `${label}.md`), 'utf8');
const alerts = (workspace: string) =>
  !fs.existsSync(path.join(workspace, '.memcode', 'recall', 'messages.jsonl')) ? [] : readMessages(workspace).filter((m) => m.role === 'system' && m.kind === 'system_alert');

describe('memcode mcp', function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;
  let open: Connection[] = [];

  const serve = async (extra: string[] = [], name?: string) => {
    const connection = await connect(workspace, extra, name);
    open.push(connection);
    return connection;
  };

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(async () => {
    await Promise.all(open.map((c) => c.close()));
    open = [];
    await stopTestEnv(llm);
  });

  it('offers the memory tools with instructions, reads the working context whole or one block, and exits when the client hangs up', async () => {
    const { client, close, stderr } = await serve();
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, [
      'archival_memory_insert',
      'archival_memory_search',
      'conversation_search',
      'conversation_search_date',
      'working_context_append',
      'working_context_read',
      'working_context_replace',
    ]);
    const tools = (await client.listTools()).tools;
    assert.equal(tools.find((t) => t.name === 'working_context_read')!.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'working_context_append')!.annotations?.readOnlyHint, false);
    assert.match(client.getInstructions() ?? '', /working_context_read/);
    assert.equal(client.getServerVersion()?.name, 'memcode');

    const all = await ok(client, 'working_context_read', {});
    assert.deepEqual(all.blocks.map((b: any) => b.label), ['project', 'user', 'task']);
    assert.equal(all.blocks[0].chars, '0/5000');
    fs.writeFileSync(path.join(workspace, '.memcode', 'memory', 'user.md'), 'Prefers tabs.\n');
    const one = await ok(client, 'working_context_read', { block: 'user' });
    assert.deepEqual(one.blocks.map((b: any) => [b.label, b.value]), [['user', 'Prefers tabs.']], 'a person\'s edit on disk is read at once');
    // The warning was written before the answer, but the stderr pipe may deliver it a moment later.
    await until(() => /\[memcode mcp\] warning: .*user\.md: it has no front matter/.test(stderr()), 'warnings go to stderr; stdout carries only the protocol');
    assert.match(await toolError(client, 'working_context_read', { block: 'nope' }), /no block "nope"; the blocks are: project, user, task/);

    const resources = (await client.listResources()).resources.map((r) => r.uri);
    assert.deepEqual(resources, ['memcode://block/project', 'memcode://block/user', 'memcode://block/task']);
    const read = await client.readResource({ uri: 'memcode://block/user' });
    assert.equal((read.contents[0] as { text: string }).text, 'Prefers tabs.');
    await assert.rejects(client.readResource({ uri: 'memcode://block/nope' }), /no block "nope"/);

    const started = Date.now();
    await close();
    assert.ok(Date.now() - started < 1_900, 'the server leaves when stdin ends, before the client has to kill it');
  });

  it('appends and replaces in a block: the Markdown file changes on disk, recall names the client, and the agent sees both', async () => {
    const { client } = await serve();
    const appended = await ok(client, 'working_context_append', { block: 'project', content: '- Tests: npm test (mocha)' });
    assert.deepEqual(appended, { ok: true, block: 'project', chars: '25/5000', message: 'appended to block "project"' });
    assert.match(blockFile(workspace, 'project'), /- Tests: npm test \(mocha\)/);

    await ok(client, 'working_context_replace', { block: 'project', old_content: 'npm test (mocha)', new_content: 'npm run test:unit' });
    assert.match(blockFile(workspace, 'project'), /- Tests: npm run test:unit\n?$/);
    assert.doesNotMatch(blockFile(workspace, 'project'), /mocha/);

    const notices = alerts(workspace).map((m) => m.content);
    assert.deepEqual(notices, [
      'claude-code (another agent, through MCP) appended to block "project": "- Tests: npm test (mocha)"',
      'claude-code (another agent, through MCP) replaced in block "project": "npm test (mocha)" → "npm run test:unit"',
    ]);
    assert.ok(!fs.existsSync(path.join(workspace, '.memcode', 'lock')), 'the lock is held for the write only');

    llm.script({ text: 'Noted.' });
    const turn = await runCli(['chat', '-C', workspace, '-m', 'what changed?', '--base-url', llm.url, '--no-auto-recall']);
    assert.equal(turn.code, 0, turn.stderr);
    const body = llm.chatRequests().at(-1)!.body;
    assert.match(systemPrompt(body), /- Tests: npm run test:unit/);
    assert.ok(
      body.messages.some((m: any) => m.role === 'user' && /\[system alert\] claude-code \(another agent, through MCP\) replaced in block "project"/.test(m.content)),
      'MemCode\'s agent is told who changed its memory',
    );
  });

  it('answers invalid writes with a tool error, not a crash, and changes nothing', async () => {
    const { client } = await serve([], 'cursor');
    assert.match(await toolError(client, 'working_context_append', { block: 'nope', content: 'x' }), /no block "nope"; the blocks are/);
    assert.match(await toolError(client, 'working_context_append', { block: 'project', content: 'x'.repeat(5_001) }), /over its limit of 5,000/);
    assert.match(await toolError(client, 'working_context_replace', { block: 'project', old_content: 'absent', new_content: 'y' }), /matched 0 times/);
    assert.match(await toolError(client, 'working_context_append', { block: 'project' }), /invalid arguments for working_context_append/);
    assert.match(await toolError(client, 'working_context_append', { block: 'project', content: 'x', extra: 1 }), /invalid arguments/);
    assert.match(await toolError(client, 'working_context_rewrite', { block: 'project', content: '' }), /unknown tool "working_context_rewrite"; available tools: working_context_read, working_context_append/);
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    assert.match(await toolError(client, 'working_context_append', { block: 'user', content: `deploy key:\n${key}` }), /refused: content looks like a private key/);
    assert.match(await toolError(client, 'archival_memory_insert', { content: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789' }), /refused: content looks like a GitHub token/);
    assert.match(
      await toolError(client, 'working_context_replace', { block: 'project', old_content: 'a', new_content: 'AKIAABCDEFGHIJKLMNOP' }),
      /refused: new_content looks like an AWS access key id/,
    );

    assert.equal(blockFile(workspace, 'project').includes('x'), false);
    assert.equal(alerts(workspace).length, 0, 'nothing was recorded for refused writes');
    assert.ok(!fs.existsSync(path.join(workspace, '.memcode', 'archival', 'manifest.json')), 'no note was stored');
    await ok(client, 'working_context_append', { block: 'project', content: 'Still serving.' });
    assert.match(alerts(workspace)[0].content, /^cursor \(another agent, through MCP\) appended/);
  });

  it('finds with conversation_search a message from a memcode chat turn', async () => {
    llm.script({ text: 'Got it.' });
    const turn = await runCli(['chat', '-C', workspace, '-m', 'The flaky test is tests/payment_retry.spec.ts; it fails when TZ is not UTC.', '--base-url', llm.url]);
    assert.equal(turn.code, 0, turn.stderr);
    const { client } = await serve();
    const found = await ok(client, 'conversation_search', { query: 'flaky payment_retry' });
    assert.equal(found.total, 1);
    assert.match(found.results[0].content, /tests\/payment_retry\.spec\.ts/);
    assert.equal(found.results[0].role, 'user');

    llm.script({ text: 'The deploy runs on Fridays.' });
    assert.equal((await runCli(['chat', '-C', workspace, '-m', 'when do we deploy?', '--base-url', llm.url])).code, 0);
    const later = await ok(client, 'conversation_search', { query: 'deploy Fridays' });
    assert.ok(later.results.some((r: any) => /Fridays/.test(r.content)), 'a turn taken while the server runs is found too');
  });

  it('searches archival memory after memcode index, and finds a note it inserted', async () => {
    fs.mkdirSync(path.join(workspace, 'src', 'billing'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, 'src', 'billing', 'invoice.ts'),
      '/** Computes the total of an invoice including VAT. */\nexport function computeInvoiceTotal(lines: number[], vatRate: number): number {\n  return lines.reduce((a, b) => a + b, 0) * (1 + vatRate);\n}\n',
    );
    const index = await runCli(['index', '-C', workspace]);
    assert.equal(index.code, 0, index.stderr);
    const { client } = await serve();
    const found = await ok(client, 'archival_memory_search', { query: 'computeInvoiceTotal' });
    assert.equal(found.results[0].source, 'file');
    assert.equal(found.results[0].path, 'src/billing/invoice.ts');

    const saved = await ok(client, 'archival_memory_insert', { content: 'Invoices are frozen after the ledger export at midnight UTC; corrections go through credit notes.' });
    assert.equal(saved.ok, true);
    const notes = await ok(client, 'archival_memory_search', { query: 'ledger export credit notes' });
    const note = notes.results.find((r: any) => r.source === 'note');
    assert.ok(note, JSON.stringify(notes));
    assert.match(note.text, /frozen after the ledger export/);
    assert.match(alerts(workspace)[0].content, /^claude-code \(another agent, through MCP\) saved a note to archival memory \(.+\): "Invoices are frozen/);

    const cli = await runCli(['memory', 'search', '-C', workspace, 'ledger export']);
    assert.match(cli.stdout, /frozen after the ledger export/, 'the note is in the folder\'s one archival memory');
  });

  it('waits for the lock another process holds, then writes; after the wait it fails with a clear tool error', async () => {
    const { client, stderr } = await serve(['--lock-wait', '3']);
    const store = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} });

    let held = await store.lock('chat turn');
    setTimeout(() => held.release(), 1_800);
    const waited = await ok(client, 'working_context_append', { block: 'task', content: 'Goal: ship the MCP server.' });
    assert.equal(waited.ok, true);
    assert.match(blockFile(workspace, 'task'), /Goal: ship the MCP server\./);
    await until(() => new RegExp(`waiting for the memory folder: in use by chat turn \\(pid ${process.pid}\\)`).test(stderr()), 'the wait is reported on stderr');

    held = await store.lock('chat turn');
    try {
      const error = await toolError(client, 'working_context_append', { block: 'task', content: 'Never written.' });
      assert.match(error, new RegExp(`memory folder .* is in use by process ${process.pid} \\(chat turn, since .*\\); try again when it finishes`));
    } finally {
      held.release();
    }
    assert.doesNotMatch(blockFile(workspace, 'task'), /Never written/);
    assert.equal(alerts(workspace).length, 1);
    await ok(client, 'working_context_append', { block: 'task', content: 'Next: README.' });
  });
});
