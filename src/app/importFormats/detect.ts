// Which tool wrote a conversation file: by where it lives first (each tool has its own folder), then by
// the shape of its first lines.
import * as path from 'node:path';
import { asRecord, jsonLines } from './transcript';
import type { ImportSource } from './types';

export const CLINE_HISTORY = 'api_conversation_history.json';
export const CLINE_UI_MESSAGES = 'ui_messages.json';

/** The source a file's path names, if any. */
export function sourceFromPath(file: string): ImportSource | undefined {
  const p = file.split(path.sep).join('/');
  const base = path.basename(file);
  if (base === CLINE_HISTORY || p.includes('/saoudrizwan.claude-dev/')) return 'cline';
  if (p.includes('/.claude/projects/')) return 'claude-code';
  if (p.includes('/.codex/sessions/') || /^rollout-.*\.jsonl?$/.test(base)) return 'codex';
  return undefined;
}

/** The source a file's content looks like; undefined when it is no conversation we know. */
export function sourceFromContent(text: string): ImportSource | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return 'cline';
  const lines = jsonLines(firstLines(text, 50))
    .map(asRecord)
    .filter((l) => l !== undefined);
  // One JSON object over many lines (or one line longer than what was read): an older Codex session {session, items}.
  if (lines.length === 0 && trimmed.startsWith('{') && /"items"\s*:/.test(text)) return 'codex';
  for (const line of lines) {
    if (Array.isArray(line.items)) return 'codex';
    if (line.type === 'session_meta' || line.type === 'response_item' || line.type === 'event_msg' || line.type === 'turn_context') return 'codex';
    if (typeof line.sessionId === 'string' && (asRecord(line.message) || line.type === 'summary' || typeof line.uuid === 'string')) return 'claude-code';
    if (line.type === 'summary' && typeof line.leafUuid === 'string') return 'claude-code';
    // Older Codex files hold the items themselves, content as blocks; the generic format has content as text.
    if (line.type === 'message' && Array.isArray(line.content)) return 'codex';
    if (typeof line.role === 'string' && 'content' in line) return 'jsonl';
  }
  return undefined;
}

function firstLines(text: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n && at >= 0; i++) at = text.indexOf('\n', at + 1);
  return at < 0 ? text : text.slice(0, at);
}
