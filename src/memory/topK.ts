// The best `k` of a stream of scored ids, in O(n log k): ranking 100k candidates must not sort them all.

export interface Scored {
  id: number;
  score: number;
}

export class TopK {
  // A min-heap on score: the root is the weakest of the current best, the one to beat.
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(Math.max(1, k));
    this.scores = new Float64Array(Math.max(1, k));
  }

  /** The score a newcomer must beat once the heap is full. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  push(id: number, score: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent] <= score) break;
        this.ids[i] = this.ids[parent];
        this.scores[i] = this.scores[parent];
        i = parent;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (score <= this.scores[0]) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.scores[right] < this.scores[left] ? right : left;
      if (this.scores[child] >= score) break;
      this.ids[i] = this.ids[child];
      this.scores[i] = this.scores[child];
      i = child;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  /** Every kept id and score, in no particular order, without building a list. */
  forEach(visit: (id: number, score: number) => void): void {
    for (let i = 0; i < this.size; i++) visit(this.ids[i], this.scores[i]);
  }

  /** Best first; ties by lower id so results are stable. */
  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.size; i++) out.push({ id: this.ids[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
