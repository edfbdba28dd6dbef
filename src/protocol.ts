// The typed messages between the chat webview and the extension host (DESIGN.md §7).
// Per direction, one map from message name to [request, response]; `src/messenger.ts` carries them and
// `src/protocolValidation.ts` checks every one on receipt. Both ends import only this file's types, so the
// compiler checks that the webview asks for what the host answers. Types only: this file is bundled into the
// browser script, so nothing here may pull in Node or vscode.
import type { ContextUsage } from './common/types';

export type { ContextUsage };

// ---- Shared data shapes ------------------------------------------------------------------------

/** Text from the editor that rides along with a user message (the attach button, `@file` mentions). */
export interface Attachment {
  /** Workspace-relative path. */
  path: string;
  /** 1-based, inclusive; absent for a whole file. */
  startLine?: number;
  endLine?: number;
  text: string;
}

/** Where an attachment came from, as the transcript shows it (its text is already in the message). */
export interface AttachmentRef {
  path: string;
  startLine?: number;
  endLine?: number;
}

export type ToolCardStatus = 'running' | 'ok' | 'error';

/** One tool call as the collapsible card shows it. */
export interface ToolCard {
  callId: string;
  /** The tool's function name (DESIGN.md §4), e.g. `working_context_append`. */
  name: string;
  /** The arguments as the model wrote them (possibly almost-JSON). */
  args: string;
  status: ToolCardStatus;
  /** The text the model got back; absent while running. */
  result?: string;
  /** A working-context or archival edit: the card is marked ("updated project notes"). */
  editsMemory: boolean;
  /** The working-context block the call touched, when it touched one. */
  block?: string;
}

/** Kinds of non-conversational lines in the transcript. */
export type NoticeKind = 'system_alert' | 'auto_recall' | 'eviction' | 'warning' | 'session';

/** One entry of the transcript the chat renders. `id` is stable, so the view can key and replace items. */
export type TranscriptItem =
  | { type: 'user'; id: string; text: string; time: string; attachments?: AttachmentRef[] }
  | { type: 'assistant'; id: string; text: string; time: string }
  | { type: 'tool'; id: string; card: ToolCard }
  | { type: 'notice'; id: string; kind: NoticeKind; text: string; time: string }
  | { type: 'error'; id: string; error: ChatError; time: string };

/** A working-context block as the memory inspector shows and edits it (same fields as BlockRecord). */
export interface MemoryBlock {
  label: string;
  description: string;
  /** Character limit of the block. */
  limit: number;
  value: string;
}

export type IndexStatus = 'not_indexed' | 'indexing' | 'ready' | 'needs_rebuild' | 'error';

/** The archival index as the inspector and the status bar show it. */
export interface IndexState {
  status: IndexStatus;
  files?: number;
  chunks?: number;
  /** Progress of a run in files, while `indexing`. */
  done?: number;
  total?: number;
  /** Why it needs a rebuild or failed. */
  message?: string;
}

export interface MemorySnapshot {
  blocks: MemoryBlock[];
  recallCount: number;
  archivalCount: number;
  indexState: IndexState;
  /** Absent until the tokenizer has loaded (it takes about a second, so it is not loaded on the view's first draw). */
  usage?: ContextUsage;
}

export interface SessionSummary {
  id: string;
  title: string;
  /** ISO times. */
  started: string;
  ended?: string;
  /** The session the agent is in now (the others are read-only). */
  current: boolean;
}

export const CHAT_ERROR_KINDS = [
  'no_api_key',
  'auth',
  'rate_limit',
  'context_length',
  'network',
  'server',
  'bad_response',
  'locked',
  'memory',
  'busy',
  'internal',
] as const;
export type ChatErrorKind = (typeof CHAT_ERROR_KINDS)[number];

/** An error shown inline in the chat, with what to do about it and whether Retry makes sense. */
export interface ChatError {
  kind: ChatErrorKind;
  message: string;
  /** e.g. "run MemCode: Set API Key". */
  hint?: string;
  retryable: boolean;
}

/** The commands the webview may run: a fixed list, so a compromised page cannot run arbitrary ones. */
export const WEBVIEW_COMMANDS = [
  'memcode.setApiKey',
  'memcode.indexWorkspace',
  'memcode.rebuildIndex',
  'memcode.newSession',
  'memcode.showMemory',
  'memcode.searchMemory',
  'memcode.resetMemory',
] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

/** Everything the view needs to draw itself after (re)loading. */
export interface InitialState {
  session: SessionSummary;
  transcript: TranscriptItem[];
  memory: MemorySnapshot;
  running: boolean;
  /** Messages typed while the agent works, not yet delivered. */
  queued: string[];
}

// ---- Message maps ------------------------------------------------------------------------------
// [request, response]. `void` means no payload. A response type `AsyncIterable<C>` marks a streamed
// message: the handler returns an async iterable and the caller consumes it with `messenger.stream`.
// Every name must also have a schema in protocolValidation.ts (the compiler enforces it).

/** Requests from the webview, answered by the host. */
export type WebviewToHost = {
  /** The view loaded (or reloaded): the host answers with the state to draw. */
  ready: [void, InitialState];
  'chat/send': [{ text: string; attachments?: Attachment[] }, { queued: boolean }];
  /** Aborts the in-flight request; the queue stays consistent. */
  'chat/stop': [void, void];
  /** Runs the last failed turn again. */
  'chat/retry': [void, void];
  'session/new': [void, SessionSummary];
  /** Oldest first. */
  'session/list': [void, SessionSummary[]];
  'session/open': [{ id: string }, { session: SessionSummary; transcript: TranscriptItem[]; readOnly: boolean }];
  'memory/get': [void, MemorySnapshot];
  /** The person edited a block in the inspector. A limit or unknown block rejects with the reason. */
  'memory/setBlock': [{ label: string; value: string }, { ok: true }];
  /** Inserts code at the active editor's cursor (the code block's Insert button). */
  'editor/insert': [{ code: string }, void];
  /** The active editor's selection (or whole file when nothing is selected); null without an editor. */
  'editor/selection': [void, Attachment | null];
  /** Workspace paths matching what follows `@`, for completion. */
  'workspace/files': [{ query: string; limit?: number }, string[]];
  'command/run': [{ command: WebviewCommand }, void];
};

/** Events from the host to the webview (sent fire-and-forget; nothing is answered). */
export type HostToWebview = {
  /** A piece of the assistant reply being streamed. */
  'agent/text': [{ delta: string }, void];
  /** A finished transcript item (replaces the streamed text when it is the reply). */
  'agent/message': [{ item: TranscriptItem }, void];
  'agent/toolCall': [{ card: ToolCard }, void];
  'agent/toolResult': [{ callId: string; ok: boolean; content: string; editsMemory: boolean; block?: string }, void];
  'agent/status': [{ running: boolean; queued: string[] }, void];
  'agent/error': [{ error: ChatError }, void];
  'memory/updated': [{ snapshot: MemorySnapshot }, void];
  /** A new session started (the view clears its transcript). */
  'session/changed': [{ session: SessionSummary }, void];
};

// ---- Helpers over any map ----------------------------------------------------------------------

/** Any direction's map: name → [request, response]. */
export type ProtocolMap = { [name: string]: [unknown, unknown] };

export type RequestOf<P extends ProtocolMap, K extends keyof P> = P[K][0];
export type ResponseOf<P extends ProtocolMap, K extends keyof P> = P[K][1];
/** The chunk type of a streamed message, `never` for the others. */
export type ChunkOf<P extends ProtocolMap, K extends keyof P> = P[K][1] extends AsyncIterable<infer C> ? C : never;
/** Names whose response is streamed. */
export type StreamedNames<P extends ProtocolMap> = { [K in keyof P]: P[K][1] extends AsyncIterable<unknown> ? K : never }[keyof P];
/** Names answered with one value. */
export type UnaryNames<P extends ProtocolMap> = Exclude<keyof P, StreamedNames<P>>;
