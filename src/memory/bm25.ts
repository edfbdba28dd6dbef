// BM25 keyword search over archival memory, kept in memory and rebuilt from the stored texts when the
// store opens (measured faster than reading a persisted inverted index of the same size, and it can
// never disagree with the shards). Terms are the code-aware ones of codeTokens.ts, so an exact
// identifier is one rare term and wins.
import { codeTerms } from './codeTokens';
import { TopK, type Scored } from './topK';

const K1 = 1.2;
const B = 0.75;
/** A posting packs doc number and term count in one small integer: doc << 8 | min(tf, 255). */
const TF_SHIFT = 8;
const TF_MAX = 255;

export interface Bm25Result {
  /** Documents matching at least one query term (and the filter). */
  total: number;
  /** The best `limit`, best first; `id` is the doc number. */
  hits: Scored[];
}

export class Bm25Index {
  private readonly postings = new Map<string, number[]>();
  /** Dead postings per term, left in place until compaction. */
  private readonly dead = new Map<string, number>();
  /** Term count per doc; -1 once removed. */
  private readonly lengths: number[] = [];
  private totalLength = 0;
  private docs = 0;
  private scratch = new Float64Array(0);

  get size(): number {
    return this.docs;
  }

  /** Indexes `text` as document `doc` (a small non-negative integer, never reused while present). */
  add(doc: number, text: string): void {
    const counts = countTerms(text);
    let length = 0;
    for (const [term, count] of counts) {
      length += count;
      const list = this.postings.get(term);
      const posting = (doc << TF_SHIFT) | Math.min(count, TF_MAX);
      if (list) list.push(posting);
      else this.postings.set(term, [posting]);
    }
    this.lengths[doc] = length;
    this.totalLength += length;
    this.docs++;
  }

  /** Forgets document `doc`; `text` must be what it was added with. */
  remove(doc: number, text: string): void {
    this.removeMany(new Map([[doc, text]]));
  }

  /**
   * Forgets several documents. Their postings stay until half of a term's list is dead (then the list
   * is compacted): filtering a 100k-long list of a common term on every save would cost more than
   * the save itself.
   */
  removeMany(docs: Map<number, string>): void {
    const touched = new Set<string>();
    for (const [doc, text] of docs) {
      if (!(this.lengths[doc] >= 0)) continue;
      for (const term of countTerms(text).keys()) {
        this.dead.set(term, (this.dead.get(term) ?? 0) + 1);
        touched.add(term);
      }
      this.totalLength -= this.lengths[doc];
      // -1 rather than `delete`: a holey array would drop V8 into slow dictionary elements.
      this.lengths[doc] = -1;
      this.docs--;
    }
    for (const term of touched) {
      const list = this.postings.get(term);
      const dead = this.dead.get(term) ?? 0;
      if (!list || dead * 2 < list.length) continue;
      const kept = list.filter((p) => this.lengths[p >>> TF_SHIFT] >= 0);
      this.dead.delete(term);
      if (kept.length === 0) this.postings.delete(term);
      else this.postings.set(term, kept);
    }
  }

  search(query: string, limit: number, allowed?: (doc: number) => boolean): Bm25Result {
    const terms = [...new Set(codeTerms(query))];
    if (terms.length === 0 || this.docs === 0) return { total: 0, hits: [] };
    if (this.scratch.length < this.lengths.length) this.scratch = new Float64Array(this.lengths.length * 1.25 + 16);
    const scores = this.scratch;
    const touched: number[] = [];
    const average = this.totalLength / this.docs || 1;
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const df = list.length - (this.dead.get(term) ?? 0);
      if (df <= 0) continue;
      const idf = Math.log(1 + (this.docs - df + 0.5) / (df + 0.5));
      const lengths = this.lengths;
      const base = K1 * (1 - B);
      const perLength = (K1 * B) / average;
      for (let i = 0; i < list.length; i++) {
        const posting = list[i];
        const doc = posting >>> TF_SHIFT;
        const length = lengths[doc];
        if (length < 0 || (allowed && !allowed(doc))) continue;
        const tf = posting & TF_MAX;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] += (idf * tf * (K1 + 1)) / (tf + base + perLength * length);
      }
    }
    const top = new TopK(limit);
    for (const doc of touched) {
      top.push(doc, scores[doc]);
      scores[doc] = 0;
    }
    return { total: touched.length, hits: top.sorted() };
  }
}

function countTerms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of codeTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
