import { strict as assert } from 'node:assert';
import { parseToolArguments } from '../../src/tools/argumentRepair';
import { createToolRegistry } from '../../src/tools/index';
import { MAX_TOOL_RESULT_CHARS, ToolRegistry, truncateResult } from '../../src/tools/registry';
import { type Tool, ToolError } from '../../src/tools/types';
import { validateArgs } from '../../src/tools/validateArgs';
import { removeTempWorkspaces } from '../helpers/workspace';
import { call, parsed, testWorkspace } from '../helpers/toolContext';

/** A tool that echoes its validated arguments, to see what dispatch made of the raw text. */
const echo: Tool<Record<string, unknown>> = {
  name: 'echo',
  description: 'echo',
  parameters: {
    type: 'object',
    properties: {
      text: { type: 'string', minLength: 1 },
      count: { type: 'integer', minimum: 1, maximum: 10 },
      ratio: { type: 'number' },
      loud: { type: 'boolean' },
      mode: { type: 'string', enum: ['a', 'b'] },
      tags: { type: 'array', items: { type: 'string' } },
    },
    required: ['text'],
    additionalProperties: false,
  },
  async run(args) {
    return args;
  },
};

function expectValue(raw: string): Record<string, unknown> {
  const r = parseToolArguments(raw);
  assert.ok(r.ok, `expected ${JSON.stringify(raw)} to parse, got ${r.ok ? '' : r.error}`);
  return r.value;
}

describe('tool registry', () => {
  after(removeTempWorkspaces);

  it('answers an unknown tool with an error listing the available tools', async () => {
    const { ctx } = testWorkspace();
    const registry = new ToolRegistry([echo]);
    const out = await registry.dispatch(call('nope', {}), ctx);
    assert.equal(out.ok, false);
    assert.equal(out.content, '{"error":"unknown tool \\"nope\\"; available tools: echo"}');
  });

  it('refuses arguments that cannot be repaired into JSON, saying which tool and what to send', async () => {
    const { ctx } = testWorkspace();
    const out = await new ToolRegistry([echo]).dispatch(call('echo', '{"text": "a", : }'), ctx);
    assert.equal(out.ok, false);
    const error: string = parsed(out.content).error;
    assert.match(error, /^arguments of echo are not valid JSON: .+\. Send a JSON object matching the schema\.$/);
  });

  it('refuses arguments that are JSON but not an object', async () => {
    const { ctx } = testWorkspace();
    const out = await new ToolRegistry([echo]).dispatch(call('echo', '[1, 2]'), ctx);
    assert.equal(out.ok, false);
    assert.match(parsed(out.content).error, /expected a JSON object, got an array/);
  });

  it('reports every validation error at once, naming the parameters', async () => {
    const { ctx } = testWorkspace();
    const out = await new ToolRegistry([echo]).dispatch(call('echo', { count: 'many', mode: 'c', extra: 1 }), ctx);
    assert.equal(out.ok, false);
    const error: string = parsed(out.content).error;
    assert.match(error, /^invalid arguments for echo: /);
    assert.match(error, /missing required parameter "text"/);
    assert.match(error, /"count" must be an integer, not the string "many"/);
    assert.match(error, /"mode" must be one of "a", "b", not "c"/);
    assert.match(error, /unknown parameter "extra" \(parameters: text, count, ratio, loud, mode, tags\)/);
  });

  it('coerces numbers and booleans sent as strings, as local models do', async () => {
    const { ctx } = testWorkspace();
    const out = await new ToolRegistry([echo]).dispatch(call('echo', { text: 'x', count: '2', ratio: '0.5', loud: 'true' }), ctx);
    assert.equal(out.ok, true, out.content);
    assert.deepEqual(parsed(out.content), { text: 'x', count: 2, ratio: 0.5, loud: true });
    assert.deepEqual(out.args, { text: 'x', count: 2, ratio: 0.5, loud: true });
  });

  it('runs a tool with repaired arguments', async () => {
    const { ctx } = testWorkspace();
    const out = await new ToolRegistry([echo]).dispatch(call('echo', "```json\n{'text': 'hi', count: 3,}\n```"), ctx);
    assert.equal(out.ok, true, out.content);
    assert.deepEqual(parsed(out.content), { text: 'hi', count: 3 });
  });

  it('turns a thrown ToolError or plain Error into {"error": message}', async () => {
    const { ctx } = testWorkspace();
    const failing = (name: string, err: Error): Tool => ({
      name,
      description: name,
      parameters: { type: 'object', properties: {} },
      async run() {
        throw err;
      },
    });
    const registry = new ToolRegistry([failing('a', new ToolError('no such thing')), failing('b', new TypeError('oops'))]);
    assert.deepEqual(await registry.dispatch(call('a', ''), ctx), { ok: false, content: '{"error":"no such thing"}', args: {} });
    assert.equal((await registry.dispatch(call('b', '{}'), ctx)).content, '{"error":"oops"}');
  });

  it('passes string results through as they are and JSON-encodes others', async () => {
    const { ctx } = testWorkspace();
    const text: Tool = { name: 't', description: 't', parameters: { type: 'object' }, run: async () => 'plain text' };
    const obj: Tool = { name: 'o', description: 'o', parameters: { type: 'object' }, run: async () => ({ a: [1] }) };
    const registry = new ToolRegistry([text, obj]);
    assert.equal((await registry.dispatch(call('t', {}), ctx)).content, 'plain text');
    assert.equal((await registry.dispatch(call('o', {}), ctx)).content, '{"a":[1]}');
  });

  it('cuts a long result with a note saying how much was cut and how to page on', async () => {
    const { ctx } = testWorkspace();
    const big: Tool & { pagingHint: string } = {
      name: 'big',
      description: 'big',
      parameters: { type: 'object' },
      pagingHint: 'ask for page 2',
      run: async () => 'x'.repeat(30_000),
    };
    const out = await new ToolRegistry([big]).dispatch(call('big', {}), ctx);
    assert.equal(out.ok, true);
    assert.ok(out.content.length <= MAX_TOOL_RESULT_CHARS, `length ${out.content.length}`);
    const note = /\[result cut: (\d+) of 30000 characters not shown; ask for page 2\]$/.exec(out.content);
    assert.ok(note, out.content.slice(-200));
    assert.equal(out.content.indexOf('\n[result cut'), 30_000 - Number(note[1]));
    assert.equal(truncateResult('short'), 'short');
  });

  it('answers "cancelled" without running the tool when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx } = testWorkspace({ signal: controller.signal });
    let ran = false;
    const tool: Tool = { name: 'x', description: 'x', parameters: { type: 'object' }, run: async () => (ran = true) };
    const out = await new ToolRegistry([tool]).dispatch(call('x', {}), ctx);
    assert.deepEqual(out, { ok: false, content: '{"error":"cancelled"}' });
    assert.equal(ran, false);
  });

  it('builds the full tool set with the names of DESIGN.md §4, and subsets by option', () => {
    const all = createToolRegistry({});
    assert.deepEqual(
      all.list().map((t) => t.name).sort(),
      [
        'archival_memory_insert',
        'archival_memory_search',
        'conversation_search',
        'conversation_search_date',
        'edit_file',
        'list_files',
        'read_file',
        'run_command',
        'search_files',
        'working_context_append',
        'working_context_replace',
        'working_context_rewrite',
        'write_file',
      ],
    );
    for (const schema of all.schemas()) {
      assert.equal(schema.parameters.type, 'object', schema.name);
      assert.ok(schema.description.length > 40, `${schema.name} needs a description that teaches when to use it`);
    }
    assert.deepEqual(
      all.list().filter((t) => t.editsMemory).map((t) => t.name).sort(),
      ['archival_memory_insert', 'working_context_append', 'working_context_replace', 'working_context_rewrite'],
    );
    const readOnly = createToolRegistry({ memoryTools: false, archivalTools: false, editTools: false });
    assert.deepEqual(readOnly.list().map((t) => t.name), ['read_file', 'list_files', 'search_files']);
    assert.equal(readOnly.has('run_command'), false);
  });
});

describe('argument repair', () => {
  it('reads empty or blank arguments as no arguments', () => {
    assert.deepEqual(parseToolArguments(''), { ok: true, value: {}, repaired: false });
    assert.deepEqual(parseToolArguments('  \n'), { ok: true, value: {}, repaired: false });
  });

  it('leaves valid JSON unrepaired', () => {
    assert.deepEqual(parseToolArguments('{"a": 1}'), { ok: true, value: { a: 1 }, repaired: false });
  });

  it('strips code fences', () => {
    assert.deepEqual(expectValue('```json\n{"path": "a.ts"}\n```'), { path: 'a.ts' });
    assert.deepEqual(expectValue('```\n{"path": "a.ts"}\n```'), { path: 'a.ts' });
  });

  it('drops trailing commas', () => {
    assert.deepEqual(expectValue('{"a": [1, 2,], "b": 3,}'), { a: [1, 2], b: 3 });
  });

  it('accepts single-quoted strings and keys, and unquoted keys', () => {
    assert.deepEqual(expectValue("{'block': 'user', content: \"likes tabs, doesn't like spaces\"}"), {
      block: 'user',
      content: "likes tabs, doesn't like spaces",
    });
  });

  it('reads Python True, False and None', () => {
    assert.deepEqual(expectValue('{"recursive": True, "x": False, "page": None}'), { recursive: true, x: false, page: null });
  });

  it('merges two glued objects whose keys differ', () => {
    const r = parseToolArguments('{"path": "a.ts"}{"start_line": 5}');
    assert.deepEqual(r, { ok: true, value: { path: 'a.ts', start_line: 5 }, repaired: true });
    assert.deepEqual(expectValue('{"path": "a.ts"}\n{"start_line": 5}'), { path: 'a.ts', start_line: 5 });
  });

  it('keeps only the first of two glued objects whose keys collide', () => {
    assert.deepEqual(expectValue('{"path": "a.ts", "x": 1}{"path": "b.ts"}'), { path: 'a.ts', x: 1 });
  });

  it('does not split on braces inside strings', () => {
    assert.deepEqual(expectValue('{"old_text": "} {", "new_text": "{}"}'), { old_text: '} {', new_text: '{}' });
    assert.deepEqual(expectValue("{'a': '}{'}{'b': 1}"), { a: '}{', b: 1 });
  });

  it('parses an object sent as a JSON-encoded string', () => {
    assert.deepEqual(parseToolArguments('"{\\"a\\":1}"'), { ok: true, value: { a: 1 }, repaired: true });
  });

  it('keeps raw newlines inside strings', () => {
    assert.deepEqual(expectValue('{"content": "line 1\nline 2"}'), { content: 'line 1\nline 2' });
  });

  it('finds the object in prose around it', () => {
    assert.deepEqual(expectValue('Here are the arguments: {"query": "port"} hope that helps'), { query: 'port' });
  });

  it('refuses what is not an object, saying what it got', () => {
    const r = parseToolArguments('42');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /expected a JSON object, got a number/);
  });
});

describe('argument validation', () => {
  const schema = echo.parameters;

  it('accepts valid arguments and returns them', () => {
    assert.deepEqual(validateArgs(schema, { text: 'a', tags: ['x'] }), { ok: true, value: { text: 'a', tags: ['x'] } });
  });

  it('takes null for an optional parameter as not given, but not for a required one', () => {
    assert.deepEqual(validateArgs(schema, { text: 'a', count: null }), { ok: true, value: { text: 'a' } });
    assert.deepEqual(validateArgs(schema, { text: null }), { ok: false, errors: ['missing required parameter "text"'] });
  });

  it('checks minimum, maximum, minLength and array items', () => {
    const r = validateArgs(schema, { text: '', count: 0, tags: ['ok', 3, {}] });
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.errors, [
      '"text" must not be empty',
      '"count" must be at least 1, not 0',
      '"tags[2]" must be a string, not an object',
    ]);
    const tooMany = validateArgs(schema, { text: 'a', count: '11' });
    assert.deepEqual(tooMany, { ok: false, errors: ['"count" must be at most 10, not 11'] });
  });

  it('coerces a number sent for a string, but not a non-numeric string for a number', () => {
    assert.deepEqual(validateArgs(schema, { text: 42 }), { ok: true, value: { text: '42' } });
    const r = validateArgs(schema, { text: 'a', ratio: 'half', loud: 'yes', count: '2.5' });
    assert.deepEqual(r.ok ? [] : r.errors, [
      '"ratio" must be a number, not the string "half"',
      '"loud" must be a boolean, not the string "yes"',
      '"count" must be an integer, not the string "2.5"',
    ]);
  });
});
