// What archival memory keeps in memory per passage besides its vector: which shard and row it is, and
// its path, symbol, language and kind as indexes into string tables, in typed columns indexed by doc
// number. No object per passage: at a million passages an object each would outweigh the vectors.
// Everything else about a passage (its text, id, lines, time) is read from its shard on demand.
import { TermTable } from './termTable';

/**
 * Interns strings: the index of each, made on first sight. Kept as bytes (termTable.ts): a real
 * repository has a symbol name for most passages, and a Map of them costs ~85 bytes of heap each.
 */
export class StringTable {
  private readonly table = new TermTable();

  id(value: string | undefined): number {
    return value === undefined ? -1 : this.table.id(value);
  }

  /** The index of `value` if it was ever seen, else -1 (a filter on it matches nothing). */
  find(value: string): number {
    return this.table.find(value);
  }

  at(id: number): string | undefined {
    return id < 0 ? undefined : this.table.term(id);
  }

  /** Every string, in index order. */
  values(): string[] {
    return Array.from({ length: this.table.size }, (_, id) => this.table.term(id));
  }
}

export const DEAD = -1;
export const FILE = 0;
export const NOTE = 1;

export class DocColumns {
  readonly paths = new StringTable();
  readonly symbols = new StringTable();
  readonly languages = new StringTable();
  readonly kinds = new StringTable();
  /** Shard number (the store's own, per load), row in it. */
  shard = new Int32Array(1024);
  row = new Int32Array(1024);
  path = new Int32Array(1024);
  symbol = new Int32Array(1024);
  language = new Int16Array(1024);
  kind = new Int16Array(1024);
  /** DEAD, FILE or NOTE. */
  source = new Int8Array(1024).fill(DEAD);
  /** Doc numbers are never reused while the store lives. */
  size = 0;

  add(shard: number, row: number, path: number, symbol: number, language: number, kind: number, source: number): number {
    const doc = this.size++;
    if (doc >= this.shard.length) this.grow();
    this.shard[doc] = shard;
    this.row[doc] = row;
    this.path[doc] = path;
    this.symbol[doc] = symbol;
    this.language[doc] = language;
    this.kind[doc] = kind;
    this.source[doc] = source;
    return doc;
  }

  alive(doc: number): boolean {
    return doc < this.size && this.source[doc] !== DEAD;
  }

  private grow(): void {
    const n = this.shard.length * 2;
    const grown = <T extends Int32Array | Int16Array | Int8Array>(old: T, make: (n: number) => T): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.shard = grown(this.shard, (k) => new Int32Array(k));
    this.row = grown(this.row, (k) => new Int32Array(k));
    this.path = grown(this.path, (k) => new Int32Array(k));
    this.symbol = grown(this.symbol, (k) => new Int32Array(k));
    this.language = grown(this.language, (k) => new Int16Array(k));
    this.kind = grown(this.kind, (k) => new Int16Array(k));
    this.source = grown(this.source, (k) => new Int8Array(k).fill(DEAD));
  }
}
