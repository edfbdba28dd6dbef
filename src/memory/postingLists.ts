// The posting lists of the keyword index, one per term, stored for a vocabulary of millions. A real
// repository's vocabulary grows with it (identifiers, literals, hashes), and most of its terms occur in a
// handful of passages: one typed array per term cost ~600 bytes of heap a term before a single posting.
// So a short list lives in a slot of a shared slab, by size class (capacities 1, 2, 4 … 64), and only a
// list that outgrows the largest class gets an array of its own. A term then costs 10 bytes here besides
// its postings.

/**
 * A posting packs a document number and a byte in one integer: doc << 8 | byte. The byte is the term's
 * count in the document (capped at TF_MAX), | WHOLE when a word of the document is the term itself,
 * lowercased (`StringEdit` for stringedit; not `stringedit_value` or `stringedits`): a search for a name
 * then knows which passages hold it as a whole word without reading their texts. A document's own term
 * counts (termId << 8 | byte) and a shard cache's (archivalCache.ts) use the same byte.
 */
export const TF_SHIFT = 8;
export const TF_MAX = 127;
export const WHOLE = 128;
/** The byte of a posting or term count: its count and WHOLE bit. */
export const POSTING_BYTE = (1 << TF_SHIFT) - 1;

/** The size classes of short lists: class c holds up to 2^c postings. */
const CLASSES = 7;
/** The longest list kept in a slab. */
const SMALL_MAX = 1 << (CLASSES - 1);
/** Postings per slab page: pages of 256 KiB, so a slab grows without copying what it holds. */
const PAGE_SHIFT = 16;
/** `classes` of a list with an array of its own. */
const OWN = 255;

/** Postings per skip block (a power of two): a seek finds its block among the blocks' last documents, then reads within it. */
const BLOCK_SHIFT = 6;
/** Lists of fewer blocks than this are sought through directly. */
const SKIP_MIN_BLOCKS = 4;

/** One term's postings, as a search reads them. */
export interface PostingList {
  readonly data: Uint32Array;
  readonly size: number;
  /** Whether the documents are in increasing order (they are unless a number is reused), so a search can seek. */
  readonly sorted: boolean;
  /** The first index from `from` whose document is `doc` or later; the list must be sorted. */
  seek(from: number, doc: number): number;
}

/** A list longer than the slabs hold. */
class OwnList implements PostingList {
  sorted = true;
  /**
   * The last posting of each full block, made when the list is first sought and extended as it grows: a
   * long list's seek then halves over an array 64 times smaller (in cache) instead of over the list.
   */
  private skips?: Uint32Array;
  private skipped = 0;

  constructor(
    public data: Uint32Array,
    public size: number,
  ) {}

  seek(from: number, doc: number): number {
    const blocks = this.size >>> BLOCK_SHIFT;
    if (blocks < SKIP_MIN_BLOCKS) return seek(this.data, this.size, from, doc);
    const skips = this.skipIndex(blocks);
    const block = seek(skips, blocks, from >>> BLOCK_SHIFT, doc);
    const start = Math.max(from, block << BLOCK_SHIFT);
    return seek(this.data, block < blocks ? (block + 1) << BLOCK_SHIFT : this.size, start, doc);
  }

  /** Its positions no longer hold what the skips say (compaction rewrote it). */
  rewritten(): void {
    this.skipped = 0;
  }

  private skipIndex(blocks: number): Uint32Array {
    if (this.skipped === blocks && this.skips) return this.skips;
    if (!this.skips || this.skips.length < blocks) {
      const grown = new Uint32Array(Math.max(blocks, (this.skips?.length ?? 0) * 2));
      if (this.skips) grown.set(this.skips.subarray(0, this.skipped));
      this.skips = grown;
    }
    for (let b = this.skipped; b < blocks; b++) this.skips[b] = this.data[((b + 1) << BLOCK_SHIFT) - 1];
    this.skipped = blocks;
    return this.skips;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }
}

/** A short list's postings, viewed for one search (a few per query). */
class SlotList implements PostingList {
  constructor(
    readonly data: Uint32Array,
    readonly size: number,
    readonly sorted: boolean,
  ) {}

  seek(from: number, doc: number): number {
    return seek(this.data, this.size, from, doc);
  }
}

/** The slots of one size class: fixed-size pages, and the slots given back by lists that moved on. */
class Slab {
  private readonly pages: Uint32Array[] = [];
  private used = 0;
  private free = new Int32Array(16);
  private freed = 0;
  private readonly slotsPerPage: number;

  constructor(private readonly cls: number) {
    this.slotsPerPage = (1 << PAGE_SHIFT) >>> cls;
  }

  take(): number {
    if (this.freed > 0) return this.free[--this.freed];
    const slot = this.used++;
    if (slot >= this.pages.length * this.slotsPerPage) this.pages.push(new Uint32Array(1 << PAGE_SHIFT));
    return slot;
  }

  give(slot: number): void {
    if (this.freed === this.free.length) {
      const grown = new Int32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freed++] = slot;
  }

  /** The page holding `slot`, and where the slot starts in it. */
  page(slot: number): Uint32Array {
    return this.pages[Math.floor(slot / this.slotsPerPage)];
  }

  offset(slot: number): number {
    return (slot % this.slotsPerPage) << this.cls;
  }
}

export class PostingLists {
  /** Per term: postings held, size class (OWN for an own array), slot in its class's slab (or in `own`). */
  private sizes = new Uint32Array(1024);
  private classes = new Uint8Array(1024);
  private slots = new Int32Array(1024);
  private unsorted = new Uint8Array(1024);
  private terms = 0;
  private readonly slabs = Array.from({ length: CLASSES }, (_, c) => new Slab(c));
  private readonly own: OwnList[] = [];

  get count(): number {
    return this.terms;
  }

  /** A new term's id, with an empty list. */
  addTerm(): number {
    const id = this.terms++;
    if (id === this.sizes.length) {
      const n = this.sizes.length * 2;
      this.sizes = grow(this.sizes, new Uint32Array(n));
      this.classes = grow(this.classes, new Uint8Array(n));
      this.slots = grow(this.slots, new Int32Array(n));
      this.unsorted = grow(this.unsorted, new Uint8Array(n));
    }
    this.slots[id] = -1;
    return id;
  }

  size(term: number): number {
    return this.sizes[term];
  }

  push(term: number, posting: number): void {
    const size = this.sizes[term];
    this.sizes[term] = size + 1;
    const cls = this.classes[term];
    if (cls === OWN) {
      const list = this.own[this.slots[term]];
      if (list.size > 0 && posting >>> TF_SHIFT <= list.data[list.size - 1] >>> TF_SHIFT) list.sorted = false;
      list.push(posting);
      return;
    }
    let slot = this.slots[term];
    if (size > 0) {
      const last = this.slabs[cls].page(slot)[this.slabs[cls].offset(slot) + size - 1];
      if (posting >>> TF_SHIFT <= last >>> TF_SHIFT) this.unsorted[term] = 1;
    }
    if (slot >= 0 && size < 1 << cls) {
      this.slabs[cls].page(slot)[this.slabs[cls].offset(slot) + size] = posting;
      return;
    }
    // Full (or empty): move up a class, or out into an array of its own.
    const next = slot < 0 ? 0 : cls + 1;
    const held = slot < 0 ? new Uint32Array(0) : this.slabs[cls].page(slot).subarray(this.slabs[cls].offset(slot), this.slabs[cls].offset(slot) + size);
    if (next === CLASSES) {
      const data = new Uint32Array(SMALL_MAX * 2);
      data.set(held);
      data[size] = posting;
      const list = new OwnList(data, size + 1);
      list.sorted = this.unsorted[term] === 0;
      this.slabs[cls].give(slot);
      this.classes[term] = OWN;
      this.slots[term] = this.own.length;
      this.own.push(list);
      return;
    }
    const to = this.slabs[next].take();
    const page = this.slabs[next].page(to);
    const at = this.slabs[next].offset(to);
    page.set(held, at);
    page[at + size] = posting;
    if (slot >= 0) this.slabs[cls].give(slot);
    this.classes[term] = next;
    this.slots[term] = to;
  }

  /** The term's postings for one search; undefined when it has none. */
  list(term: number): PostingList | undefined {
    const size = this.sizes[term];
    if (size === 0) return undefined;
    const cls = this.classes[term];
    if (cls === OWN) return this.own[this.slots[term]];
    const slab = this.slabs[cls];
    const slot = this.slots[term];
    const at = slab.offset(slot);
    return new SlotList(slab.page(slot).subarray(at, at + size), size, this.unsorted[term] === 0);
  }

  /** Drops the postings of documents `keep` refuses, in place: each list keeps its slot or array. */
  filter(keep: (doc: number) => boolean): void {
    for (let term = 0; term < this.terms; term++) {
      const size = this.sizes[term];
      if (size === 0) continue;
      const cls = this.classes[term];
      const own = cls === OWN ? this.own[this.slots[term]] : undefined;
      const data = own ? own.data : this.slabs[cls].page(this.slots[term]);
      const start = own ? 0 : this.slabs[cls].offset(this.slots[term]);
      let kept = start;
      for (let i = start; i < start + size; i++) if (keep(data[i] >>> TF_SHIFT)) data[kept++] = data[i];
      this.sizes[term] = kept - start;
      if (own) {
        own.size = kept;
        own.rewritten();
      }
    }
  }
}

function grow<T extends Uint32Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The first index from `from` whose document is `doc` or later, in a sorted list: gallop, then halve. */
function seek(data: Uint32Array, size: number, from: number, doc: number): number {
  let lo = from;
  let hi = from;
  let step = 1;
  while (hi < size && data[hi] >>> TF_SHIFT < doc) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > size) hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (data[mid] >>> TF_SHIFT < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
