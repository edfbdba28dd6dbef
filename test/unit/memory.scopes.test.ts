import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import type { Agent } from '../../src/core/agent';
import { createTokenCounter } from '../../src/llm/tokens';
import { MemoryJournal } from '../../src/memory/journal';
import { applyTeamSharing, describeSharing, teamGitignore } from '../../src/memory/teamSharing';
import { setUserStoreFile, userJournalFile } from '../../src/memory/userStore';
import { WorkingContext } from '../../src/memory/workingContext';
import type { ApprovalProvider } from '../../src/tools/types';
import { runCli } from '../helpers/cli';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startFakeLlm } from '../helpers/fakeLlm';
import { removeTempWorkspaces, tempWorkspace, writeFile } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };

describe('memory scopes: the user block in a per-user store', () => {
  let llm: FakeLlm;
  let home: string;
  let store: string;
  const agents: Agent[] = [];
  function open(workspace: string): Agent {
    const agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens: createTokenCounter(), maxRetries: 0, autoRecall: false });
    agents.push(agent);
    return agent;
  }

  beforeEach(async () => {
    llm = await startFakeLlm();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-userstore-'));
    store = path.join(home, '.memcode', 'user.md');
    setUserStoreFile(store);
  });
  afterEach(async () => {
    setUserStoreFile(undefined);
    for (const a of agents.splice(0)) await a.close();
    await llm.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  after(removeTempWorkspaces);

  it('one workspace writes a preference, another workspace sees it; project blocks stay apart; the change is journaled beside the store', async () => {
    const first = tempWorkspace();
    const second = tempWorkspace();
    const a = open(first);
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: '- Prefers tabs' } }] },
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: '- Project A uses make' } }] },
      { text: 'Noted.' },
    );
    await a.send('I like tabs; this project uses make');
    assert.match(fs.readFileSync(store, 'utf8'), /- Prefers tabs/);
    assert.equal(fs.existsSync(path.join(first, '.memcode/memory/user.md')), false, 'not in the project');
    const [entry] = new MemoryJournal(userJournalFile(store)).log('user');
    assert.equal(entry.via, 'working_context_append');
    assert.doesNotMatch(fs.readFileSync(path.join(first, '.memcode/memory/journal.jsonl'), 'utf8'), /Prefers tabs/);

    const b = open(second);
    llm.script({ text: 'ok' });
    await b.send('hello');
    const prompt = JSON.stringify(llm.chatRequests().at(-1)!.body.messages[0]);
    assert.match(prompt, /Prefers tabs/);
    assert.doesNotMatch(prompt, /Project A uses make/);
  });

  it('a host-style open (in-process) and the built CLI read and write the same user file', async () => {
    const workspace = tempWorkspace();
    const a = open(workspace);
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: '- Answers in French' } }] }, { text: 'ok' });
    await a.send('answer in French from now on');
    const shown = await runCli(['memory', 'show', '-C', tempWorkspace()], { MEMCODE_USER_STORE: store });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /Answers in French/);
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: '- Short answers' } }] }, { text: 'ok' });
    const run = await runCli(['chat', '-C', workspace, '-m', 'keep it short', '--base-url', llm.url, '--model', 'fake-model'], { MEMCODE_USER_STORE: store });
    assert.equal(run.code, 0, run.stderr);
    a.workingContext.refresh();
    assert.match(a.workingContext.get('user').value, /- Answers in French.*\n- Short answers/);
  });

  it('a user-block change is in `memory log` and reverted from the store\'s journal (notify\'s Undo)', async () => {
    const workspace = tempWorkspace();
    const a = open(workspace);
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: '- Wants emojis' } }] }, { text: 'ok' });
    await a.send('use emojis');
    await a.close();
    agents.length = 0;
    const { memoryLog, revertMemoryChange } = await import('../../src/app/memoryHistory');
    const { MemoryStore } = await import('../../src/memory/store');
    const mstore = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} });
    const [entry] = memoryLog(mstore, 'user');
    assert.equal(entry.via, 'working_context_append');
    await revertMemoryChange(mstore, entry.id, 'notification');
    assert.doesNotMatch(fs.readFileSync(store, 'utf8'), /emojis/);
    assert.equal(memoryLog(mstore, 'user')[0].revertOf, entry.id);
  });

  it('migrates a project memory/user.md once into an empty store, keeping the old file as user.md.migrated', () => {
    const workspace = tempWorkspace();
    writeFile(workspace, '.memcode/memory/user.md', '---\ndescription: old\nlimit: 5000\n---\n- Likes small commits\n');
    const wc = new WorkingContext(path.join(workspace, '.memcode/memory'), { warn: () => {}, journal: new MemoryJournal(path.join(workspace, '.memcode/memory/journal.jsonl')) });
    wc.load();
    assert.equal(wc.get('user').value, '- Likes small commits');
    assert.match(fs.readFileSync(store, 'utf8'), /- Likes small commits/);
    assert.equal(fs.existsSync(path.join(workspace, '.memcode/memory/user.md')), false);
    assert.match(fs.readFileSync(path.join(workspace, '.memcode/memory/user.md.migrated'), 'utf8'), /- Likes small commits/);
    const [entry] = new MemoryJournal(userJournalFile(store)).log('user');
    assert.match(entry.via!, /moved from .*user\.md/);
  });

  it('when the store and the project disagree, keeps both texts and says so', () => {
    fs.mkdirSync(path.dirname(store), { recursive: true });
    fs.writeFileSync(store, '---\ndescription: mine\nlimit: 5000\n---\n- Prefers spaces\n');
    const workspace = tempWorkspace();
    writeFile(workspace, '.memcode/memory/user.md', '- Prefers tabs\n');
    const warnings: string[] = [];
    const wc = new WorkingContext(path.join(workspace, '.memcode/memory'), { warn: (m) => warnings.push(m) });
    wc.load();
    assert.equal(wc.get('user').value, '- Prefers spaces');
    assert.equal(fs.readFileSync(path.join(workspace, '.memcode/memory/user.md'), 'utf8'), '- Prefers tabs\n', 'left in place');
    assert.match(fs.readFileSync(store, 'utf8'), /- Prefers spaces/);
    assert.match(warnings.join('\n'), /user\.md .*differs from the one there: it was left in place and is not read; merge/);
    assert.deepEqual(wc.blocks().map((b) => b.label), ['project', 'user', 'task']);
  });
});

describe('memory scopes: sharing the project block with the team', () => {
  after(removeTempWorkspaces);

  function gitIgnored(repo: string, files: string[]): string[] {
    try {
      return execFileSync('git', ['check-ignore', ...files], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? '').split('\n').filter(Boolean);
    }
  }

  it('on: git tracks memory/project.md and the journal only; off: nothing; a hand-written .gitignore is left alone', () => {
    const repo = tempWorkspace();
    execFileSync('git', ['init', '-q'], { cwd: repo });
    for (const f of ['memory/project.md', 'memory/journal.jsonl', 'memory/task.md', 'recall/messages.jsonl', 'archival/manifest.json', 'lock', 'staleness.json', 'memory/user.md.migrated']) writeFile(repo, `.memcode/${f}`, 'x\n');
    const root = path.join(repo, '.memcode');
    const all = ['.memcode/memory/project.md', '.memcode/memory/journal.jsonl', '.memcode/memory/task.md', '.memcode/recall/messages.jsonl', '.memcode/archival/manifest.json', '.memcode/lock', '.memcode/staleness.json', '.memcode/memory/user.md.migrated'];

    assert.equal(applyTeamSharing(root, true), 'shared');
    assert.equal(fs.readFileSync(path.join(root, '.gitignore'), 'utf8'), teamGitignore(true));
    assert.deepEqual(gitIgnored(repo, all), all.filter((f) => !/project\.md$|journal\.jsonl$/.test(f)));
    assert.match(describeSharing(root), /^Shared with the team through git: the project block and its history/);

    assert.equal(applyTeamSharing(root, false), 'private');
    assert.equal(fs.readFileSync(path.join(root, '.gitignore'), 'utf8'), '*\n');
    assert.deepEqual(gitIgnored(repo, all), all);
    assert.match(describeSharing(root), /^Private/);

    fs.writeFileSync(path.join(root, '.gitignore'), 'recall/\n');
    assert.equal(applyTeamSharing(root, true), 'custom');
    assert.equal(fs.readFileSync(path.join(root, '.gitignore'), 'utf8'), 'recall/\n');
  });

  it('the built CLI: memory share on|off and chat --share-with-team', async () => {
    const workspace = tempWorkspace();
    const on = await runCli(['memory', 'share', 'on', '-C', workspace]);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /Shared with the team/);
    assert.equal(fs.readFileSync(path.join(workspace, '.memcode/.gitignore'), 'utf8'), teamGitignore(true));
    const off = await runCli(['memory', 'share', 'off', '-C', workspace]);
    assert.match(off.stdout, /^Private/);
    assert.equal(fs.readFileSync(path.join(workspace, '.memcode/.gitignore'), 'utf8'), '*\n');
    const bad = await runCli(['memory', 'share', 'maybe', '-C', workspace]);
    assert.equal(bad.code, 2);

    const llm = await startFakeLlm();
    try {
      llm.script({ text: 'hi' });
      const chat = await runCli(['chat', '-C', workspace, '-m', 'hi', '--base-url', llm.url, '--model', 'fake-model', '--share-with-team']);
      assert.equal(chat.code, 0, chat.stderr);
      assert.equal(fs.readFileSync(path.join(workspace, '.memcode/.gitignore'), 'utf8'), teamGitignore(true));
    } finally {
      await llm.close();
    }
  });
});
