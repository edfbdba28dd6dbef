// Code-aware words, shared by BM25 keyword search and the local embedder so both see text the same
// way: identifiers split at camelCase, snake_case and digit boundaries, lowercased, lightly stemmed,
// with English filler dropped. Compound identifiers are also kept whole, so an exact name
// (`parseConfigFileTextToJson`) is one rare term that finds its chunk.
import { CODE_STOP_WORDS } from './stopWords';

const IDENTIFIER = /[\p{L}\p{N}_$]+/gu;
/** Longer runs are hashes, base64 or minified noise, not names anyone searches for. */
const MAX_WORD = 80;

/**
 * Calls `onTerm` with every stemmed part of every word, in order, and `onCompound` with each
 * identifier made of two or more parts (lowercased, unstemmed). `whole`: the term is the word itself,
 * lowercased (a word of one part its stem leaves alone), as a compound always is.
 */
export function visitCodeWords(text: string, onTerm: (term: string, whole: boolean) => void, onCompound?: (word: string) => void): void {
  IDENTIFIER.lastIndex = 0;
  let match: RegExpExecArray | null;
  const parts: string[] = [];
  while ((match = IDENTIFIER.exec(text)) !== null) {
    const word = match[0];
    if (word.length > MAX_WORD) continue;
    parts.length = 0;
    splitIdentifier(word, parts);
    for (const part of parts) {
      if (CODE_STOP_WORDS.has(part)) continue;
      const term = stem(part);
      onTerm(term, parts.length === 1 && term.length === word.length && term === word.toLowerCase());
    }
    if (onCompound && parts.length > 1) onCompound(word.toLowerCase());
  }
}

/** The terms BM25 indexes: stemmed parts and whole compound identifiers. */
export function codeTerms(text: string): string[] {
  const terms: string[] = [];
  const push = (t: string) => terms.push(t);
  visitCodeWords(text, push, push);
  return terms;
}

/**
 * Terms a text holding `name` (lowercased, as a whole word) must have, as alternatives: for each plain
 * word of two or more letters in it, the word whole (written as a compound, parseConfig) or stemmed
 * (written as one part, parseconfig). Words with digits, `_` or `$`, or stop words, give no such term.
 */
export function termsOfName(name: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const word of name.match(IDENTIFIER) ?? []) {
    if (!/^[a-z]{2,80}$/.test(word) || CODE_STOP_WORDS.has(word)) continue;
    out.push([word, stem(word)]);
  }
  return out;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return (c >= 97 && c <= 122) || c > 127;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `parseHTTPResponse2_fast` → parse, http, response, 2, fast. Single letters are dropped. */
export function splitIdentifier(word: string, out: string[]): void {
  const n = word.length;
  let start = 0;
  const emit = (end: number) => {
    if (end - start >= 2 || (end - start === 1 && isDigit(word.charCodeAt(start)))) {
      out.push(word.slice(start, end).toLowerCase());
    }
  };
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    if (c === 95 /* _ */ || c === 36 /* $ */) {
      emit(i);
      start = i + 1;
      continue;
    }
    if (i === start) continue;
    const p = word.charCodeAt(i - 1);
    const boundary =
      (isUpper(c) && isLower(p)) ||
      // The last capital of an acronym starts the next word: HTTPResponse → HTTP, Response.
      (isUpper(c) && isUpper(p) && i + 1 < n && isLower(word.charCodeAt(i + 1)) && !isDigit(word.charCodeAt(i + 1))) ||
      (isDigit(c) !== isDigit(p) && c !== 95 && p !== 95);
    if (boundary) {
      emit(i);
      start = i;
    }
  }
  emit(n);
}

const stemCache = new Map<string, string>();

/** A light suffix stripper: plurals, -ing, -ed, -er, -ation, trailing e/y, so variants meet. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  const result = stemUncached(word);
  // Bounded so a huge workspace's vocabulary cannot grow the cache without end.
  if (stemCache.size < 200_000) stemCache.set(word, result);
  return result;
}

function stemUncached(input: string): string {
  let w = input;
  if (isDigit(w.charCodeAt(0))) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is') && w.length > 3) w = w.slice(0, -1);

  if (w.endsWith('ation') && w.length > 7) w = w.slice(0, -5);
  else if (w.endsWith('ing') && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4) w = undouble(w.slice(0, -2));
  else if (w.endsWith('er') && w.length > 5) w = undouble(w.slice(0, -2));

  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  else if (w.length > 3 && w.endsWith('y')) w = `${w.slice(0, -1)}i`;
  return w;
}

/** running → run, but not call → cal. */
function undouble(w: string): string {
  const n = w.length;
  if (n > 3 && w[n - 1] === w[n - 2] && !'lsz'.includes(w[n - 1])) return w.slice(0, -1);
  return w;
}
