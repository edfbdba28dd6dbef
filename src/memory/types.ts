// Records stored in the project's memory folder (DESIGN.md §5). Declared once, imported everywhere.
import type { Role, ToolCall } from '../common/types';

export const SCHEMA_VERSION = 1;

export interface AgentFile {
  schemaVersion: number;
  agentId: string;
  created: string;
  model?: string;
}

/** What a queue entry is, beyond its role: lets the UI and summarizer tell alerts from talk. */
export type MessageKind = 'message' | 'system_alert' | 'auto_recall' | 'tool_result';

/**
 * Editor text sent along with a person's message (a selection, an `@file`). Kept apart from what they
 * typed so the chat shows their words; core/userMessage.ts joins the two into what the model reads.
 */
export interface MessageAttachment {
  /** Workspace-relative path. */
  path: string;
  /** 1-based, inclusive; absent for a whole file. */
  startLine?: number;
  endLine?: number;
  text: string;
}

/** One line of recall/messages.jsonl. Append-only; `id` increases by one per message. */
export interface MessageRecord {
  id: number;
  session: string;
  role: Role;
  content: string;
  kind?: MessageKind;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  /** Tool name, on tool results. */
  name?: string;
  /** On user messages. Records written before this field carry attachments inside `content`. */
  attachments?: MessageAttachment[];
  /** On tool results: whether the call succeeded. Absent on records written before it was stored. */
  ok?: boolean;
  /** On tool results: the call changed memory (its tool declares `editsMemory`, and it succeeded). */
  editsMemory?: boolean;
  /** On tool results: the working-context block the call named. */
  block?: string;
  /**
   * Set on history imported from another tool (`memcode import`): the tool's name (`claude-code`, `codex`,
   * `cline`, `jsonl`). Such a record is searchable but never part of the conversation queue.
   */
  importedFrom?: string;
  /** ISO time (from the settable clock; an imported message keeps its original time, so the log is not in time order). */
  time: string;
  tokens: number;
}

/** recall/state.json: what of the log is in context and what was folded into the summary. */
export interface RecallState {
  summary: string;
  /** Messages with id >= this are in the conversation queue; older ones only in recall. */
  firstInContextId: number;
  /** True once a memory-pressure alert was raised in the current pressure episode. */
  pressureAlerted: boolean;
  /** When the state was last saved. */
  updated: string;
}

export interface SessionRecord {
  id: string;
  title: string;
  started: string;
  ended?: string;
  /** A session imported from another tool's history: the tool's name (see MessageRecord.importedFrom). */
  importedFrom?: string;
}

export interface BlockRecord {
  label: string;
  description: string;
  limit: number;
  value: string;
}

export interface Page<T> {
  total: number;
  page: number;
  pages: number;
  results: T[];
}

/** Raised for any problem with the memory folder; `kind` says what the person can do about it. */
export type MemoryErrorKind = 'locked' | 'schema_newer' | 'corrupt' | 'io' | 'limit' | 'not_found' | 'invalid';

export class MemoryError extends Error {
  constructor(
    readonly kind: MemoryErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MemoryError';
  }
}

/** A settable clock (MEMCODE_NOW) so timelines and tests can span simulated days. */
export type Clock = () => Date;
