// The host's agents: one FolderAgent per workspace folder, the chat's turns over them, and the
// translation of the agent's observer callbacks into the protocol's HostToWebview events.
import * as vscode from 'vscode';
import type { AgentObserver, UserMessage } from '../core/events';
import type { HostToWebview } from '../protocol/messages';
import type { Attachment, ChatError, SessionSummary, TranscriptItem } from '../protocol/shapes';
import type { ApprovalProvider } from '../tools/types';
import { toChatError } from './chatErrors';
import { FolderAgent } from './folderAgent';
import { baseUrlFrom } from './memcodeSettings';
import type { ApiKeyStore } from './secrets';
import { cardFor, toItem } from './transcript';
import { consolidateAfterSession } from './consolidateMemoryCommand';

/** Where events go: the chat view when it is open (nowhere otherwise). */
export interface HostEvents {
  emit<K extends keyof HostToWebview & string>(name: K, data: HostToWebview[K][0]): void;
}

export class AgentHost implements vscode.Disposable {
  private readonly folders = new Map<string, FolderAgent>();
  private shown?: string;
  private sink?: HostEvents;
  private memoryTimer?: ReturnType<typeof setTimeout>;
  private notices = 0;
  /**
   * The message that starts a turn until it reaches recall, so Retry can send it again when the turn failed
   * before that. It is the first person's message the turn records: queued ones follow it.
   */
  private unsent?: { folder: string; message: UserMessage };
  private readonly changed = new vscode.EventEmitter<void>();
  /** Running state, index state or memory changed (the status bar listens). */
  readonly onDidChange = this.changed.event;
  lastError?: ChatError;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly approvalsFor: (folder: vscode.WorkspaceFolder) => ApprovalProvider,
    readonly log: vscode.LogOutputChannel,
    /** Each turn's checkpoint (vscodeCards.ts): its end brings the "files changed" item when files changed. */
    private readonly turns?: {
      begin(folder: vscode.WorkspaceFolder): void;
      end(folder: vscode.WorkspaceFolder): TranscriptItem | undefined;
      /** Puts each turn's "files changed" item back into a transcript read from recall. */
      decorate?(folder: vscode.WorkspaceFolder, items: TranscriptItem[]): TranscriptItem[];
    },
  ) {}

  /** For the tool cards' events (approvals, applied edits), which do not come from the agent's observer. */
  emitToChat<K extends keyof HostToWebview & string>(name: K, data: HostToWebview[K][0]): void {
    this.sink?.emit(name, data);
  }

  dispose(): void {
    for (const folderAgent of this.folders.values()) {
      folderAgent.agentStop();
      void folderAgent.close();
      folderAgent.memory.dispose();
    }
    this.changed.dispose();
  }

  connect(sink: HostEvents | undefined): void {
    this.sink = sink;
  }

  /** The folder the chat shows: the active editor's when first asked, else the first one. */
  activeFolderIfOpen(): FolderAgent | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!folders.length) return undefined;
    let folder = folders.find((f) => f.uri.toString() === this.shown);
    if (!folder) {
      const editor = vscode.window.activeTextEditor;
      folder = (editor && vscode.workspace.getWorkspaceFolder(editor.document.uri)) || folders[0];
      this.shown = folder.uri.toString();
    }
    return this.forFolder(folder);
  }

  /** Throws a readable error when no folder is open, for commands and handlers. */
  activeFolder(): FolderAgent {
    const folderAgent = this.activeFolderIfOpen();
    if (!folderAgent) throw new Error('open a folder first: MemCode keeps its memory per workspace folder');
    return folderAgent;
  }

  forFolder(folder: vscode.WorkspaceFolder): FolderAgent {
    const key = folder.uri.toString();
    let folderAgent = this.folders.get(key);
    if (!folderAgent) {
      folderAgent = new FolderAgent({
        folder,
        keys: this.keys,
        approvals: this.approvalsFor(folder),
        observer: this.observer(key),
        log: (m) => this.log.warn(m),
        onMemoryChanged: () => this.memoryChanged(),
        decorate: this.turns?.decorate && ((items) => this.turns?.decorate?.(folder, items) ?? items),
      });
      this.folders.set(key, folderAgent);
    }
    return folderAgent;
  }

  all(): FolderAgent[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => this.forFolder(f));
  }

  /** Settings or the key changed: every agent is rebuilt before its next turn. */
  invalidateAll(): void {
    for (const folderAgent of this.folders.values()) folderAgent.invalidate();
    this.memoryChanged();
  }

  /** The memory folder moved (memcode.storagePath): idle folders start over on the new one. */
  restartIdle(): void {
    for (const folderAgent of [...this.folders.values()]) if (!folderAgent.running) this.restart(folderAgent);
  }

  forget(folder: vscode.WorkspaceFolder): void {
    void this.folders.get(folder.uri.toString())?.close();
    this.folders.get(folder.uri.toString())?.memory.dispose();
    this.folders.delete(folder.uri.toString());
    if (this.shown === folder.uri.toString()) this.shown = undefined;
  }

  // ---- turns --------------------------------------------------------------------------------------

  async send(text: string, attachments: Attachment[] = []): Promise<{ queued: boolean }> {
    const folderAgent = this.activeFolder();
    const message: UserMessage = attachments.length ? { text, attachments } : { text };
    if (folderAgent.running) {
      // The agent queues it for the running turn's next step and reports its queue (onQueue).
      void folderAgent.send(message).catch(() => undefined);
      return { queued: true };
    }
    this.unsent = { folder: folderAgent.folder.uri.toString(), message };
    this.runTurn(folderAgent, (agent) => agent.send(message));
    return { queued: false };
  }

  retry(): void {
    const folderAgent = this.activeFolder();
    if (folderAgent.running) return;
    const unsent = this.unsent?.folder === folderAgent.folder.uri.toString() ? this.unsent.message : undefined;
    this.runTurn(folderAgent, (agent) => (unsent ? agent.send(unsent) : agent.retry()));
  }

  /** Closes the current session (its queue folded into the summary) and tells the chat to clear. */
  async newSession(): Promise<SessionSummary> {
    const folderAgent = this.activeFolder();
    const agent = await folderAgent.agent();
    await agent.newSession();
    consolidateAfterSession(this, folderAgent);
    const session = await folderAgent.currentSession();
    this.log.info(`new session ${session.id} in ${folderAgent.root}`);
    this.sink?.emit('session/changed', { session });
    this.memoryChanged();
    return session;
  }

  /** Makes a past session current again (its queue recapped, new messages continue it) and tells the chat. */
  async resumeSession(id: string): Promise<SessionSummary> {
    const folderAgent = this.activeFolder();
    const agent = await folderAgent.agent();
    await agent.resumeSession(id);
    const session = await folderAgent.currentSession();
    this.log.info(`resumed session ${session.id} in ${folderAgent.root}`);
    this.sink?.emit('session/changed', { session });
    this.memoryChanged();
    return session;
  }

  /** After a reset the folder starts over: a fresh agent and a fresh view of its archival memory. */
  restart(folderAgent: FolderAgent): void {
    const key = folderAgent.folder.uri.toString();
    // The old memory folder's pending retries must not write into the new one.
    void folderAgent.close();
    folderAgent.memory.dispose();
    this.folders.delete(key);
    if (this.shown !== key) return;
    void this.forFolder(folderAgent.folder).currentSession().then(
      (session) => this.sink?.emit('session/changed', { session }),
      (error: unknown) => this.log.warn(`could not reopen memory: ${(error as Error).message}`),
    );
    this.memoryChanged();
  }

  stop(): void {
    this.activeFolderIfOpen()?.agentStop();
  }

  private runTurn(folderAgent: FolderAgent, start: (agent: Awaited<ReturnType<FolderAgent['agent']>>) => Promise<unknown>): void {
    this.lastError = undefined;
    this.turns?.begin(folderAgent.folder);
    void (async () => {
      try {
        const baseUrl = folderAgent.settings().baseUrl;
        // OpenAI itself always needs a key: say so before a round trip (local servers often need none).
        if (/^https:\/\/api\.openai\.com\b/.test(baseUrl) && !(await this.keys.get())) {
          const error: ChatError = { kind: 'no_api_key', message: `no API key for ${baseUrl}`, hint: `run MemCode: Set API Key (or point ${baseUrlFrom(process.env)} at a local server)`, retryable: true };
          this.lastError = error;
          this.sink?.emit('agent/error', { error });
          return;
        }
        const agent = await folderAgent.agent();
        const turn = start(agent);
        this.emitStatus(folderAgent);
        await turn;
      } catch (error) {
        const chatError = toChatError(error, { hasApiKey: Boolean(await this.keys.get()), baseUrl: folderAgent.settings().baseUrl, baseUrlFrom: baseUrlFrom(process.env) });
        this.lastError = chatError;
        this.log.error(`turn failed (${chatError.kind}): ${chatError.message}`);
        this.sink?.emit('agent/error', { error: chatError });
      } finally {
        const files = this.turns?.end(folderAgent.folder);
        if (files && this.shown === folderAgent.folder.uri.toString()) this.sink?.emit('agent/message', { item: files });
        this.emitStatus(folderAgent);
        this.memoryChanged();
      }
    })();
  }

  emitStatus(folderAgent: FolderAgent): void {
    this.sink?.emit('agent/status', { running: folderAgent.running, queued: folderAgent.queued.map((q) => q.text) });
    this.changed.fire();
  }

  /** Debounced: a turn reports usage and tool results in bursts. */
  memoryChanged(): void {
    this.changed.fire();
    if (this.memoryTimer) clearTimeout(this.memoryTimer);
    this.memoryTimer = setTimeout(() => {
      const folderAgent = this.activeFolderIfOpen();
      if (!folderAgent || !this.sink) return;
      folderAgent.snapshot().then(
        (snapshot) => this.sink?.emit('memory/updated', { snapshot }),
        (error: unknown) => this.log.warn(`could not read memory: ${(error as Error).message}`),
      );
    }, 150);
  }

  private notice(kind: 'eviction' | 'warning', text: string): TranscriptItem {
    return { type: 'notice', id: `n${Date.now()}-${this.notices++}`, kind, text, time: new Date().toISOString() };
  }

  private observer(folderKey: string): AgentObserver {
    // Only the shown folder's agent speaks into the chat; the others still update the status bar.
    const shown = () => this.shown === folderKey;
    const folderAgent = () => this.folders.get(folderKey);
    return {
      onText: (delta) => shown() && this.sink?.emit('agent/text', { delta }),
      onMessage: (record) => {
        if (record.role === 'user' && this.unsent?.folder === folderKey) this.unsent = undefined;
        if (!shown()) return;
        // Tool cards arrive through onToolCall; the assistant item carries only the text.
        for (const item of toItem({ ...record, toolCalls: undefined })) this.sink?.emit('agent/message', { item });
      },
      onToolCall: (call) => shown() && this.sink?.emit('agent/toolCall', { card: cardFor(call) }),
      onToolResult: (call, result) => {
        if (shown()) this.sink?.emit('agent/toolResult', { callId: call.id, ok: result.ok, content: result.content, editsMemory: result.editsMemory, ...(result.block !== undefined ? { block: result.block } : {}) });
        if (result.editsMemory) this.memoryChanged();
      },
      onQueue: () => {
        const folder = folderAgent();
        if (folder) this.emitStatus(folder);
      },
      onEviction: (report) => {
        // A summarizer failure already arrives as a warning; this notice only says what moved.
        const text = `${report.evicted} older ${report.evicted === 1 ? 'message' : 'messages'} moved out of context into recall memory and summarized`;
        if (shown()) this.sink?.emit('agent/message', { item: this.notice('eviction', text) });
      },
      onContextUsage: () => this.memoryChanged(),
      onContextWindow: () => this.memoryChanged(),
      onWarning: (message) => {
        this.log.warn(message);
        if (shown()) this.sink?.emit('agent/message', { item: this.notice('warning', message) });
      },
    };
  }
}
