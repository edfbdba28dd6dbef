// What every importer turns another tool's history into, before it is written to recall memory.

export const IMPORT_SOURCES = ['claude-code', 'codex', 'cline', 'jsonl'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** The tool's name as a person reads it. */
export const SOURCE_NAMES: Record<ImportSource, string> = { 'claude-code': 'Claude Code', codex: 'Codex', cline: 'Cline', jsonl: 'JSONL' };

export function isImportSource(v: string): v is ImportSource {
  return (IMPORT_SOURCES as readonly string[]).includes(v);
}

export interface ImportedMessage {
  /** Stable within its session across imports (the tool's message uuid, or the message's index). */
  key: string;
  role: 'user' | 'assistant';
  content: string;
  /** ISO time the message was originally written (its first part, for a reply spread over several). */
  time: string;
  /** When its last part was written, if later: the session's end. */
  lastTime?: string;
}

export interface ImportedSession {
  source: ImportSource;
  /** The tool's own id for the session (Claude Code's sessionId, Codex's session id, Cline's task id). */
  id: string;
  messages: ImportedMessage[];
}

/** A conversation file read from disk, with a time to fall back on when its lines carry none. */
export interface ConversationFile {
  path: string;
  text: string;
  /** The file's modification time, ISO. */
  mtime: string;
}
