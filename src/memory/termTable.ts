// The keyword index's vocabulary: each term's id, and each id's term. A repository's vocabulary grows
// with it (a million terms is ordinary for a monorepo), and a Map of strings costs ~85 bytes of heap a
// term; here a term is its UTF-8 bytes in one arena plus three integers, ~35 bytes, none of it objects
// for the collector to walk.

const EMPTY = -1;

export class TermTable {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Where term i's bytes start; term i ends where term i + 1 starts. */
  private starts = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  private count = 0;
  /** Open addressing, linear probing: term ids, EMPTY where none; at most half full. */
  private slots = new Int32Array(2048).fill(EMPTY);
  /** The term being looked up, encoded. */
  private scratch = new Uint8Array(256);

  get size(): number {
    return this.count;
  }

  /** The id of `term`, or -1 when it has none. */
  find(term: string): number {
    const length = this.encode(term);
    const hash = hashBytes(this.scratch, length);
    return this.slots[this.probe(hash, length)];
  }

  /** The id of `term`, made on first sight (ids count up from 0). */
  id(term: string): number {
    const length = this.encode(term);
    const hash = hashBytes(this.scratch, length);
    const slot = this.probe(hash, length);
    if (this.slots[slot] !== EMPTY) return this.slots[slot];
    const id = this.count++;
    if (id + 1 >= this.starts.length) {
      this.starts = grown(this.starts, this.starts.length * 2);
      this.hashes = grown(this.hashes, this.hashes.length * 2);
    }
    if (this.used + length > this.bytes.length) this.bytes = grown(this.bytes, Math.max(this.bytes.length * 2, this.used + length));
    this.bytes.set(this.scratch.subarray(0, length), this.used);
    this.used += length;
    this.starts[id + 1] = this.used;
    this.hashes[id] = hash;
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** The term with id `id`. */
  term(id: number): string {
    return decode(this.bytes, this.starts[id], this.starts[id + 1]);
  }

  /** The slot holding the scratch term, or the empty slot where it would go. */
  private probe(hash: number, length: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === EMPTY) return slot;
      if (this.hashes[id] === hash && this.matches(id, length)) return slot;
    }
  }

  private matches(id: number, length: number): boolean {
    const start = this.starts[id];
    if (this.starts[id + 1] - start !== length) return false;
    for (let i = 0; i < length; i++) if (this.bytes[start + i] !== this.scratch[i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }

  /** Writes `term` as UTF-8 into the scratch (a lone surrogate as its own three bytes); returns its length. */
  private encode(term: string): number {
    if (this.scratch.length < term.length * 3) this.scratch = new Uint8Array(term.length * 3);
    const out = this.scratch;
    let n = 0;
    for (let i = 0; i < term.length; i++) {
      let c = term.charCodeAt(i);
      if (c < 0x80) {
        out[n++] = c;
        continue;
      }
      if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
        continue;
      }
      const next = term.charCodeAt(i + 1);
      if (c >= 0xd800 && c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
      } else {
        out[n++] = 0xe0 | (c >> 12);
      }
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
    return n;
  }
}

/** FNV-1a over the bytes. */
function hashBytes(bytes: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function decode(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; ) {
    const b = bytes[i];
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
    } else if (b < 0xe0) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f));
      i += 2;
    } else if (b < 0xf0) {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
      i += 3;
    } else {
      out += String.fromCodePoint(((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f));
      i += 4;
    }
  }
  return out;
}

function grown<T extends Uint8Array | Uint32Array>(from: T, length: number): T {
  const to = new (from.constructor as new (n: number) => T)(length);
  to.set(from);
  return to;
}
