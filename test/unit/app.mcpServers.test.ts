import { strict as assert } from 'node:assert';
import { openAgent } from '../../src/app/openAgent';
import { McpServers } from '../../src/app/mcpServers';
import { parseMcpServers } from '../../src/app/mcpConfig';
import type { Agent } from '../../src/core/agent';
import type { ToolResult } from '../../src/core/events';
import { createTokenCounter } from '../../src/llm/tokens';
import type { ToolCall } from '../../src/common/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { echoStdio, startEchoHttp, type EchoHttpServer } from '../helpers/mcpServers';
import { RecordingApprovals } from '../helpers/toolContext';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

const tokens = createTokenCounter();

/** The tool messages the model was shown in the last chat request, in order. */
function toolMessages(llm: FakeLlm): string[] {
  const body = llm.chatRequests().at(-1)!.body;
  return body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: string }) => m.content);
}

function toolNames(llm: FakeLlm, request = 0): string[] {
  return (llm.chatRequests()[request].body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('MCP servers as tools (a real echo server over stdio and HTTP)', function () {
  // Each test starts node + tsx + the SDK for the server; the 2-core test machine is shared.
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;
  let agents: Agent[];
  let approvals: RecordingApprovals;
  let warnings: string[];
  let results: Array<{ call: ToolCall; result: ToolResult }>;

  function agent(mcpServers: unknown): Agent {
    const a = openAgent({
      workspaceRoot: workspace,
      baseUrl: llm.url,
      model: 'fake-model',
      contextWindow: 16_384,
      approvals,
      tokens,
      maxRetries: 0,
      mcpServers,
      observer: { onWarning: (m) => warnings.push(m), onToolResult: (call, result) => results.push({ call, result }) },
    });
    agents.push(a);
    return a;
  }

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    agents = [];
    approvals = new RecordingApprovals();
    warnings = [];
    results = [];
  });
  afterEach(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await stopTestEnv(llm);
  });

  it('runs mcp_echo_add after the person approves it, and the model reads the sum', async () => {
    llm.script({ toolCalls: [{ name: 'mcp_echo_add', arguments: { a: 2, b: 3 } }] }, { text: 'It is 5.' });
    const result = await agent({ echo: echoStdio() }).send('add 2 and 3');
    assert.equal(result.reply, 'It is 5.');
    // The call's id comes along, so the editor can ask on that call's card.
    assert.deepEqual(approvals.requests.map(({ callId, ...r }) => (assert.match(callId ?? '', /^call_/), r)), [{ kind: 'mcp_tool', server: 'echo', tool: 'add', args: { a: 2, b: 3 } }]);
    assert.deepEqual(toolMessages(llm), ['5']);
    assert.deepEqual(warnings, []);

    const first = llm.chatRequests()[0].body.tools.find((t: { function: { name: string } }) => t.function.name === 'mcp_echo_add').function;
    assert.match(first.description, /^Adds two numbers\. \(MCP server "echo", tool "add"\)$/);
    assert.deepEqual(first.parameters, {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
      additionalProperties: false,
    });
    assert.ok(['mcp_echo_slow', 'mcp_echo_crash', 'mcp_echo_picture', 'read_file'].every((n) => toolNames(llm).includes(n)), toolNames(llm).join(', '));
    // The tool card is the call under its prefixed name, with its outcome.
    assert.deepEqual(results.map((r) => [r.call.name, r.result.ok, r.result.content]), [['mcp_echo_add', true, '5']]);
  });

  it('gives the model the rejection and its reason, without calling the server', async () => {
    approvals.answer = { approved: false, reason: 'not now' };
    llm.script({ toolCalls: [{ name: 'mcp_echo_pid', arguments: {} }] }, { text: 'OK, I will not.' });
    const result = await agent({ echo: echoStdio() }).send('what is your pid?');
    assert.equal(result.reply, 'OK, I will not.');
    assert.deepEqual(toolMessages(llm), [JSON.stringify({ error: 'the person rejected the tool call: not now' })]);
  });

  it('does not ask for a server set to approval "always"', async () => {
    llm.script({ toolCalls: [{ name: 'mcp_echo_add', arguments: { a: '40', b: 2 } }] }, { text: '42' });
    await agent({ servers: { echo: echoStdio({ approval: 'always' }) } }).send('add');
    assert.deepEqual(approvals.requests, []);
    assert.deepEqual(toolMessages(llm), ['42'], 'the registry took "40" as the number the schema asks for');
  });

  it('warns naming a server whose command does not exist, and the agent still answers with its other tools', async () => {
    llm.script({ text: 'Hello.' });
    const result = await agent({ mcpServers: { ghost: { command: 'memcode-no-such-mcp-server' } } }).send('hi');
    assert.equal(result.reply, 'Hello.');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /the MCP server "ghost" could not be started: its command "memcode-no-such-mcp-server" was not found/);
    assert.ok(toolNames(llm).includes('read_file'));
    assert.ok(!toolNames(llm).some((n) => n.startsWith('mcp_')));
  });

  it('reports a server that crashes mid-call as a tool error, continues the turn, and restarts it at the next call', async () => {
    approvals.answer = { approved: true };
    llm.script(
      { toolCalls: [{ name: 'mcp_echo_pid', arguments: {} }] },
      { toolCalls: [{ name: 'mcp_echo_crash', arguments: {} }] },
      { text: 'It crashed.' },
    );
    const a = agent({ echo: echoStdio({ approval: 'always' }) });
    const first = await a.send('crash it');
    assert.equal(first.reply, 'It crashed.');
    const [pidText, crash] = toolMessages(llm);
    const firstPid = Number(pidText);
    assert.ok(firstPid > 0, pidText);
    const error = JSON.parse(crash).error as string;
    assert.match(error, /the MCP server "echo" \(.+\) stopped while running "crash": echo server: crashing on purpose; it is started again at the next call/);
    await until(() => !isAlive(firstPid));

    llm.script({ toolCalls: [{ name: 'mcp_echo_pid', arguments: {} }] }, { text: 'Back.' });
    assert.equal((await a.send('again')).reply, 'Back.');
    const secondPid = Number(toolMessages(llm).at(-1));
    assert.ok(secondPid > 0 && secondPid !== firstPid, `a new process: ${firstPid} → ${secondPid}`);
    assert.deepEqual(warnings, []);
  });

  it('turns text, images and links into text, and a tool error into an error the model reads', async () => {
    llm.script(
      { toolCalls: [{ name: 'mcp_echo_picture', arguments: { mode: 3 } }, { name: 'mcp_echo_fail', arguments: {} }] },
      { text: 'done' },
    );
    await agent({ echo: echoStdio({ approval: 'always' }) }).send('show me');
    assert.deepEqual(toolMessages(llm), ['a chart\n[image image/png]\n[resource file:///chart.csv]', JSON.stringify({ error: 'the echo server refuses' })]);
    assert.deepEqual(results.map((r) => r.result.ok), [true, false]);
  });

  it('stops a call that takes longer than the server\'s timeout, and the loop goes on', async () => {
    llm.script({ toolCalls: [{ name: 'mcp_echo_slow', arguments: { ms: 20_000 } }] }, { toolCalls: [{ name: 'mcp_echo_add', arguments: { a: 1, b: 1 } }] }, { text: 'ok' });
    await agent({ echo: echoStdio({ approval: 'always', timeout: 1 }) }).send('slow');
    assert.deepEqual(toolMessages(llm), [JSON.stringify({ error: 'the MCP server "echo" did not answer within 1 s while running "slow"' }), '2']);
  });

  it('ends the server process when the agent is closed', async () => {
    llm.script({ toolCalls: [{ name: 'mcp_echo_pid', arguments: {} }] }, { text: 'ok' });
    const a = agent({ echo: echoStdio({ approval: 'always' }) });
    await a.send('pid');
    const pid = Number(toolMessages(llm)[0]);
    assert.ok(isAlive(pid));
    await a.close();
    await until(() => !isAlive(pid));
  });

  describe('over streamable HTTP', () => {
    let server: EchoHttpServer;
    beforeEach(async () => (server = await startEchoHttp()));
    afterEach(() => server.close());

    it('connects by url, sends the configured headers and runs the tool after approval', async () => {
      llm.script({ toolCalls: [{ name: 'mcp_remote_add', arguments: { a: 20, b: 22 } }] }, { text: '42' });
      process.env.MEMCODE_TEST_MCP_TOKEN = 't0ken';
      try {
        await agent({ remote: { type: 'http', url: server.url, headers: { Authorization: 'Bearer ${env:MEMCODE_TEST_MCP_TOKEN}' } } }).send('add');
      } finally {
        delete process.env.MEMCODE_TEST_MCP_TOKEN;
      }
      assert.deepEqual(approvals.requests.map(({ callId: _, ...r }) => r), [{ kind: 'mcp_tool', server: 'remote', tool: 'add', args: { a: 20, b: 22 } }]);
      assert.deepEqual(toolMessages(llm), ['42']);
      assert.ok(server.requests.length > 0 && server.requests.every((h) => h.authorization === 'Bearer t0ken'), 'the header, its ${env:…} filled in');
    });
  });

  describe('starting', () => {
    it('gives up on a server that does not list its tools in time, ends it, and tries again later', async () => {
      let now = 0;
      const { servers } = parseMcpServers({ hang: echoStdio({}, ['--hang-on-list']) }, { workspaceFolder: workspace });
      const mcp = new McpServers({ servers, warn: (m) => warnings.push(m), startTimeoutMs: 3_000, retryAfterMs: 60_000, now: () => now });
      try {
        assert.deepEqual(await mcp.tools(), []);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /^the MCP server "hang" did not answer within 3 s while (starting|listing its tools)\. Its tools are left out; it is tried again at a later message\.$/);
        now = 30_000;
        assert.deepEqual(await mcp.tools(), [], 'not tried again so soon');
        assert.equal(warnings.length, 1);
        now = 61_000;
        await mcp.tools();
        assert.equal(warnings.length, 2, 'tried again a minute later');
      } finally {
        await mcp.close();
      }
    });

    it('reports configuration problems once, naming the server', async () => {
      const { servers, problems } = parseMcpServers({ bad: { type: 'stdio' }, worse: { type: 'ws', url: 'ws://x' } }, { workspaceFolder: workspace });
      const mcp = new McpServers({ servers, problems, warn: (m) => warnings.push(m) });
      await mcp.tools();
      await mcp.tools();
      assert.deepEqual(warnings, ['MCP server "bad" skipped: a stdio server needs a "command"', 'MCP server "worse" skipped: unknown "type" "ws" (use "stdio" or "http")']);
    });
  });
});
