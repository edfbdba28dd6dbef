// The generic format anyone can write (README: "Import past conversations"): one JSON object per line,
// {"session": "…", "role": "user" | "assistant", "content": "…", "time": "2025-03-01T10:00:00Z"}.
// `session` defaults to the file's name, `time` (ISO, or epoch seconds or milliseconds) to the file's
// modification time; other roles are skipped. Messages keep their order within a session.
import { splitContent } from './anthropicContent';
import { fileStem } from './claudeCode';
import { asRecord, isoTime, jsonLines, mergeTurns, type Turn } from './transcript';
import type { ConversationFile, ImportedSession } from './types';

export function parseGenericJsonl(file: ConversationFile): ImportedSession[] {
  const bySession = new Map<string, Turn[]>();
  const fallback = fileStem(file.path);
  const toolNames = new Map<string, string>();
  let lastTime = file.mtime;
  for (const raw of jsonLines(file.text)) {
    const line = asRecord(raw);
    if (!line || (line.role !== 'user' && line.role !== 'assistant')) continue;
    const session = typeof line.session === 'string' && line.session ? line.session : typeof line.session === 'number' ? String(line.session) : fallback;
    const time = isoTime(line.time) ?? lastTime;
    lastTime = time;
    const turns = bySession.get(session) ?? [];
    bySession.set(session, turns);
    const { text, toolLines } = splitContent(line.content, toolNames);
    const key = `message-${turns.length}`;
    turns.push({ key, role: line.role, text: [text, ...toolLines].filter(Boolean).join('\n'), time });
  }
  // One line is one message here: consecutive lines of one role are not merged.
  return [...bySession].map(([id, turns]) => ({ source: 'jsonl' as const, id, messages: turns.flatMap((t) => mergeTurns([t])) }));
}
