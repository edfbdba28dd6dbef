// EditorBridge for VS Code: the chat's Insert button, the attach-selection button, `@file` completion
// and the fixed list of commands the webview may run.
import * as vscode from 'vscode';
import type { Attachment, WebviewCommand } from '../protocol/shapes';
import type { EditorBridge } from './chatHandlers';

export class VsCodeEditorBridge implements EditorBridge {
  /** `shownFolder`: the folder the chat shows, whose files `@` completes. */
  constructor(private readonly shownFolder: () => vscode.WorkspaceFolder | undefined) {}

  async insert(code: string): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) throw new Error('no editor is open to insert into');
    await editor.insertSnippet(new vscode.SnippetString().appendText(code), editor.selection);
  }

  selection(): Attachment | null {
    return selectionAttachment();
  }

  async findFiles(query: string, limit: number): Promise<string[]> {
    const folder = this.shownFolder();
    if (!folder) return [];
    const safe = query.replace(/[\\*?[\]{}!]/g, ''); // glob syntax, not part of a name the person types
    const pattern = new vscode.RelativePattern(folder, safe ? `**/*${safe}*` : '**/*');
    const uris = await vscode.workspace.findFiles(pattern, '**/{node_modules,.git,.memcode}/**', limit);
    return uris.map((u) => vscode.workspace.asRelativePath(u, false)).sort();
  }

  async runCommand(command: WebviewCommand): Promise<void> {
    await vscode.commands.executeCommand(command);
  }
}

/** The active editor's selection, or its whole file when nothing is selected. */
export function selectionAttachment(): Attachment | null {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return null;
  const path = vscode.workspace.asRelativePath(editor.document.uri, false);
  const selection = editor.selection;
  if (selection.isEmpty) return { path, text: editor.document.getText() };
  return { path, startLine: selection.start.line + 1, endLine: selection.end.line + 1, text: editor.document.getText(selection) };
}
