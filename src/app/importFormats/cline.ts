// Cline task history: <globalStorage>/saoudrizwan.claude-dev/tasks/<id>/api_conversation_history.json, an
// array of Anthropic-style messages {role, content}, beside ui_messages.json (the chat as shown, each
// with `ts`). The api messages carry no dates of their own in older versions: each API request shows in
// the UI as an 'api_req_started' message, the k-th of which is when the k-th user message was sent.
// The task id itself is the task's start in milliseconds.
import * as path from 'node:path';
import { splitContent } from './anthropicContent';
import { asRecord, describeResult, isoTime, mergeTurns, type Turn } from './transcript';
import type { ConversationFile, ImportedSession } from './types';

/** Older Cline returns tool results as user text: "[read_file for 'src/a.ts'] Result:". */
const TEXT_RESULT = /^\s*\[([\w-]+)(?: for [^\]]*)?\] Result:\s*/;

export function parseCline(history: ConversationFile, uiMessages?: string): ImportedSession[] {
  const taskId = path.basename(path.dirname(history.path));
  const start = (/^\d{12,}$/.test(taskId) ? isoTime(Number(taskId)) : undefined) ?? history.mtime;
  const requestTimes = apiRequestTimes(uiMessages);
  let messages: unknown;
  try {
    messages = JSON.parse(history.text);
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(messages)) throw new Error('not a Cline conversation (expected an array of messages)');
  const toolNames = new Map<string, string>();
  const turns: Turn[] = [];
  let userIndex = -1;
  let lastTime = requestTimes[0] ?? start;
  messages.forEach((raw, index) => {
    const message = asRecord(raw);
    if (!message || (message.role !== 'user' && message.role !== 'assistant')) return;
    if (message.role === 'user') userIndex++;
    const time = isoTime(message.ts) ?? requestTimes[Math.max(0, userIndex)] ?? lastTime;
    lastTime = time;
    const key = `message-${index}`;
    const { text, toolLines } = splitContent(message.content, toolNames);
    if (message.role === 'user') {
      const { said, results } = splitUserText(text);
      if (said) turns.push({ key, role: 'user', text: said, time });
      toolLines.unshift(...results);
    } else {
      // Cline's models think aloud in <thinking> tags: scratch work, like Claude Code's thinking blocks.
      const said = text.replace(/<thinking>[\s\S]*?(<\/thinking>|$)/g, '').trim();
      if (said) turns.push({ key, role: 'assistant', text: said, time });
    }
    if (toolLines.length) turns.push({ key: `${key}-tools`, role: 'assistant', text: toolLines.join('\n'), time });
  });
  return [{ source: 'cline', id: taskId, messages: mergeTurns(turns) }];
}

/**
 * What the person wrote, without the environment details Cline appends to every message and with the
 * `<task>`/`<feedback>` wrappers taken off; text tool results go with the assistant's message instead.
 */
function splitUserText(text: string): { said: string; results: string[] } {
  const results: string[] = [];
  // The person's answer to a finished task comes inside the tool result: it is what they said.
  const said: string[] = [];
  const rest = text
    .replace(/<environment_details>[\s\S]*?(<\/environment_details>|$)/g, '')
    .replace(/<feedback>([\s\S]*?)<\/feedback>/g, (_, feedback: string) => {
      said.push(feedback);
      return '';
    });
  for (const part of rest.split(/\n(?=\[[\w-]+(?: for [^\]]*)?\] Result:)/)) {
    const m = TEXT_RESULT.exec(part);
    if (m) results.push(describeResult(m[1], part.slice(m[0].length)));
    else said.unshift(part.replace(/<\/?(task|user_message)>/g, ''));
  }
  return { said: said.map((s) => s.trim()).filter(Boolean).join('\n'), results };
}

function apiRequestTimes(uiMessages: string | undefined): string[] {
  if (!uiMessages) return [];
  let list: unknown;
  try {
    list = JSON.parse(uiMessages);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const times: string[] = [];
  for (const raw of list) {
    const m = asRecord(raw);
    const time = isoTime(m?.ts);
    if (m?.say === 'api_req_started' && time) times.push(time);
  }
  return times;
}
