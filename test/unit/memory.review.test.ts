import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { revertMemoryChange } from '../../src/app/memoryHistory';
import type { Agent } from '../../src/core/agent';
import { createTokenCounter } from '../../src/llm/tokens';
import { MemoryStore } from '../../src/memory/store';
import { CliApprovals } from '../../src/cli/approvals';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest, MemoryChange, MemoryReviewMode } from '../../src/tools/types';
import { runCli } from '../helpers/cli';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

/** An approval provider in a review mode that answers memory requests with `answer` and keeps what it was asked and told. */
class ReviewingApprovals implements ApprovalProvider {
  requests: ApprovalRequest[] = [];
  changes: MemoryChange[] = [];
  answer: ApprovalDecision = { approved: true };
  constructor(readonly memoryReview: MemoryReviewMode) {}
  async request(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.requests.push(request);
    return this.answer;
  }
  memoryChanged(change: MemoryChange): void {
    this.changes.push(change);
  }
}

describe('memory review mode (the real agent)', () => {
  let llm: FakeLlm;
  let workspace: string;
  let agent: Agent | undefined;
  const projectText = () => fs.readFileSync(path.join(workspace, '.memcode/memory/project.md'), 'utf8');
  // The tool message the model got back for the last call.
  const lastToolResult = () => {
    const msgs = llm.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>;
    return msgs.filter((m) => m.role === 'tool').at(-1)!.content;
  };
  function start(approvals: ApprovalProvider): Agent {
    agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals, tokens: createTokenCounter(), maxRetries: 0, autoRecall: false });
    return agent;
  }
  async function remember(a: Agent, content: string): Promise<void> {
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content } }] }, { text: 'Noted.' });
    await a.send('remember this');
  }

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
    await stopTestEnv(llm);
  });

  it('ask: shows the block before and after, writes only on accept', async () => {
    const approvals = new ReviewingApprovals('ask');
    const a = start(approvals);
    await remember(a, '- Tests: npm test');
    assert.equal(approvals.requests.length, 1);
    const asked = approvals.requests[0];
    assert.equal(asked.kind, 'memory');
    if (asked.kind !== 'memory') return;
    assert.equal(asked.block, 'project');
    assert.equal(asked.before, '');
    assert.match(asked.after, /^- Tests: npm test/);
    assert.match(asked.summary, /append to block "project": - Tests: npm test/);
    assert.ok(asked.callId, 'asked on the call\'s card');
    assert.match(projectText(), /- Tests: npm test/);
    assert.match(lastToolResult(), /"ok":true/);
  });

  it('ask: a rejection with a reason reaches the model and changes nothing (journal included)', async () => {
    const approvals = new ReviewingApprovals('ask');
    approvals.answer = { approved: false, reason: 'we use pnpm, not npm' };
    const a = start(approvals);
    const before = projectText();
    await remember(a, '- Tests: npm test');
    assert.equal(projectText(), before);
    assert.match(lastToolResult(), /the person rejected the memory edit: we use pnpm, not npm/);
    const journal = path.join(workspace, '.memcode/memory/journal.jsonl');
    const entries = fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8') : '';
    assert.doesNotMatch(entries, /npm test/);
  });

  it('ask: an edit the block cannot take is refused before anyone is asked', async () => {
    const approvals = new ReviewingApprovals('ask');
    const a = start(approvals);
    llm.script({ toolCalls: [{ name: 'working_context_replace', arguments: { block: 'project', old_content: 'nothing like this', new_content: 'x' } }] }, { text: 'ok' });
    await a.send('fix it');
    assert.equal(approvals.requests.length, 0);
    assert.match(lastToolResult(), /matched 0 times/);
  });

  it('notify: the change is written, named with its journal entry, and Undo (a journal revert) takes it out', async () => {
    const approvals = new ReviewingApprovals('notify');
    const a = start(approvals);
    await remember(a, '- Keep an empty line at the end of files');
    assert.equal(approvals.requests.length, 0, 'nothing asked');
    assert.match(projectText(), /- Keep an empty line at the end of files/);
    assert.equal(approvals.changes.length, 1);
    const [change] = approvals.changes;
    assert.equal(change.block, 'project');
    assert.match(change.summary, /append to block "project"/);
    assert.ok(change.entryId);
    await a.close();
    agent = undefined;
    const store = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} });
    const { reverted, entry } = await revertMemoryChange(store, change.entryId!, 'notification');
    assert.equal(reverted.id, change.entryId);
    assert.equal(entry?.actor, 'revert');
    assert.doesNotMatch(projectText(), /empty line at the end/);
  });

  it('auto (the default): nothing asked, nothing announced', async () => {
    const approvals = new ReviewingApprovals('auto');
    const a = start(approvals);
    await remember(a, '- Tabs, not spaces');
    assert.equal(approvals.requests.length, 0);
    assert.equal(approvals.changes.length, 0);
    assert.match(projectText(), /- Tabs, not spaces/);
  });

  it('CLI approvals: --yes does not answer for memory edits; with nobody at the terminal they are refused with why', async () => {
    const refused = await new CliApprovals({ yes: true, review: 'ask' }).request({ kind: 'memory', block: 'project', before: '', after: 'x', summary: 'append' });
    assert.equal(refused.approved, false);
    assert.match(refused.reason!, /memory review is "ask" and nobody is at the terminal/);
    const asked: string[] = [];
    const cli = new CliApprovals({ yes: true, review: 'ask', askMemory: async (q) => (asked.push(q), 'too vague') });
    const answer = await cli.request({ kind: 'memory', block: 'project', before: '', after: '- x', summary: 'append to block "project": - x' });
    assert.deepEqual(answer, { approved: false, reason: 'too vague' });
    assert.match(asked[0], /\+ - x\nApply this change to the "project" memory block\? \[y\/N\/reason\]/);
  });

  it('the built CLI: chat -m --review ask reads the answer from a piped stdin, and a reason goes to the model', async () => {
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: '- Deploy on Fridays' } }] }, { text: 'Understood.' });
    const rejected = await runCli(['chat', '-C', workspace, '-m', 'remember: deploy on fridays', '--base-url', llm.url, '--model', 'fake-model', '--review', 'ask'], {}, 'never on Fridays\n');
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.match(rejected.stderr, /Apply this change to the "project" memory block\?/);
    assert.match(lastToolResult(), /the person rejected the memory edit: never on Fridays/);
    assert.doesNotMatch(projectText(), /Fridays/);

    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: '- Deploy on Mondays' } }] }, { text: 'Saved.' });
    const accepted = await runCli(['chat', '-C', workspace, '-m', 'remember: deploy on mondays', '--base-url', llm.url, '--model', 'fake-model', '--review', 'ask'], {}, 'y\n');
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(projectText(), /- Deploy on Mondays/);

    const bad = await runCli(['chat', '-C', workspace, '-m', 'x', '--base-url', llm.url, '--review', 'sometimes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--review must be auto, notify or ask/);
  });
});

describe('memory review mode over MCP', () => {
  it('ask: a write is refused with why and where to make it, and nothing changes', async () => {
    const { MemoryFolder } = await import('../../src/app/memoryFolder');
    const { McpMemoryTools } = await import('../../src/app/mcpMemoryTools');
    const { tempWorkspace } = await import('../helpers/workspace');
    const root = tempWorkspace('memcode-mcp-review-');
    try {
      const folder = new MemoryFolder({ workspaceRoot: root, memoryRoot: path.join(root, '.memcode'), embeddings: () => ({ provider: 'local' }), warn: () => {} });
      const tools = new McpMemoryTools({ folder, lockWaitMs: 1000, review: 'ask' });
      const before = fs.readFileSync(path.join(root, '.memcode/memory/project.md'), 'utf8');
      const wrote = await tools.call('working_context_append', { block: 'project', content: '- Retry limit 3' });
      assert.equal(wrote.ok, false);
      assert.match(wrote.text, /^\{"error":"not written: memory review is set to ask in this project, and an edit made over MCP cannot be shown to the person for review.*memory\/project.md"\}$/);
      assert.equal(fs.readFileSync(path.join(root, '.memcode/memory/project.md'), 'utf8'), before);
      const auto = new McpMemoryTools({ folder, lockWaitMs: 1000 });
      assert.equal((await auto.call('working_context_append', { block: 'project', content: '- Retry limit 3' })).ok, true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
