// One small handler per request the chat webview can make (protocol/messages.ts WebviewToHost). No vscode here:
// the handlers reach the agents through ChatHost (AgentHost implements it) and the editor through
// EditorBridge (vscodeEditorBridge.ts), so the tests run them over a real messenger.
import type { WorkingContext } from '../memory/workingContext';
import type { HostMessenger } from '../protocol/messenger';
import type { QueuedMessage } from '../core/events';
import type { Attachment, InitialState, MemorySnapshot, SessionSummary, TranscriptItem, WebviewCommand } from '../protocol/shapes';

/** One folder's agent as the handlers use it (FolderAgent). */
export interface ChatFolder {
  readonly running: boolean;
  /** Messages typed while a turn runs (the agent's queue). */
  readonly queued: readonly QueuedMessage[];
  currentSession(): Promise<SessionSummary>;
  sessions(): Promise<SessionSummary[]>;
  transcript(sessionId?: string): Promise<TranscriptItem[]>;
  snapshot(): Promise<MemorySnapshot>;
  /** The agent, reloaded from disk when idle. */
  agent(): Promise<{ workingContext: Pick<WorkingContext, 'setValue'> }>;
}

/** The agents behind the chat (AgentHost). */
export interface ChatHost {
  /** The shown folder's agent; throws a readable error when no folder is open. */
  activeFolder(): ChatFolder;
  send(text: string, attachments?: Attachment[]): Promise<{ queued: boolean }>;
  stop(): void;
  retry(): void;
  newSession(): Promise<SessionSummary>;
  memoryChanged(): void;
}

/** What the chat asks of the editor. */
export interface EditorBridge {
  /** Inserts at the cursor of the active (or first visible) editor; throws when none is open. */
  insert(code: string): Promise<void>;
  /** The active editor's selection, or its whole file when nothing is selected; null without an editor. */
  selection(): Attachment | null;
  /** Workspace-relative paths of the shown folder whose path contains `query`, at most `limit`, sorted. */
  findFiles(query: string, limit: number): Promise<string[]>;
  runCommand(command: WebviewCommand): Promise<void>;
}

export interface ChatHandlerDeps {
  host: ChatHost;
  editor: EditorBridge;
}

const MAX_FILES = 200;

export function registerChatHandlers(messenger: HostMessenger, { host, editor }: ChatHandlerDeps): void {
  messenger.on('ready', async (): Promise<InitialState> => {
    const folderAgent = host.activeFolder();
    const [session, transcript, memory] = [await folderAgent.currentSession(), await folderAgent.transcript(), await folderAgent.snapshot()];
    return { session, transcript, memory, running: folderAgent.running, queued: folderAgent.queued.map((q) => q.text) };
  });

  messenger.on('chat/send', ({ text, attachments }) => host.send(text, attachments));
  messenger.on('chat/stop', () => host.stop());
  messenger.on('chat/retry', () => host.retry());

  messenger.on('session/new', () => host.newSession());
  messenger.on('session/list', () => host.activeFolder().sessions());
  messenger.on('session/open', async ({ id }) => {
    const folderAgent = host.activeFolder();
    const sessions = await folderAgent.sessions();
    const session = sessions.find((s) => s.id === id);
    if (!session) throw new Error(`no session ${id} in this folder's memory`);
    return { session, transcript: await folderAgent.transcript(id), readOnly: !session.current };
  });

  messenger.on('memory/get', () => host.activeFolder().snapshot());
  messenger.on('memory/setBlock', async ({ label, value }) => {
    const agent = await host.activeFolder().agent();
    agent.workingContext.setValue(label, value);
    host.memoryChanged();
    return { ok: true as const };
  });

  messenger.on('editor/insert', ({ code }) => editor.insert(code));
  messenger.on('editor/selection', () => editor.selection());
  messenger.on('workspace/files', ({ query, limit }) => editor.findFiles(query, Math.max(1, Math.min(limit ?? 20, MAX_FILES))));
  messenger.on('command/run', ({ command }) => editor.runCommand(command));
}
