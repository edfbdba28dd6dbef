// ApprovalUi for VS Code: the diff editor over the proposal scheme, notification buttons, an input box,
// a modal warning, and accepted edits applied as a WorkspaceEdit (so Undo in the editor reverts them).
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

  async askAcceptEdit(message: string): Promise<'accept' | 'reject' | undefined> {
    const answer = await vscode.window.showInformationMessage(message, 'Accept', 'Reject');
    return answer === 'Accept' ? 'accept' : answer === 'Reject' ? 'reject' : undefined;
  }

  askReason(title: string): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInputBox({ title, prompt: 'Optional: the agent is told this reason', ignoreFocusOut: true }));
  }

  async askRunCommand(message: string, detail: string): Promise<'run' | 'reject' | undefined> {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Run', 'Reject');
    return answer === 'Run' ? 'run' : answer === 'Reject' ? 'reject' : undefined;
  }

  async askCallTool(message: string, detail: string): Promise<'allow' | 'reject' | undefined> {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Allow', 'Reject');
    return answer === 'Allow' ? 'allow' : answer === 'Reject' ? 'reject' : undefined;
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
