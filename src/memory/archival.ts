// Archival memory (DESIGN.md §6): workspace chunks and the agent's own notes in Vectra indexes on
// disk, searched by vector similarity and BM25 fused by reciprocal rank.
//
// Layout of `dir` (.memcode/archival):
//   manifest.json         embedder id and dimensions; which folder holds each shard now, its rows, and
//                         the rows removed from it since it was written
//   shards/<name>.<gen>/  one Vectra index.json per shard of at most SHARD_CAPACITY items (the one copy
//                         of each text and full vector) and beside it cache.bin (archivalCache.ts), the
//                         lean part memory holds: int8 vectors and sketches, columns, term counts
// New items fill the newest shard and then open another, so a batch of adds rewrites only the shard(s)
// it fills. Removing a file's passages from a full shard only lists their rows in the manifest; the
// shard is rewritten without them once half of it is gone. Each write goes to a new shard folder and
// the manifest flips to it atomically, so a crash leaves the old state or the new, never a mix.
// Memory holds per passage an int8 vector (and a sketch, in a big store: keepsSketches;
// vectorSearch.ts owns both), a few typed columns (archivalDocs.ts) and its BM25 postings (bm25.ts):
// under 1 KiB. Texts and full vectors are read from index.json by byte range
// when a search needs them (the best candidates' exact scores, the page it returns).
// A big store opens lazily: `open` returns at once and shards load in the background; searches
// meanwhile see what has loaded, writes wait for all of it (`whenLoaded`). One store lives as long as
// its process: `sync()` catches up with another process's writes by loading only what changed.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalHit, ArchivalMemory, ArchivalQuery, ArchivalRecord, Embedder, FilePassage } from './archivalMemory';
import { CacheReadBuffer, type CacheRow, CACHE_FILE, parseShardCache, readCacheBytes, type ShardCache, writeNewShardCache, writeShardCache } from './archivalCache';
import { DEAD, DocColumns, FILE, NOTE } from './archivalDocs';
import { embedderMismatch, emptyManifest, isMissingFile, MANIFEST, type Manifest, readManifest, readThroughSwaps, removeStrayFolders, SHARDS } from './archivalManifest';
import { collectNotes, NOTES_RESCUE } from './archivalNotes';
import { type ItemRange, type MetadataValue, quantize, type RawItem, readRawItems, readRecords, readShard, readVectors, recordOf, rewriteIndex, type ShardItem, writeShard } from './archivalShard';
import { writeJsonAtomic, writeJsonAtomicAsync } from './atomicFile';
import { Bm25Index, type TermCounts, type TextTerms } from './bm25';
import { fuseHybrid } from './hybridRanking';
import { paginate } from './recallSearch';
import * as postingLists from './postingLists';
import { CANDIDATES, keepsSketches, SKETCH_DIMENSIONS, sketchOfInt8, VectorSearch, type VectorShard } from './vectorSearch';
import { type Clock, MemoryError, type Page } from './types';
import { TimeSlice } from './timeSlice';

// Read once, as in bm25.ts: under tsx an imported binding read in a loop is a getter call each time.
const { POSTING_BYTE, TF_SHIFT } = postingLists;

export type { ArchivalHit, ArchivalQuery, ArchivalRecord };

export interface ArchivalOpenOptions {
  warn?: (m: string) => void;
  clock?: Clock;
  /** A store with more passages than this opens lazily (default LOAD_IN_BACKGROUND_ABOVE). */
  loadInBackgroundAbove?: number;
  /** Bytes of int8 vectors from which the vector search keeps sketches (keepsSketches; tests set it low). */
  sketchFromBytes?: number;
}

export { CANDIDATES };
/** Items per shard: one shard write stays well under 100 ms. */
export const SHARD_CAPACITY = 1000;
/** A store bigger than this opens lazily (see above); a smaller one is loaded before `open` returns. */
const LOAD_IN_BACKGROUND_ABOVE = 50_000;
/** A full shard is rewritten without its removed rows once this share of them is gone. */
const COMPACT_SHARE = 0.5;

interface Shard extends VectorShard {
  name: string;
  folder: string;
  /** This store's number for it (DocColumns.shard). */
  number: number;
  itemStarts: Uint32Array;
  vectorStarts: Uint32Array;
  itemEnds: Uint32Array;
  /** Its passages' postings say which terms are whole words of them (a cache older than format 5: not). */
  wholeMarked: boolean;
}

interface NewItem {
  record: ArchivalRecord;
  vector: Float32Array;
  counts: TermCounts;
}

interface ShardChange {
  remove: Set<number>;
  add: NewItem[];
}

/** What a write did to one shard, for memory to follow once the manifest has flipped. */
type ShardPlan = { rewritten: false } | { rewritten: true; folder?: string; kept: number[]; bytes?: Uint8Array };

export class ArchivalStore implements ArchivalMemory {
  readonly embedderId: string;
  private readonly dimensions: number;
  private readonly docs = new DocColumns();
  private readonly shards = new Map<string, Shard>();
  private readonly shardByNumber: Array<Shard | undefined> = [];
  /** Path id → its live docs. */
  private readonly byPath = new Map<number, number[]>();
  private bm25 = new Bm25Index();
  private readonly vectors: VectorSearch;
  private live = 0;
  private notes = 0;
  private writes: Promise<unknown> = Promise.resolve();
  /** The manifest memory reflects, once a load has finished; undefined before. */
  private seen: { id?: string; generation: number } | undefined;
  private loading: Promise<void> = Promise.resolve();
  private loadingNow = false;
  /** Sketches being read in for a store that grew past keepsSketches (startSketches). */
  private sketching: Promise<void> = Promise.resolve();
  private loadError: unknown;
  /** A sync asked for while the first load ran: done when it ends. */
  private syncAfterLoad = false;

  private constructor(
    private readonly dir: string,
    private readonly embedder: Embedder,
    private manifest: Manifest,
    private readonly clock: Clock,
    private readonly warn?: (m: string) => void,
    private readonly sketchFromBytes?: number,
  ) {
    this.embedderId = manifest.embedder.id;
    this.dimensions = manifest.embedder.dimensions;
    this.vectors = new VectorSearch(this.dimensions, SHARD_CAPACITY, keepsSketches(storedRows(manifest), this.dimensions, sketchFromBytes));
  }

  static async open(dir: string, embedder: Embedder, opts: ArchivalOpenOptions = {}): Promise<ArchivalStore> {
    const dimensions = await knownDimensions(embedder);
    const file = path.join(dir, MANIFEST);
    if (!fs.existsSync(file)) return ArchivalStore.create(dir, embedder, dimensions, opts);
    const manifest = readManifest(file);
    if (manifest.embedder.id !== embedder.id || manifest.embedder.dimensions !== dimensions) throw embedderMismatch(manifest, embedder.id, dimensions);
    const store = new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()), opts.warn, opts.sketchFromBytes);
    store.startLoading();
    if (storedRows(manifest) <= (opts.loadInBackgroundAbove ?? LOAD_IN_BACKGROUND_ABOVE)) await store.whenLoaded();
    return store;
  }

  /**
   * Starts an empty index for `embedder` in `dir`, keeping the agent's notes: they are read from every
   * shard folder (a damaged manifest loses none), embedded anew, and put into the new store. The notes
   * are embedded before anything is removed, so an embedder that fails leaves the old store as it was.
   */
  static async rebuild(dir: string, embedder: Embedder, opts: ArchivalOpenOptions = {}): Promise<ArchivalStore> {
    const dimensions = await knownDimensions(embedder);
    const notes = fs.existsSync(dir) ? collectNotes(dir, opts.warn) : [];
    const vectors = notes.length > 0 ? await embedWith(embedder, dimensions, notes.map((n) => n.text)) : [];
    const rescue = path.join(dir, NOTES_RESCUE);
    if (notes.length > 0) writeJsonAtomic(rescue, notes);
    if (fs.existsSync(dir)) {
      // The manifest goes first: a crash halfway through leaves a folder that opens as empty.
      fs.rmSync(path.join(dir, MANIFEST), { force: true });
      for (const name of fs.readdirSync(dir)) {
        // What the doctor set aside stays: it may hold what could not be read back.
        if (name !== NOTES_RESCUE && !name.includes('.corrupt-')) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      }
    }
    const store = ArchivalStore.create(dir, embedder, dimensions, opts);
    if (notes.length > 0) {
      await store.enqueue(() => store.applyAdds(notes.map((record, i) => ({ record, vector: vectors[i] }))));
      fs.rmSync(rescue, { force: true });
    }
    return store;
  }

  private static create(dir: string, embedder: Embedder, dimensions: number, opts: ArchivalOpenOptions): ArchivalStore {
    const manifest = emptyManifest(embedder.id, dimensions);
    fs.rmSync(path.join(dir, SHARDS), { recursive: true, force: true });
    writeJsonAtomic(path.join(dir, MANIFEST), manifest);
    const store = new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()), opts.warn, opts.sketchFromBytes);
    store.seen = { id: manifest.id, generation: manifest.generation };
    return store;
  }

  /** Resolves once every shard is in memory (at once for a store `open` loaded before returning). */
  whenLoaded(): Promise<void> {
    return this.loading;
  }

  private startLoading(): void {
    this.loadingNow = true;
    this.loading = readThroughSwaps(path.join(this.dir, MANIFEST), () => this.enqueue(() => this.catchUp())).then(
      () => {
        this.loadingNow = false;
        this.loadError = undefined;
        removeStrayFolders(this.dir, this.manifest, this.warn);
        if (this.syncAfterLoad) {
          this.syncAfterLoad = false;
          return this.sync();
        }
      },
      (err: unknown) => {
        this.loadingNow = false;
        this.loadError = err;
        throw err;
      },
    );
    // Whoever waits sees the error; a store loading in the background reports it on its next use.
    this.loading.catch((err: unknown) => this.warn?.(`archival memory could not be loaded: ${(err as Error).message}`));
  }

  async sync(): Promise<void> {
    // The first load reads the newest manifest anyway; a sync meanwhile must not wait for all of it.
    if (this.loadingNow) {
      this.syncAfterLoad = true;
      return;
    }
    if (this.loadError !== undefined) {
      this.startLoading();
      return this.loading;
    }
    // Without the lock a writer may swap generations while this reads: then read the manifest again.
    return readThroughSwaps(path.join(this.dir, MANIFEST), () => this.enqueue(() => this.catchUp()));
  }

  /** Brings memory to the manifest on disk, loading only the shards whose folders it does not hold. */
  private async catchUp(): Promise<void> {
    const file = path.join(this.dir, MANIFEST);
    if (!fs.existsSync(file)) {
      // The folder was wiped or moved aside (MemCode: Reset Memory): this store is empty now.
      if (this.live > 0 || this.shards.size > 0) this.forgetAll();
      this.manifest = emptyManifest(this.embedderId, this.dimensions);
      this.seen = { id: this.manifest.id, generation: this.manifest.generation };
      return;
    }
    const disk = readManifest(file);
    if (this.seen && disk.id === this.seen.id && disk.generation === this.seen.generation) return;
    if (disk.embedder.id !== this.embedderId || disk.embedder.dimensions !== this.dimensions) throw embedderMismatch(disk, this.embedderId, this.dimensions);
    if (this.seen && disk.id !== this.seen.id) this.forgetAll();
    // Shard folders are never rewritten in place: a shard whose folder name is unchanged holds the same
    // items, less the rows listed as removed since.
    for (const [name, shard] of [...this.shards]) {
      if (disk.shards[name] !== shard.folder) this.unload(shard);
      else this.removeRows(shard, disk.deleted?.[name] ?? []);
    }
    this.manifest = disk;
    const room = new CacheReadBuffer();
    let reserved = false;
    for (const [name, folder] of Object.entries(disk.shards)) {
      if (this.shards.has(name)) continue;
      const bytes = await readCacheBytes(path.join(this.dir, SHARDS, folder), room);
      // Room for every shard at once, so the arenas grow once, not a quarter at a time as shards come
      // in; after the first read, so `open` itself does not wait for it.
      if (!reserved) this.vectors.reserveSlots(Object.keys(disk.shards).length);
      reserved = true;
      await this.loadShard(name, folder, bytes, disk.deleted?.[name] ?? []);
    }
    this.seen = { id: disk.id, generation: disk.generation };
  }

  private forgetAll(): void {
    for (const shard of [...this.shards.values()]) this.unload(shard);
    this.bm25 = new Bm25Index();
    this.live = 0;
    this.notes = 0;
  }

  count(): number {
    if (!this.loadingNow) return this.live;
    // Still loading: what the manifest says is there.
    return Math.max(this.live, storedRows(this.manifest));
  }

  countBySource(): { file: number; note: number } {
    return { file: this.live - this.notes, note: this.notes };
  }

  paths(): string[] {
    return [...this.byPath.keys()].map((id) => this.docs.paths.at(id)!).sort();
  }

  async addChunks(chunks: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    return this.replaceChunks([], chunks, signal);
  }

  /**
   * Replaces every passage of `paths` with `chunks` in one write: a saved file's old passages go and its
   * new ones arrive together, so no reader sees the file missing.
   */
  async replaceChunks(paths: string[], chunks: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    const items = chunks.length > 0 ? await this.embedPassages(chunks, signal) : [];
    return this.enqueue(async () => {
      const changes = new Map<string, ShardChange>();
      const removed = this.planRemovals(paths, changes);
      if (removed === 0 && items.length === 0) return [];
      await this.apply(changes, await this.planAdds(items, changes));
      return items.map((i) => i.record.id);
    });
  }

  async addNote(text: string): Promise<ArchivalRecord> {
    const [vector] = await this.embedChecked([text]);
    const record: ArchivalRecord = { id: crypto.randomUUID(), text, source: 'note', time: this.now() };
    await this.enqueue(() => this.applyAdds([{ record, vector }]));
    return { ...record };
  }

  async addEmbedded(items: Array<{ record: Omit<ArchivalRecord, 'id' | 'time'>; vector: Float32Array }>): Promise<string[]> {
    for (const item of items) this.checkVector(item.vector);
    const time = this.now();
    const prepared = items.map((item) => ({ record: { ...item.record, id: crypto.randomUUID(), time }, vector: item.vector }));
    return this.enqueue(() => this.applyAdds(prepared));
  }

  async deleteByPath(paths: string[]): Promise<number> {
    return this.enqueue(async () => {
      const changes = new Map<string, ShardChange>();
      const removed = this.planRemovals(paths, changes);
      if (removed > 0) await this.apply(changes);
      return removed;
    });
  }

  async search(query: string, opts: ArchivalQuery = {}): Promise<Page<ArchivalHit>> {
    if (this.loadError !== undefined) throw this.loadError;
    const mode = opts.mode ?? 'hybrid';
    // Embed first: after this await, the rankings and the items they read happen with no write in between.
    const q = query.trim() && mode !== 'keyword' ? (await this.embedChecked([query]))[0] : undefined;
    // Another process swapped a shard's folder since this one loaded it: catch up and ask again, for as
    // long as the manifest keeps moving (a rebuild swaps generation after generation) or briefly when not.
    return readThroughSwaps(path.join(this.dir, MANIFEST), async () => {
      try {
        return this.searchNow(query, q, opts);
      } catch (err) {
        if (!isMissingFile(err)) throw err;
        // Catching up may meet the next swap too (asked again); any other failure is the answer.
        await this.enqueue(() => this.catchUp()).catch((caught: unknown) => {
          if (!isMissingFile(caught)) throw caught;
        });
        throw err;
      }
    });
  }

  // ------------------------------------------------------------------ internals

  private searchNow(query: string, q: Float32Array | undefined, opts: ArchivalQuery): Page<ArchivalHit> {
    if (this.vectors.sketches === 'none' && keepsSketches(this.live, this.dimensions, this.sketchFromBytes)) this.startSketches();
    const mode = opts.mode ?? 'hybrid';
    const filter = this.filterFor(opts);
    const items = new RecordReader((docs) => this.readByShard(docs, (folder, ranges) => readRecords(folder, ranges)));
    let ranked: Array<{ id: number; score: number }> = [];
    if (query.trim()) {
      // The vector search is begun first: a big store's sketch scan runs on a helper thread while the
      // keyword search runs here.
      const vectorSearch = q
        ? this.vectors.start([...this.shards.values()], this.live, q, {
            allowed: filter ?? ((doc) => this.docs.alive(doc)),
            exact: (docs) => this.readVectorsOf(docs),
          })
        : () => [];
      const keyword = mode === 'vector' ? [] : this.bm25.search(query, CANDIDATES, filter).hits;
      const vector = vectorSearch();
      if (mode === 'keyword') ranked = keyword;
      else if (mode === 'vector') ranked = vector;
      else {
        // Texts are read only if the query names something to look for in them, and only of the hits
        // that can hold it.
        ranked = fuseHybrid(
          query,
          vector,
          keyword,
          (docs) => items.load(docs).map((item) => item.text),
          (doc) => this.docs.symbols.at(this.docs.symbol[doc]),
          (doc, term) => this.bm25.has(doc, term),
          (doc, term) => (this.shardByNumber[this.docs.shard[doc]]?.wholeMarked ? this.bm25.hasWhole(doc, term) : undefined),
        );
      }
    }
    // Only the page asked for is read from disk.
    const ids = paginate(ranked, opts.page ?? 1, opts.pageSize ?? 5);
    const page = items.load(ids.results.map((r) => r.id));
    return { ...ids, results: ids.results.map(({ score }, i) => ({ ...page[i], score })) };
  }

  /**
   * The store grew past keepsSketches while open: the vector search keeps sketches from now on, and the
   * shards loaded before get theirs from their caches, one shard at a time in the background (searches
   * scan every int8 vector until the last is in). Not a write: a shard replaced meanwhile came with its own.
   */
  private startSketches(): void {
    this.vectors.keepSketches();
    this.sketching = (async () => {
      for (const shard of [...this.shards.values()]) {
        if (this.vectors.hasSketches(shard.slot) || this.shards.get(shard.name) !== shard) continue;
        const folder = path.join(this.dir, SHARDS, shard.folder);
        const cache = parseShardCache(folder, await readCacheBytes(folder), this.dimensions);
        // Checked again after the read: a write may have replaced the shard (and reused its slot) meanwhile.
        if (this.shards.get(shard.name) !== shard || this.vectors.hasSketches(shard.slot)) continue;
        if (cache?.rows === shard.docs.length) this.vectors.placeSketches(shard.slot, cache.sketches, cache.sketchScales);
        // No cache to read them from: made again from the int8 vectors.
        else this.vectors.makeSketches(shard.slot, shard.docs.length);
      }
    })().catch((err: unknown) => this.warn?.(`could not read the archival shards' sketches: ${(err as Error).message}; vector search compares every vector instead`));
  }

  /** Settles once a store grown past keepsSketches has every shard's sketches (or gave up); at once otherwise. */
  whenSketched(): Promise<void> {
    return this.sketching;
  }

  /** What the vector search scans first: nothing but the int8 vectors, sketches being read in, or sketches. */
  get vectorSketches(): 'none' | 'filling' | 'ready' {
    return this.vectors.sketches;
  }

  private readVectorsOf(docs: number[]): Float32Array[] {
    return this.readByShard(docs, readVectors);
  }

  /** What `read` makes of `docs`' items in their shards' index.json, in order: one open file per shard. */
  private readByShard<T>(docs: number[], read: (folder: string, ranges: ItemRange[], dimensions: number) => T[]): T[] {
    const out = new Array<T>(docs.length);
    const byShard = new Map<Shard, number[]>();
    docs.forEach((doc, i) => {
      const shard = this.shardByNumber[this.docs.shard[doc]]!;
      if (!byShard.has(shard)) byShard.set(shard, []);
      byShard.get(shard)!.push(i);
    });
    for (const [shard, positions] of byShard) {
      const ranges = positions.map((i) => this.rangeOf(shard, this.docs.row[docs[i]]));
      const values = read(path.join(this.dir, SHARDS, shard.folder), ranges, this.dimensions);
      positions.forEach((i, k) => (out[i] = values[k]));
    }
    return out;
  }

  private rangeOf(shard: Shard, row: number): ItemRange {
    return { start: shard.itemStarts[row], vector: shard.vectorStarts[row], end: shard.itemEnds[row] };
  }

  private filterFor(opts: ArchivalQuery): ((doc: number) => boolean) | undefined {
    const { pathPrefix, language, source } = opts;
    if (!pathPrefix && !language && !source) return undefined;
    const prefix = pathPrefix?.replace(/\\/g, '/').replace(/^\.\//, '');
    const languageId = language ? this.docs.languages.find(language) : -1;
    const sourceId = source === 'note' ? NOTE : FILE;
    const docs = this.docs;
    return (doc) => {
      if (!docs.alive(doc)) return false;
      if (source && docs.source[doc] !== sourceId) return false;
      if (language && (languageId < 0 || docs.language[doc] !== languageId)) return false;
      if (prefix && !(docs.paths.at(docs.path[doc]) ?? '').startsWith(prefix)) return false;
      return true;
    };
  }

  private async applyAdds(items: Array<Omit<NewItem, 'counts'>>): Promise<string[]> {
    const changes = new Map<string, ShardChange>();
    await this.apply(changes, await this.planAdds(items, changes));
    return items.map((i) => i.record.id);
  }

  /** Puts the removal of these paths' passages into `changes`; returns how many passages go. */
  private planRemovals(paths: string[], changes: Map<string, ShardChange>): number {
    let removed = 0;
    for (const p of paths) {
      const id = this.docs.paths.find(p);
      for (const doc of (id >= 0 && this.byPath.get(id)) || []) {
        const shard = this.shardByNumber[this.docs.shard[doc]]!.name;
        if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
        changes.get(shard)!.remove.add(doc);
        removed++;
      }
    }
    return removed;
  }

  /** Puts `items` into `changes`, filling the open shard and then new ones; returns the shards to open next. */
  private async planAdds(items: Array<Omit<NewItem, 'counts'> & { terms?: TextTerms }>, changes: Map<string, ShardChange>): Promise<Pick<Manifest, 'nextShard' | 'openShard'>> {
    const slice = new TimeSlice();
    let shard = this.manifest.openShard;
    let room = shard ? SHARD_CAPACITY - this.liveRows(shard) : 0;
    let next = this.manifest.nextShard;
    for (const item of items) {
      if (!shard || room <= 0) {
        shard = `s${String(next++).padStart(4, '0')}`;
        room = SHARD_CAPACITY;
      }
      if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
      const counts = item.terms ? this.bm25.countsFrom(item.terms) : this.bm25.countsFor(item.record.text);
      changes.get(shard)!.add.push({ record: item.record, vector: quantize(item.vector), counts });
      room--;
      if (slice.due) await slice.giveWay();
    }
    return { nextShard: next, openShard: shard };
  }

  private liveRows(name: string): number {
    const shard = this.shards.get(name);
    if (!shard) return 0;
    let n = 0;
    for (const doc of shard.docs) if (this.docs.alive(doc)) n++;
    return n;
  }

  private async embedPassages(chunks: FilePassage[], signal?: AbortSignal): Promise<Array<{ record: ArchivalRecord; vector: Float32Array; terms?: TextTerms }>> {
    const vectors = await this.embedChecked(chunks.map((c) => c.text), signal);
    const time = this.now();
    return chunks.map((chunk, i) => ({
      record: {
        id: crypto.randomUUID(),
        text: chunk.text,
        source: 'file' as const,
        path: chunk.path,
        startLine: chunk.startLine,
        endLine: chunk.endLine,
        language: chunk.language,
        ...(chunk.symbol ? { symbol: chunk.symbol } : {}),
        kind: chunk.kind,
        time,
      },
      vector: vectors[i],
      terms: chunk.terms,
    }));
  }

  /**
   * Writes the changes: a shard that gains items, or would lose half of itself, is written anew to a new
   * folder; one that only loses a few lists them as removed. Then the manifest flips, then memory follows.
   */
  private async apply(changes: Map<string, ShardChange>, opening: Pick<Manifest, 'nextShard' | 'openShard'> = this.manifest): Promise<void> {
    const generation = this.manifest.generation + 1;
    const shards = { ...this.manifest.shards };
    const rows = { ...(this.manifest.rows ?? {}) };
    // A manifest from before the rows field learns them here.
    for (const [name, shard] of this.shards) rows[name] ??= shard.docs.length;
    const deleted = { ...(this.manifest.deleted ?? {}) };
    const written: string[] = [];
    const plans = new Map<string, ShardPlan>();
    let next: Manifest;
    try {
      for (const [name, change] of changes) {
        const old = this.shards.get(name);
        const removedRows = [...change.remove].map((doc) => this.docs.row[doc]);
        const gone = (deleted[name] ?? []).length + removedRows.length;
        if (change.add.length === 0 && old && gone < old.docs.length * COMPACT_SHARE) {
          deleted[name] = [...(deleted[name] ?? []), ...removedRows];
          plans.set(name, { rewritten: false });
          continue;
        }
        const kept = old ? [...old.docs].filter((doc) => this.docs.alive(doc) && !change.remove.has(doc)) : [];
        const cacheRows = [...this.keptRows(old, kept), ...change.add.map((a) => ({ ...a, range: { start: 0, vector: 0, end: 0 } }))];
        delete deleted[name];
        if (cacheRows.length === 0) {
          delete shards[name];
          delete rows[name];
          plans.set(name, { rewritten: true, kept: [] });
          continue;
        }
        const folder = `${name}.${generation}`;
        written.push(folder);
        const full = path.join(this.dir, SHARDS, folder);
        const index = await writeShard(full, cacheRows.map((row) => ('raw' in row ? row.raw : shardItem(row.record, row.vector as Float32Array))));
        cacheRows.forEach((row, i) => (row.range = index.ranges[i]));
        const bytes = await writeNewShardCache(full, this.dimensions, cacheRows, (id) => this.bm25.termOf(id), index);
        plans.set(name, { rewritten: true, folder, kept, bytes });
        shards[name] = folder;
        rows[name] = cacheRows.length;
      }
      const openShard = opening.openShard && shards[opening.openShard] ? opening.openShard : undefined;
      next = { ...this.manifest, generation, shards, rows, deleted, nextShard: opening.nextShard, openShard };
      await writeJsonAtomicAsync(path.join(this.dir, MANIFEST), next);
    } catch (err) {
      for (const folder of written) await fs.promises.rm(path.join(this.dir, SHARDS, folder), { recursive: true, force: true }).catch(() => {});
      if (err instanceof MemoryError) throw err;
      throw new MemoryError('io', `could not write archival memory in ${this.dir}: ${(err as Error).message}`);
    }
    const oldFolders: string[] = [];
    this.manifest = next;
    this.seen = { id: next.id, generation };
    for (const [name, change] of changes) {
      const plan = plans.get(name)!;
      const old = this.shards.get(name);
      const removed = [...change.remove];
      for (const doc of removed) this.forget(doc);
      this.bm25.removeMany(removed);
      if (!plan.rewritten) continue;
      if (old) {
        oldFolders.push(old.folder);
        this.dropShard(old);
      }
      if (plan.folder && plan.bytes) {
        const cache = parseShardCache(path.join(this.dir, SHARDS, plan.folder), plan.bytes, this.dimensions);
        if (!cache) throw new MemoryError('io', `archival memory could not read back the shard it just wrote (${plan.folder})`);
        this.install(name, plan.folder, cache, [], { kept: plan.kept, added: change.add });
      }
    }
    for (const folder of oldFolders) {
      try {
        await fs.promises.rm(path.join(this.dir, SHARDS, folder), { recursive: true, force: true });
      } catch (err) {
        // The write is done; a leftover folder is removed as a stray by a later open.
        this.warn?.(`could not remove the old archival shard ${folder}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The rows of `old` that stay in its next version: their items' bytes copied from its index.json as they
   * are, their int8 vectors and sketches from memory, their term counts from its cache.
   */
  private keptRows(old: Shard | undefined, kept: number[]): Array<CacheRow & { raw: RawItem }> {
    if (!old || kept.length === 0) return [];
    const folder = path.join(this.dir, SHARDS, old.folder);
    const items = readRawItems(folder, kept.map((doc) => this.rangeOf(old, this.docs.row[doc])));
    const cache = this.cacheOf(folder);
    // An older cache's counts do not mark whole words: the rows' texts are tokenized again instead.
    const countsOf = cache?.wholeMarked ? this.termCountsOf(cache) : undefined;
    return kept.map((doc, i) => {
      const row = this.docs.row[doc];
      const { record, ...raw } = items[i];
      const { vector, scale, sketch, sketchScale } = this.vectors.vectorAt(old.slot, row);
      // A store too small to keep sketches in memory still writes them: from the old cache, or made again from the int8 vector.
      const kept =
        sketch && sketchScale !== undefined
          ? { sketch, sketchScale }
          : cache && row < cache.rows
            ? { sketch: cache.sketches.slice(row * SKETCH_DIMENSIONS, (row + 1) * SKETCH_DIMENSIONS), sketchScale: cache.sketchScales[row] }
            : sketchOfInt8(vector, scale);
      return { record, vector: { vector, scale, ...kept }, raw, counts: countsOf?.(row) ?? this.bm25.countsFor(record.text), range: { start: 0, vector: 0, end: 0 } };
    });
  }

  /** `folder`'s cache, or undefined when it cannot be read. */
  private cacheOf(folder: string): ShardCache | undefined {
    try {
      return parseShardCache(folder, new Uint8Array(fs.readFileSync(path.join(folder, CACHE_FILE))), this.dimensions);
    } catch {
      return undefined;
    }
  }

  /** Row → term counts (global ids) from a shard's cache. */
  private termCountsOf(cache: ShardCache): (row: number) => TermCounts {
    const ids = cache.strings.terms.map((term) => this.bm25.idOf(term));
    return (row) => {
      const local = cache.counts.subarray(cache.termStarts[row], cache.termStarts[row + 1]);
      const out = new Uint32Array(local.length);
      for (let i = 0; i < local.length; i++) out[i] = (ids[local[i] >>> TF_SHIFT] << TF_SHIFT) | (local[i] & POSTING_BYTE);
      return out;
    };
  }

  /** Loads a shard from its cache, or from index.json (then writes the cache for next time). */
  private async loadShard(name: string, folder: string, bytes: Uint8Array | undefined, deleted: number[]): Promise<void> {
    const full = path.join(this.dir, SHARDS, folder);
    let cache = parseShardCache(full, bytes, this.dimensions, {
      onDamage: (reason) => this.warn?.(`the archival cache ${path.join(full, CACHE_FILE)} is damaged (${reason}); reading index.json instead and rewriting the cache`),
    });
    if (!cache) {
      const items = await readShard(full, this.dimensions);
      // index.json written again in this store's own layout (same content), so every item's range is known.
      const index = rewriteIndex(full, items);
      const rows: CacheRow[] = items.map((item, i) => {
        const record = recordOf(item);
        return { record, vector: item.vector, counts: this.bm25.countsFor(record.text), range: index.ranges[i] };
      });
      const written = writeShardCache(full, this.dimensions, rows, (id) => this.bm25.termOf(id), index);
      cache = parseShardCache(full, written, this.dimensions)!;
    }
    this.install(name, folder, cache, deleted);
  }

  /**
   * Puts a shard read from its cache into memory. `reuse`: the shard was just written from `kept`
   * (docs already in memory, its first rows) and `added` (its new rows, term counts with global ids).
   */
  private install(name: string, folder: string, cache: ShardCache, deleted: number[], reuse?: { kept: number[]; added: NewItem[] }): void {
    if (cache.rows > SHARD_CAPACITY) {
      throw new MemoryError('corrupt', `archival shard ${folder} holds ${cache.rows} items, more than ${SHARD_CAPACITY}; run \`memcode index --rebuild\``);
    }
    const number = this.shardByNumber.length;
    const docs = new Int32Array(cache.rows);
    const map = (strings: string[], table: { id(v: string): number }) => strings.map((s) => table.id(s));
    const pathIds = map(cache.strings.paths, this.docs.paths);
    const symbolIds = map(cache.strings.symbols, this.docs.symbols);
    const languageIds = map(cache.strings.languages, this.docs.languages);
    const kindIds = map(cache.strings.kinds, this.docs.kinds);
    const termIds = reuse ? [] : cache.strings.terms.map((term) => this.bm25.idOf(term));
    const dead = new Set(deleted);
    const kept = reuse?.kept ?? [];
    for (let row = 0; row < cache.rows; row++) {
      if (row < kept.length) {
        docs[row] = kept[row];
        this.docs.shard[kept[row]] = number;
        this.docs.row[kept[row]] = row;
        continue;
      }
      const at = (ids: number[], i: number) => (i < 0 ? -1 : ids[i]);
      const source = cache.sources[row] === 1 ? NOTE : FILE;
      const doc = this.docs.add(number, row, at(pathIds, cache.paths[row]), at(symbolIds, cache.symbols[row]), at(languageIds, cache.languages[row]), at(kindIds, cache.kinds[row]), source);
      docs[row] = doc;
      if (dead.has(row)) {
        this.docs.source[doc] = DEAD;
        continue;
      }
      if (reuse) this.bm25.addCounts(doc, reuse.added[row - kept.length].counts);
      else this.bm25.addMapped(doc, cache.counts, cache.termStarts[row], cache.termStarts[row + 1], termIds);
      this.remember(doc);
    }
    const shard: Shard = {
      name,
      folder,
      number,
      docs,
      // Copied into the vector search's memory: the file's buffer (texts of notes, term counts, tables) can go.
      slot: this.vectors.place(cache.vectors, cache.scales, cache.sketches, cache.sketchScales),
      wholeMarked: cache.wholeMarked,
      itemStarts: cache.itemStarts.slice(),
      vectorStarts: cache.vectorStarts.slice(),
      itemEnds: cache.itemEnds.slice(),
    };
    this.shards.set(name, shard);
    this.shardByNumber[number] = shard;
  }

  /** Rows another process (or this one) listed as removed since the shard was loaded. */
  private removeRows(shard: Shard, rows: number[]): void {
    const gone: number[] = [];
    for (const row of rows) {
      const doc = shard.docs[row];
      if (doc === undefined || !this.docs.alive(doc)) continue;
      this.forget(doc);
      gone.push(doc);
    }
    this.bm25.removeMany(gone);
  }

  /** Forgets every live doc of a shard and lets its vectors go. */
  private unload(shard: Shard): void {
    const gone = [...shard.docs].filter((doc) => this.docs.alive(doc));
    for (const doc of gone) this.forget(doc);
    this.bm25.removeMany(gone);
    this.dropShard(shard);
  }

  private dropShard(shard: Shard): void {
    this.vectors.release(shard.slot);
    this.shards.delete(shard.name);
    this.shardByNumber[shard.number] = undefined;
  }

  private remember(doc: number): void {
    if (this.docs.source[doc] === NOTE) this.notes++;
    else {
      const id = this.docs.path[doc];
      if (id >= 0) {
        const list = this.byPath.get(id);
        if (list) list.push(doc);
        else this.byPath.set(id, [doc]);
      }
    }
    this.live++;
  }

  /** Drops `doc` from everything but BM25 (removed in one batch by the caller). */
  private forget(doc: number): void {
    if (!this.docs.alive(doc)) return;
    if (this.docs.source[doc] === NOTE) this.notes--;
    const id = this.docs.path[doc];
    const list = id >= 0 ? this.byPath.get(id) : undefined;
    if (list) {
      const i = list.indexOf(doc);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byPath.delete(id);
    }
    this.docs.source[doc] = DEAD;
    this.live--;
  }

  private enqueue<T>(write: () => Promise<T>): Promise<T> {
    // One write at a time, and the manifest must see each write whole.
    const run = this.writes.then(write, write);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private embedChecked(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return embedWith(this.embedder, this.dimensions, texts, signal);
  }

  private checkVector(vector: Float32Array): void {
    checkVector(vector, this.dimensions);
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** The records one search reads from disk, each once. */
class RecordReader {
  private readonly items = new Map<number, ArchivalRecord>();

  constructor(private readonly read: (docs: number[]) => ArchivalRecord[]) {}

  load(docs: number[]): ArchivalRecord[] {
    const missing = docs.filter((doc) => !this.items.has(doc));
    if (missing.length > 0) this.read(missing).forEach((item, i) => this.items.set(missing[i], item));
    return docs.map((doc) => this.items.get(doc)!);
  }
}

function shardItem(record: ArchivalRecord, vector: Float32Array): ShardItem {
  const metadata: Record<string, MetadataValue> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'id' && value !== undefined) metadata[key] = value as MetadataValue;
  }
  return { id: record.id, vector, metadata };
}

/** Rows the manifest says the store holds (0 for a manifest older than the rows field). */
function storedRows(manifest: Manifest): number {
  let n = 0;
  for (const name of Object.keys(manifest.shards)) n += (manifest.rows?.[name] ?? 0) - (manifest.deleted?.[name]?.length ?? 0);
  return n;
}

async function embedWith(embedder: Embedder, dimensions: number, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const vectors = await embedder.embed(texts, signal);
  if (vectors.length !== texts.length) {
    throw new MemoryError('invalid', `the embedder ${embedder.id} returned ${vectors.length} vectors for ${texts.length} texts`);
  }
  for (const v of vectors) checkVector(v, dimensions);
  return vectors;
}

function checkVector(vector: Float32Array, dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new MemoryError('invalid', `a vector has ${vector.length} dimensions but archival memory holds ${dimensions}`);
  }
}

/** An embedder that learns its dimensions from the server answers one probe first. */
async function knownDimensions(embedder: Embedder): Promise<number> {
  if (embedder.dimensions > 0) return embedder.dimensions;
  const [probe] = await embedder.embed(['dimensions probe']);
  return probe?.length ?? embedder.dimensions;
}
