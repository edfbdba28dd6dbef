// Edits and commands the model wants, put in front of the person (DESIGN.md §4): an edit as a diff
// (current text on the left, proposed on the right, both virtual documents) with Accept/Reject; a command
// as a modal question. The tool itself applies the edit once approved.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../tools/types';
import type { MemcodeSettings } from './settings';

export const PROPOSAL_SCHEME = 'memcode-proposal';

/** Serves the before/after texts of open proposals to the diff editor. */
export class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 1;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  add(filePath: string, side: 'current' | 'proposed', text: string, id = this.next++): { uri: vscode.Uri; id: number } {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/${side}/${filePath}` });
    this.texts.set(uri.toString(), text);
    return { uri, id };
  }

  remove(...uris: vscode.Uri[]): void {
    for (const uri of uris) this.texts.delete(uri.toString());
  }
}

export class VsCodeApprovals implements ApprovalProvider {
  constructor(
    private readonly documents: ProposalDocuments,
    private readonly settings: () => MemcodeSettings,
  ) {}

  request(request: ApprovalRequest): Promise<ApprovalDecision> {
    return request.kind === 'edit' ? this.approveEdit(request) : this.approveCommand(request);
  }

  private async approveEdit(request: Extract<ApprovalRequest, { kind: 'edit' }>): Promise<ApprovalDecision> {
    if (this.settings().approval.edits === 'auto') return { approved: true };
    const rel = request.path.replace(/\\/g, '/');
    const left = this.documents.add(rel, 'current', request.before);
    const right = this.documents.add(rel, 'proposed', request.after, left.id);
    try {
      await vscode.commands.executeCommand('vscode.diff', left.uri, right.uri, `MemCode proposes: ${path.basename(rel)} (current ↔ proposed)`, { preview: true });
      const answer = await vscode.window.showInformationMessage(`MemCode wants to edit ${rel}: ${request.summary}`, 'Accept', 'Reject');
      if (answer === 'Accept') return { approved: true };
      if (answer === undefined) return { approved: false, reason: 'the person dismissed the proposal without accepting it' };
      const reason = await vscode.window.showInputBox({ title: `Why reject the edit to ${rel}?`, prompt: 'Optional: the agent is told this reason', ignoreFocusOut: true });
      return { approved: false, reason: reason?.trim() || undefined };
    } finally {
      await closeDiff(right.uri);
      this.documents.remove(left.uri, right.uri);
    }
  }

  private async approveCommand(request: Extract<ApprovalRequest, { kind: 'command' }>): Promise<ApprovalDecision> {
    if (this.settings().approval.commands === 'never') {
      return { approved: false, reason: 'running commands is turned off in this workspace (memcode.approval.commands is "never"); ask the person to run it' };
    }
    const answer = await vscode.window.showWarningMessage(
      'MemCode wants to run a command',
      { modal: true, detail: `${request.command}\n\nin ${request.cwd}` },
      'Run',
      'Reject',
    );
    if (answer === 'Run') return { approved: true };
    return { approved: false, reason: answer === 'Reject' ? 'the person rejected the command' : 'the person dismissed the question' };
  }
}

async function closeDiff(proposed: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
