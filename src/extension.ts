// The VS Code entry point. For now a thin activate(): the chat view, commands and settings come
// with the extension issue; the core it will drive lives in src/core and is shared with the CLI.
import * as vscode from 'vscode';
import { memoryRoot } from './core/openAgent';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('memcode.showMemory', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showInformationMessage('MemCode: open a folder first; memory is kept per workspace folder.');
        return;
      }
      const file = vscode.Uri.file(`${memoryRoot(folder.uri.fsPath)}/memory/project.md`);
      try {
        await vscode.window.showTextDocument(file);
      } catch {
        void vscode.window.showInformationMessage('MemCode: no memory yet in this folder. Chat with the agent first (memcode chat in a terminal).');
      }
    }),
  );
}

export function deactivate(): void {}
