// Helpers shared by the importers: a turn list built line by line, merged into messages the way a person
// reads them, with tool calls and results kept as short text inside the assistant's message. Imported
// history never carries tool records, so the agent's tool-call/result pairing is never at stake.
import { isPlainObject } from '../../common/json';
import type { ImportedMessage } from './types';

/** A tool result in an imported message is cut to this: enough to find an error message again. */
const MAX_RESULT_CHARS = 300;
const MAX_ARGUMENT_CHARS = 160;

export interface Turn {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  time: string;
}

/** Joins consecutive turns of one role (an assistant's text, its calls and their results) into one message each. */
export function mergeTurns(turns: readonly Turn[]): ImportedMessage[] {
  const out: ImportedMessage[] = [];
  for (const t of turns) {
    const text = t.text.trim();
    if (!text) continue;
    const last = out.at(-1);
    if (last && last.role === t.role) {
      last.content += `\n${text}`;
      last.lastTime = t.time;
    } else out.push({ key: t.key, role: t.role, content: text, time: t.time });
  }
  return out;
}

/** `[called Bash: npm test]`: what a call did, in a line. */
export function describeCall(name: string, input: unknown): string {
  return `[called ${name || 'a tool'}${argumentSummary(input)}]`;
}

/** `[Bash result: 3 failing]`, cut short. */
export function describeResult(name: string | undefined, output: string, isError = false): string {
  const text = output.replace(/\s+/g, ' ').trim();
  const cut = text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS - 1)}…` : text;
  return `[${name ?? 'tool'} ${isError ? 'error' : 'result'}${cut ? `: ${cut}` : ''}]`;
}

/** The argument a person would name the call by (the command, the file), else the arguments as JSON. */
function argumentSummary(input: unknown): string {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // A plain string argument (a patch, a command line) is its own summary.
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const k of ['command', 'cmd', 'file_path', 'path', 'pattern', 'query', 'url', 'description']) {
      const v = o[k];
      if (typeof v === 'string' && v.trim()) return `: ${cut(v)}`;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `: ${cut(shellLine(v as string[]))}`;
    }
  }
  if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) return '';
  return `: ${cut(typeof value === 'string' ? value : JSON.stringify(value))}`;
}

/** Codex runs `["bash", "-lc", "npm test"]`: the script is what matters. */
function shellLine(argv: string[]): string {
  if (argv.length === 3 && /^(ba|z)?sh$/.test(argv[0]) && /^-l?c$/.test(argv[1])) return argv[2];
  return argv.join(' ');
}

function cut(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > MAX_ARGUMENT_CHARS ? `${line.slice(0, MAX_ARGUMENT_CHARS - 1)}…` : line;
}

/** An ISO time from an ISO string, epoch milliseconds or epoch seconds; undefined when unreadable. */
export function isoTime(v: unknown): string | undefined {
  let ms: number;
  if (typeof v === 'number' && Number.isFinite(v)) ms = v < 1e11 ? v * 1000 : v;
  else if (typeof v === 'string' && v.trim()) ms = /^\d+(\.\d+)?$/.test(v.trim()) ? isoMs(Number(v)) : Date.parse(v);
  else return undefined;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function isoMs(n: number): number {
  return n < 1e11 ? n * 1000 : n;
}

/** JSON lines, skipping blank and unparsable ones (a line cut off while the tool was writing it). */
export function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // Skipped: one bad line must not cost the rest of the conversation.
    }
  }
  return out;
}

/** The object itself, or undefined: lets a parser walk optional nesting with `?.`. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return isPlainObject(v) ? v : undefined;
}
