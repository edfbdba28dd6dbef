// One message too big for the window (a pasted log, a whole file the model wrote with write_file) is cut
// for the prompt only: its head and tail are shown with a marker saying how much was left out and where
// the whole is. Recall keeps it whole. Without this it could never leave the queue (the latest messages
// are always kept) and every later message failed with it.
import type { ChatMessage } from '../llm/types';
import { fitToTokens } from '../llm/tokens';

export interface OversizedNote {
  /** The message's id in recall memory. */
  id: number;
  /** Whether the model can search recall memory (memory mode full). */
  searchable: boolean;
}

/** Strings in tool-call arguments shorter than this are left whole: paths, names, flags. */
const SHORT_ARGUMENT_CHARS = 200;
/** Share of what is kept that comes from the head: the start says what a paste is, the end how it ends. */
const HEAD_SHARE = 0.6;

/** `message` cut to at most `maxTokens` (as `count` measures it), or as close as a few rounds get. */
export function cutOversizedMessage(message: ChatMessage, maxTokens: number, count: (m: ChatMessage) => number, note: OversizedNote): ChatMessage {
  const calls = message.toolCalls ?? [];
  const cut = fitParts(message, calls.map((c) => parseArguments(c.arguments)), maxTokens, count, note);
  if (!calls.length || count(cut) <= maxTokens) return cut;
  // Arguments made of many short strings (a long array of names): cut them as one text instead.
  return fitParts(message, calls.map((c) => ({ unparsed_arguments: c.arguments })), maxTokens, count, note);
}

function fitParts(message: ChatMessage, args: unknown[], maxTokens: number, count: (m: ChatMessage) => number, note: OversizedNote): ChatMessage {
  // A function name is no place for text: one that long is the model misfiring, cut it with no ceremony.
  const calls = (message.toolCalls ?? []).map((c) => (c.name.length > SHORT_ARGUMENT_CHARS ? { ...c, name: `${c.name.slice(0, SHORT_ARGUMENT_CHARS)}…` } : c));
  const total = message.content.length + args.reduce((sum: number, a) => sum + longStringChars(a), 0);
  if (total === 0) return calls.length ? { ...message, toolCalls: calls } : message;
  const render = (chars: number): ChatMessage => {
    const scale = Math.min(1, chars / total);
    const content = headAndTail(message.content, Math.floor(message.content.length * scale), (left) => contentMarker(left, note));
    if (!calls.length) return { ...message, content };
    return { ...message, content, toolCalls: calls.map((c, i) => ({ ...c, arguments: JSON.stringify(cutStrings(args[i], scale, note)) })) };
  };
  const first = Math.floor(total * Math.min(1, maxTokens / Math.max(1, count(message))) * 0.95);
  return fitToTokens(render, first, maxTokens, count, { rounds: 6 });
}

/** What is left out, said where it was: how much, why, and where the whole is. */
function contentMarker(left: number, note: OversizedNote): string {
  const where = note.searchable
    ? `the whole message is kept in recall memory (message ${note.id}); conversation_search finds it by its words`
    : `the whole message is kept in the log on disk (message ${note.id}) but cannot be read back in this conversation`;
  return `\n\n[… ${left.toLocaleString('en-US')} characters left out here to fit the context window; ${where} …]\n\n`;
}

function argumentMarker(left: number, note: OversizedNote): string {
  const where = note.searchable ? `; the whole call is kept in recall memory (message ${note.id})` : '';
  return `\n[… ${left.toLocaleString('en-US')} characters left out here to fit the context window; the call ran with the whole argument${where} …]\n`;
}

/** The first and last characters of `text` with `keep` characters in all, the marker between them. */
export function headAndTail(text: string, keep: number, marker: (left: number) => string): string {
  if (text.length <= keep) return text;
  let head = Math.floor(keep * HEAD_SHARE);
  let tail = text.length - (keep - head);
  // Never between the two halves of a surrogate pair.
  if (head > 0 && isHighSurrogate(text.charCodeAt(head - 1))) head--;
  if (tail < text.length && isLowSurrogate(text.charCodeAt(tail))) tail++;
  return `${text.slice(0, head)}${marker(tail - head)}${text.slice(tail)}`;
}

/**
 * Arguments as a value to cut inside: the call must stay valid JSON in the prompt (servers parse it to
 * apply their chat template). Arguments that are not JSON are carried as one string.
 */
function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { unparsed_arguments: raw };
  }
}

function longStringChars(v: unknown): number {
  if (typeof v === 'string') return v.length > SHORT_ARGUMENT_CHARS ? v.length : 0;
  if (Array.isArray(v)) return v.reduce((sum: number, x) => sum + longStringChars(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((sum: number, x) => sum + longStringChars(x), 0);
  return 0;
}

function cutStrings(v: unknown, scale: number, note: OversizedNote): unknown {
  if (typeof v === 'string') {
    return v.length > SHORT_ARGUMENT_CHARS ? headAndTail(v, Math.floor(v.length * scale), (left) => argumentMarker(left, note)) : v;
  }
  if (Array.isArray(v)) return v.map((x) => cutStrings(x, scale, note));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, scale, note)]));
  return v;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
