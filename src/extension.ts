// The VS Code entry point: wires the host side (src/host) around the shared core. Activation only
// registers things; the agent, the token counter and archival memory load on first use.
import { trackTeamSharing, trackUserStoreSetting } from './host/userStoreSetting';
import * as vscode from 'vscode';
import { AgentHost } from './host/agentHost';
import { CHAT_VIEW_ID, ChatViewProvider } from './host/chatViewProvider';
import { registerChatCommands } from './host/chatCommands';
import { registerCommands } from './host/commands';
import { watchWorkspace } from './host/indexWatcher';
import { ApiKeyStore } from './host/secrets';
import { createStatusBar } from './host/statusBar';
import { VsCodeCards } from './host/vscodeCards';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MemCode', { log: true });
  // Before any agent opens: the user block is read from the per-user store.
  context.subscriptions.push(trackUserStoreSetting(), trackTeamSharing((m) => log.warn(m)));
  const keys = new ApiKeyStore(context.secrets);
  // Approvals on the chat's cards, in the diff's title bar or a notification; checkpoints per turn.
  const cards = new VsCodeCards(context);
  const host = new AgentHost(keys, cards.approvalsFor, log, cards.turns);
  const chat = new ChatViewProvider(context.extensionUri, host, keys, (messenger) => cards.registerHandlers(messenger));
  cards.connect({ emit: (name, data) => host.emitToChat(name, data), shownFolder: () => host.activeFolderIfOpen()?.folder, chatVisible: () => chat.visible, log });

  context.subscriptions.push(
    log,
    host,
    chat,
    cards,
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
