// Edits and commands the model wants, put in front of the person (DESIGN.md §4): an edit as a diff
// (current text on the left, proposed on the right, both virtual documents); every question goes on the
// board (approvalBoard.ts), answered on its card in the chat, in the diff editor's title bar, or in a
// notification when the chat is hidden, and waits as long as it takes. Commands allowed for good in a
// folder run unasked. An accepted edit is applied by the host as an editor change the person can undo.
// No vscode here: the editor is reached through ApprovalUi (vscodeApprovalUi.ts), so the flow is tested.
import { countLineChanges } from '../app/lineChanges';
import type { AppliedChange, ApprovalDecision, ApprovalProvider, ApprovalRequest, MemoryChange, MemoryReviewMode } from '../tools/types';
import type { ApprovalAnswer, ApprovalBoard } from './approvalBoard';
import type { CommandAllowList } from './commandAllowList';
import type { MemcodeSettings } from './memcodeSettings';

export const PROPOSAL_SCHEME = 'memcode-proposal';

/** One edit on show: the paths (in the proposal scheme) of its two sides. */
export interface Proposal {
  /** Workspace-relative, with forward slashes. */
  path: string;
  current: string;
  proposed: string;
}

/** What the approval flow needs from the editor. */
export interface ApprovalUi {
  /** Shows current ↔ proposed side by side. */
  openDiff(proposal: Proposal, title: string): Promise<void>;
  closeDiff(proposal: Proposal): Promise<void>;
  /**
   * A notification with these buttons, for when the chat cannot show the question (the VS Code side shows
   * none while the chat is visible, and resolves undefined). Undefined when dismissed, which answers
   * nothing: the question stays on its card. A notification cannot be withdrawn, so a late click is ignored.
   */
  notify(message: string, buttons: readonly string[]): Promise<string | undefined>;
  /** An optional reason for a rejection; undefined or '' when none was given. */
  askReason(title: string): Promise<string | undefined>;
  /** Replaces (or creates) the file with `content` as an undoable editor change, and saves it. */
  applyEdit(absPath: string, content: string): Promise<void>;
  /** A notification shown even while the chat is visible (review mode 'notify'); resolves with the button pressed. */
  announce?(message: string, buttons: readonly string[]): Promise<string | undefined>;
}

/** Told about every edit the host applies, before and after, so it can keep a checkpoint and offer Undo. */
export interface EditRecorder {
  /** Before the file is touched: the checkpoint must hold the old text even if applying fails half-way. */
  beforeApply(absPath: string, change: AppliedChange): void;
  applied(absPath: string, content: string, change: AppliedChange): void;
}

export interface ApprovalDeps {
  board: ApprovalBoard;
  /** Commands allowed for good in this folder; without it, "Always allow" allows once. */
  allowList?: CommandAllowList;
  review?: EditRecorder;
  /** Undo of a memory change in review mode 'notify': a journal revert of that entry. */
  undoMemory?(entryId: string): Promise<void>;
}

/**
 * Serves the before/after texts of open proposals to the diff editor. Registered with VS Code as the
 * proposal scheme's content provider: the parameter is typed structurally so this file needs no vscode.
 */
export class ProposalDocuments {
  private readonly texts = new Map<string, string>();
  private next = 1;

  provideTextDocumentContent(uri: { path: string }): string {
    return this.texts.get(uri.path) ?? '';
  }

  add(filePath: string, current: string, proposed: string): Proposal {
    const id = this.next++;
    const proposal = { path: filePath, current: `/${id}/current/${filePath}`, proposed: `/${id}/proposed/${filePath}` };
    this.texts.set(proposal.current, current);
    this.texts.set(proposal.proposed, proposed);
    return proposal;
  }

  remove(proposal: Proposal): void {
    this.texts.delete(proposal.current);
    this.texts.delete(proposal.proposed);
  }

  /** Texts held, for the tests: every proposal is removed once answered. */
  get size(): number {
    return this.texts.size;
  }
}

export class VsCodeApprovals implements ApprovalProvider {
  constructor(
    private readonly documents: ProposalDocuments,
    private readonly ui: ApprovalUi,
    private readonly settings: () => MemcodeSettings,
    private readonly deps: ApprovalDeps,
  ) {}

  request(request: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalDecision> {
    if (request.kind === 'edit') return this.approveEdit(request, signal);
    if (request.kind === 'command') return this.approveCommand(request, signal);
    if (request.kind === 'memory') return this.approveMemoryEdit(request, signal);
    return this.approveToolCall(request, signal);
  }

  get memoryReview(): MemoryReviewMode {
    return this.settings().memory.review;
  }

  memoryChanged(change: MemoryChange): void {
    const announce = this.ui.announce;
    if (!announce) return;
    const buttons = change.entryId && this.deps.undoMemory ? ['Undo'] : [];
    void (async () => {
      const button = await announce.call(this.ui, `MemCode changed its memory: ${oneLine(change.summary)}`, buttons);
      if (button === 'Undo' && change.entryId) await this.deps.undoMemory?.(change.entryId);
    })().catch(() => undefined);
  }

  /**
   * A block edit in review mode 'ask': on a card like a file edit (the board's 'edit' kind, the block's
   * file as its path), with the block's Markdown before and after in the diff editor.
   */
  private async approveMemoryEdit(request: Extract<ApprovalRequest, { kind: 'memory' }>, signal?: AbortSignal): Promise<ApprovalDecision> {
    // The block's file as the card's link shows it (the user block's own store is outside the workspace).
    const rel = `${(this.settings().storagePath || '.memcode').replace(/\\/g, '/').replace(/\/$/, '')}/memory/${request.block}.md`;
    const proposal = this.documents.add(rel, request.before, request.after);
    const { added, removed } = countLineChanges(request.before, request.after);
    const board = this.deps.board;
    const { id, answer } = board.ask(
      { kind: 'edit', ...callOf(request), title: `Memory: ${request.block} block`, path: rel, detail: request.summary, added, removed },
      { proposedPath: proposal.proposed, signal },
    );
    try {
      // As for a file edit, the diff opens by itself (the card says so); the question does not depend on it.
      await this.ui.openDiff(proposal, `MemCode proposes: ${request.block} memory block (current ↔ proposed)`).catch(() => undefined);
      this.notify(id, `MemCode wants to ${oneLine(request.summary)}`, ['Accept', 'Reject'], (button) =>
        button === 'Accept' ? { kind: 'accept' } : this.askReason(id, `Why reject the change to the ${request.block} block?`),
      );
      return decisionOf(await answer, 'memory edit');
    } finally {
      board.withdraw(id);
      await this.ui.closeDiff(proposal).catch(() => undefined);
      this.documents.remove(proposal);
    }
  }

  async applyEdit(absPath: string, content: string, change?: AppliedChange): Promise<void> {
    if (change) this.deps.review?.beforeApply(absPath, change);
    await this.ui.applyEdit(absPath, content);
    if (change) this.deps.review?.applied(absPath, content, change);
  }

  private async approveEdit(request: Extract<ApprovalRequest, { kind: 'edit' }>, signal?: AbortSignal): Promise<ApprovalDecision> {
    if (this.settings().approval.edits === 'auto') return { approved: true };
    const rel = request.path.replace(/\\/g, '/');
    const proposal = this.documents.add(rel, request.before, request.after);
    const { added, removed } = countLineChanges(request.before, request.after);
    const board = this.deps.board;
    const { id, answer } = board.ask(
      { kind: 'edit', ...callOf(request), title: `Edit ${rel}`, path: rel, detail: request.summary, added, removed },
      { proposedPath: proposal.proposed, signal },
    );
    try {
      await this.ui.openDiff(proposal, `MemCode proposes: ${rel.slice(rel.lastIndexOf('/') + 1)} (current ↔ proposed)`);
      // The summary names the file already ("edit src/app.ts at line 3: …"): the message must not say it twice.
      this.notify(id, `MemCode wants to ${request.summary}`, ['Accept', 'Reject'], (button) =>
        button === 'Accept' ? { kind: 'accept' } : this.askReason(id, `Why reject the edit to ${rel}?`),
      );
      return decisionOf(await answer, 'edit');
    } finally {
      board.withdraw(id);
      // A diff tab that would not close is harmless; it must not turn the answer into an error.
      await this.ui.closeDiff(proposal).catch(() => undefined);
      this.documents.remove(proposal);
    }
  }

  private async approveCommand(request: Extract<ApprovalRequest, { kind: 'command' }>, signal?: AbortSignal): Promise<ApprovalDecision> {
    if (this.settings().approval.commands === 'never') {
      return { approved: false, reason: 'running commands is turned off in this workspace (memcode.approval.commands is "never"); ask the person to run it' };
    }
    const allowList = this.deps.allowList;
    if (allowList?.has(request.command)) return { approved: true };
    const board = this.deps.board;
    const { id, answer } = board.ask({ kind: 'command', ...callOf(request), title: `Run \`${oneLine(request.command)}\``, command: request.command, detail: `in ${request.cwd}` }, { signal });
    try {
      this.notify(id, `MemCode wants to run \`${oneLine(request.command)}\` in ${request.cwd}`, ['Allow once', 'Always allow', 'Reject'], (button) =>
        button === 'Allow once' ? { kind: 'accept' } : button === 'Always allow' ? { kind: 'always' } : this.askReason(id, 'Why reject the command?'),
      );
      const given = await answer;
      if (given?.kind === 'always') await allowList?.add(request.command);
      return decisionOf(given, 'command');
    } finally {
      board.withdraw(id);
    }
  }

  /** Servers set to `approval: "always"` never get here (tools/mcpTools.ts). */
  private async approveToolCall(request: Extract<ApprovalRequest, { kind: 'mcp_tool' }>, signal?: AbortSignal): Promise<ApprovalDecision> {
    const args = JSON.stringify(request.args, null, 2);
    const detail = `${args.length > 1_500 ? `${args.slice(0, 1_500)}\n…` : args}\n\nTo stop asking, set "approval": "always" on this server in memcode.mcpServers.`;
    const board = this.deps.board;
    const { id, answer } = board.ask({ kind: 'mcp_tool', ...callOf(request), title: `Call ${request.tool} of the MCP server ${request.server}`, detail }, { signal });
    try {
      this.notify(id, `MemCode wants to call "${request.tool}" of the MCP server "${request.server}"`, ['Allow', 'Reject'], (button) =>
        button === 'Allow' ? { kind: 'accept' } : this.askReason(id, 'Why reject the tool call?'),
      );
      return decisionOf(await answer, 'tool call');
    } finally {
      board.withdraw(id);
    }
  }

  /** The notification's answer goes to the board like any other; a failing or dismissed one answers nothing. */
  private notify(id: string, message: string, buttons: readonly string[], toAnswer: (button: string) => ApprovalAnswer | Promise<ApprovalAnswer | undefined>): void {
    void (async () => {
      const button = await this.ui.notify(message, buttons);
      if (button === undefined || !this.deps.board.isOpen(id)) return;
      const answer = await toAnswer(button);
      if (answer) this.deps.board.answer(id, answer);
    })().catch(() => undefined);
  }

  private async askReason(id: string, title: string): Promise<ApprovalAnswer | undefined> {
    const reason = await this.ui.askReason(title);
    if (!this.deps.board.isOpen(id)) return undefined;
    return { kind: 'reject', ...(reason?.trim() ? { reason: reason.trim() } : {}) };
  }
}

/** What the model reads; a withdrawn question only happens on Stop, which askApproval reports itself. */
function decisionOf(answer: ApprovalAnswer | undefined, what: string): ApprovalDecision {
  if (!answer) return { approved: false, reason: `the question about the ${what} was withdrawn` };
  if (answer.kind !== 'reject') return { approved: true };
  return { approved: false, reason: answer.reason?.trim() || undefined };
}

function callOf(request: ApprovalRequest): { callId?: string } {
  return request.callId ? { callId: request.callId } : {};
}

/** A multi-line command shown on one line (its first), for titles and notifications. */
function oneLine(command: string): string {
  const lines = command.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} …` : lines[0];
}
