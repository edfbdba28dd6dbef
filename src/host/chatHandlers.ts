// One small handler per request the chat webview can make (protocol.ts WebviewToHost).
import * as vscode from 'vscode';
import type { HostMessenger } from '../messenger';
import type { Attachment, InitialState } from '../protocol';
import type { AgentHost } from './agentHost';
import { splitAttachments } from './transcript';

export function registerChatHandlers(messenger: HostMessenger, host: AgentHost): void {
  messenger.on('ready', async (): Promise<InitialState> => {
    const fa = host.require();
    const [session, transcript, memory] = [await fa.currentSession(), await fa.transcript(), await fa.snapshot()];
    return { session, transcript, memory, running: fa.running, queued: fa.queued.map((q) => splitAttachments(q).text) };
  });

  messenger.on('chat/send', ({ text, attachments }) => host.send(text, attachments));
  messenger.on('chat/stop', () => host.stop());
  messenger.on('chat/retry', () => host.retry());

  messenger.on('session/new', () => host.newSession());
  messenger.on('session/list', () => host.require().sessions());
  messenger.on('session/open', async ({ id }) => {
    const fa = host.require();
    const sessions = await fa.sessions();
    const session = sessions.find((s) => s.id === id);
    if (!session) throw new Error(`no session ${id}`);
    return { session, transcript: await fa.transcript(id), readOnly: !session.current };
  });

  messenger.on('memory/get', () => host.require().snapshot());
  messenger.on('memory/setBlock', async ({ label, value }) => {
    const agent = await host.require().get();
    agent.workingContext.refresh();
    agent.workingContext.setValue(label, value);
    host.memoryChanged();
    return { ok: true as const };
  });

  messenger.on('editor/insert', async ({ code }) => {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) throw new Error('no editor is open to insert into');
    await editor.insertSnippet(new vscode.SnippetString().appendText(code), editor.selection);
  });
  messenger.on('editor/selection', () => selectionAttachment());
  messenger.on('workspace/files', async ({ query, limit }) => {
    const fa = host.active();
    if (!fa) return [];
    const safe = query.replace(/[\\*?[\]{}!]/g, '');
    const pattern = new vscode.RelativePattern(fa.folder, safe ? `**/*${safe}*` : '**/*');
    const uris = await vscode.workspace.findFiles(pattern, '**/{node_modules,.git,.memcode}/**', Math.min(limit ?? 20, 200));
    return uris.map((u) => vscode.workspace.asRelativePath(u, false)).sort();
  });
  messenger.on('command/run', async ({ command }) => {
    await vscode.commands.executeCommand(command);
  });
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
