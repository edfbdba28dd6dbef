// Automatic recall (DESIGN.md §3): before a user message reaches the model, the best few hits from
// external memory are put into the queue, so memory does not depend on the model remembering to look.
// The block is added to every prompt, so it has to earn its tokens: nothing when nothing is relevant
// (small talk, questions memory cannot answer), one hit when one clearly wins, nothing the model
// already sees, and each recalled turn with the turn next to it, where the answer often is.
import type { TokenCounter } from '../llm/types';
import { EXPANSION_WEIGHT, expansionsOf, needle, parseQuery, RECENCY_WORDS } from '../memory/recallSearch';
import type { BlockRecord, MessageRecord } from '../memory/types';

export interface MemoryHit {
  /** Where it came from, as the model should cite it: "recall #12 (2026-11-20, user)", "src/a.ts:10-40". */
  source: string;
  text: string;
  /** How much of the query this hit matches, 0..1 (the query's rarer words count more); undefined: always relevant. */
  relevance?: number;
  /** The turns around a recalled message, shown with it if the budget allows. */
  neighbours?: MemoryHit[];
}

/** One source of automatic recall. Recall memory now; archival memory plugs in the same way. */
export interface MemoryRetriever {
  /** Up to `limit` candidates, best first; gatherAutoRecall decides how many are worth showing. */
  retrieve(query: string, limit: number): Promise<MemoryHit[]>;
}

/** Below this share of the query, a hit is more likely noise than evidence (measured in test/unit/core.autoRecall.test.ts). */
export const RELEVANCE_FLOOR = 0.5;
/** Hits this close to the best are as likely to be the answer; farther behind, the best one wins alone. */
const CLOSE_TO_BEST = 0.85;

/**
 * Words that carry no topic: a message made only of these ("thanks, sounds good!") asks memory for
 * nothing, though each of them occurs somewhere in a long conversation.
 */
const SMALL_TALK = new Set(
  ('hi hello hey hiya morning evening afternoon night thanks thank thx ty ok okay k cool great nice good fine awesome ' +
    'perfect sure yes yeah yep no nope lol haha wow bye goodbye cheers later see soon sounds right alright well done ' +
    'glad love happy welcome np please sorry oh ah hmm yay day today weekend doing going fun amazing wonderful totally ' +
    'talk soon chat catch hear sound')
    .split(' '),
);

/** What a query word is looked for as in a hit: the possessive dropped, then recall search's own needle (`melanie's` → `melanie`, `tests` → `test`). */
function stem(term: string): string {
  return needle(term.replace(/['’]s$/u, ''));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordStart(term: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(term)}`, 'u');
}

export interface QueryMatcher {
  term: string;
  re: RegExp;
  /** The term's related words (recall search's expansion), each worth EXPANSION_WEIGHT of the term. */
  related: RegExp[];
}

/** The query's content words as matchers that find them at the start of a word (`port` in `ports`, not in `support`). */
export function queryMatchers(query: string): QueryMatcher[] {
  const parsed = parseQuery(query);
  const terms = [
    ...new Set(
      parsed.terms
        // "now", "current": they ask for the newest statement (ranking's job), the update need not say them.
        .filter((t) => !SMALL_TALK.has(t) && !(parsed.recent && RECENCY_WORDS.has(t)))
        .map(stem)
        .filter((t) => t.length > 0 && !SMALL_TALK.has(t)),
    ),
  ];
  const related = expansionsOf(terms);
  return terms.map((term, i) => ({ term, re: wordStart(term), related: related[i].map(wordStart) }));
}

/** Share of the query's weight that `text` matches; `weights` line up with `matchers`. */
export function relevanceOf(text: string, matchers: readonly { re: RegExp; related?: readonly RegExp[] }[], weights: readonly number[]): number {
  const lower = text.toLowerCase();
  let total = 0;
  let found = 0;
  matchers.forEach((m, i) => {
    total += weights[i];
    if (m.re.test(lower)) found += weights[i];
    else if (m.related?.some((r) => r.test(lower))) found += weights[i] * EXPANSION_WEIGHT;
  });
  return total > 0 ? found / total : 0;
}

/** The text the model already sees besides the queue's messages: working-context blocks and earlier recall blocks. */
export function textInContext(blocks: readonly BlockRecord[], queue: readonly MessageRecord[]): string[] {
  return [...blocks.map((b) => b.value), ...queue.filter((r) => r.kind === 'auto_recall').map((r) => r.content)];
}

function normalize(text: string): string {
  return text.replace(/…$/u, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The hits worth showing: above the floor, and only those close to the best (a clear winner stands alone). */
export function chooseHits(candidates: readonly MemoryHit[], max: number): MemoryHit[] {
  const scored = candidates.filter((h) => (h.relevance ?? 1) >= RELEVANCE_FLOOR);
  if (!scored.length) return [];
  const best = Math.max(...scored.map((h) => h.relevance ?? 1));
  // Stable sort: equal relevance keeps the retriever's own ranking.
  return [...scored]
    .sort((a, b) => (b.relevance ?? 1) - (a.relevance ?? 1))
    .filter((h) => (h.relevance ?? 1) >= best * CLOSE_TO_BEST)
    .slice(0, max);
}

export interface AutoRecallOptions {
  /** Most hits shown per retriever (neighbours not counted). */
  perRetriever?: number;
  /** Text the model already sees (textInContext): hits found in it are not repeated. */
  inContext?: readonly string[];
}

/** Gathers hits from every retriever and renders those that fit in `budgetTokens`; undefined if none is worth it. */
export async function gatherAutoRecall(
  retrievers: readonly MemoryRetriever[],
  query: string,
  tokens: TokenCounter,
  budgetTokens: number,
  options: AutoRecallOptions | number = {},
): Promise<string | undefined> {
  const { perRetriever = 3, inContext = [] } = typeof options === 'number' ? { perRetriever: options } : options;
  if (!query.trim()) return undefined;
  const seen = normalize(inContext.join('\n'));
  const shown = new Set<string>();
  const fresh = (h: MemoryHit): boolean => {
    const key = normalize(h.text).slice(0, 200);
    return key.length > 0 && !shown.has(h.source) && !seen.includes(key);
  };
  const hits: MemoryHit[] = [];
  for (const r of retrievers) {
    // More candidates than shown, so what is already in context can be passed over.
    const candidates = (await r.retrieve(query, perRetriever * 3)).filter(fresh);
    hits.push(...chooseHits(candidates, perRetriever));
  }
  if (!hits.length) return undefined;
  const header = 'Possibly relevant memories, found automatically for the next message (check them before relying on them):';
  const groups: MemoryHit[][] = [];
  let used = tokens.count(header);
  const add = (h: MemoryHit, group: MemoryHit[]): boolean => {
    if (!fresh(h)) return false;
    const n = tokens.count(line(h));
    if (used + n > budgetTokens) return false;
    group.push(h);
    shown.add(h.source);
    used += n;
    return true;
  };
  // Every chosen hit before any neighbour: a neighbour is worth less than another hit.
  for (const h of hits) {
    const group: MemoryHit[] = [];
    if (add(h, group)) groups.push(group);
  }
  for (const group of groups) for (const n of group[0].neighbours ?? []) add(n, group);
  if (!groups.length) return undefined;
  // Each exchange reads in the order it was said.
  const lines = groups.flatMap((g) => [...g].sort((a, b) => messageId(a) - messageId(b)).map(line));
  return `${header}\n${lines.join('\n')}`;
}

function line(h: MemoryHit): string {
  return `- ${h.source}: ${h.text.replace(/\s+/g, ' ')}`;
}

/** A recall hit's message id, to order an exchange; other sources keep their place. */
function messageId(h: MemoryHit): number {
  const m = /^recall #(\d+)/.exec(h.source);
  return m ? Number(m[1]) : 0;
}
