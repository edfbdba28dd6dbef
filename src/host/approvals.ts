// Edits and commands the model wants, put in front of the person (DESIGN.md §4): an edit as a diff
// (current text on the left, proposed on the right, both virtual documents) with Accept/Reject; a command
// or an MCP tool call as a modal question. An accepted edit is applied by the host as an editor change the person can undo.
// No vscode here: the editor is reached through ApprovalUi (vscodeApprovalUi.ts), so the flow is tested.
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../tools/types';
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
  /** Accept or Reject; undefined when the question was dismissed. */
  askAcceptEdit(message: string): Promise<'accept' | 'reject' | undefined>;
  /** An optional reason for a rejection; undefined or '' when none was given. */
  askReason(title: string): Promise<string | undefined>;
  /** A modal question; undefined when dismissed. */
  askRunCommand(message: string, detail: string): Promise<'run' | 'reject' | undefined>;
  /** A modal question about an MCP tool call; undefined when dismissed. */
  askCallTool(message: string, detail: string): Promise<'allow' | 'reject' | undefined>;
  /** Replaces (or creates) the file with `content` as an undoable editor change, and saves it. */
  applyEdit(absPath: string, content: string): Promise<void>;
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
  ) {}

  request(request: ApprovalRequest): Promise<ApprovalDecision> {
    if (request.kind === 'edit') return this.approveEdit(request);
    if (request.kind === 'command') return this.approveCommand(request);
    return this.approveToolCall(request);
  }

  applyEdit(absPath: string, content: string): Promise<void> {
    return this.ui.applyEdit(absPath, content);
  }

  private async approveEdit(request: Extract<ApprovalRequest, { kind: 'edit' }>): Promise<ApprovalDecision> {
    if (this.settings().approval.edits === 'auto') return { approved: true };
    const rel = request.path.replace(/\\/g, '/');
    const proposal = this.documents.add(rel, request.before, request.after);
    try {
      await this.ui.openDiff(proposal, `MemCode proposes: ${rel.slice(rel.lastIndexOf('/') + 1)} (current ↔ proposed)`);
      const answer = await this.ui.askAcceptEdit(`MemCode wants to edit ${rel}: ${request.summary}`);
      if (answer === 'accept') return { approved: true };
      if (answer === undefined) return { approved: false, reason: 'the person dismissed the proposal without accepting it' };
      const reason = await this.ui.askReason(`Why reject the edit to ${rel}?`);
      return { approved: false, reason: reason?.trim() || undefined };
    } finally {
      // A diff tab that would not close is harmless; it must not turn the answer into an error.
      await this.ui.closeDiff(proposal).catch(() => undefined);
      this.documents.remove(proposal);
    }
  }

  private async approveCommand(request: Extract<ApprovalRequest, { kind: 'command' }>): Promise<ApprovalDecision> {
    if (this.settings().approval.commands === 'never') {
      return { approved: false, reason: 'running commands is turned off in this workspace (memcode.approval.commands is "never"); ask the person to run it' };
    }
    const answer = await this.ui.askRunCommand('MemCode wants to run a command', `${request.command}\n\nin ${request.cwd}`);
    if (answer === 'run') return { approved: true };
    return { approved: false, reason: answer === 'reject' ? 'the person rejected the command' : 'the person dismissed the question' };
  }

  /** Servers set to `approval: "always"` never get here (tools/mcpTools.ts). */
  private async approveToolCall(request: Extract<ApprovalRequest, { kind: 'mcp_tool' }>): Promise<ApprovalDecision> {
    const args = JSON.stringify(request.args, null, 2);
    const detail = `${args.length > 1_500 ? `${args.slice(0, 1_500)}\n…` : args}\n\nTo stop asking, set "approval": "always" on this server in memcode.mcpServers.`;
    const answer = await this.ui.askCallTool(`MemCode wants to call "${request.tool}" of the MCP server "${request.server}"`, detail);
    if (answer === 'allow') return { approved: true };
    return { approved: false, reason: answer === 'reject' ? 'the person rejected the tool call' : 'the person dismissed the question' };
  }
}
