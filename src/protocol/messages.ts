// The messages between the chat webview and the extension host (docs/ARCHITECTURE.md), after Continue's
// core/protocol: per direction, one map from message name to the schemas of its [request, response].
// The TypeScript maps (`WebviewToHost`, `HostToWebview`) are inferred from these, so both ends are
// typed by the same declaration that checks every message on receipt.
import * as v from 'valibot';
import { arrayOf, bool, count, describeIssue, lineNumber, nonEmptyStr, none, object, oneOf, str } from './fields';
import {
  attachedContent,
  attachment,
  chatError,
  initialState,
  memorySnapshot,
  modelConfig,
  sessionSummary,
  toolCard,
  transcriptItem,
  WEBVIEW_COMMANDS,
  pendingApproval,
  toolCardChange,
} from './shapes';

export interface MessageSchema {
  request: v.GenericSchema;
  response: v.GenericSchema;
}

/** Any direction's map of types: name → [request, response]. `void` means no payload. */
export type ProtocolMap = { [name: string]: [unknown, unknown] };

/** A schema for every name of a map, and only those. */
export type ProtocolSchema<P extends ProtocolMap> = {
  readonly [K in keyof P]-?: { request: v.GenericSchema<unknown, P[K][0]>; response: v.GenericSchema<unknown, P[K][1]> };
};

/** The map of types a map of schemas describes. */
export type MessagesOf<S extends Record<string, MessageSchema>> = {
  -readonly [K in keyof S]: [v.InferOutput<S[K]['request']>, v.InferOutput<S[K]['response']>];
};

export type RequestOf<P extends ProtocolMap, K extends keyof P> = P[K][0];
export type ResponseOf<P extends ProtocolMap, K extends keyof P> = P[K][1];

/** Requests from the webview, answered by the host. */
export const webviewToHostSchema = {
  /** The view loaded (or reloaded): the host answers with the state to draw. */
  ready: { request: none, response: initialState },
  'chat/send': {
    request: object({ text: str, attachments: v.optional(arrayOf(attachment)) }),
    response: object({ queued: bool }),
  },
  /** Aborts the in-flight request; the queue stays consistent. */
  'chat/stop': { request: none, response: none },
  /** Runs the last failed turn again. */
  'chat/retry': { request: none, response: none },
  'session/new': { request: none, response: sessionSummary },
  /** Oldest first. */
  'session/list': { request: none, response: arrayOf(sessionSummary) },
  'session/open': {
    request: object({ id: nonEmptyStr }),
    response: object({ session: sessionSummary, transcript: arrayOf(transcriptItem), readOnly: bool }),
  },
  'memory/get': { request: none, response: memorySnapshot },
  /** The person edited a block in the inspector. A limit or unknown block rejects with the reason. */
  'memory/setBlock': { request: object({ label: nonEmptyStr, value: str }), response: object({ ok: v.literal(true, 'must be true') }) },
  /** Inserts code at the active editor's cursor (the code block's Insert button). */
  'editor/insert': { request: object({ code: str }), response: none },
  /** The active editor's selection (or whole file when nothing is selected); null without an editor. */
  'editor/selection': { request: none, response: v.nullable(attachment) },
  /** Workspace paths matching what follows `@`, for completion. */
  'workspace/files': { request: object({ query: str, limit: v.optional(count) }), response: arrayOf(str) },
  'command/run': { request: object({ command: oneOf(WEBVIEW_COMMANDS) }), response: none },
  /** Makes a past session current again: new messages continue it (core/agent.ts resumeSession). */
  'session/resume': { request: object({ id: nonEmptyStr }), response: sessionSummary },
  'session/rename': { request: object({ id: nonEmptyStr, title: nonEmptyStr }), response: none },
  /** Takes a past session off the list; its messages stay in recall memory. */
  'session/delete': { request: object({ id: nonEmptyStr }), response: none },
  /** A workspace file's (or folder's) content for `@file` / `@folder`, read through the workspace file policy. */
  'workspace/attach': { request: object({ path: nonEmptyStr }), response: arrayOf(attachedContent) },
  /** The paperclip: the editor's selection, or a file picker when no editor is open; [] when cancelled. */
  'editor/attach': { request: none, response: arrayOf(attachedContent) },
  'model/config': { request: none, response: modelConfig },
  /** Lists the server's models (the openai client's models.list); rejects with a readable reason. */
  'model/test': { request: object({ baseUrl: nonEmptyStr, apiKey: v.optional(str) }), response: object({ models: arrayOf(str) }) },
  /** Writes memcode.baseUrl / memcode.model (and the key to secret storage, when given). */
  'model/save': { request: object({ baseUrl: nonEmptyStr, model: nonEmptyStr, apiKey: v.optional(str) }), response: modelConfig },
  /** The configured server's models, for the header's model picker. */
  'model/list': { request: none, response: object({ models: arrayOf(str) }) },
  /** Ids of the sessions whose messages (the person's and the replies) contain the words, for History's search. */
  'session/search': { request: object({ query: nonEmptyStr }), response: arrayOf(str) },
  /** Answers a question on a card; `ok` is false when it was already answered elsewhere (the diff's title bar). */
  'approval/answer': {
    request: object({ id: nonEmptyStr, answer: oneOf(['accept', 'always', 'reject']), reason: v.optional(str) }),
    response: object({ ok: bool }),
  },
  /** The questions open now (a reloaded view puts them back on their cards). */
  'approval/list': { request: none, response: arrayOf(pendingApproval) },
  /** Opens a workspace file in the editor, at a line when given. */
  'file/open': { request: object({ path: nonEmptyStr, line: v.optional(lineNumber) }), response: none },
  /** Puts one applied edit back (an undoable editor change); rejects with the reason when the file changed since. */
  'edit/undo': { request: object({ callId: nonEmptyStr }), response: object({ path: str }) },
  /** Restores the workspace files as they were before that turn (later turns' edits included). */
  'turn/restore': { request: object({ turnId: nonEmptyStr }), response: object({ restored: arrayOf(str) }) },
  /** Keep all on a turn's summary: remembered, so the summary shows it after a reload. */
  'turn/keep': { request: object({ turnId: nonEmptyStr }), response: none },
  /** The edits the checkpoints hold, by tool call, so a reloaded transcript's cards get their Open / Undo back. */
  'review/state': { request: none, response: object({ edits: arrayOf(object({ callId: nonEmptyStr, change: toolCardChange })) }) },
  /** A code block's Apply to file: proposed as an edit, through the same approval and review. */
  'code/apply': { request: object({ code: str, language: v.optional(str) }), response: none },
  /** A code block's Run in terminal, after command approval. */
  'code/run': { request: object({ code: str }), response: none },
} satisfies Record<string, MessageSchema>;
export type WebviewToHost = MessagesOf<typeof webviewToHostSchema>;

/** Events from the host to the webview (sent fire-and-forget; nothing is answered). */
export const hostToWebviewSchema = {
  /** A piece of the assistant reply being streamed. */
  'agent/text': { request: object({ delta: str }), response: none },
  /** A finished transcript item (replaces the streamed text when it is the reply). */
  'agent/message': { request: object({ item: transcriptItem }), response: none },
  'agent/toolCall': { request: object({ card: toolCard }), response: none },
  'agent/toolResult': {
    request: object({ callId: nonEmptyStr, ok: bool, content: str, editsMemory: bool, block: v.optional(str) }),
    response: none,
  },
  'agent/status': { request: object({ running: bool, queued: arrayOf(str) }), response: none },
  'agent/error': { request: object({ error: chatError }), response: none },
  'memory/updated': { request: object({ snapshot: memorySnapshot }), response: none },
  /** A new session started (the view clears its transcript). */
  'session/changed': { request: object({ session: sessionSummary }), response: none },
  /** Content to add to the composer (MemCode: Add Selection to Chat). */
  'composer/attach': { request: object({ items: arrayOf(attachedContent) }), response: none },
  /** MemCode: Focus Chat. */
  'composer/focus': { request: none, response: none },
  /** MemCode: Set Up Model: show the onboarding panel. */
  'onboarding/show': { request: none, response: none },
  /** A question for the person: drawn on its tool card, or on a card of its own. */
  'approval/pending': { request: object({ approval: pendingApproval }), response: none },
  /** Answered (here or in the editor) or withdrawn (Stop): the card stops asking. */
  'approval/settled': { request: object({ id: nonEmptyStr, callId: v.optional(nonEmptyStr), outcome: oneOf(['accepted', 'rejected', 'withdrawn']) }), response: none },
  /** An edit was applied: its card shows the file, its +/− lines, Open and Undo. */
  'edit/applied': { request: object({ callId: nonEmptyStr, change: toolCardChange }), response: none },
} satisfies Record<string, MessageSchema>;
export type HostToWebview = MessagesOf<typeof hostToWebviewSchema>;

/**
 * Checks one payload against a map's schema: the reason it is wrong, naming the field
 * ("data.attachments[0].startLine must be a line number >= 1 (got 0)"), or undefined when it is fine.
 * Unknown names are refused like malformed payloads.
 */
export function validatePayload<P extends ProtocolMap>(
  schema: ProtocolSchema<P>,
  name: string,
  part: keyof MessageSchema,
  data: unknown,
): string | undefined {
  if (!Object.hasOwn(schema, name)) return `unknown message "${name}"`;
  const result = v.safeParse(schema[name as keyof P][part], data, { abortEarly: true });
  return result.success ? undefined : describeIssue(result.issues[0]);
}
