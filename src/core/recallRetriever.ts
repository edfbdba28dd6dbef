// Automatic recall's candidates from recall memory (the message log), each with how much of the
// message being answered it holds (autoRecall.ts decides which are shown). The keyword ranking only
// gathers candidates; relevance is what the question asks that a turn holds, from signals any real
// conversation has:
//   - its words, the rarer the more they count;
//   - the day it names ("on 9 November", "last Tuesday"): a turn from that day holds it like a word;
//     inside that day the turns that say something specific come before chat;
//   - for a question about the current state ("now", "current"), a later turn restating the best
//     hit's specifics (the old value named in its update) comes with it, first;
//   - two turns tied by a rare word they share (a name) that together hold more of the question than
//     either alone are one answer in two hops ("my sister Lena…", "Lena moved to Denver").
import { bm25Idf } from '../memory/bm25';
import type { MessageVectors } from '../memory/messageVectors';
import { contentForModel } from '../memory/messageContent';
import { parseQueryDates } from '../memory/queryDates';
import type { RecallLog } from '../memory/recall';
import { exchangeNeighbours } from '../memory/recallExchange';
import { hybridRecallSearch } from '../memory/recallHybrid';
import { parseQuery, type TimeSpan } from '../memory/recallSearch';
import type { MessageRecord } from '../memory/types';
import { type WordFrequencies, wordsOf } from '../memory/wordFrequencies';
import { type MemoryHit, type MemoryRetriever, type QueryMatcher, queryMatchers, RELEVANCE_FLOOR, relevanceOf } from './autoRecall';

const MAX_HIT_CHARS = 500;
const MAX_NEIGHBOUR_CHARS = 300;
/** Candidates judged per query, however few are wanted: the keyword ranking's order is only a start. */
const CANDIDATE_POOL = 30;
/** A word in at most this share of the turns (and at least two) is specific: a later turn naming it restates the first. */
const RARE_SHARE = 0.02;
/** Updates followed from the best hit (sushi → tacos → pho), at most. */
const MAX_UPDATES = 2;
/** A name in more than this share of the turns (a speaker's) is everywhere: it ties nothing together. */
const NAME_SHARE = 0.05;

interface Scored {
  r: MessageRecord;
  /** Position in the keyword ranking: the tie-break of last resort. */
  rank: number;
  relevance: number;
}

/** What a question asks for, weighted: its content words and the day it names. */
interface Asked {
  matchers: QueryMatcher[];
  weights: number[];
  day?: { span: TimeSpan; weight: number };
}

/** Searches the message log, skipping what is already in the conversation queue. */
export class RecallRetriever implements MemoryRetriever {
  constructor(
    private readonly recall: RecallLog,
    private readonly firstInContextId: () => number,
    /** With a model embedder: the message vectors, fused with the keyword ranking (recallHybrid.ts). */
    private readonly vectors?: MessageVectors,
  ) {}

  async retrieve(query: string, limit: number): Promise<MemoryHit[]> {
    // The message being answered joins the log only after this search: its dates are read against the clock.
    const reference = this.recall.now();
    const dated = parseQueryDates(query, reference);
    // The date words are the day facet's, not words to find ("9 November" must not match "9 out of 10").
    const matchers = queryMatchers(dated.query);
    if (!matchers.length) return [];
    // The queue as the model sees it: imported history numbered after its start is not in it, so it may be recalled.
    const inContext = new Set(this.recall.since(this.firstInContextId()).map((r) => r.id));
    const options = { pageSize: Math.max(limit, CANDIDATE_POOL), excludeIds: inContext, reference };
    const page = this.vectors ? await hybridRecallSearch(this.recall, this.vectors, query, options) : this.recall.search(query, options);
    if (!page.results.length) return [];
    const words = this.recall.wordFrequencies();
    const asked = this.asked(matchers, dated.window);
    let scored: Scored[] = page.results.map((r, rank) => ({ r, rank, relevance: relevance(contentForModel(r), [r.time], asked) }));
    scored = bridged(scored, asked, words);
    scored.sort(byRelevance(asked.day ? specificity(words) : undefined));
    if (parseQuery(dated.query).recent) scored = this.newestFirst(scored, matchers, words, inContext);
    return scored.slice(0, limit).map(({ r, relevance }) => ({
      ...this.hit(r, MAX_HIT_CHARS),
      relevance,
      neighbours: exchangeNeighbours(this.recall, r, (id) => inContext.has(id)).map((n) => this.hit(n, MAX_NEIGHBOUR_CHARS)),
    }));
  }

  private asked(matchers: QueryMatcher[], window: TimeSpan | undefined): Asked {
    // A word found in a few messages says more than one found in most: weight each by its idf.
    const docs = Math.max(1, this.recall.count());
    const weights = this.recall.documentFrequencies(matchers.map((m) => m.term)).map((df) => bm25Idf(df, docs));
    // A day is weighed like a word: one with few messages in the log narrows more than a busy month.
    const day = window ? { span: { startMs: window.startMs, endMs: window.endMs }, weight: bm25Idf(this.recall.countWithin(window), docs) } : undefined;
    return { matchers, weights, day };
  }

  /**
   * For a question about the current state: the later turns that restate the best hit (name one of
   * its rare words, as "I'm so over sushi, tacos now" names the old favourite), followed from
   * one update to the next, go first, newest first, at the best hit's relevance. The best hit stays:
   * the model sees what changed, with the dates.
   */
  private newestFirst(scored: Scored[], matchers: readonly QueryMatcher[], words: WordFrequencies, inContext: ReadonlySet<number>): Scored[] {
    const best = scored[0];
    if (!best || best.relevance < RELEVANCE_FLOOR) return scored;
    const updates: MessageRecord[] = [];
    let said = new Set<string>();
    for (let from = best.r; updates.length < MAX_UPDATES; ) {
      // What a statement adds to the one before it is what its update names ("tacos" after "over sushi, tacos now").
      const own = wordsOf(contentForModel(from).toLowerCase());
      const next = this.restatement(from, [...own].filter((w) => !said.has(w)), matchers, words, inContext);
      if (!next) break;
      updates.unshift(next);
      said = own;
      from = next;
    }
    const ids = new Set(updates.map((u) => u.id));
    return [...updates.map((r) => ({ r, rank: -1, relevance: best.relevance })), ...scored.filter((s) => !ids.has(s.r.id))];
  }

  /**
   * The newest later turn by the same side as `old` that names one of `its` rare words (the old value,
   * as "I'm so over sushi" names it): a person's fact is updated by that person.
   */
  private restatement(old: MessageRecord, its: readonly string[], matchers: readonly QueryMatcher[], words: WordFrequencies, inContext: ReadonlySet<number>): MessageRecord | undefined {
    const rare = Math.max(3, words.size * RARE_SHARE);
    const named = its.filter((w) => !asksFor(w, matchers) && words.count(w) >= 2 && words.count(w) <= rare);
    if (!named.length) return undefined;
    return this.recall
      .search(named.join(' '), { pageSize: 50, excludeIds: new Set(inContext), dates: false })
      .results.filter((r) => r.id > old.id && r.role === old.role && (r.kind ?? 'message') === 'message')
      .filter((r) => {
        const theirs = wordsOf(contentForModel(r).toLowerCase());
        return named.some((w) => theirs.has(w));
      })
      .reduce<MessageRecord | undefined>((newest, r) => (!newest || r.id > newest.id ? r : newest), undefined);
  }

  private hit(r: MessageRecord, max: number): MemoryHit {
    return { source: `recall #${r.id} (${r.time.slice(0, 10)}, ${r.role})`, text: clip(contentForModel(r), max) };
  }
}

/** Share of what is asked that `text`, said at `times`, holds. */
function relevance(text: string, times: readonly string[], asked: Asked): number {
  const words = asked.weights.reduce((a, b) => a + b, 0);
  const share = relevanceOf(text, asked.matchers, asked.weights);
  const day = asked.day;
  if (!day) return share;
  const onDay = times.some((time) => {
    const t = Date.parse(time);
    return t >= day.span.startMs && t <= day.span.endMs;
  });
  return (share * words + (onDay ? day.weight : 0)) / (words + day.weight);
}

/** Whether the question already asks for `word` (it is one of its words, or found by one). */
function asksFor(word: string, matchers: readonly QueryMatcher[]): boolean {
  return matchers.some((m) => m.re.test(word));
}

/**
 * Candidates paired by a name both use (a person, a place: "my sister Lena…", "Lena moved to Denver"),
 * when the two together hold more of the question than either alone: each is worth what the pair
 * holds. A name the question asks for ties nothing (it is no hop), nor one in many turns (the speakers').
 */
function bridged(scored: Scored[], asked: Asked, words: WordFrequencies): Scored[] {
  const common = bm25Idf(Math.max(2, words.size * NAME_SHARE), Math.max(1, words.size));
  const texts = scored.map((s) => contentForModel(s.r));
  const names = texts.map((t) => [...namesIn(t)].filter((w) => words.idf(w) >= common && !asksFor(w, asked.matchers) && !lowercaseIn(t, w)));
  const used = texts.map((t) => wordsOf(t.toLowerCase()));
  // A name one turn writes inside a sentence ties it to a turn that writes it anywhere (first words are capitalised too).
  const ties = (i: number, j: number) => names[i].some((w) => used[j].has(w) && !lowercaseIn(texts[j], w));
  const out = scored.map((s) => ({ ...s }));
  for (let i = 0; i < scored.length; i++) {
    for (let j = i + 1; j < scored.length; j++) {
      if (!ties(i, j) && !ties(j, i)) continue;
      // Said at two times, the pair holds the day if either turn does.
      const together = relevance(`${texts[i]}\n${texts[j]}`, [scored[i].r.time, scored[j].r.time], asked);
      if (together <= Math.max(scored[i].relevance, scored[j].relevance)) continue;
      out[i].relevance = Math.max(out[i].relevance, together);
      out[j].relevance = Math.max(out[j].relevance, together);
    }
  }
  return out;
}

/** Words written with a capital inside a sentence ("my sister Lena"), lowercased: names, most likely. */
function namesIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<=[\p{L}\p{N},;)]\s+)\p{Lu}[\p{Ll}\p{N}]+(?![\p{L}\p{N}_])/gu)) out.add(m[0].toLowerCase());
  return out;
}

/** Whether `word` (lowercased) is written in lowercase in `text`: then it is an ordinary word, not a name. */
function lowercaseIn(text: string, word: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'u').test(text);
}

/** How much a turn says that the rest of the conversation does not: the idf of its words, summed. */
function specificity(words: WordFrequencies): (r: MessageRecord) => number {
  const cache = new Map<number, number>();
  return (r) => {
    let s = cache.get(r.id);
    if (s === undefined) {
      s = 0;
      for (const w of wordsOf(clip(contentForModel(r), MAX_HIT_CHARS).toLowerCase())) s += words.idf(w);
      cache.set(r.id, s);
    }
    return s;
  };
}

/** Relevance first; among equals, the more specific turn when a day decides, else the keyword ranking's order. */
function byRelevance(specific?: (r: MessageRecord) => number): (a: Scored, b: Scored) => number {
  return (a, b) => {
    const d = b.relevance - a.relevance;
    if (Math.abs(d) > 1e-9) return d;
    if (specific) {
      const s = specific(b.r) - specific(a.r);
      if (s !== 0) return s;
    }
    return a.rank - b.rank;
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
