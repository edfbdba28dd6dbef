// Keyword search over the message log (conversation_search, conversation_search_date, automatic
// recall). Plain scans over text lowercased once: 50k messages take a few milliseconds, no index to keep.
// Scored with the BM25 weights archival search uses (bm25.ts), but terms are found as substrings, not
// through Bm25Index's code tokenizer: a question names a word as it remembers it (`loginhandler`,
// `ledger`), and it must find `loginHandler.ts` and `ledger-svc` without the stemmer's guesses.
import type { Role } from '../common/types';
import { bm25Idf, bm25Tf } from './bm25';
import { lexiconForm, narrowerNouns, nounId, relatedWords } from './lexicon';
import { QUESTION_STOP_WORDS } from './stopWords';
import { type MessageKind, MemoryError, type Page } from './types';

/** A message as search sees it; built once per message when it enters the log. */
export interface SearchDoc {
  id: number;
  role: Role;
  kind?: MessageKind;
  /** Content (and tool-call names and arguments), lowercased. */
  text: string;
  /** Milliseconds since the epoch, NaN when the record's time is unreadable. */
  timeMs: number;
  /** The session it was said in: only turns of one session are each other's neighbours. */
  session?: string;
}

export const DEFAULT_SEARCH_ROLES: readonly Role[] = ['user', 'assistant', 'tool'];

export interface Query {
  terms: string[];
  /** The whole query, lowercased with spaces collapsed, for the exact-phrase bonus. */
  phrase: string;
  /**
   * The query asks for the current state ("now", "current", "latest"): of matches of the same topic
   * words, the newest counts; the recency words themselves still score but do not make a tier.
   */
  recent: boolean;
}

/**
 * Words that ask for the newest statement rather than name a topic: "what is the dev port now?" is
 * answered by the last message that set it, which need not say "now" (an older "from now on" may).
 */
export const RECENCY_WORDS: ReadonlySet<string> = new Set(['now', 'current', 'currently', 'latest', 'newest', 'nowadays', 'anymore', 'presently']);

export function parseQuery(query: string): Query {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    // Keep inner punctuation (ledger-svc, foo.bar, a/b.ts) but not quotes, backticks, commas around words.
    .map((w) => w.replace(/^[^\p{L}\p{N}_$@#]+|[^\p{L}\p{N}_$]+$/gu, ''))
    .filter((w) => w.length > 0);
  let terms = words.filter((w) => !QUESTION_STOP_WORDS.has(w) && (w.length > 1 || /\p{N}/u.test(w)));
  const recent = terms.some((w) => RECENCY_WORDS.has(w)) && terms.some((w) => !RECENCY_WORDS.has(w));
  // A query of nothing but small words still means something ("is it done"): search for them then.
  if (terms.length === 0) terms = words;
  return { terms: [...new Set(terms)], phrase: words.join(' '), recent };
}

/** What a term is looked for as: a plural also finds its singular (`tests` → `test`). */
export function needle(term: string): string {
  // A possessive names its owner: `melanie's` must find "Melanie:" and "Melanie said".
  term = term.replace(/['’]s$/u, '');
  // An inflected word is looked for as its dictionary form when that starts it: `adopted` → `adopt`
  // also finds "adopting" and "adoption".
  const form = /(?:ed|ing|s)$/u.test(term) ? lexiconForm(term) : undefined;
  if (form !== undefined && form.length >= 4 && form !== term && term.startsWith(form)) return form;
  return term.length >= 4 && term.endsWith('s') && !term.endsWith('ss') ? term.slice(0, -1) : term;
}

function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code > 127;
}

/** A term this short matches only as a word of its own (or with an inflection): "bun" is not in "zabun". */
const SHORT_TERM = 3;
/** What may follow a short term in the word it starts: "bugs", "pr's", "ran" → "running" does not. */
const INFLECTIONS = /^(?:s|es|'s|’s|ed|d|ing|er|ers)(?![\p{L}\p{N}_])/u;

/**
 * Tenths a match of a needle `length` long at `at` is worth: 10 a whole word, 8 the start of one,
 * 5 inside one; 0 when it does not count (a short needle inside a longer word).
 */
function matchWeight(text: string, at: number, length: number): number {
  const starts = at === 0 || !isWordChar(text.charCodeAt(at - 1));
  const endAt = at + length;
  const ends = endAt >= text.length || !isWordChar(text.charCodeAt(endAt));
  if (length <= SHORT_TERM && !(starts && ends)) return starts && INFLECTIONS.test(text.slice(endAt, endAt + 4)) ? 8 : 0;
  return starts ? (ends ? 10 : 8) : 5;
}

/** Whether `needle` occurs in `text` in a way that counts (matchWeight). */
function occurs(text: string, needle: string): boolean {
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) if (matchWeight(text, at, needle.length) > 0) return true;
  return false;
}

/** Whether a query has any word worth searching for, once question words ("what did we do") are dropped. */
export function hasKeywords(query: string): boolean {
  return query
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}_$@#]+|[^\p{L}\p{N}_$]+$/gu, ''))
    .some((w) => w.length > 0 && !QUESTION_STOP_WORDS.has(w) && (w.length > 1 || /\p{N}/u.test(w)));
}

/** Inclusive milliseconds since the epoch. */
export interface TimeSpan {
  startMs: number;
  endMs: number;
}

export interface SearchFilter {
  excludeIds?: Set<number>;
  /** Only messages up to this id: what the log held when page 1 of a paged search was asked. */
  upToId?: number;
  roles?: readonly Role[];
  /** Only messages from this span are searched. */
  within?: TimeSpan;
  /** Messages from this span rank above every message outside it; the others still follow. */
  prefer?: TimeSpan;
  /** Also look for words related to the query's (lexicon.ts), weighted below the query's own; default true. */
  expand?: boolean;
}

/** Related words looked for per query term: the lexicon lists the best first, and later ones are mostly noise. */
export const MAX_EXPANSIONS = 4;
/** What a related word's match is worth beside the query's own word. */
export const EXPANSION_WEIGHT = 0.5;
/** What a term matched by the turn next to a message is worth to the message. */
export const CONTEXT_WEIGHT = 0.3;

/**
 * The related words to look for, per query term (lexicon.ts): none shorter than four letters (they
 * match inside too many words), none a query term already finds.
 */
export function expansionsOf(terms: readonly string[]): string[][] {
  const needles = terms.map(needle);
  return terms.map((term) =>
    relatedWords(term.replace(/['’]s$/u, ''))
      .filter((w) => w.length >= 4 && !QUESTION_STOP_WORDS.has(w) && !needles.some((n) => w.includes(n) || n.includes(w)))
      .slice(0, MAX_EXPANSIONS),
  );
}

/** Per word of a message, its number among the lexicon's nouns (lexicon.nounId), -1 for none: words repeat across messages. */
const nounOfWord = new Map<string, number>();
/** Per message, the nouns it names, made when a query first asks in a broader word. */
const nounsByDoc = new WeakMap<SearchDoc, Uint16Array>();
const NO_NOUNS = new Uint16Array(0);
/** A long message's first this many characters name what it is about (tool output runs on). */
const NOUN_CHARS = 2_000;
/** The lexicon's nouns have at most 15 letters, their plurals a few more. */
const MAX_NOUN_LETTERS = 18;
/** Words whose noun number is kept: the log's vocabulary, bounded against hashes and tool output. */
const MAX_CACHED_WORDS = 100_000;

/**
 * The lexicon's nouns that `doc` names: a question asks in general words ("the animal she adopted") for
 * what a turn names specifically ("a dog"), and a noun's broader terms say which (narrowerNouns).
 */
function nounsOf(doc: SearchDoc): Uint16Array {
  let ids = nounsByDoc.get(doc);
  if (ids !== undefined) return ids;
  const found = new Set<number>();
  const text = doc.text;
  const end = Math.min(text.length, NOUN_CHARS);
  // Runs of a–z (the lexicon's words are nothing else), read without a regular expression: this runs
  // once over every message in the log.
  for (let at = 0; at < end; ) {
    let code = text.charCodeAt(at);
    if (code < 97 || code > 122) {
      at++;
      continue;
    }
    const start = at;
    do code = text.charCodeAt(++at);
    while (code >= 97 && code <= 122);
    // A word of its own: not part of an identifier or a number (`x_dog`, `2dogs`), nor longer than a noun gets.
    if (at - start < 3 || at - start > MAX_NOUN_LETTERS || isWordChar(code) || (start > 0 && isWordChar(text.charCodeAt(start - 1)))) continue;
    const word = text.slice(start, at);
    let id = nounOfWord.get(word);
    if (id === undefined) {
      id = nounId(word);
      // A slice of 13 characters or more keeps the whole message alive (V8 shares it), so those are not kept.
      if (word.length < 13) {
        if (nounOfWord.size >= MAX_CACHED_WORDS) nounOfWord.clear();
        nounOfWord.set(word, id);
      }
    }
    if (id >= 0) found.add(id);
  }
  ids = found.size > 0 ? Uint16Array.from(found) : NO_NOUNS;
  nounsByDoc.set(doc, ids);
  return ids;
}

/** Whether `doc` names a noun `mask` (narrowerNouns) holds. */
function namesNarrower(doc: SearchDoc, mask: Uint8Array): boolean {
  for (const id of nounsOf(doc)) if (mask[id] === 1) return true;
  return false;
}

/** Whether `filter` lets `doc` be searched at all (the role, exclusions and `within`; not the query). */
export function searchable(doc: SearchDoc, filter: SearchFilter, roles: ReadonlySet<Role>): boolean {
  if (doc.kind === 'auto_recall' || !roles.has(doc.role)) return false;
  if (filter.excludeIds !== undefined && filter.excludeIds.has(doc.id)) return false;
  if (filter.upToId !== undefined && doc.id > filter.upToId) return false;
  return filter.within === undefined || inSpan(doc, filter.within);
}

export function inSpan(doc: SearchDoc, span: TimeSpan): boolean {
  return doc.timeMs >= span.startMs && doc.timeMs <= span.endMs;
}

export interface Ranked {
  /** How many documents match at all. */
  total: number;
  /** Indices into `docs` of the best `limit` matches, best first. */
  top: number[];
}

/** Occurrences past this add nothing worth counting (BM25 saturates long before). */
const MAX_COUNT = 12;
/** Beyond this many wanted results, sorting everything beats keeping a sorted short list. */
const INSERTION_LIMIT = 256;

/**
 * Ranks `docs` for `query` and returns the best `limit` of them. More distinct query terms matched
 * always wins; then a BM25-like weight with a bonus for whole words and for the exact phrase, plus a
 * share of the query words the turns beside it say; ties go to the newer message. Terms match inside
 * identifiers too (`ledger` finds `ledger-svc`), except terms of three letters or fewer, which match
 * only whole words.
 */
export function rankDocs(docs: readonly SearchDoc[], query: string, filter: SearchFilter = {}, limit = Infinity): Ranked {
  const { terms, phrase, recent } = parseQuery(query);
  if (terms.length === 0 || limit <= 0) return { total: 0, top: [] };
  // The query's own terms first, then each term's related words, which stand in for it at a lower weight.
  const needles = terms.map(needle);
  const parent = terms.map((_, t) => t);
  /** Per needle, for a query term asked in a broader word, the nouns that it is broader than (found by nounsOf, not in the text). */
  const narrower: Array<Uint8Array | undefined> = terms.map(() => undefined);
  if (filter.expand !== false) {
    expansionsOf(terms).forEach((words, t) => {
      for (const w of words) {
        needles.push(w);
        parent.push(t);
        narrower.push(undefined);
      }
    });
    terms.forEach((term, t) => {
      const word = term.replace(/['’]s$/u, '');
      const mask = /^\p{L}{4,}$/u.test(word) ? narrowerNouns(word) : undefined;
      if (mask === undefined) return;
      needles.push(term);
      parent.push(t);
      narrower.push(mask);
    });
  }
  const Q = terms.length;
  const T = needles.length;
  const roles = new Set(filter.roles ?? DEFAULT_SEARCH_ROLES);

  // Pass 1 collects raw matches into flat arrays (no allocation per message); scores need the
  // document frequencies, which are known only once every message has been seen.
  let capacity = 1024;
  let hitIndex = new Int32Array(capacity);
  let counts = new Uint8Array(capacity * T);
  // Tenths: 10 whole word, 8 word start, 5 inside a word.
  let weights = new Uint8Array(capacity * T);
  let hits = 0;
  const df = new Float64Array(T);
  let totalLen = 0;
  let searched = 0;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    if (!searchable(doc, filter, roles)) continue;
    searched++;
    const text = doc.text;
    totalLen += text.length;
    if (hits === capacity) {
      capacity *= 2;
      hitIndex = grow(hitIndex, new Int32Array(capacity));
      counts = grow(counts, new Uint8Array(capacity * T));
      weights = grow(weights, new Uint8Array(capacity * T));
    }
    const base = hits * T;
    let any = false;
    for (let t = 0; t < T; t++) {
      const n = needles[t];
      const mask = narrower[t];
      if (mask !== undefined) {
        if (!namesNarrower(doc, mask)) continue;
        counts[base + t] = 1;
        weights[base + t] = 10;
        df[t]++;
        any = true;
        continue;
      }
      let at = text.indexOf(n);
      if (at < 0) continue;
      let count = 0;
      let best = 0;
      while (at >= 0 && count < MAX_COUNT) {
        const w = matchWeight(text, at, n.length);
        if (w > 0) count++;
        if (w > best) best = w;
        at = text.indexOf(n, at + n.length);
      }
      if (count === 0) continue;
      counts[base + t] = count;
      weights[base + t] = best;
      df[t]++;
      any = true;
    }
    if (any) hitIndex[hits++] = i;
  }
  if (hits === 0) return { total: 0, top: [] };

  // Pass 2: score, and keep only what was asked for.
  const avgLen = totalLen / Math.max(1, searched);
  const idf = Array.from(df, (d) => bm25Idf(d, searched));
  const idfSum = idf.slice(0, Q).reduce((a, b) => a + b, 0) || 1;
  const tiered = tierTerms(terms, recent);
  const multiTerm = phrase.includes(' ');
  const keys = new Float64Array(hits);
  // Per hit and query term, what the hit's own words score (the query's word or a related one).
  const termScores = new Float64Array(hits * Q);
  // Per hit and query term, what the query's own word scores there (no related words): what a turn lends the turns beside it.
  const ownScores = new Float64Array(hits * Q);
  // Per hit, the half steps toward the matched-terms tier: a query term found itself counts 2, one found
  // only through a related word 1.
  const matched = new Int32Array(hits);
  for (let h = 0; h < hits; h++) {
    const doc = docs[hitIndex[h]];
    const row = h * Q;
    for (let t = 0, at = h * T; t < T; t++, at++) {
      const c = counts[at];
      if (c === 0) continue;
      const q = parent[t];
      const s = (t < Q ? 1 : EXPANSION_WEIGHT) * idf[t] * (weights[at] / 10) * bm25Tf(c, doc.text.length, avgLen);
      if (t < Q) {
        matched[h] += tiered[t] ? 2 : 0;
        ownScores[row + q] = s;
      }
      // A narrower noun only adds to the score: it must not lift a message a tier over one saying the word.
      else if (tiered[q] && narrower[t] === undefined && counts[h * T + q] === 0 && termScores[row + q] === 0) matched[h] += 1;
      if (s > termScores[row + q]) termScores[row + q] = s;
    }
  }
  // A turn is also scored by the query words the turns either side of it say (same session), at
  // CONTEXT_WEIGHT, below a related word's: an answer rarely repeats the question's words ("How was
  // Lisbon?" / "We ate pastéis every night"). Only in the score, never a tier: the turn that says the
  // words stays above.
  const rowOf = new Int32Array(docs.length).fill(-1);
  for (let h = 0; h < hits; h++) rowOf[hitIndex[h]] = h;
  const neighbourRow = (i: number, j: number) => (j >= 0 && j < docs.length && docs[j].session === docs[i].session ? rowOf[j] : -1);
  for (let h = 0; h < hits; h++) {
    const i = hitIndex[h];
    const doc = docs[i];
    const row = h * Q;
    const before = neighbourRow(i, i - 1);
    const after = neighbourRow(i, i + 1);
    let score = 0;
    for (let q = 0; q < Q; q++) {
      let s = termScores[row + q];
      // Only for a term the turn does not match itself, and only the neighbour's own word (a related
      // word twice removed is noise).
      if (s === 0) {
        if (before >= 0) s = CONTEXT_WEIGHT * ownScores[before * Q + q];
        if (after >= 0) s = Math.max(s, CONTEXT_WEIGHT * ownScores[after * Q + q]);
      }
      score += s;
    }
    if (multiTerm && doc.text.includes(phrase)) score += idfSum;
    // Between messages that match the same terms about as well the newer wins (newerFirstWhenNear):
    // several statements of one fact are an update and its outdated versions.
    // The preferred span is a tier above everything (matched half-terms stay below 1e6 × 1e7).
    const tier = filter.prefer !== undefined && inSpan(doc, filter.prefer) ? 1e13 : 0;
    keys[h] = tier + matched[h] * 1e7 + Math.min(1e7 - 1, (score / idfSum) * 1e6);
  }
  const better = (a: number, b: number) => keys[a] > keys[b] || (keys[a] === keys[b] && docs[hitIndex[a]].id > docs[hitIndex[b]].id);

  let order: number[];
  if (limit <= INSERTION_LIMIT) {
    order = [];
    for (let h = 0; h < hits; h++) {
      if (order.length === limit && !better(h, order[order.length - 1])) continue;
      let pos = order.length;
      while (pos > 0 && better(h, order[pos - 1])) pos--;
      order.splice(pos, 0, h);
      if (order.length > limit) order.pop();
    }
    // The last group of near-equal hits may reach past the cut: a newer one of them must still come in.
    if (order.length === limit) {
      const groups = nearGroups(order, keys, recent ? RECENT_BAND : NEAR_BAND);
      const lead = keys[order[groups[groups.length - 1]]];
      const taken = new Set(order);
      for (let h = 0; h < hits; h++) if (!taken.has(h) && nearTo(keys[h], lead, recent ? RECENT_BAND : NEAR_BAND)) order.push(h);
    }
  } else {
    order = Array.from({ length: hits }, (_, h) => h);
    order.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
  order = newerFirstWhenNear(order, keys, (h) => docs[hitIndex[h]].id, recent ? RECENT_BAND : NEAR_BAND);
  if (order.length > limit) order.length = limit;
  return { total: hits, top: order.map((h) => hitIndex[h]) };
}

/** Whether `key` is in the same matched-terms tier as `lead` and its score within `band` of it. */
function nearTo(key: number, lead: number, band: number): boolean {
  return Math.floor(key / 1e7) === Math.floor(lead / 1e7) && key % 1e7 >= (lead % 1e7) / (1 + band);
}

/** Start positions of the groups of `order` (sorted best first): each group is its best hit and those near it. */
function nearGroups(order: readonly number[], keys: Float64Array, band: number): number[] {
  const starts: number[] = [];
  for (let i = 0; i < order.length; i++) if (!starts.length || !nearTo(keys[order[i]], keys[order[starts[starts.length - 1]]], band)) starts.push(i);
  return starts;
}

/**
 * `order` (best first) with each group of near-equal hits newest first: the same fact said twice is
 * an update, and the older statement must not reach the model first.
 */
function newerFirstWhenNear(order: number[], keys: Float64Array, id: (h: number) => number, band: number): number[] {
  const sorted = [...order].sort((a, b) => keys[b] - keys[a] || id(b) - id(a));
  const starts = nearGroups(sorted, keys, band);
  const out: number[] = [];
  starts.forEach((start, g) => {
    const group = sorted.slice(start, starts[g + 1] ?? sorted.length);
    out.push(...group.sort((a, b) => id(b) - id(a)));
  });
  return out;
}

/** A score within this factor of the best of its group is "about as good": the newer message ranks first. */
export const NEAR_BAND = 0.25;
/** For a query that asks for the current state: matches of the same terms within 3× are the same fact, newest first. */
export const RECENT_BAND = 2;

/**
 * Which query terms count toward the matched-terms tier. Normally all. In a query for the current
 * state ("what is the dev port for pay-api now?") the recency words only add to the score: an update
 * need not say "now", and an older "from now on" must not win a tier on it.
 */
function tierTerms(terms: readonly string[], recent: boolean): boolean[] {
  return terms.map((t) => !(recent && RECENCY_WORDS.has(t)));
}

function grow<A extends Int32Array | Uint8Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

/** Throws MemoryError('invalid') unless both are whole numbers from 1 up. */
/**
 * How many searchable messages hold each term, found as rankDocs finds it (its needle, anywhere in the
 * text a match counts), in one pass: the document frequencies a caller weighs the terms by.
 */
export function documentFrequencies(docs: readonly SearchDoc[], terms: readonly string[], filter: SearchFilter = {}): number[] {
  const needles = terms.map(needle);
  const roles = new Set(filter.roles ?? DEFAULT_SEARCH_ROLES);
  const df = new Array<number>(terms.length).fill(0);
  for (const doc of docs) {
    if (!searchable(doc, filter, roles)) continue;
    for (let t = 0; t < needles.length; t++) if (occurs(doc.text, needles[t])) df[t]++;
  }
  return df;
}

export function checkPage(page: number, pageSize: number): void {
  if (!Number.isInteger(page) || page < 1) throw new MemoryError('invalid', `page must be a whole number from 1 up, not ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new MemoryError('invalid', `page size must be a whole number from 1 up, not ${pageSize}`);
}

export function paginate<T>(items: readonly T[], page = 1, pageSize = 5): Page<T> {
  checkPage(page, pageSize);
  const total = items.length;
  const start = (page - 1) * pageSize;
  return { total, page, pages: Math.ceil(total / pageSize), results: items.slice(start, start + pageSize) };
}

const DAY_MS = 86_400_000;

/**
 * The inclusive time range [startMs, endMs] of a date search. A bare date is a whole UTC day; a
 * timestamp without a zone is read as UTC, so results never depend on the machine's time zone.
 */
export function parseDateRange(start: string, end: string): { startMs: number; endMs: number } {
  const startMs = parseBound(start, 'start_date', 'start');
  const endMs = parseBound(end, 'end_date', 'end');
  if (startMs > endMs) {
    throw new MemoryError('invalid', `start_date ${start.trim()} is after end_date ${end.trim()}; give the earlier date first`);
  }
  return { startMs, endMs };
}

function parseBound(value: string, name: string, side: 'start' | 'end'): number {
  const v = String(value ?? '').trim();
  const bad = () =>
    new MemoryError('invalid', `${name} "${v}" is not a date: use YYYY-MM-DD (a whole day, UTC) or an ISO timestamp such as 2026-03-02T09:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const ms = utcDay(v);
    if (Number.isNaN(ms)) throw bad();
    return side === 'start' ? ms : ms + DAY_MS - 1;
  }
  const stamp = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
  if (stamp) {
    const ms = Date.parse(`${stamp[1]}T${stamp[2]}${stamp[5] ?? 'Z'}`);
    if (Number.isNaN(ms) || Number.isNaN(utcDay(stamp[1]))) throw bad();
    return ms;
  }
  throw bad();
}

/** Midnight UTC of a YYYY-MM-DD day, or NaN if there is no such day. */
function utcDay(ymd: string): number {
  const ms = Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7)) - 1, Number(ymd.slice(8, 10)));
  // Date.UTC rolls 2026-02-30 over to March; a day that does not come back unchanged does not exist.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === ymd ? ms : NaN;
}
