// BM25 keyword search over archival memory, kept in memory. Terms are the code-aware ones of
// codeTokens.ts, so an exact identifier is one rare term and wins.
// Layout, for 100k documents under 25 ms a query: each term has an id and a posting list of packed
// integers (doc << 8 | tf), short ones in shared slabs (postingLists.ts). A document's own
// (termId << 8 | tf) list is not kept: the caller hands it back to remove the document (archival memory reads it from the shard's cache, archivalCache.ts, which also
// lets a shard's terms be reloaded without tokenizing 100k texts on every open).
import { codeTerms, visitCodeWords } from './codeTokens';
import * as postingLists from './postingLists';
import { PostingLists, type PostingList } from './postingLists';
import { TermTable } from './termTable';
import { TopK, type Scored } from './topK';

// Read once: under a per-file transpiler (tsx: the tests and the bench) an imported binding is a getter
// call at every read, which was half of a long keyword search's time at 1M passages.
const { POSTING_BYTE, TF_MAX, TF_SHIFT, WHOLE } = postingLists;

/**
 * BM25's term-frequency saturation (K1) and length normalisation (B), for every keyword ranking in
 * memory: archival search through Bm25Index, recall search through bm25Idf and bm25Tf.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** How much finding a term says, given it occurs in `df` of `docs` documents. */
export function bm25Idf(df: number, docs: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

/**
 * A term's weight in one document before idf: repeats count less and less, and a document longer
 * than average counts less per occurrence, so long dumps do not win by bulk.
 */
export function bm25Tf(tf: number, length: number, averageLength: number): number {
  return (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * length) / (averageLength || 1)));
}

/**
 * A text's distinct terms and each one's posting byte (postingLists.ts: its count, capped, | WHOLE):
 * what indexing a text costs, made where its passage is prepared (the index worker) so the thread that
 * owns the index only looks up ids.
 * One string and one byte array, because a worker's message copies those far faster than a list of strings.
 */
export interface TextTerms {
  /** The distinct terms, joined by newlines (no term holds one). */
  terms: string;
  counts: Uint8Array;
}

export function textTerms(text: string): TextTerms {
  const counts = countTerms(text);
  const bytes = new Uint8Array(counts.size);
  let i = 0;
  for (const count of counts.values()) bytes[i++] = count;
  return { terms: [...counts.keys()].join('\n'), counts: bytes };
}

/** Each of `text`'s terms and its posting byte: how often it occurs (capped), | WHOLE if a word is it. */
function countTerms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, whole: boolean) => {
    const byte = counts.get(term) ?? 0;
    counts.set(term, (Math.min((byte & TF_MAX) + 1, TF_MAX)) | (byte & WHOLE) | (whole ? WHOLE : 0));
  };
  visitCodeWords(text, add, (word) => add(word, true));
  return counts;
}

/**
 * A term in more than this share of the documents only adds to documents rarer terms already found:
 * its idf is small, and walking a posting list as long as the index costs more than it changes.
 */
const COMMON_SHARE = 0.2;
/** Below this many documents every term is scored in full. */
const COMMON_MIN_DOCS = 5000;

export interface Bm25Result {
  /**
   * Documents found matching a query term (and the filter): all of them, unless the search stopped
   * taking new ones once they could no longer reach the best `limit` (then at least the hits).
   */
  total: number;
  /** The best `limit`, best first; `id` is the doc number. */
  hits: Scored[];
}

/** One document's terms: (termId << 8 | tf) per distinct term. */
export type TermCounts = Uint32Array;

export class Bm25Index {
  private readonly terms = new TermTable();
  private readonly postings = new PostingLists();
  /** Term count per doc; -1 when absent. */
  private lengths = new Int32Array(1024).fill(-1);
  private totalLength = 0;
  private docs = 0;
  /** Documents removed whose postings are still in the lists. */
  private forgotten = 0;
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  /** The candidates a search still follows once no new ones can reach the top (addToFound). */
  private live = new Int32Array(0);

  get size(): number {
    return this.docs;
  }

  /** Indexes `text` as document `doc` (a small non-negative integer, never reused while present). */
  add(doc: number, text: string): void {
    this.addCounts(doc, this.countsFor(text));
  }

  /** The term counts of `text`, for `addCounts` (term ids are made as needed). */
  countsFor(text: string): TermCounts {
    const counts = countTerms(text);
    const packed = new Uint32Array(counts.size);
    let i = 0;
    for (const [term, byte] of counts) packed[i++] = (this.idOf(term) << TF_SHIFT) | byte;
    return packed;
  }

  /** `countsFor` from the terms `textTerms` made, perhaps on another thread: only the ids are made here. */
  countsFrom(terms: TextTerms): TermCounts {
    const words = terms.terms === '' ? [] : terms.terms.split('\n');
    const packed = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) packed[i] = (this.idOf(words[i]) << TF_SHIFT) | terms.counts[i];
    return packed;
  }

  /** Indexes document `doc` from term counts made by `countsFor` or loaded with ids from `idOf`. */
  addCounts(doc: number, counts: TermCounts): void {
    this.addMapped(doc, counts, 0, counts.length);
  }

  /**
   * `addCounts` of `counts[start, end)`, whose term numbers are first mapped through `ids` when given
   * (a shard's own term numbers, as its cache stores them): loading 100k rows makes no array per row.
   */
  addMapped(doc: number, counts: Uint32Array, start: number, end: number, ids?: readonly number[]): void {
    let length = 0;
    for (let i = start; i < end; i++) {
      length += counts[i] & TF_MAX;
      const term = counts[i] >>> TF_SHIFT;
      this.postings.push(ids ? ids[term] : term, (doc << TF_SHIFT) | (counts[i] & POSTING_BYTE));
    }
    this.ensureDoc(doc);
    this.lengths[doc] = length;
    this.totalLength += length;
    this.docs++;
  }

  /** The id of `term`, made on first sight. */
  idOf(term: string): number {
    const id = this.terms.id(term);
    if (id === this.postings.count) this.postings.addTerm();
    return id;
  }

  termOf(id: number): string {
    return this.terms.term(id);
  }

  /** Whether document `doc` has `term` (a compound identifier, say, kept whole). */
  has(doc: number, term: string): boolean {
    return this.postingOf(doc, term) >= 0;
  }

  /** Whether a word of document `doc` is `term` itself, lowercased: it holds the name as a whole word. */
  hasWhole(doc: number, term: string): boolean {
    const posting = this.postingOf(doc, term);
    return posting >= 0 && (posting & WHOLE) !== 0;
  }

  private postingOf(doc: number, term: string): number {
    const id = this.terms.find(term);
    if (id < 0) return -1;
    const list = this.postings.list(id);
    if (!list) return -1;
    const { data, size } = list;
    if (list.sorted) {
      const at = list.seek(0, doc);
      return at < size && data[at] >>> TF_SHIFT === doc ? data[at] : -1;
    }
    for (let i = 0; i < size; i++) if (data[i] >>> TF_SHIFT === doc) return data[i];
    return -1;
  }

  /**
   * Forgets documents. Their postings stay (a search skips them) until a quarter of the index is
   * forgotten, then every list is compacted at once: filtering a 100k-long list of a common term on
   * every save would cost more than the save, and no document's term list needs keeping for it.
   */
  removeMany(docs: Iterable<number>): void {
    for (const doc of docs) {
      if (doc >= this.lengths.length || this.lengths[doc] < 0) continue;
      this.totalLength -= this.lengths[doc];
      this.lengths[doc] = -1;
      this.docs--;
      this.forgotten++;
    }
    if (this.forgotten * 4 > this.docs + this.forgotten) this.compact();
  }

  /** Drops every forgotten document's postings. */
  private compact(): void {
    const lengths = this.lengths;
    this.postings.filter((doc) => lengths[doc] >= 0);
    this.forgotten = 0;
  }

  search(query: string, limit: number, allowed?: (doc: number) => boolean): Bm25Result {
    if (this.docs === 0) return { total: 0, hits: [] };
    const lists: PostingList[] = [];
    for (const term of new Set(codeTerms(query))) {
      const id = this.terms.find(term);
      const list = id < 0 ? undefined : this.postings.list(id);
      if (list) lists.push(list);
    }
    if (lists.length === 0) return { total: 0, hits: [] };
    // Rarest first, so common terms can be limited to the documents the rare ones found.
    lists.sort((a, b) => a.size - b.size);
    const n = this.lengths.length;
    if (this.scores.length < n) {
      this.scores = new Float64Array(n);
      this.touched = new Int32Array(n);
    }
    const scores = this.scores;
    const touchedDocs = this.touched;
    const lengths = this.lengths;
    let touched = 0;
    const average = this.totalLength / this.docs || 1;
    // bm25Tf, unrolled for the hot loop: tf * (K1 + 1) / (tf + base + perLength * length).
    const base = BM25_K1 * (1 - BM25_B);
    const perLength = (BM25_K1 * BM25_B) / average;
    const common = this.docs >= COMMON_MIN_DOCS ? this.docs * COMMON_SHARE : Infinity;
    // MaxScore: a term adds less than its weight to any document, so once the best `limit` found so far
    // all score above what the terms left could add together, a document none of the rarer terms found
    // cannot reach them: the rest only add to documents already found (the same top `limit`, less work).
    const weights = lists.map((list) => bm25Idf(Math.min(list.size, this.docs), this.docs) * (BM25_K1 + 1));
    const left = new Float64Array(lists.length + 1);
    const postingsLeft = new Float64Array(lists.length + 1);
    for (let t = lists.length - 1; t >= 0; t--) {
      left[t] = left[t + 1] + weights[t];
      postingsLeft[t] = postingsLeft[t + 1] + lists[t].size;
    }
    let checkedAt = -1;
    let lastFloor = 0;
    // A floor from documents scored in full (scoredFloor), taken again each time the documents found
    // have grown fourfold: it rises far sooner than the weakest of the best partial sums, so the common
    // terms' long lists stop adding candidates after the first few rare ones.
    let early = 0;
    let earlyAt = 0;
    for (let t = 0; t < lists.length; t++) {
      const list = lists[t];
      if (touched >= limit && touched >= 4 * earlyAt && postingsLeft[t] > 2 * touched) {
        early = Math.max(early, this.scoredFloor(lists, weights, t, touched, limit, base, perLength));
        earlyAt = touched;
      }
      if (touched >= limit && early > left[t]) {
        this.addToFound(lists.slice(t), weights.slice(t), left.subarray(t), early, touched, limit, base, perLength);
        break;
      }
      // Forgotten documents still in the list count too: a little less idf until the next compaction.
      const df = Math.min(list.size, this.docs);
      const weight = weights[t];
      const data = list.data;
      const size = list.size;
      // Worth checking only when the lists left are long beside the documents found (the check reads them
      // all), and when it can succeed: the floor is at most what the terms read so far add up to, or the
      // last floor measured plus what was read since.
      const ceiling = checkedAt < 0 ? left[0] - left[t] : lastFloor + left[checkedAt] - left[t];
      if (touched >= limit && postingsLeft[t] > 2 * touched && ceiling > left[t]) {
        const floor = Math.max(early, lowestOfBest(scores, touchedDocs, touched, limit));
        lastFloor = floor;
        checkedAt = t;
        if (floor > left[t]) {
          this.addToFound(lists.slice(t), weights.slice(t), left.subarray(t), floor, touched, limit, base, perLength);
          break;
        }
      }
      if (df > common && touched > 0) {
        // Only documents already found: no new candidates from a term this common.
        addToScored(list, weight, scores, lengths, base, perLength);
        continue;
      }
      for (let i = 0; i < size; i++) {
        const posting = data[i];
        const doc = posting >>> TF_SHIFT;
        const length = lengths[doc];
        if (length < 0) continue;
        if (scores[doc] === 0) {
          if (allowed && !allowed(doc)) continue;
          touchedDocs[touched++] = doc;
        }
        const tf = posting & TF_MAX;
        scores[doc] += (weight * tf) / (tf + base + perLength * length);
      }
    }
    const top = new TopK(limit);
    for (let i = 0; i < touched; i++) {
      const doc = touchedDocs[i];
      top.push(doc, scores[doc]);
      scores[doc] = 0;
    }
    return { total: touched, hits: top.sorted() };
  }

  /**
   * A floor under the `limit`-th best final score: the best 2 × `limit` documents found so far, by their
   * partial sums, scored on in the lists from `from` (sought; an unsorted list is left out, which only
   * lowers the floor), and the `limit`-th best of those sums. Written nowhere: the partial sums stay.
   */
  private scoredFloor(lists: PostingList[], weights: number[], from: number, touched: number, limit: number, base: number, perLength: number): number {
    const scores = this.scores;
    const lengths = this.lengths;
    const best = new TopK(2 * limit);
    for (let i = 0; i < touched; i++) {
      const doc = this.touched[i];
      if (scores[doc] > best.threshold) best.push(doc, scores[doc]);
    }
    const docs = Int32Array.from(best.sorted(), (hit) => hit.id).sort();
    const full = Float64Array.from(docs, (doc) => scores[doc]);
    for (let t = from; t < lists.length; t++) {
      const list = lists[t];
      const { data, size } = list;
      if (!list.sorted) continue;
      let at = 0;
      for (let i = 0; i < docs.length && at < size; i++) {
        at = list.seek(at, docs[i]);
        if (at < size && data[at] >>> TF_SHIFT === docs[i]) {
          const tf = data[at] & TF_MAX;
          full[i] += (weights[t] * tf) / (tf + base + perLength * lengths[docs[i]]);
        }
      }
    }
    if (full.length < limit) return 0;
    full.sort();
    // A hair under: the same sum added in another order may differ in its last bit, and a document tied
    // with the floor must not be dropped for it.
    return full[full.length - limit] * (1 - 1e-9);
  }

  /**
   * Adds the terms left to the documents already found, once none of the others can reach the best
   * `limit` (`left[t]`: the most the terms from `t` on can add). Only documents that still can are
   * followed, and a long sorted list is sought through rather than read whole: the common words of a
   * long query are lists as long as the index, and reading them is most of a query's time.
   */
  private addToFound(lists: PostingList[], weights: number[], left: Float64Array, floor: number, touched: number, limit: number, base: number, perLength: number): void {
    const scores = this.scores;
    const lengths = this.lengths;
    // The candidates still alive, kept in place in the order found (a filter or sort of 100k+ documents
    // costs more than the rest of the query), and sorted once, when few enough are left to seek.
    if (this.live.length < touched) this.live = new Int32Array(this.touched.length);
    const live = this.live;
    const found = this.touched;
    let count = 0;
    for (let i = 0; i < touched; i++) {
      const doc = found[i];
      if (scores[doc] + left[0] >= floor) live[count++] = doc;
    }
    let sorted = false;
    for (let t = 0; t < lists.length; t++) {
      const { data, size } = lists[t];
      const weight = weights[t];
      if (lists[t].sorted && count * SEEK_COST < size) {
        if (!sorted) {
          live.subarray(0, count).sort();
          sorted = true;
        }
        let at = 0;
        for (let c = 0; c < count && at < size; c++) {
          const doc = live[c];
          at = lists[t].seek(at, doc);
          if (at < size && data[at] >>> TF_SHIFT === doc) {
            const tf = data[at] & TF_MAX;
            scores[doc] += (weight * tf) / (tf + base + perLength * lengths[doc]);
          }
        }
      } else {
        addToScored(lists[t], weight, scores, lengths, base, perLength);
      }
      if (count > limit && t + 1 < lists.length) {
        floor = Math.max(floor, lowestOfBest(scores, live, count, limit));
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const doc = live[i];
          if (scores[doc] + left[t + 1] >= floor) live[kept++] = doc;
        }
        count = kept;
      }
    }
  }

  private ensureDoc(doc: number): void {
    if (doc < this.lengths.length) return;
    let size = this.lengths.length * 2;
    while (size <= doc) size *= 2;
    const grown = new Int32Array(size).fill(-1);
    grown.set(this.lengths);
    this.lengths = grown;
  }
}

/**
 * A seek costs about this many postings read (a few halvings over the skips, a few within one block):
 * below it per list posting, seeking each live document beats reading the list.
 */
const SEEK_COST = 8;

/** Adds one term's weight to the documents that already have a score, reading its whole list. */
function addToScored(list: PostingList, weight: number, scores: Float64Array, lengths: Int32Array, base: number, perLength: number): void {
  const { data, size } = list;
  for (let i = 0; i < size; i++) {
    const posting = data[i];
    const doc = posting >>> TF_SHIFT;
    if (scores[doc] === 0) continue;
    const tf = posting & TF_MAX;
    scores[doc] += (weight * tf) / (tf + base + perLength * lengths[doc]);
  }
}

/** The `limit`-th best score among the first `touched` of `docs` (scores only grow, so it stays a floor). */
function lowestOfBest(scores: Float64Array, docs: Int32Array, touched: number, limit: number): number {
  const best = new TopK(limit);
  for (let i = 0; i < touched; i++) {
    const score = scores[docs[i]];
    if (score > best.threshold) best.push(docs[i], score);
  }
  return best.threshold;
}
