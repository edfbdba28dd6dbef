// The VS Code entry point: wires the host side (src/host) around the shared core. Activation only
// registers things; the agent, the token counter and archival memory load on first use.
import * as vscode from 'vscode';
import { AgentHost } from './host/agentHost';
import { PROPOSAL_SCHEME, ProposalDocuments, VsCodeApprovals } from './host/approvals';
import { VsCodeApprovalUi } from './host/vscodeApprovalUi';
import { CHAT_VIEW_ID, ChatViewProvider } from './host/chatViewProvider';
import { registerChatCommands } from './host/chatCommands';
import { registerCommands } from './host/commands';
import { watchWorkspace } from './host/indexWatcher';
import { ApiKeyStore } from './host/secrets';
import { readSettings } from './host/settings';
import { createStatusBar } from './host/statusBar';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MemCode', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  const documents = new ProposalDocuments();
  const ui = new VsCodeApprovalUi();
  // Each folder's agent asks by that folder's settings (memcode.approval.* can differ per folder).
  const host = new AgentHost(keys, (folder) => new VsCodeApprovals(documents, ui, () => readSettings(folder.uri)), log);
  const chat = new ChatViewProvider(context.extensionUri, host, keys);

  context.subscriptions.push(
    log,
    host,
    chat,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, documents),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, chat, { webviewOptions: { retainContextWhenHidden: true } }),
    keys.onDidChange(() => host.invalidateAll()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('memcode.storagePath')) host.restartIdle();
      else if (e.affectsConfiguration('memcode')) host.invalidateAll();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders((e) => e.removed.forEach((f) => host.forget(f))),
    createStatusBar(host),
    watchWorkspace(host),
  );
  registerCommands(context, host, keys, () => chat.reveal());
  registerChatCommands(context, chat);
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {}
