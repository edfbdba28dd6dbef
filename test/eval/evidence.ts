// Reads a chat request the way the oracle does: every statement it holds, where it sits (block,
// summary, queue, automatic recall, a tool result) and how new it is. Used by the oracle to answer and
// by the scorer to tell which tier held a gold value.
import { MESSAGE_TIME_HEADER, splitSystemPrompt } from '../../src/core/promptSections';
import { parseStatements, type Statement } from './grammar';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON */

export type Tier = 'block' | 'summary' | 'queue' | 'auto_recall' | `tool:${string}`;

export interface Evidence {
  s: Statement;
  tier: Tier;
  /** Sorts by newness: an ISO time when known; blocks and the queue are newer than anything timed. */
  order: string;
  /** The day the statement was made, when the request shows it. */
  day?: string;
}

export interface DoneCall {
  name: string;
  args: any;
  /** The parsed tool result, when it was JSON. */
  result: any;
}

const AUTO_RECALL = /^\[system auto recall\]/;
const ALERT = /^\[system alert\]/;
/** Lines of the oracle's extractive summary start with the time of the message they came from. */
const LEADING_TIME = /^\[(\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?)\]/;

export function contentText(m: any): string {
  if (typeof m?.content === 'string') return m.content;
  if (Array.isArray(m?.content)) return m.content.map((p: any) => p?.text ?? '').join('');
  return '';
}

/** A queue message without the time header the core puts on the person's messages and alerts; and that time. */
export function splitTimeHeader(text: string): { text: string; time?: string } {
  const m = text.match(MESSAGE_TIME_HEADER);
  return m ? { text: text.slice(m[0].length), time: `${m[1]}T${m[2]}` } : { text };
}

/** The text of a message as the person wrote it (no time header). */
export const messageText = (m: any) => splitTimeHeader(contentText(m)).text;

export const isAlert = (m: any) => m?.role === 'user' && ALERT.test(messageText(m));
export const isRealUser = (m: any) => m?.role === 'user' && !ALERT.test(messageText(m)) && !AUTO_RECALL.test(messageText(m));

export function toolNames(body: any): Set<string> {
  return new Set<string>((body?.tools ?? []).map((t: any) => t?.function?.name).filter(Boolean));
}

export function todayOf(body: any): string | undefined {
  return contentText(body?.messages?.[0]).match(/Today: (\d{4}-\d{2}-\d{2})/)?.[1];
}

export function blockText(body: any): string {
  return body?.messages?.[0]?.role === 'system' ? (splitSystemPrompt(contentText(body.messages[0])).workingContext ?? '') : '';
}

/** Index of the person's last message: the start of the current turn. */
export function lastUserIndex(messages: any[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (isRealUser(messages[i])) return i;
  return -1;
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The function calls made since message `from`, with their results. */
export function callsSince(messages: any[], from: number): DoneCall[] {
  const done: DoneCall[] = [];
  const byId = new Map<string, DoneCall>();
  for (let i = from + 1; i < messages.length; i++) {
    const m = messages[i];
    for (const c of m?.role === 'assistant' ? (m.tool_calls ?? []) : []) {
      const call: DoneCall = { name: c.function?.name, args: parseJson(c.function?.arguments ?? '') ?? {}, result: undefined };
      byId.set(c.id, call);
      done.push(call);
    }
    if (m?.role === 'tool' && byId.has(m.tool_call_id)) byId.get(m.tool_call_id)!.result = parseJson(contentText(m));
  }
  return done;
}

const dayOf = (order: string) => (/^\d{4}-\d{2}-\d{2}/.test(order) ? order.slice(0, 10) : undefined);

function add(out: Evidence[], text: string, tier: Tier, order: string): void {
  for (const s of parseStatements(text)) out.push({ s, tier, order, day: s.kind === 'decision' && s.date ? s.date : dayOf(order) });
}

/** Every statement in the request, in no particular order (sort by `order` for newness). */
export function collectEvidence(body: any): Evidence[] {
  const messages: any[] = body?.messages ?? [];
  const out: Evidence[] = [];
  const toolOf = new Map<string, string>();
  // The model's own turns carry no time: they belong with the message before them.
  let lastTime = '0000';
  messages.forEach((m, i) => {
    const { text, time } = splitTimeHeader(contentText(m));
    if (i === 0 && m.role === 'system') {
      const tiers = splitSystemPrompt(text);
      add(out, tiers.workingContext ?? '', 'block', '9998');
      for (const line of (tiers.summary ?? '').split('\n')) add(out, line, 'summary', line.match(LEADING_TIME)?.[1] ?? '0000');
      return;
    }
    if (m.role === 'user' && AUTO_RECALL.test(text)) {
      // A recalled message keeps its day, and so does an archival note ("- note 2026-03-11: …"): a perfect reader dates both.
      for (const line of text.split('\n')) add(out, line, 'auto_recall', line.match(/^- (?:recall #\d+ \(|note )(\d{4}-\d{2}-\d{2})/)?.[1] ?? '0000');
      return;
    }
    if (m.role === 'tool') {
      const name = toolOf.get(m.tool_call_id) ?? 'unknown';
      const parsed = parseJson(text);
      if (Array.isArray(parsed?.results)) {
        for (const r of parsed.results) add(out, String(r.content ?? r.text ?? ''), `tool:${name}`, String(r.time ?? r.saved ?? '0000'));
      } else add(out, text, `tool:${name}`, '0000');
      return;
    }
    if (time) lastTime = time;
    if (m.role === 'user' && ALERT.test(text)) return;
    const order = `${time ?? lastTime}#${String(i).padStart(6, '0')}`;
    add(out, text, 'queue', order);
    for (const c of m.tool_calls ?? []) {
      toolOf.set(c.id, c.function?.name);
      add(out, c.function?.arguments ?? '', 'queue', order);
    }
  });
  return out;
}

export const newestFirst = (a: Evidence, b: Evidence) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0);
