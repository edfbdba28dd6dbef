// Token counting for the context budget. o200k_base (GPT-4o's encoding) is a fair estimate for
// other models too; what matters is that the budget errs the same way every step.

import type { ChatMessage, TokenCounter, ToolSchema } from './types';

// OpenAI's published accounting: each message costs a few tokens of role and separators.
const MESSAGE_OVERHEAD = 4;
const TOOL_CALL_OVERHEAD = 4;
export const TOOL_CALL_ID_OVERHEAD = 4;
const DEFAULT_CACHE_LIMIT = 50_000;

interface Encoder {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
}

let sharedEncoder: Encoder | undefined;

/**
 * Loaded on first use: the ranks take ~0.6 s to initialise and 2 MB of bundle, which a CLI that
 * never counts (e.g. `memcode memory show`) should not pay at startup.
 */
function encoder(): Encoder {
  if (!sharedEncoder) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tiktoken } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranksModule = require('js-tiktoken/ranks/o200k_base') as
      | typeof import('js-tiktoken/ranks/o200k_base').default
      | { default: typeof import('js-tiktoken/ranks/o200k_base').default };
    const ranks = 'default' in ranksModule ? ranksModule.default : ranksModule;
    sharedEncoder = new Tiktoken(ranks);
  }
  return sharedEncoder;
}

/** Whether counting is free now; the first count pays ~1 s of start-up (the UI measures only after it). */
export function tokenizerLoaded(): boolean {
  return sharedEncoder !== undefined;
}

/** Pays the start-up cost now (e.g. just after the chat has drawn) rather than on the first message. */
export function loadTokenizer(): void {
  encoder();
}

/**
 * The largest rendering that fits `maxTokens`: `render(chars)` with a character budget that shrinks in
 * proportion to the overshoot, a few rounds at most (dense text such as identifiers and UUIDs runs at two
 * or three characters a token, so a character limit alone does not bound tokens). `minChars` ends the
 * shrinking, and so does `rounds`; the last rendering is returned either way. Each round aims `margin`
 * under the overshoot, so rounding does not leave it just over.
 */
export function fitToTokens<T>(
  render: (chars: number) => T,
  chars: number,
  maxTokens: number,
  count: (rendered: T) => number,
  opts: { minChars?: number; rounds?: number; margin?: number } = {},
): T {
  const { minChars = 0, rounds = 4, margin = 0.95 } = opts;
  let rendered = render(chars);
  for (let round = 0; round < rounds; round++) {
    const tokens = count(rendered);
    if (tokens <= maxTokens || chars <= minChars) break;
    chars = Math.max(minChars, Math.floor(chars * (maxTokens / tokens) * margin));
    rendered = render(chars);
  }
  return rendered;
}

/**
 * The longest run of one character class (letters, symbols, spaces) given to the BPE whole. js-tiktoken's
 * merge loop is quadratic in the length of a run the pre-tokenizer leaves in one piece: a 12,000-letter
 * DNA line took 19 s, 8,000 CJK characters 57 s, a 1 MB one-letter argument 10 minutes. Longer runs are
 * counted in pieces of this size; a cut can cost a token that would have spanned it, so the count stays
 * within a few percent of the exact one there and is exact on ordinary text, whose words are shorter.
 */
export const MAX_BPE_PIECE_CHARS = 64;

// Runs the o200k pre-tokenizer keeps in one piece (digits it already cuts into threes).
const LONG_RUN = new RegExp(`[\\p{L}\\p{M}]{${MAX_BPE_PIECE_CHARS * 2},}|[^\\s\\p{L}\\p{M}\\p{N}]{${MAX_BPE_PIECE_CHARS * 2},}|\\s{${MAX_BPE_PIECE_CHARS * 2},}`, 'gu');
const PIECE_MEMO_LIMIT = 4_096;
/** Counts of cut pieces: a long run of one letter, or of `=`, repeats the same piece thousands of times. */
const pieceMemo = new Map<string, number>();

/**
 * Tokens in `text`, with `encode` run on ordinary stretches as they are and on long runs in pieces of at most
 * MAX_BPE_PIECE_CHARS (see there): linear time however the text is made.
 */
export function countTextInPieces(text: string, encode: (text: string) => number, memo = new Map<string, number>()): number {
  let total = 0;
  let last = 0;
  for (const run of text.matchAll(LONG_RUN)) {
    const start = run.index ?? 0;
    const end = start + run[0].length;
    if (start > last) total += encode(text.slice(last, start));
    for (let i = start; i < end; ) {
      let cut = Math.min(i + MAX_BPE_PIECE_CHARS, end);
      // Never between the two halves of a surrogate pair.
      if (cut < end && isLowSurrogate(text.charCodeAt(cut))) cut++;
      const piece = text.slice(i, cut);
      let n = memo.get(piece);
      if (n === undefined) {
        n = encode(piece);
        if (memo.size >= PIECE_MEMO_LIMIT) memo.clear();
        memo.set(piece, n);
      }
      total += n;
      i = cut;
    }
    last = end;
  }
  if (last < text.length) total += encode(text.slice(last));
  return total;
}

/** Tokens in plain text, in time linear in its length. Special-token text such as `<|endoftext|>` counts as ordinary text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  return countTextInPieces(text, exactTokens, pieceMemo);
}

/** The tokenizer's exact count, for short text and tests: quadratic on long runs of letters (see MAX_BPE_PIECE_CHARS). */
export function exactTokens(text: string): number {
  if (!text) return 0;
  // Plain `encode(text)` throws on special-token text, which real files and chats do contain.
  return encoder().encode(text, [], []).length;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export interface TokenCounterStats {
  /** Times text was actually run through the tokenizer. */
  encodes: number;
  /** countMessage calls answered from the per-message cache. */
  cacheHits: number;
  cacheSize: number;
}

export interface CachingTokenCounter extends TokenCounter {
  readonly stats: TokenCounterStats;
}

export interface TokenCounterOptions {
  /** Most cached message counts kept; the oldest are dropped first (default 50,000). */
  cacheLimit?: number;
  /** How to count raw text (default: o200k_base via js-tiktoken). */
  countText?: (text: string) => number;
}

export function createTokenCounter(options: TokenCounterOptions = {}): CachingTokenCounter {
  const countText = options.countText ?? countTokens;
  const cacheLimit = Math.max(1, options.cacheLimit ?? DEFAULT_CACHE_LIMIT);
  // The fingerprint guards against a key reused for a different message (an edited record).
  const cache = new Map<string, { fingerprint: string; tokens: number }>();
  const stats: TokenCounterStats = { encodes: 0, cacheHits: 0, cacheSize: 0 };

  const count = (text: string): number => {
    if (!text) return 0;
    stats.encodes++;
    return countText(text);
  };

  const countMessage = (message: ChatMessage, key?: string): number => {
    if (key === undefined) return messageTokens(message, count);
    const fingerprint = fingerprintOf(message);
    const cached = cache.get(key);
    if (cached && cached.fingerprint === fingerprint) {
      stats.cacheHits++;
      return cached.tokens;
    }
    const tokens = messageTokens(message, count);
    cache.delete(key);
    cache.set(key, { fingerprint, tokens });
    // Map iteration order is insertion order, so the first key is the oldest.
    while (cache.size > cacheLimit) cache.delete(cache.keys().next().value as string);
    stats.cacheSize = cache.size;
    return tokens;
  };

  return { count, countMessage, stats };
}

/** chars/4: for tests and callers that want a budget without loading the tokenizer. */
export function approximateTokenCounter(): TokenCounter {
  const count = (text: string) => Math.ceil(text.length / 4);
  return { count, countMessage: (message) => messageTokens(message, count) };
}

/** Tokens the tool schemas add to every request (they are sent as JSON alongside the prompt). */
export function countToolSchemas(counter: TokenCounter, tools: ToolSchema[]): number {
  if (tools.length === 0) return 0;
  return tools.reduce((sum, tool) => sum + counter.count(JSON.stringify(tool)) + TOOL_CALL_OVERHEAD, 0);
}

function messageTokens(message: ChatMessage, count: (text: string) => number): number {
  let tokens = MESSAGE_OVERHEAD + count(message.content);
  for (const call of message.toolCalls ?? []) {
    tokens += TOOL_CALL_OVERHEAD + count(call.name) + count(call.arguments);
  }
  if (message.toolCallId) tokens += TOOL_CALL_ID_OVERHEAD;
  return tokens;
}

function fingerprintOf(message: ChatMessage): string {
  const calls = (message.toolCalls ?? []).map((c) => `${c.name.length}:${c.arguments.length}`).join(',');
  return `${message.role}:${message.content.length}:${calls}:${message.toolCallId ? 1 : 0}`;
}
