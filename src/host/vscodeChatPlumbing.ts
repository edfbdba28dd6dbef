// The editor's side of the chat's context and model actions: a file picker for the paperclip when no
// editor is open, and memcode.baseUrl / memcode.model written where the person keeps them.
import * as vscode from 'vscode';
import type { ContextEditor } from './contextHandlers';
import type { ModelSettingsStore } from './modelHandlers';
import { readSettings } from './settings';
import { selectionAttachment } from './vscodeEditorBridge';

export class VsCodeContextEditor implements ContextEditor {
  constructor(private readonly shownFolder: () => vscode.WorkspaceFolder | undefined) {}

  selection(): ReturnType<ContextEditor['selection']> {
    return selectionAttachment();
  }

  async pickFiles(): Promise<string[]> {
    const folder = this.shownFolder();
    const picked = await vscode.window.showOpenDialog({
      title: 'MemCode: Attach Files to the Message',
      openLabel: 'Attach',
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: true,
      ...(folder ? { defaultUri: folder.uri } : {}),
    });
    // Paths outside the folder stay absolute: the workspace policy refuses them with its own reason.
    return (picked ?? []).map((uri) => (folder && vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() === folder.uri.toString() ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath));
  }
}

export class VsCodeModelSettings implements ModelSettingsStore {
  constructor(private readonly shownFolder: () => vscode.WorkspaceFolder | undefined) {}

  read(): { baseUrl: string; model: string } {
    const { baseUrl, model } = readSettings(this.shownFolder()?.uri);
    return { baseUrl, model };
  }

  async write(baseUrl: string, model: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('memcode', this.shownFolder()?.uri);
    for (const [key, value] of [['baseUrl', baseUrl], ['model', model]] as const) {
      // Written where it is set now, so a workspace's own choice is not shadowed by a user setting.
      const where = config.inspect(key);
      const target = where?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update(key, value, target);
    }
  }
}
