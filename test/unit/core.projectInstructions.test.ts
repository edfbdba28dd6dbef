import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { splitSystemPrompt } from '../../src/core/promptSections';
import { pathsInPlay } from '../../src/core/projectInstructions';
import { createTokenCounter } from '../../src/llm/tokens';
import type { MessageRecord } from '../../src/memory/types';
import type { ApprovalProvider } from '../../src/tools/types';
import { InstructionFiles, parseCursorRule } from '../../src/workspace/instructionFiles';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { runCli } from '../helpers/cli';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startTestEnv, stopTestEnv, systemPrompt, writeFile } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();

/** The project-instructions tier of a recorded request. */
function instructionsOf(body: any): string {
  return splitSystemPrompt(systemPrompt(body)).projectInstructions ?? '';
}

describe('project instruction files', () => {
  let llm: FakeLlm;
  let workspace: string;

  const agent = (options: Partial<Parameters<typeof openAgent>[0]> = {}) =>
    openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens, maxRetries: 0, autoRecall: false, ...options });

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  function nestedProject(): void {
    writeFile(workspace, 'AGENTS.md', '# Rules\n- Use tabs, never spaces.\n');
    writeFile(workspace, 'src/api/AGENTS.md', '- Every handler validates its input with zod.\n');
    writeFile(workspace, 'src/api/handler.ts', 'export function handle() {}\n');
    writeFile(workspace, 'CLAUDE.md', '- Commit messages in the imperative mood.\n');
    writeFile(workspace, '.cursor/rules/always.mdc', '---\ndescription: house style\nalwaysApply: true\n---\n- Prefer early returns.\n');
    writeFile(workspace, '.cursor/rules/typescript.mdc', '---\ndescription: TypeScript rules\nglobs: src/**/*.ts\nalwaysApply: false\n---\n- No `any` in exported signatures.\n');
    writeFile(workspace, '.cursor/rules/release.mdc', '---\ndescription: How to cut a release\n---\n- Bump the version first.\n');
  }

  it('puts an AGENTS.md rule in the request, with its path, between the instructions and the working context', async () => {
    nestedProject();
    llm.script({ text: 'ok' });
    await agent().send('hello');
    const body = llm.chatRequests()[0].body;
    const system = systemPrompt(body);
    const section = instructionsOf(body);
    assert.match(section, /<instructions path="AGENTS.md">\n# Rules\n- Use tabs, never spaces\.\n<\/instructions>/);
    assert.match(section, /<instructions path="CLAUDE.md">\n- Commit messages in the imperative mood\./);
    // Cursor: an alwaysApply rule is applied, its front matter gone; a glob rule waits for a matching file; a manual rule is listed.
    assert.match(section, /<instructions path=".cursor\/rules\/always.mdc">\n- Prefer early returns\.\n<\/instructions>/);
    assert.doesNotMatch(section, /alwaysApply/);
    assert.doesNotMatch(section, /No `any`/);
    assert.match(section, /- \.cursor\/rules\/release\.mdc: How to cut a release/);
    assert.match(section, /- \.cursor\/rules\/typescript\.mdc: TypeScript rules for src\/\*\*\/\*\.ts/);
    // Nested files apply only once the agent works under their folder.
    assert.doesNotMatch(section, /zod/);
    assert.ok(system.indexOf('<project_instructions>') < system.indexOf('<working_context>'), 'before the working context');
    assert.ok(system.indexOf('<project_instructions>') > 0, 'after the system instructions');
  });

  it('applies the nested AGENTS.md and the glob rules of the file in play, the nearest last', async () => {
    nestedProject();
    llm.script({ toolCalls: [{ name: 'read_file', arguments: { path: 'src/api/handler.ts' } }] }, { text: 'done' });
    await agent().send('look at the handler');
    const second = instructionsOf(llm.chatRequests()[1].body);
    assert.match(second, /zod/);
    assert.ok(second.indexOf('path="AGENTS.md"') < second.indexOf('path="src/api/AGENTS.md"'), 'root first, the nearest last');
    assert.match(second, /<instructions path=".cursor\/rules\/typescript.mdc">\n- No `any`/);
  });

  it('sees an edit to AGENTS.md at the next step of the same turn', async () => {
    writeFile(workspace, 'AGENTS.md', '- Run `make check` before you finish.\n');
    llm.setPolicy(({ index }) => {
      if (index === 0) {
        writeFile(workspace, 'AGENTS.md', '- Run `make verify` before you finish.\n');
        return { toolCalls: [{ name: 'working_context_append', arguments: { block: 'task', content: 'checking' } }] };
      }
      return { text: 'done' };
    });
    await agent().send('go');
    const [first, second] = llm.chatRequests().map((r) => instructionsOf(r.body));
    assert.match(first, /make check/);
    assert.match(second, /make verify/);
    assert.doesNotMatch(second, /make check/);
  });

  it('counts the section in the context usage, in every memory mode', async () => {
    writeFile(workspace, 'AGENTS.md', '- Keep functions under forty lines.\n');
    for (const memoryMode of ['full', 'summary', 'none'] as const) {
      const a = agent({ memoryMode });
      const usage = a.contextUsage();
      assert.ok((usage.instructions ?? 0) > 10, `${memoryMode}: ${usage.instructions}`);
      assert.equal(usage.total, usage.system + usage.instructions! + usage.workingContext + usage.summary + usage.queue);
      assert.deepEqual(a.instructionFiles(), [{ path: 'AGENTS.md', tokens: a.instructionFiles()[0].tokens }]);
      llm.script({ text: 'ok' });
      await a.send(`hi ${memoryMode}`);
      assert.match(instructionsOf(llm.chatRequests().at(-1)!.body), /forty lines/, memoryMode);
    }
  });

  it('keeps within its share of the window, cutting with a marker that names what was left out', async () => {
    const rule = (i: number) => `- Rule ${i}: the payment module rounds half to even and logs every refund with its reason.\n`;
    writeFile(workspace, 'AGENTS.md', Array.from({ length: 200 }, (_, i) => rule(i)).join(''));
    writeFile(workspace, '.windsurfrules', Array.from({ length: 50 }, (_, i) => rule(1000 + i)).join(''));
    llm.script({ text: 'ok' });
    const a = agent({ contextWindow: 4096 });
    await a.send('hello');
    const section = instructionsOf(llm.chatRequests()[0].body);
    assert.ok(tokens.count(section) <= Math.floor(4096 * 0.15), `${tokens.count(section)} tokens`);
    assert.match(section, /Rule 0:/);
    assert.doesNotMatch(section, /Rule 199:/);
    assert.match(section, /\[… cut here for the token budget: the rest of AGENTS\.md \(about \d+ tokens\) is not shown; read it with read_file\]/);
    assert.match(section, /\[left out for the token budget: \.windsurfrules \(\d+ tokens\); read them with read_file\]/);
    const files = a.instructionFiles();
    assert.deepEqual(files.map((f) => [f.path, f.note]), [['AGENTS.md', 'cut to fit'], ['.windsurfrules', 'left out (budget)']]);
  });

  it('leaves the project instructions out of what eviction may take: a long chat in a small window still fits', async () => {
    writeFile(workspace, 'AGENTS.md', Array.from({ length: 40 }, (_, i) => `- Rule ${i}: refunds are logged with their reason.`).join('\n'));
    const a = agent({ contextWindow: 4096, memoryMode: 'none' });
    llm.setPolicy(() => ({ text: 'noted' }));
    for (let i = 0; i < 8; i++) await a.send(`message ${i}: ${'the ledger rounds half to even on every refund; '.repeat(25)}`);
    const usage = a.contextUsage();
    assert.ok((usage.instructions ?? 0) > 300, `${usage.instructions}`);
    assert.ok(usage.total <= usage.budget, `${usage.total} > ${usage.budget}`);
    for (const r of llm.chatRequests()) assert.match(instructionsOf(r.body), /Rule 39:/);
  });

  it('never reads a secret, git data or a file outside the workspace, even through a link named like an instruction file', async function () {
    if (process.platform === 'win32') this.skip();
    writeFile(workspace, '.env', 'OPENAI_API_KEY=sk-live-TOPSECRET\n');
    fs.symlinkSync('.env', path.join(workspace, 'AGENTS.md'));
    writeFile(workspace, '.git/config', '[credential]\n  helper = store-GITSECRET\n');
    fs.mkdirSync(path.join(workspace, '.github'));
    fs.symlinkSync('../.git/config', path.join(workspace, '.github/copilot-instructions.md'));
    writeFile(workspace, '.clinerules/style.md', '- Two-space indent.\n');
    writeFile(workspace, '.clinerules/deploy.pem', '-----BEGIN PRIVATE KEY-----PEMSECRET\n');
    writeFile(workspace, '.memcode/private.md', 'MEMSECRET\n');
    fs.symlinkSync('.memcode/private.md', path.join(workspace, 'CLAUDE.md'));
    llm.script({ text: 'ok' });
    await agent().send('hello');
    const body = JSON.stringify(llm.chatRequests()[0].body);
    for (const secret of ['TOPSECRET', 'GITSECRET', 'PEMSECRET', 'MEMSECRET']) assert.ok(!body.includes(secret), `${secret} leaked`);
    assert.match(instructionsOf(llm.chatRequests()[0].body), /<instructions path=".clinerules\/style.md">\n- Two-space indent\./);
  });

  it('shows a CLAUDE.md that only repeats AGENTS.md once', async function () {
    if (process.platform === 'win32') this.skip();
    writeFile(workspace, 'AGENTS.md', '- Same rule for every agent.\n');
    fs.symlinkSync('AGENTS.md', path.join(workspace, 'CLAUDE.md'));
    const a = agent();
    llm.script({ text: 'ok' });
    await a.send('hi');
    assert.equal(instructionsOf(llm.chatRequests()[0].body).split('Same rule for every agent').length, 2);
    assert.deepEqual(a.instructionFiles().map((f) => [f.path, f.note]), [['AGENTS.md', undefined], ['CLAUDE.md', 'same as AGENTS.md']]);
  });
});

describe('memcode chat with an AGENTS.md', function () {
  this.timeout(30_000);
  let llm: FakeLlm;
  let workspace: string;
  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('sends the rule to the model with its path', async () => {
    writeFile(workspace, 'AGENTS.md', '- Never edit generated files under gen/.\n');
    llm.script({ text: 'ok' });
    const run = await runCli(['chat', '-C', workspace, '-m', 'hi', '--base-url', llm.url, '--model', 'fake-model']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(instructionsOf(llm.chatRequests()[0].body), /<instructions path="AGENTS.md">\n- Never edit generated files under gen\/\.\n<\/instructions>/);
  });
});

describe('instruction file discovery', () => {
  let llm: FakeLlm;
  let workspace: string;
  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('reads a file again only when its mtime, size or inode changed', () => {
    writeFile(workspace, 'AGENTS.md', 'one\n');
    writeFile(workspace, 'pkg/AGENTS.md', 'two\n');
    const files = new InstructionFiles(new WorkspaceFiles({ root: workspace }));
    assert.deepEqual(files.collect(['pkg/index.ts']).map((f) => [f.path, f.text, f.folder]), [['AGENTS.md', 'one\n', ''], ['pkg/AGENTS.md', 'two\n', 'pkg']]);
    assert.equal(files.reads, 2);
    files.collect(['pkg/index.ts']);
    assert.equal(files.reads, 2, 'nothing changed, nothing read');
    writeFile(workspace, 'pkg/AGENTS.md', 'two, longer\n');
    assert.equal(files.collect(['pkg']).at(-1)!.text, 'two, longer\n', 'a folder in play counts as its own folder');
    assert.equal(files.reads, 3);
    fs.rmSync(path.join(workspace, 'pkg/AGENTS.md'));
    assert.deepEqual(files.collect(['pkg/index.ts']).map((f) => f.path), ['AGENTS.md']);
  });

  it('parses the front matter of Cursor rules in its three glob spellings', () => {
    assert.deepEqual(parseCursorRule('---\nglobs: src/**/*.ts, test/**\n---\nbody'), { text: 'body', globs: ['src/**/*.ts', 'test/**'] });
    assert.deepEqual(parseCursorRule('---\nglobs: ["*.py", "lib/*.pyi"]\nalwaysApply: false\n---\nbody\n'), { text: 'body\n', globs: ['*.py', 'lib/*.pyi'], alwaysApply: false });
    assert.deepEqual(parseCursorRule('---\ndescription: "DB"\nglobs:\n  - db/**\n  - "*.sql"\n---\nbody'), { text: 'body', description: 'DB', globs: ['db/**', '*.sql'] });
    assert.deepEqual(parseCursorRule('no front matter'), { text: 'no front matter' });
  });

  it('takes the files in play from the latest tool calls and attachments in the queue', () => {
    const base = { id: 1, time: '', session: 's', tokens: 1, kind: 'message' } as const;
    const queue = [
      { ...base, role: 'user', content: 'x', attachments: [{ path: 'docs/a.md', text: '' }] },
      { ...base, role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'read_file', arguments: '{"path":"src/a.ts"}' }, { id: '2', name: 'working_context_append', arguments: '{"block":"task"}' }] },
      { ...base, role: 'assistant', content: '', toolCalls: [{ id: '3', name: 'edit_file', arguments: '{"path":"lib/b.ts", "old_text": "'}] },
      { ...base, role: 'assistant', content: '', toolCalls: [{ id: '4', name: 'list_files', arguments: '{"path":"src/a.ts"}' }] },
    ] as MessageRecord[];
    assert.deepEqual(pathsInPlay(queue), ['src/a.ts', 'docs/a.md']);
    assert.deepEqual(pathsInPlay([]), []);
  });
});
