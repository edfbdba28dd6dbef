// The data the chat webview and the host exchange (docs/ARCHITECTURE.md): each shape declared once as a
// schema, its TypeScript type inferred from it, so the check on receipt and the compiler's idea of a
// message cannot drift apart. Bundled into the browser script: imports only valibot and common/.
import * as v from 'valibot';
import { CONTEXT_WINDOW_SOURCES, type ContextUsage, type IndexState, type IndexStatus } from '../common/types';
import { arrayOf, bool, count, lineNumber, nonEmptyStr, num, object, oneOf, str, tagged } from './fields';

export type { ContextUsage, IndexState, IndexStatus };

// Line numbers are 1-based and inclusive; absent for a whole file.
const lineRange = { startLine: v.optional(lineNumber), endLine: v.optional(lineNumber) };

/** Text from the editor that rides along with a user message (the attach button, `@file` mentions). */
export const attachment = object({
  /** Workspace-relative path. */
  path: nonEmptyStr,
  ...lineRange,
  text: str,
});
export type Attachment = v.InferOutput<typeof attachment>;

/** Where an attachment came from, as the transcript shows it (its text is already in the message). */
export const attachmentRef = object({ path: nonEmptyStr, ...lineRange });
export type AttachmentRef = v.InferOutput<typeof attachmentRef>;

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
export const chatError = object({
  kind: oneOf(CHAT_ERROR_KINDS),
  message: str,
  /** e.g. "run MemCode: Set API Key". */
  hint: v.optional(str),
  retryable: bool,
});
export type ChatError = v.InferOutput<typeof chatError>;

export const toolCardStatus = oneOf(['running', 'ok', 'error']);
export type ToolCardStatus = v.InferOutput<typeof toolCardStatus>;

/** A question waiting on the person: shown on its tool card (or a card of its own), answered there or in the editor. */
export const pendingApproval = object({
  id: nonEmptyStr,
  kind: oneOf(['edit', 'command', 'mcp_tool']),
  /** The tool call that asks; absent for a code block's Apply to file / Run in terminal. */
  callId: v.optional(nonEmptyStr),
  /** One line for the person, e.g. "Edit src/app.ts" or "Run `npm test`". */
  title: str,
  /** Workspace-relative, for edits. */
  path: v.optional(str),
  command: v.optional(str),
  /** More to read: the edit's summary, where a command runs, an MCP call's arguments. */
  detail: v.optional(str),
  /** Lines an edit adds and removes. */
  added: v.optional(count),
  removed: v.optional(count),
});
export type PendingApproval = v.InferOutput<typeof pendingApproval>;

/** One file a turn changed, with its line counts; `undone` once put back. */
export const fileChange = object({
  path: nonEmptyStr,
  added: count,
  removed: count,
  created: v.optional(bool),
  undone: v.optional(bool),
});
export type FileChange = v.InferOutput<typeof fileChange>;

/** The file an applied edit changed, and the turn whose checkpoint holds its old text (the card's Open / Undo). */
export const toolCardChange = object({ ...fileChange.entries, turnId: v.optional(str) });
export type ToolCardChange = v.InferOutput<typeof toolCardChange>;

/** One tool call as the collapsible card shows it. */
export const toolCard = object({
  callId: nonEmptyStr,
  /** The tool's function name, e.g. `working_context_append`. */
  name: nonEmptyStr,
  /** The arguments as the model wrote them (possibly almost-JSON). */
  args: str,
  status: toolCardStatus,
  /** The text the model got back; absent while running. */
  result: v.optional(str),
  /** A working-context or archival edit: the card is marked ("updated project notes"). */
  editsMemory: bool,
  /** The working-context block the call touched, when it touched one. */
  block: v.optional(str),
});
export type ToolCard = v.InferOutput<typeof toolCard>;

/** Kinds of non-conversational lines in the transcript. */
export const noticeKind = oneOf(['system_alert', 'auto_recall', 'eviction', 'warning', 'session']);
export type NoticeKind = v.InferOutput<typeof noticeKind>;

/** One entry of the transcript the chat renders. `id` is stable, so the view can key and replace items. */
export const transcriptItem = tagged('type', [
  object({ type: v.literal('user'), id: nonEmptyStr, text: str, time: str, attachments: v.optional(arrayOf(attachmentRef)) }),
  object({ type: v.literal('assistant'), id: nonEmptyStr, text: str, time: str }),
  object({ type: v.literal('tool'), id: nonEmptyStr, card: toolCard }),
  object({ type: v.literal('notice'), id: nonEmptyStr, kind: noticeKind, text: str, time: str }),
  object({ type: v.literal('error'), id: nonEmptyStr, error: chatError, time: str }),
  /** The files a turn changed, with Keep all / Undo all (the turn's checkpoint). */
  object({ type: v.literal('files'), id: nonEmptyStr, turnId: nonEmptyStr, files: arrayOf(fileChange), time: str, state: v.optional(oneOf(['kept', 'undone'])) }),
]);
export type TranscriptItem = v.InferOutput<typeof transcriptItem>;

/** A working-context block as the memory inspector shows and edits it (same fields as BlockRecord). */
export const memoryBlock = object({
  label: nonEmptyStr,
  description: str,
  /** Character limit of the block. */
  limit: count,
  value: str,
});
export type MemoryBlock = v.InferOutput<typeof memoryBlock>;

export const indexStatus = oneOf(['not_indexed', 'indexing', 'ready', 'needs_rebuild', 'error']);

// IndexState is the memory folder's own state (app/memoryFolder.ts), so its type lives in common/ too.
export const indexState = object({
  status: indexStatus,
  files: v.optional(count),
  chunks: v.optional(count),
  /** Progress of a run in files, while `indexing`. */
  done: v.optional(count),
  total: v.optional(count),
  /** Why it needs a rebuild or failed. */
  message: v.optional(str),
});

// ContextUsage is shared with the agent, so its type lives in common/; the schema is checked against it below.
export const contextUsage = object({
  system: num,
  instructions: v.optional(num),
  workingContext: num,
  summary: num,
  queue: num,
  total: num,
  budget: num,
  contextWindow: num,
  contextWindowSource: v.optional(oneOf(CONTEXT_WINDOW_SOURCES)),
});

/** A project instruction file (AGENTS.md, CLAUDE.md, …) in main context, as the inspector lists it. */
export const instructionFile = object({
  path: nonEmptyStr,
  /** Tokens it takes in the prompt (0 when left out or only listed). */
  tokens: count,
  /** Why it is not in the prompt whole, e.g. "cut to fit", "left out (budget)", "listed only". */
  note: v.optional(str),
});
export type InstructionFile = v.InferOutput<typeof instructionFile>;

export const memorySnapshot = object({
  blocks: arrayOf(memoryBlock),
  /** The project's instruction files; absent from a host that does not read them. */
  instructionFiles: v.optional(arrayOf(instructionFile)),
  recallCount: count,
  archivalCount: count,
  indexState,
  /** Absent until the tokenizer has loaded (it takes about a second, so it is not loaded on the view's first draw). */
  usage: v.optional(contextUsage),
  /** Entries whose cited code changed since they were written (memory/staleness.ts); absent from older hosts. */
  stale: v.optional(arrayOf(object({ block: nonEmptyStr, id: str, text: str, why: str, files: arrayOf(str) }))),
  /** One line on what of the memory folder git shares with the team (memory/teamSharing.ts); absent from older hosts. */
  sharing: v.optional(str),
});
export type MemorySnapshot = v.InferOutput<typeof memorySnapshot>;

export const sessionSummary = object({
  id: nonEmptyStr,
  title: str,
  /** ISO times. */
  started: str,
  ended: v.optional(str),
  /** The session the agent is in now (the others are read-only). */
  current: bool,
});
export type SessionSummary = v.InferOutput<typeof sessionSummary>;

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
export const initialState = object({
  session: sessionSummary,
  transcript: arrayOf(transcriptItem),
  memory: memorySnapshot,
  running: bool,
  /** Messages typed while the agent works, not yet delivered. */
  queued: arrayOf(str),
});
export type InitialState = v.InferOutput<typeof initialState>;

// The schema and the shared type must describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const contextUsageMatches: Same<v.InferOutput<typeof contextUsage>, ContextUsage> = true;
void contextUsageMatches;
const indexStateMatches: Same<v.InferOutput<typeof indexState>, IndexState> = true;
void indexStateMatches;

/** Workspace content attached in the composer (`@file`, `@folder`, the paperclip, Add Selection to Chat), with its size. */
export const attachedContent = object({
  attachment,
  /** Tokens the text takes, as the host's tokenizer counts them (the chip shows it). */
  tokens: count,
});
export type AttachedContent = v.InferOutput<typeof attachedContent>;

/** A model server preset of the onboarding panel (app/providerPresets.ts). */
export const providerPresetInfo = object({
  id: nonEmptyStr,
  label: nonEmptyStr,
  baseUrl: str,
  needsKey: bool,
  hint: str,
});
export type ProviderPresetInfo = v.InferOutput<typeof providerPresetInfo>;

/** The model settings as the chat shows them (the onboarding panel, the model picker). */
export const modelConfig = object({
  baseUrl: str,
  model: str,
  hasKey: bool,
  /** False until a key is stored or the base URL points somewhere other than OpenAI (which always needs one). */
  configured: bool,
  presets: arrayOf(providerPresetInfo),
});
export type ModelConfig = v.InferOutput<typeof modelConfig>;
