// `memcode import` and MemCode: Import Conversations: past conversations from other tools (Claude Code,
// Codex, Cline, the generic JSONL) into recall memory, with their original dates, one session each,
// searchable at once by conversation_search. Imported messages are marked (`importedFrom`), so they are
// history to search, never part of the conversation queue (RecallLog.since skips them). What was
// imported is remembered by hash in recall/imported.jsonl (importIndex.ts): importing the same file again adds nothing,
// and a session that grew since adds only its new messages, to the same MemCode session.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sessionTitle } from '../core/sessionTitle';
import { createTokenCounter } from '../llm/tokens';
import type { TokenCounter } from '../llm/types';
import { RecallLog } from '../memory/recall';
import { newSessionId, SessionList } from '../memory/sessions';
import { MemoryStore } from '../memory/store';
import type { MessageRecord } from '../memory/types';
import { parseClaudeCode } from './importFormats/claudeCode';
import { parseCline } from './importFormats/cline';
import { parseCodex } from './importFormats/codex';
import { ImportIndex } from './importIndex';
import { CLINE_UI_MESSAGES } from './importFormats/detect';
import { findConversationFiles, type FoundFile, type PassedOver } from './importFormats/discover';
import { parseGenericJsonl } from './importFormats/genericJsonl';
import type { ConversationFile, ImportedSession, ImportSource } from './importFormats/types';

export { IMPORT_SOURCES, isImportSource, SOURCE_NAMES, type ImportSource } from './importFormats/types';

export interface ImportOptions {
  memoryRoot: string;
  /** Files and folders; folders are searched for conversation files. */
  paths: readonly string[];
  /** The format of every file; detected per file (by path, then content) when absent. */
  from?: ImportSource;
  lockWaitMs?: number;
  onLockWait?: (message: string) => void;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops between files; what was imported stays (and is not imported twice next time). */
  signal?: AbortSignal;
  warn?: (message: string) => void;
}

export interface ImportProgress {
  file: string;
  filesDone: number;
  filesTotal: number;
}

export interface ImportedFileReport {
  path: string;
  source: ImportSource;
  /** Sessions in the file that hold messages. */
  sessions: number;
  /** Sessions added to sessions.json (the rest were imported before). */
  newSessions: number;
  /** Messages added to recall memory. */
  added: number;
  /** Messages already imported before. */
  duplicates: number;
}

export interface ImportReport {
  files: ImportedFileReport[];
  skipped: PassedOver[];
  failed: PassedOver[];
  added: number;
  duplicates: number;
  newSessions: number;
  cancelled: boolean;
}

export async function importConversations(opts: ImportOptions): Promise<ImportReport> {
  const warn = opts.warn ?? ((m: string) => console.warn(`[memcode] ${m}`));
  const store = MemoryStore.open(opts.memoryRoot, { warn });
  const recall = RecallLog.open(store.paths, { warn });
  const sessions = SessionList.open(store.paths, { warn });
  const tokens = createTokenCounter();
  const index = new ImportIndex(store.paths.importedFile);
  const found = findConversationFiles(opts.paths, opts.from, store.root);
  const report: ImportReport = { files: [], skipped: found.skipped, failed: found.failed, added: 0, duplicates: 0, newSessions: 0, cancelled: false };
  for (const [i, file] of found.files.entries()) {
    if (opts.signal?.aborted) {
      report.cancelled = true;
      break;
    }
    opts.onProgress?.({ file: file.path, filesDone: i, filesTotal: found.files.length });
    let parsed: ImportedSession[];
    try {
      parsed = parseFile(file);
    } catch (err) {
      report.failed.push({ path: file.path, reason: (err as Error).message });
      continue;
    }
    // One file at a time under the lock: a chat in another window waits for one file, not the whole import.
    const result = await store.withLock('import conversations', async () => writeSessions(parsed, { recall, sessions, tokens, index }), opts.lockWaitMs ?? 30_000, opts.onLockWait);
    report.files.push({ path: file.path, source: file.source, ...result });
    report.added += result.added;
    report.duplicates += result.duplicates;
    report.newSessions += result.newSessions;
  }
  if (!report.cancelled) opts.onProgress?.({ file: '', filesDone: found.files.length, filesTotal: found.files.length });
  return report;
}

function parseFile(found: FoundFile): ImportedSession[] {
  const file = readConversation(found.path);
  switch (found.source) {
    case 'claude-code':
      return parseClaudeCode(file);
    case 'codex':
      return parseCodex(file);
    case 'cline': {
      const ui = path.join(path.dirname(found.path), CLINE_UI_MESSAGES);
      return parseCline(file, fs.existsSync(ui) ? fs.readFileSync(ui, 'utf8') : undefined);
    }
    case 'jsonl':
      return parseGenericJsonl(file);
  }
}

function readConversation(file: string): ConversationFile {
  return { path: file, text: fs.readFileSync(file, 'utf8'), mtime: fs.statSync(file).mtime.toISOString() };
}

interface WriteContext {
  recall: RecallLog;
  sessions: SessionList;
  tokens: TokenCounter;
  index: ImportIndex;
}

function writeSessions(parsed: readonly ImportedSession[], ctx: WriteContext): Omit<ImportedFileReport, 'path' | 'source'> {
  // Under the lock: another process may have imported since.
  ctx.index.refresh();
  const result = { sessions: 0, newSessions: 0, added: 0, duplicates: 0 };
  for (const session of parsed) {
    if (!session.messages.length) continue;
    result.sessions++;
    const seen = new Set<string>();
    const fresh = session.messages
      .map((m) => ({ m, hash: messageHash(session, m) }))
      .filter(({ hash }) => !ctx.index.has(hash) && !seen.has(hash) && seen.add(hash));
    result.duplicates += session.messages.length - fresh.length;
    if (!fresh.length) continue;
    const times = session.messages.flatMap((m) => [Date.parse(m.time), Date.parse(m.lastTime ?? m.time)]).filter(Number.isFinite);
    const started = new Date(Math.min(...times)).toISOString();
    const ended = new Date(Math.max(...times)).toISOString();
    const key = `${session.source}:${session.id}`;
    // A session that grew since it was imported gets its new messages, unless its entry was removed from sessions.json.
    const earlier = ctx.index.sessionFor(key);
    const grows = earlier !== undefined && ctx.sessions.list().some((s) => s.id === earlier);
    const sessionId = grows ? earlier : newSessionId(new Date(started));
    const records: MessageRecord[] = fresh.map(({ m }) =>
      ctx.recall.append({
        session: sessionId,
        role: m.role,
        kind: 'message',
        content: m.content,
        importedFrom: session.source,
        time: m.time,
        tokens: ctx.tokens.countMessage({ role: m.role, content: m.content }),
      }),
    );
    if (grows) ctx.sessions.extend(sessionId, ended);
    else {
      ctx.sessions.addEnded({ id: sessionId, title: sessionTitle(records), started, ended, importedFrom: session.source });
      result.newSessions++;
    }
    ctx.index.record(key, sessionId, fresh.map(({ hash }) => hash));
    result.added += fresh.length;
  }
  return result;
}

/** Identifies a message across imports: where it came from, its place in its session, and what it says. */
function messageHash(session: ImportedSession, m: { key: string; role: string; content: string }): string {
  return createHash('sha256').update(JSON.stringify([session.source, session.id, m.key, m.role, m.content])).digest('hex').slice(0, 32);
}
