// How many of the conversation's turns use each word: what makes a turn specific ("pottery",
// "Denver") rather than chat ("haha, totally"), and which rare words two turns share (an update
// naming the old value, two halves of a multi-hop answer). Counted once over the log, then only the
// messages appended since; tool output and recall blocks are not conversation and are left out.
import { bm25Idf } from './bm25';
import type { SearchDoc } from './recallSearch';
import { QUESTION_STOP_WORDS } from './stopWords';

/** A long message's first this many characters are counted: enough for what it is about. */
const MAX_CHARS = 4_000;

/** The distinct words of lowercased `text` worth counting: two characters or more, no stop words. */
export function wordsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.slice(0, MAX_CHARS).split(/[^\p{L}\p{N}_]+/u)) if (w.length > 1 && !QUESTION_STOP_WORDS.has(w)) out.add(w);
  return out;
}

export class WordFrequencies {
  private readonly df = new Map<string, number>();
  private counted = 0;
  private turns = 0;
  private generation = -1;

  /** Catches up with `docs`, append-only within one `generation` (the log bumps it when it re-reads). */
  sync(docs: readonly SearchDoc[], generation: number): void {
    if (generation !== this.generation || docs.length < this.counted) {
      this.df.clear();
      this.counted = 0;
      this.turns = 0;
      this.generation = generation;
    }
    for (; this.counted < docs.length; this.counted++) {
      const doc = docs[this.counted];
      if ((doc.role !== 'user' && doc.role !== 'assistant') || (doc.kind ?? 'message') !== 'message') continue;
      this.turns++;
      for (const w of wordsOf(doc.text)) this.df.set(w, (this.df.get(w) ?? 0) + 1);
    }
  }

  /** The conversation's turns counted. */
  get size(): number {
    return this.turns;
  }

  /** How many turns use `word` (lowercased). */
  count(word: string): number {
    return this.df.get(word) ?? 0;
  }

  /** How rare `word` (lowercased) is across the turns, as BM25 weighs it: a word in every turn is worth little. */
  idf(word: string): number {
    return bm25Idf(this.df.get(word) ?? 0, Math.max(1, this.turns));
  }
}
