// ApprovalUi for VS Code: the diff editor over the proposal scheme, notification buttons while the chat is
// hidden, an input box for a reason, and accepted edits applied as a WorkspaceEdit (so Undo in the editor
// reverts them).
import * as vscode from 'vscode';
import { PROPOSAL_SCHEME, type ApprovalUi, type Proposal } from './approvals';

export class VsCodeApprovalUi implements ApprovalUi {
  async openDiff(proposal: Proposal, title: string): Promise<void> {
    await vscode.commands.executeCommand('vscode.diff', proposalUri(proposal.current), proposalUri(proposal.proposed), title, { preview: true });
  }

  async closeDiff(proposal: Proposal): Promise<void> {
    const proposed = proposalUri(proposal.proposed).toString();
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed);
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  /** `chatVisible`: whether the chat view is on screen, where each question already has its card. */
  constructor(private readonly chatVisible: () => boolean = () => false) {}

  async notify(message: string, buttons: readonly string[]): Promise<string | undefined> {
    // Not modal, and not needed when the card is in view: the question waits on the card either way.
    if (this.chatVisible()) return undefined;
    return vscode.window.showInformationMessage(message, ...buttons);
  }

  async announce(message: string, buttons: readonly string[]): Promise<string | undefined> {
    return vscode.window.showInformationMessage(message, ...buttons);
  }

  askReason(title: string): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInputBox({ title, prompt: 'Optional: the agent is told this reason', ignoreFocusOut: true }));
  }

  async applyEdit(absPath: string, content: string): Promise<void> {
    const uri = vscode.Uri.file(absPath);
    const edit = new vscode.WorkspaceEdit();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    // The tool checked the file on disk; unsaved changes in an open editor would be replaced unseen.
    if (open?.isDirty) throw new Error('it has unsaved changes in the editor; save or revert them first');
    let exists = true;
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      exists = false;
    }
    if (exists) {
      const document = open ?? (await vscode.workspace.openTextDocument(uri));
      edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), content);
    } else {
      edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(content) });
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('VS Code refused the edit');
    if (!exists) return; // created with its contents, already on disk
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isDirty && !(await document.save())) throw new Error('the edit was applied in the editor but could not be saved');
  }
}

function proposalUri(path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path });
}
