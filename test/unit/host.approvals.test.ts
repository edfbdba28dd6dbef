import assert from 'node:assert/strict';
import { ProposalDocuments, VsCodeApprovals, type ApprovalUi, type Proposal } from '../../src/host/approvals';
import { settingsFrom } from '../../src/host/memcodeSettings';
import type { ApprovalRequest } from '../../src/tools/types';

/** An ApprovalUi that answers as the test says and records what the person was shown. */
class FakeUi implements ApprovalUi {
  readonly calls: string[] = [];
  readonly open = new Set<string>();
  /** What the diff showed, read from the proposal documents while it was open. */
  shown?: { title: string; current: string; proposed: string };
  edit: 'accept' | 'reject' | undefined | Error = 'accept';
  reason: string | undefined = undefined;
  command: 'run' | 'reject' | undefined = 'run';
  toolCall: 'allow' | 'reject' | undefined = 'allow';
  failOpen = false;
  failClose = false;
  applied: Array<{ absPath: string; content: string }> = [];

  constructor(private readonly documents: ProposalDocuments) {}

  async openDiff(proposal: Proposal, title: string): Promise<void> {
    this.calls.push('openDiff');
    if (this.failOpen) throw new Error('the diff editor failed');
    this.open.add(proposal.proposed);
    const text = (p: string) => this.documents.provideTextDocumentContent({ path: p });
    this.shown = { title, current: text(proposal.current), proposed: text(proposal.proposed) };
  }
  async closeDiff(proposal: Proposal): Promise<void> {
    this.calls.push('closeDiff');
    this.open.delete(proposal.proposed);
    if (this.failClose) throw new Error('the tab would not close');
  }
  async askAcceptEdit(message: string): Promise<'accept' | 'reject' | undefined> {
    this.calls.push(`askAcceptEdit ${message}`);
    if (this.edit instanceof Error) throw this.edit;
    return this.edit;
  }
  async askReason(title: string): Promise<string | undefined> {
    this.calls.push(`askReason ${title}`);
    return this.reason;
  }
  async askRunCommand(message: string, detail: string): Promise<'run' | 'reject' | undefined> {
    this.calls.push(`askRunCommand ${message} | ${detail}`);
    return this.command;
  }
  async askCallTool(message: string, detail: string): Promise<'allow' | 'reject' | undefined> {
    this.calls.push(`askCallTool ${message} | ${detail}`);
    return this.toolCall;
  }
  async applyEdit(absPath: string, content: string): Promise<void> {
    this.applied.push({ absPath, content });
  }
}

function setup(values: Record<string, unknown> = {}) {
  const documents = new ProposalDocuments();
  const ui = new FakeUi(documents);
  const settings = { values };
  const approvals = new VsCodeApprovals(documents, ui, () => settingsFrom({ get: <T>(k: string) => settings.values[k] as T | undefined }));
  return { documents, ui, approvals, settings };
}

const edit: ApprovalRequest = { kind: 'edit', path: 'src/app.ts', before: 'const port = 3000;\n', after: 'const port = 8080;\n', summary: 'edit src/app.ts at line 1: replace 1 line with 1 line' };
const command: ApprovalRequest = { kind: 'command', command: 'npm test', cwd: '/work/project' };

describe('host approvals', () => {
  describe('edits', () => {
    it('shows current and proposed text side by side and approves on Accept', async () => {
      const { ui, approvals, documents } = setup();
      assert.deepEqual(await approvals.request(edit), { approved: true });
      assert.deepEqual(ui.shown, { title: 'MemCode proposes: app.ts (current ↔ proposed)', current: 'const port = 3000;\n', proposed: 'const port = 8080;\n' });
      assert.deepEqual(ui.calls, ['openDiff', 'askAcceptEdit MemCode wants to edit src/app.ts: edit src/app.ts at line 1: replace 1 line with 1 line', 'closeDiff']);
      assert.equal(ui.open.size, 0, 'the diff is closed');
      assert.equal(documents.size, 0, 'the proposal texts are freed');
    });

    it('asks why on Reject and hands the reason to the model', async () => {
      const { ui, approvals, documents } = setup();
      ui.edit = 'reject';
      ui.reason = '  keep port 3000, the proxy expects it  ';
      assert.deepEqual(await approvals.request(edit), { approved: false, reason: 'keep port 3000, the proxy expects it' });
      assert.ok(ui.calls.includes('askReason Why reject the edit to src/app.ts?'));
      assert.equal(ui.calls.at(-1), 'closeDiff', 'the diff stays open while the reason is typed');
      assert.equal(documents.size, 0);
    });

    it('rejects without a reason when the reason box is left empty or dismissed', async () => {
      const { ui, approvals } = setup();
      ui.edit = 'reject';
      ui.reason = '   ';
      assert.deepEqual(await approvals.request(edit), { approved: false, reason: undefined });
      ui.reason = undefined;
      assert.deepEqual(await approvals.request(edit), { approved: false, reason: undefined });
    });

    it('counts a dismissed question as a rejection and says so', async () => {
      const { ui, approvals, documents } = setup();
      ui.edit = undefined;
      assert.deepEqual(await approvals.request(edit), { approved: false, reason: 'the person dismissed the proposal without accepting it' });
      assert.ok(!ui.calls.some((c) => c.startsWith('askReason')), 'no reason is asked for a dismissal');
      assert.equal(documents.size, 0);
    });

    it('applies edits without showing anything when memcode.approval.edits is auto', async () => {
      const { ui, approvals, documents } = setup({ 'approval.edits': 'auto' });
      assert.deepEqual(await approvals.request(edit), { approved: true });
      assert.deepEqual(ui.calls, []);
      assert.equal(documents.size, 0);
    });

    it('reads the setting at each request, so switching to auto applies at once', async () => {
      const { ui, approvals, settings } = setup();
      ui.edit = 'reject';
      assert.equal((await approvals.request(edit)).approved, false);
      settings.values = { 'approval.edits': 'auto' };
      assert.equal((await approvals.request(edit)).approved, true);
    });

    it('closes the diff and frees the proposal texts when asking fails', async () => {
      const { ui, approvals, documents } = setup();
      ui.edit = new Error('the window closed');
      await assert.rejects(approvals.request(edit), /the window closed/);
      assert.equal(ui.calls.at(-1), 'closeDiff');
      assert.equal(ui.open.size, 0);
      assert.equal(documents.size, 0);
    });

    it('frees the proposal texts when the diff editor cannot open', async () => {
      const { ui, approvals, documents } = setup();
      ui.failOpen = true;
      await assert.rejects(approvals.request(edit), /the diff editor failed/);
      assert.equal(documents.size, 0);
    });

    it('keeps the answer when the diff tab will not close', async () => {
      const { ui, approvals, documents } = setup();
      ui.failClose = true;
      assert.deepEqual(await approvals.request(edit), { approved: true });
      assert.equal(documents.size, 0);
    });

    it('keeps two open proposals for the same file apart', async () => {
      const documents = new ProposalDocuments();
      const a = documents.add('a.ts', 'one', 'two');
      const b = documents.add('a.ts', 'three', 'four');
      assert.notEqual(a.proposed, b.proposed);
      documents.remove(a);
      assert.equal(documents.provideTextDocumentContent({ path: b.current }), 'three');
      assert.equal(documents.provideTextDocumentContent({ path: a.current }), '', 'a freed proposal reads as empty');
    });

    it('shows Windows-style paths with forward slashes', async () => {
      const { ui, approvals } = setup();
      await approvals.request({ ...edit, path: 'src\\win\\app.ts' });
      assert.ok(ui.calls.some((c) => c.startsWith('askAcceptEdit MemCode wants to edit src/win/app.ts:')), ui.calls.join('\n'));
      assert.equal(ui.shown?.title, 'MemCode proposes: app.ts (current ↔ proposed)');
    });

    it('hands an approved edit to the editor to apply', async () => {
      const { ui, approvals } = setup();
      await approvals.applyEdit('/work/project/src/app.ts', 'const port = 8080;\n');
      assert.deepEqual(ui.applied, [{ absPath: '/work/project/src/app.ts', content: 'const port = 8080;\n' }]);
    });
  });

  describe('commands', () => {
    it('asks in a modal question showing the command and where it runs', async () => {
      const { ui, approvals } = setup();
      assert.deepEqual(await approvals.request(command), { approved: true });
      assert.deepEqual(ui.calls, ['askRunCommand MemCode wants to run a command | npm test\n\nin /work/project']);
    });

    it('tells the model whether the person rejected or dismissed the question', async () => {
      const { ui, approvals } = setup();
      ui.command = 'reject';
      assert.deepEqual(await approvals.request(command), { approved: false, reason: 'the person rejected the command' });
      ui.command = undefined;
      assert.deepEqual(await approvals.request(command), { approved: false, reason: 'the person dismissed the question' });
    });

    it('refuses without asking when memcode.approval.commands is never', async () => {
      const { ui, approvals } = setup({ 'approval.commands': 'never' });
      const decision = await approvals.request(command);
      assert.equal(decision.approved, false);
      assert.match(decision.reason ?? '', /memcode\.approval\.commands is "never"/);
      assert.deepEqual(ui.calls, []);
    });

    it('still asks for commands when only edits are automatic', async () => {
      const { ui, approvals } = setup({ 'approval.edits': 'auto' });
      ui.command = 'reject';
      assert.equal((await approvals.request(command)).approved, false);
      assert.equal(ui.calls.length, 1);
    });
  });

  describe('MCP tool calls', () => {
    const toolCall: ApprovalRequest = { kind: 'mcp_tool', server: 'echo', tool: 'add', args: { a: 2, b: 3 } };

    it('asks in a modal question naming the server, the tool and its arguments', async () => {
      const { ui, approvals } = setup();
      assert.deepEqual(await approvals.request(toolCall), { approved: true });
      assert.equal(ui.calls.length, 1);
      assert.match(ui.calls[0], /^askCallTool MemCode wants to call "add" of the MCP server "echo" \| \{\n  "a": 2,\n  "b": 3\n\}/);
      assert.match(ui.calls[0], /"approval": "always"/, 'says how to stop asking');
    });

    it('tells the model whether the person rejected or dismissed the question', async () => {
      const { ui, approvals } = setup();
      ui.toolCall = 'reject';
      assert.deepEqual(await approvals.request(toolCall), { approved: false, reason: 'the person rejected the tool call' });
      ui.toolCall = undefined;
      assert.deepEqual(await approvals.request(toolCall), { approved: false, reason: 'the person dismissed the question' });
    });
  });
});
