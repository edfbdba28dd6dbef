// Codex session files: ~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl, lines of {timestamp, type, payload}
// with type 'session_meta' (payload.id), 'response_item' (a message, a function call or its output) or
// 'event_msg' (the same conversation as UI events). Older files put the items on the lines themselves
// after a first {id, timestamp} line, or are one JSON object {session, items}. All shapes are read.
import { fileStem } from './claudeCode';
import { asRecord, describeCall, describeResult, isoTime, jsonLines, mergeTurns, type Turn } from './transcript';
import type { ConversationFile, ImportedSession } from './types';

/** What Codex puts in the user's turn itself: its environment and the project's instructions. */
const GENERATED = /^\s*(<environment_context>|<user_instructions>|<permissions|# AGENTS\.md instructions)/;

export function parseCodex(file: ConversationFile): ImportedSession[] {
  const whole = wholeFile(file.text);
  const lines = whole ? (Array.isArray(whole.items) ? whole.items : []) : jsonLines(file.text);
  const meta = whole ? asRecord(whole.session) : undefined;
  let sessionId = typeof meta?.id === 'string' ? meta.id : undefined;
  let lastTime = isoTime(meta?.timestamp) ?? timeFromName(file.path) ?? file.mtime;
  const items: Turn[] = [];
  const events: Turn[] = [];
  const toolNames = new Map<string, string>();
  let itemMessages = 0;
  let index = 0;
  for (const raw of lines) {
    const line = asRecord(raw);
    index++;
    if (!line) continue;
    const time = isoTime(line.timestamp) ?? lastTime;
    lastTime = time;
    const key = `item-${index}`;
    if (line.type === 'session_meta') {
      const payload = asRecord(line.payload);
      if (typeof payload?.id === 'string') sessionId ??= payload.id;
      lastTime = isoTime(payload?.timestamp) ?? lastTime;
      continue;
    }
    // The first line of an older JSONL file: {id, timestamp, instructions}.
    if (line.type === undefined && typeof line.id === 'string' && line.record_type === undefined) {
      sessionId ??= line.id;
      continue;
    }
    if (line.type === 'event_msg') {
      const payload = asRecord(line.payload);
      const text = typeof payload?.message === 'string' ? payload.message : '';
      if (payload?.type === 'user_message' && !GENERATED.test(text)) events.push({ key, role: 'user', text, time });
      if (payload?.type === 'agent_message') events.push({ key, role: 'assistant', text, time });
      continue;
    }
    const item = line.type === 'response_item' ? asRecord(line.payload) : line;
    const turn = item && itemTurn(item, key, time, toolNames);
    if (!turn) continue;
    items.push(turn);
    if (item.type === 'message') itemMessages++;
  }
  // Newer files log each message twice, as an item and as an event: the items are the full record.
  const turns = itemMessages > 0 ? items : [...events, ...items].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return [{ source: 'codex', id: sessionId ?? fileStem(file.path), messages: mergeTurns(turns) }];
}

function itemTurn(item: Record<string, unknown>, key: string, time: string, toolNames: Map<string, string>): Turn | undefined {
  switch (item.type) {
    case 'message': {
      if (item.role !== 'user' && item.role !== 'assistant') return undefined; // developer and system: instructions
      const text = messageText(item.content);
      if (item.role === 'user' && GENERATED.test(text)) return undefined;
      return { key, role: item.role, text, time };
    }
    case 'function_call':
    case 'custom_tool_call': {
      const name = typeof item.name === 'string' ? item.name : 'tool';
      if (typeof item.call_id === 'string') toolNames.set(item.call_id, name);
      return { key, role: 'assistant', text: describeCall(name, item.arguments ?? item.input), time };
    }
    case 'local_shell_call': {
      const action = asRecord(item.action);
      if (typeof item.call_id === 'string') toolNames.set(item.call_id, 'shell');
      return { key, role: 'assistant', text: describeCall('shell', { command: action?.command }), time };
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const name = typeof item.call_id === 'string' ? toolNames.get(item.call_id) : undefined;
      return { key, role: 'assistant', text: describeResult(name, outputText(item.output)), time };
    }
    default:
      return undefined; // reasoning and the like
  }
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => {
      const block = asRecord(b);
      return typeof block?.text === 'string' ? block.text : '';
    })
    .filter(Boolean)
    .join('\n');
}

/** A call's output: a string, often JSON {output, metadata}, or {content}. */
function outputText(output: unknown): string {
  let value = output;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return output as string;
    }
  }
  const o = asRecord(value);
  if (typeof o?.output === 'string') return o.output;
  if (typeof o?.content === 'string') return o.content;
  return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

/** An older Codex session saved as one JSON object with its items. */
function wholeFile(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value = asRecord(JSON.parse(trimmed));
    return value && Array.isArray(value.items) ? value : undefined;
  } catch {
    return undefined; // several lines: JSONL
  }
}

/** rollout-2025-05-07T17-24-21-<uuid>.jsonl → 2025-05-07T17:24:21 (local time, as Codex names it). */
function timeFromName(file: string): string | undefined {
  const m = /rollout-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})/.exec(file);
  return m ? isoTime(`${m[1]}T${m[2]}:${m[3]}:${m[4]}`) : undefined;
}
