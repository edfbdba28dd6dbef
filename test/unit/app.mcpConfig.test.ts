import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMcpServers, readMcpConfigFile } from '../../src/app/mcpConfig';
import { tempWorkspace } from '../helpers/workspace';

const vars = { workspaceFolder: '/work/project', env: { GITHUB_TOKEN: 'ghp_1' } };

describe('MCP server configuration', () => {
  const github = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${env:GITHUB_TOKEN}' } };
  const expected = {
    name: 'github',
    approval: 'ask',
    transport: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_1' }, cwd: '/work/project' },
  };

  it("reads VS Code's mcp.json, Claude Desktop's config and the bare map alike", () => {
    for (const shape of [{ servers: { github } }, { mcpServers: { github } }, { github }]) {
      assert.deepEqual(parseMcpServers(shape, vars), { servers: [expected], problems: [] }, JSON.stringify(shape));
    }
  });

  it('tells http from stdio by the url when there is no type, and keeps approval and timeout', () => {
    const { servers, problems } = parseMcpServers(
      {
        docs: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' }, approval: 'always' },
        legacy: { type: 'sse', url: 'http://127.0.0.1:9000/sse' },
        tools: { type: 'stdio', command: '${workspaceFolder}/bin/server', cwd: '${workspaceFolder}/tools', timeout: 5 },
      },
      vars,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(servers, [
      { name: 'docs', approval: 'always', transport: { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' } } },
      { name: 'legacy', approval: 'ask', transport: { type: 'sse', url: 'http://127.0.0.1:9000/sse', headers: {} } },
      { name: 'tools', approval: 'ask', callTimeoutMs: 5000, transport: { type: 'stdio', command: '/work/project/bin/server', args: [], env: {}, cwd: '/work/project/tools' } },
    ]);
  });

  it('skips what it cannot use, saying which server and why, and keeps the rest', () => {
    const { servers, problems } = parseMcpServers(
      {
        ok: { command: 'node' },
        noCommand: { type: 'stdio' },
        badUrl: { type: 'http', url: 'not a url' },
        badApproval: { command: 'node', approval: 'never' },
        prompt: { command: 'node', env: { KEY: '${input:api-key}' } },
        off: { command: 'node', disabled: true },
        odd: 'node server.js',
      },
      vars,
    );
    assert.deepEqual(servers.map((s) => s.name), ['ok']);
    assert.deepEqual(problems, [
      'MCP server "noCommand" skipped: a stdio server needs a "command"',
      'MCP server "badUrl" skipped: "url" "not a url" is not a URL',
      'MCP server "badApproval" skipped: "approval" must be "ask" or "always", not "never"',
      'MCP server "prompt" skipped: ${input:api-key}: input prompts are not supported; put the value in "env" or use ${env:NAME}',
      'MCP server "off" skipped: it is disabled',
      'MCP server "odd" skipped: its entry is not an object',
    ]);
    assert.deepEqual(parseMcpServers([], vars).problems, ['the MCP configuration must be an object of servers by name']);
  });

  it('reads a configuration file with comments and trailing commas, leaving strings alone', () => {
    const dir = tempWorkspace('memcode-mcp-config-');
    const file = path.join(dir, 'mcp.json');
    fs.writeFileSync(file, '{\n  // servers\n  "servers": { /* one */ "s": { "command": "a//b", "args": ["x,]", "/*y*/"], }, },\n}\n');
    assert.deepEqual(readMcpConfigFile(file), { servers: { s: { command: 'a//b', args: ['x,]', '/*y*/'] } } });
  });
});
