// The sidebar chat: the webview's HTML (strict CSP, one nonce'd script), the Transport over
// postMessage, and one small handler per WebviewToHost message (src/protocol/messages.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { createHostMessenger, type HostMessenger, type Transport } from '../protocol/messenger';
import type { HostToWebview } from '../protocol/messages';
import type { AgentHost } from './agentHost';
import { registerChatHandlers } from './chatHandlers';
import { chatPageHtml } from './chatHtml';
import { registerContextHandlers } from './contextHandlers';
import { registerModelHandlers } from './modelHandlers';
import type { ApiKeyStore } from './secrets';
import { registerSessionHandlers } from './sessionHandlers';
import { VsCodeContextEditor, VsCodeModelSettings } from './vscodeChatPlumbing';
import { VsCodeEditorBridge } from './vscodeEditorBridge';

export const CHAT_VIEW_ID = 'memcode.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private messenger?: HostMessenger;
  private view?: vscode.WebviewView;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: AgentHost,
    private readonly keys: ApiKeyStore,
    /** More handlers on the same messenger (the tool cards' requests, vscodeCards.ts). */
    private readonly moreHandlers?: (messenger: HostMessenger) => void,
  ) {}

  /** Whether the chat is on screen (its cards can ask; no notification needed). */
  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    this.messenger?.dispose();
    const messenger = createHostMessenger(webviewTransport(webview), { log: (m) => this.host.log.warn(`webview: ${m}`) });
    this.messenger = messenger;
    const shownFolder = () => this.host.activeFolderIfOpen()?.folder;
    registerChatHandlers(messenger, { host: this.host, editor: new VsCodeEditorBridge(shownFolder) });
    registerSessionHandlers(messenger, this.host);
    registerContextHandlers(messenger, this.host, new VsCodeContextEditor(shownFolder));
    registerModelHandlers(messenger, new VsCodeModelSettings(shownFolder), this.keys);
    this.moreHandlers?.(messenger);
    this.host.connect({
      emit: <K extends keyof HostToWebview & string>(name: K, data: HostToWebview[K][0]) =>
        (messenger.send as (n: string, d: unknown) => void).call(messenger, name, data),
    });
    view.onDidDispose(() => {
      if (this.messenger === messenger) {
        this.host.connect(undefined);
        messenger.dispose();
        this.messenger = undefined;
        this.view = undefined;
      }
    });
    webview.html = this.html(webview);
  }

  /** Brings the chat into view (the status bar item, after a command). */
  reveal(): void {
    if (this.view) this.view.show(true);
    else void vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  /**
   * Tells the chat something from a command (Add Selection to Chat, Focus Chat, Set Up Model), revealing it
   * first; a view that is still loading gets it once it has resolved.
   */
  async tell<K extends 'composer/attach' | 'composer/focus' | 'onboarding/show'>(name: K, data: HostToWebview[K][0]): Promise<void> {
    if (this.view) this.view.show(false);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    for (let waited = 0; !this.messenger && waited < 5_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    (this.messenger?.send as ((n: string, d: unknown) => void) | undefined)?.call(this.messenger, name, data);
  }

  dispose(): void {
    this.messenger?.dispose();
  }

  private html(webview: vscode.Webview): string {
    const asset = (...parts: string[]) => vscode.Uri.joinPath(this.extensionUri, ...parts);
    // Codicons ship only if the build copied them into dist/ (the webview cannot reach node_modules).
    const codicons = asset('dist', 'codicons', 'codicon.css');
    return chatPageHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(asset('dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(asset('media', 'chat.css')).toString(),
      layoutStyleUri: webview.asWebviewUri(asset('media', 'layout.css')).toString(),
      cardsStyleUri: webview.asWebviewUri(asset('media', 'cards.css')).toString(),
      codiconsUri: fs.existsSync(codicons.fsPath) ? webview.asWebviewUri(codicons).toString() : undefined,
    });
  }
}

function webviewTransport(webview: vscode.Webview): Transport {
  return {
    post: (message) => {
      void webview.postMessage(message);
    },
    onMessage: (listener) => {
      const subscription = webview.onDidReceiveMessage(listener);
      return () => subscription.dispose();
    },
  };
}
