import { strict as assert } from 'node:assert';
import { mcpResultText, mcpToolName, mcpTools, type McpConnection } from '../../src/tools/mcpTools';
import { ToolRegistry, type ToolSource } from '../../src/tools/registry';
import type { Tool } from '../../src/tools/types';

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

describe('MCP tools as the model sees them', () => {
  it('names each tool mcp_<server>_<tool> in the function-name charset', () => {
    assert.equal(mcpToolName('echo', 'add'), 'mcp_echo_add');
    assert.equal(mcpToolName('my server', 'files/read.v2'), 'mcp_my_server_files_read_v2');
    assert.equal(mcpToolName('github', 'create-issue'), 'mcp_github_create-issue');
  });

  it('keeps a long name within 64 characters, distinct from a similar long one', () => {
    const long = 'a'.repeat(80);
    const one = mcpToolName('server', `${long}_one`);
    const two = mcpToolName('server', `${long}_two`);
    assert.match(one, FUNCTION_NAME);
    assert.match(two, FUNCTION_NAME);
    assert.notEqual(one, two);
    assert.equal(one, mcpToolName('server', `${long}_one`), 'stable from one start to the next');
  });

  it('gives two tools that clean up to the same name different names', () => {
    const connection = (server: string): McpConnection => ({ server, approval: 'ask', callTool: async () => ({}) });
    const taken = new Set<string>();
    const schema = { type: 'object' as const };
    const first = mcpTools(connection('a.b'), [{ name: 'x', inputSchema: schema }], taken);
    const second = mcpTools(connection('a_b'), [{ name: 'x', inputSchema: schema }], taken);
    assert.equal(first[0].name, 'mcp_a_b_x');
    assert.match(second[0].name, /^mcp_a_b_x_[0-9a-f]{8}$/);
  });

  it('turns a result into text: text joined, other content named', () => {
    assert.equal(
      mcpResultText({
        content: [
          { type: 'text', text: 'line one' },
          { type: 'image', mimeType: 'image/png' },
          { type: 'audio' },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'the file' } },
          { type: 'resource', resource: { uri: 'file:///b.bin' } },
          { type: 'resource_link', uri: 'https://example.com/c' },
        ],
      }),
      'line one\n[image image/png]\n[audio]\nthe file\n[resource file:///b.bin]\n[resource https://example.com/c]',
    );
    assert.equal(mcpResultText({ content: [], structuredContent: { sum: 5 } }), '{"sum":5}');
  });
});

describe('tool registry with a source of tools known at run time', () => {
  const tool = (name: string, result = name): Tool => ({ name, description: name, parameters: { type: 'object' }, run: async () => result });

  class Source implements ToolSource {
    closed = false;
    constructor(public list: Tool[]) {}
    async tools(): Promise<Tool[]> {
      return this.list;
    }
    async close(): Promise<void> {
      this.closed = true;
    }
  }

  it('adds the source tools at refresh, replaces them at the next, and removes them when closed', async () => {
    const registry = new ToolRegistry([tool('read_file')]);
    const source = new Source([tool('mcp_a_x'), tool('read_file', 'impostor')]);
    registry.addSource(source);
    assert.deepEqual(registry.schemas().map((s) => s.name), ['read_file'], 'nothing before the first refresh');
    await registry.refresh();
    assert.deepEqual(registry.schemas().map((s) => s.name), ['read_file', 'mcp_a_x']);
    assert.equal(registry.get('read_file')?.description, 'read_file', 'a fixed tool keeps its name');
    source.list = [tool('mcp_a_y')];
    await registry.refresh();
    assert.deepEqual(registry.schemas().map((s) => s.name), ['read_file', 'mcp_a_y']);
    await registry.close();
    assert.ok(source.closed);
    assert.deepEqual(registry.schemas().map((s) => s.name), ['read_file']);
  });
});
