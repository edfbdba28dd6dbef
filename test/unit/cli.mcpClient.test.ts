import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli } from '../helpers/cli';
import { echoStdio } from '../helpers/mcpServers';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

/** The tool messages the model was shown in the last chat request. */
function toolMessages(llm: FakeLlm): string[] {
  return llm.chatRequests().at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: string }) => m.content);
}

describe('memcode chat with MCP servers (the built CLI, dist/vendor/mcp.js)', function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;
  let config: string;
  const chat = (...extra: string[]) => runCli(['chat', '-C', workspace, '-m', 'add 2 and 3', '--base-url', llm.url, '--model', 'fake-model', ...extra]);

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    config = path.join(workspace, 'mcp.json');
    // VS Code's mcp.json, comments and all.
    fs.writeFileSync(config, `{\n  // the test's echo server\n  "servers": { "echo": ${JSON.stringify(echoStdio())}, },\n}\n`);
    llm.script({ toolCalls: [{ name: 'mcp_echo_add', arguments: { a: 2, b: 3 } }] }, { text: 'It is 5.' });
  });
  afterEach(() => stopTestEnv(llm));

  it('runs an MCP tool with --yes from the file --mcp-config names', async () => {
    const run = await chat('--mcp-config', config, '--yes');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /It is 5\./);
    assert.deepEqual(toolMessages(llm), ['5']);
  });

  it('refuses the call without --yes when nobody can be asked, and says why', async () => {
    const run = await runCli(['chat', '-C', workspace, '-m', 'add', '--base-url', llm.url, '--model', 'fake-model'], { MEMCODE_MCP_CONFIG: config });
    assert.equal(run.code, 0, run.stderr);
    assert.match(JSON.parse(toolMessages(llm)[0]).error, /^the person rejected the tool call: not approved: .*MCP tool calls need .*--yes/);
  });

  it('says so when the configuration file is missing or not JSON', async () => {
    const missing = await chat('--mcp-config', path.join(workspace, 'nope.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--mcp-config .*nope\.json: no such file/);
    fs.writeFileSync(config, '{ "servers": ');
    const broken = await chat('--mcp-config', config);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /--mcp-config: .*mcp\.json is not valid JSON/);
  });
});
