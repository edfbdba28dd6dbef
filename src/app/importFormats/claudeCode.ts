// Claude Code session logs: ~/.claude/projects/<encoded-path>/<session>.jsonl, one JSON object per line
// ({type: 'user' | 'assistant' | 'summary' | …, message: {role, content}, timestamp, sessionId, uuid}).
// An assistant reply is spread over several lines (one per content block), and tool results come back
// as 'user' lines of tool_result blocks; both are folded into the assistant's message.
import { splitContent } from './anthropicContent';
import { asRecord, isoTime, jsonLines, mergeTurns, type Turn } from './transcript';
import type { ConversationFile, ImportedSession } from './types';

/** User lines Claude Code writes itself (slash commands, their output, its caveats), not the person's words. */
const GENERATED = /^\s*(<command-name>|<command-message>|<local-command-stdout>|<local-command-stderr>|Caveat: The messages below were generated)/;

export function parseClaudeCode(file: ConversationFile): ImportedSession[] {
  const turnsBySession = new Map<string, Turn[]>();
  const toolNames = new Map<string, string>();
  const fallbackSession = fileStem(file.path);
  let lastTime = file.mtime;
  let index = 0;
  for (const line of jsonLines(file.text)) {
    const entry = asRecord(line);
    index++;
    if (!entry || (entry.type !== 'user' && entry.type !== 'assistant')) continue;
    // Sub-agents' conversations and Claude Code's own bookkeeping are not what the person said or was told.
    if (entry.isSidechain === true || entry.isMeta === true) continue;
    const message = asRecord(entry.message);
    if (!message) continue;
    const time = isoTime(entry.timestamp) ?? lastTime;
    lastTime = time;
    const session = typeof entry.sessionId === 'string' && entry.sessionId ? entry.sessionId : fallbackSession;
    const key = typeof entry.uuid === 'string' && entry.uuid ? entry.uuid : `line-${index}`;
    const { text, toolLines } = splitContent(message.content, toolNames);
    const turns = turnsBySession.get(session) ?? [];
    turnsBySession.set(session, turns);
    if (entry.type === 'user' && text.trim() && !GENERATED.test(text)) turns.push({ key, role: 'user', text, time });
    if (entry.type === 'assistant' && text.trim()) turns.push({ key, role: 'assistant', text, time });
    if (toolLines.length) turns.push({ key: `${key}-tools`, role: 'assistant', text: toolLines.join('\n'), time });
  }
  return [...turnsBySession].map(([id, turns]) => ({ source: 'claude-code' as const, id, messages: mergeTurns(turns) }));
}

export function fileStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(jsonl|json)$/i, '');
}
