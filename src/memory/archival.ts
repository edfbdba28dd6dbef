// Archival memory (DESIGN.md §6): workspace chunks and the agent's own notes in Vectra indexes on
// disk, searched by vector similarity and BM25 fused by reciprocal rank.
//
// Layout of `dir` (.memcode/archival):
//   manifest.json         embedder id and dimensions, and which folder holds each shard now
//   shards/<name>.<gen>/  one Vectra LocalIndex per shard of at most SHARD_CAPACITY items, and beside
//                         its index.json a binary cache.bin (archivalCache.ts) that opening reads instead
// Vectra rewrites a whole index.json per update, so no write may touch a big one. New items fill the
// newest shard and then open another: a batch of adds rewrites only the shard(s) it fills, and
// replacing one file's chunks rewrites the shard that held them plus the newest, however large the
// index. Each write goes to a new shard folder and the manifest flips to it atomically, so a crash
// leaves the old state or the new, never a mix.
// Queries run over Float32Arrays (vectorSearch.ts) and an inverted index (bm25.ts) kept in memory,
// loaded from the shards on open. One store lives as long as its process: `sync()` catches up with
// another process's writes by reloading only the shards whose folders changed.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalHit, ArchivalMemory, ArchivalQuery, ArchivalRecord, Embedder, FilePassage } from './archivalMemory';
import { type MetadataValue, quantize, readShard, recordOf, type ShardItem, writeShard } from './archivalShard';
import { writeJsonAtomic } from './atomicFile';
import { embedderMismatch, emptyManifest, isMissingFile, MANIFEST, type Manifest, readManifest, readThroughSwaps, removeStrayFolders, SHARDS } from './archivalManifest';
import { collectNotes, NOTES_RESCUE } from './archivalNotes';
import { Bm25Index, type TermCounts } from './bm25';
import { CACHE_FILE, type CacheRow, parseShardCache, readCacheBytes, writeShardCache } from './archivalCache';
import { fuseHybrid } from './hybridRanking';
import { paginate } from './recallSearch';
import { CANDIDATES, sketchAll, VectorSearch, type VectorShard } from './vectorSearch';
import { type Clock, MemoryError, type Page } from './types';

export type { ArchivalHit, ArchivalQuery, ArchivalRecord };

export interface ArchivalOpenOptions {
  warn?: (m: string) => void;
  clock?: Clock;
}

export { CANDIDATES };
/** Items per shard: one shard write (~1k × 384 numbers as JSON) stays well under 100 ms. */
export const SHARD_CAPACITY = 1000;

/** A record as held in memory: one loaded from a shard's cache has its text still as UTF-8 bytes. */
type StoredRecord = Omit<ArchivalRecord, 'text'> & { text?: string };

interface Entry {
  record: StoredRecord;
  shard: string;
  row: number;
  /** Where the text is when `record.text` is absent: texts.subarray(textStart, textEnd). */
  texts?: Uint8Array;
  textStart: number;
  textEnd: number;
}

interface Shard extends VectorShard {
  folder: string;
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

export class ArchivalStore implements ArchivalMemory {
  readonly embedderId: string;
  private readonly dimensions: number;
  private entries: Array<Entry | undefined> = [];
  private readonly shards = new Map<string, Shard>();
  private readonly byPath = new Map<string, Set<number>>();
  private bm25 = new Bm25Index();
  private readonly vectors: VectorSearch;
  private live = 0;
  /** Bumped whenever a shard changes, so the packed sketches know they are stale. */
  private version = 0;
  private notes = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly embedder: Embedder,
    private manifest: Manifest,
    private readonly clock: Clock,
    private readonly warn?: (m: string) => void,
  ) {
    this.embedderId = manifest.embedder.id;
    this.dimensions = manifest.embedder.dimensions;
    this.vectors = new VectorSearch(this.dimensions);
  }

  static async open(dir: string, embedder: Embedder, opts: ArchivalOpenOptions = {}): Promise<ArchivalStore> {
    // Readers open without the folder's lock: a writer may swap generations (and remove the old shard
    // folders) while this reads them. The manifest then names the new ones: read again.
    return readThroughSwaps(path.join(dir, MANIFEST), () => ArchivalStore.openOnce(dir, embedder, opts));
  }

  private static async openOnce(dir: string, embedder: Embedder, opts: ArchivalOpenOptions): Promise<ArchivalStore> {
    const dimensions = await knownDimensions(embedder);
    const file = path.join(dir, MANIFEST);
    if (!fs.existsSync(file)) return ArchivalStore.create(dir, embedder, dimensions, opts);
    const manifest = readManifest(file);
    if (manifest.embedder.id !== embedder.id || manifest.embedder.dimensions !== dimensions) throw embedderMismatch(manifest, embedder.id, dimensions);
    const store = new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()), opts.warn);
    const shards = Object.entries(manifest.shards);
    const bytesOf = (i: number) => (i < shards.length ? readCacheBytes(path.join(dir, SHARDS, shards[i][1])) : undefined);
    // The next files are read while this one is parsed.
    const ahead = [bytesOf(0), bytesOf(1)];
    for (let i = 0; i < shards.length; i++) {
      const bytes = await ahead.shift();
      ahead.push(bytesOf(i + 2));
      await store.loadShard(shards[i][0], shards[i][1], bytes, opts.warn);
    }
    removeStrayFolders(dir, manifest, opts.warn);
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
    return new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()), opts.warn);
  }

  async sync(): Promise<void> {
    // Without the lock a writer may swap generations while this reads: then read the manifest again.
    return readThroughSwaps(path.join(this.dir, MANIFEST), () => this.enqueue(() => this.syncOnce()));
  }

  private async syncOnce(): Promise<void> {
    const file = path.join(this.dir, MANIFEST);
    if (!fs.existsSync(file)) {
      // The folder was wiped or moved aside (MemCode: Reset Memory): this store is empty now.
      if (this.live > 0 || Object.keys(this.manifest.shards).length > 0) {
        this.manifest = emptyManifest(this.embedderId, this.dimensions);
        this.forgetAll();
      }
      return;
    }
    const disk = readManifest(file);
    if (disk.id === this.manifest.id && disk.generation === this.manifest.generation) return;
    if (disk.embedder.id !== this.embedderId || disk.embedder.dimensions !== this.dimensions) throw embedderMismatch(disk, this.embedderId, this.dimensions);
    if (disk.id !== this.manifest.id) this.forgetAll();
    // Shard folders are never rewritten in place: a shard whose folder name is unchanged holds the same items.
    for (const [name, shard] of [...this.shards]) if (disk.shards[name] !== shard.folder) this.unloadShard(name);
    for (const [name, folder] of Object.entries(disk.shards)) {
      if (this.shards.has(name)) continue;
      await this.loadShard(name, folder, await readCacheBytes(path.join(this.dir, SHARDS, folder)), this.warn);
    }
    this.manifest = disk;
  }

  private unloadShard(name: string): void {
    const shard = this.shards.get(name);
    if (!shard) return;
    for (const doc of shard.docs) this.forget(doc, this.entries[doc]!.record);
    this.bm25.removeMany(new Set(shard.docs));
    this.shards.delete(name);
    this.version++;
  }

  private forgetAll(): void {
    this.entries = [];
    this.shards.clear();
    this.byPath.clear();
    this.bm25 = new Bm25Index();
    this.live = 0;
    this.notes = 0;
    this.version++;
  }

  count(): number {
    return this.live;
  }

  countBySource(): { file: number; note: number } {
    return { file: this.live - this.notes, note: this.notes };
  }

  paths(): string[] {
    return [...this.byPath.keys()].sort();
  }

  async addChunks(chunks: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    return this.replaceChunks([], chunks, signal);
  }

  /**
   * Replaces every passage of `paths` with `chunks` in one write: a saved file's old passages go and its
   * new ones arrive together, so each shard touched is rewritten once and no reader sees the file missing.
   */
  async replaceChunks(paths: string[], chunks: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    const items = chunks.length > 0 ? await this.embedPassages(chunks, signal) : [];
    return this.enqueue(async () => {
      const changes = new Map<string, ShardChange>();
      const removed = this.planRemovals(paths, changes);
      if (removed === 0 && items.length === 0) return [];
      await this.apply(changes, this.planAdds(items, changes));
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
    const page = opts.page ?? 1;
    const pageSize = opts.pageSize ?? 5;
    const mode = opts.mode ?? 'hybrid';
    const allowed = this.filterFor(opts);
    let ranked: Array<{ id: number; score: number }> = [];
    if (query.trim()) {
      // Embed first: after this await, both rankings and the records are read with no write in between.
      const q = mode === 'keyword' ? undefined : (await this.embedChecked([query]))[0];
      const keyword = mode === 'vector' ? [] : this.bm25.search(query, CANDIDATES, allowed).hits;
      const vector = q ? this.vectorSearch(q, allowed) : [];
      if (mode === 'keyword') ranked = keyword;
      else if (mode === 'vector') ranked = vector;
      else ranked = fuseHybrid(query, vector, keyword, (doc) => this.textOf(doc), (doc) => this.entries[doc]?.record.symbol);
    }
    // Only the page asked for is turned into records (texts decoded, objects copied).
    const ids = paginate(ranked, page, pageSize);
    return { ...ids, results: ids.results.map(({ id, score }) => ({ ...this.recordAt(id), score })) };
  }

  // ------------------------------------------------------------------ internals

  private vectorSearch(q: Float32Array, allowed?: (doc: number) => boolean): Array<{ id: number; score: number }> {
    return this.vectors.search([...this.shards.values()], this.live, this.version, q, allowed);
  }

  private filterFor(opts: ArchivalQuery): ((doc: number) => boolean) | undefined {
    const { pathPrefix, language, source } = opts;
    if (!pathPrefix && !language && !source) return undefined;
    const prefix = pathPrefix?.replace(/\\/g, '/').replace(/^\.\//, '');
    return (doc) => {
      const record = this.entries[doc]?.record;
      if (!record) return false;
      if (source && record.source !== source) return false;
      if (language && record.language !== language) return false;
      if (prefix && !(record.path ?? '').startsWith(prefix)) return false;
      return true;
    };
  }

  private applyAdds(items: Array<Omit<NewItem, 'counts'>>): Promise<string[]> {
    const changes = new Map<string, ShardChange>();
    return this.apply(changes, this.planAdds(items, changes)).then(() => items.map((i) => i.record.id));
  }

  /** Puts the removal of these paths' passages into `changes`; returns how many passages go. */
  private planRemovals(paths: string[], changes: Map<string, ShardChange>): number {
    let removed = 0;
    for (const p of paths) {
      for (const doc of this.byPath.get(p) ?? []) {
        const shard = this.entries[doc]!.shard;
        if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
        changes.get(shard)!.remove.add(doc);
        removed++;
      }
    }
    return removed;
  }

  /** Puts `items` into `changes`, filling the open shard and then new ones; returns the shards to open next. */
  private planAdds(items: Array<Omit<NewItem, 'counts'>>, changes: Map<string, ShardChange>): Pick<Manifest, 'nextShard' | 'openShard'> {
    let shard = this.manifest.openShard;
    let room = shard ? SHARD_CAPACITY - (this.shards.get(shard)?.docs.length ?? 0) : 0;
    let next = this.manifest.nextShard;
    for (const item of items) {
      if (!shard || room <= 0) {
        shard = `s${String(next++).padStart(4, '0')}`;
        room = SHARD_CAPACITY;
      }
      if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
      const counts = this.bm25.countsFor(item.record.text);
      changes.get(shard)!.add.push({ record: item.record, vector: quantize(item.vector), counts });
      room--;
    }
    return { nextShard: next, openShard: shard };
  }

  private async embedPassages(chunks: FilePassage[], signal?: AbortSignal): Promise<Array<{ record: ArchivalRecord; vector: Float32Array }>> {
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
    }));
  }

  /** Writes every changed shard to a new folder, flips the manifest, then updates memory. */
  private async apply(changes: Map<string, ShardChange>, opening: Pick<Manifest, 'nextShard' | 'openShard'> = this.manifest): Promise<void> {
    const generation = this.manifest.generation + 1;
    const shards = { ...this.manifest.shards };
    const written: string[] = [];
    let next: Manifest;
    const plans = new Map<string, { docs: number[] }>();
    try {
      for (const [name, change] of changes) {
        const old = this.shards.get(name);
        const docs = (old?.docs ?? []).filter((doc) => !change.remove.has(doc));
        const rows: Array<CacheRow<ArchivalRecord>> = docs.map((doc) => ({
          record: this.recordAt(doc),
          vector: this.vectorOf(doc),
          counts: this.bm25.termCountsOf(doc) ?? new Uint32Array(0),
        }));
        for (const added of change.add) rows.push(added);
        plans.set(name, { docs });
        if (rows.length === 0) {
          delete shards[name];
          continue;
        }
        const folder = `${name}.${generation}`;
        written.push(folder);
        const full = path.join(this.dir, SHARDS, folder);
        await writeShard(full, rows.map((row) => this.shardItem(row.record, row.vector)));
        writeShardCache(full, this.dimensions, rows, (id) => this.bm25.termOf(id));
        shards[name] = folder;
      }
      const openShard = opening.openShard && shards[opening.openShard] ? opening.openShard : undefined;
      next = { ...this.manifest, generation, shards, nextShard: opening.nextShard, openShard };
      writeJsonAtomic(path.join(this.dir, MANIFEST), next);
    } catch (err) {
      for (const folder of written) fs.rmSync(path.join(this.dir, SHARDS, folder), { recursive: true, force: true });
      if (err instanceof MemoryError) throw err;
      throw new MemoryError('io', `could not write archival memory in ${this.dir}: ${(err as Error).message}`);
    }
    const oldFolders = [...changes.keys()].map((name) => this.manifest.shards[name]).filter((f): f is string => !!f);
    this.manifest = next;

    for (const [name, change] of changes) {
      for (const doc of change.remove) this.forget(doc, this.entries[doc]!.record);
      this.bm25.removeMany(change.remove);
      const plan = plans.get(name)!;
      const docs = plan.docs.slice();
      const vectors = new Float32Array((docs.length + change.add.length) * this.dimensions);
      docs.forEach((doc, row) => {
        vectors.set(this.vectorOf(doc), row * this.dimensions);
      });
      for (const added of change.add) {
        vectors.set(added.vector, docs.length * this.dimensions);
        docs.push(this.remember(added.record, name, docs.length, added.counts));
      }
      docs.forEach((doc, row) => {
        this.entries[doc]!.row = row;
      });
      this.version++;
      if (docs.length === 0) this.shards.delete(name);
      else this.shards.set(name, { folder: shards[name], docs, vectors, sketch: sketchAll(vectors, docs.length, this.dimensions) });
    }
    for (const folder of oldFolders) {
      try {
        fs.rmSync(path.join(this.dir, SHARDS, folder), { recursive: true, force: true });
      } catch (err) {
        // The write is done; a leftover folder is removed as a stray by a later open.
        this.warn?.(`could not remove the old archival shard ${folder}: ${(err as Error).message}`);
      }
    }
  }

  /** Loads a shard from its binary cache, or from Vectra's index.json (then writes the cache for next time). */
  private async loadShard(name: string, folder: string, bytes: Uint8Array | undefined, warn?: (m: string) => void): Promise<void> {
    const full = path.join(this.dir, SHARDS, folder);
    const cache = parseShardCache<ArchivalRecord>(full, bytes, this.dimensions, {
      onDamage: (reason) => warn?.(`the archival cache ${path.join(full, CACHE_FILE)} is damaged (${reason}); reading index.json instead and rewriting the cache`),
    });
    const docs: number[] = [];
    let vectors: Float32Array;
    if (cache) {
      vectors = cache.vectors;
      const ids = cache.terms.map((term) => this.bm25.idOf(term));
      const { starts, counts } = cache;
      const mapped = new Uint32Array(counts.length);
      for (let i = 0; i < counts.length; i++) mapped[i] = (ids[counts[i] >>> 8] << 8) | (counts[i] & 255);
      const { texts, textStarts } = cache;
      cache.records.forEach((record, row) => {
        const doc = this.remember(record, name, row, mapped.subarray(starts[row], starts[row + 1]));
        const entry = this.entries[doc]!;
        entry.texts = texts;
        entry.textStart = textStarts[row];
        entry.textEnd = textStarts[row + 1];
        docs.push(doc);
      });
    } else {
      const items = await readShard(full, this.dimensions);
      vectors = new Float32Array(items.length * this.dimensions);
      const rows: Array<CacheRow<ArchivalRecord>> = [];
      items.forEach((item, row) => {
        vectors.set(item.vector, row * this.dimensions);
        const record = recordOf(item);
        const counts = this.bm25.countsFor(record.text);
        rows.push({ record, vector: item.vector, counts });
        docs.push(this.remember(record, name, row, counts));
      });
      try {
        writeShardCache(full, this.dimensions, rows, (id) => this.bm25.termOf(id), true);
      } catch (err) {
        // A folder a writer just swapped out and removed needs no cache.
        if (!isMissingFile(err)) warn?.(`could not write the archival cache of ${folder}: ${(err as Error).message}`);
      }
    }
    this.shards.set(name, { folder, docs, vectors, sketch: sketchAll(vectors, docs.length, this.dimensions) });
    this.version++;
  }

  private remember(record: StoredRecord, shard: string, row: number, counts: TermCounts): number {
    const doc = this.entries.length;
    this.entries.push({ record, shard, row, texts: undefined, textStart: 0, textEnd: 0 });
    this.bm25.addCounts(doc, counts);
    if (record.source === 'note') this.notes++;
    if (record.path !== undefined && record.source === 'file') {
      if (!this.byPath.has(record.path)) this.byPath.set(record.path, new Set());
      this.byPath.get(record.path)!.add(doc);
    }
    this.live++;
    return doc;
  }

  /** Drops `doc` from everything but BM25 (removed in one batch by the caller). */
  private forget(doc: number, record: StoredRecord): void {
    this.entries[doc] = undefined;
    if (record.source === 'note') this.notes--;
    const set = record.path !== undefined ? this.byPath.get(record.path) : undefined;
    if (set) {
      set.delete(doc);
      if (set.size === 0) this.byPath.delete(record.path!);
    }
    this.live--;
  }

  private textOf(doc: number): string {
    const entry = this.entries[doc]!;
    if (entry.record.text !== undefined) return entry.record.text;
    return decoder.decode(entry.texts!.subarray(entry.textStart, entry.textEnd));
  }

  /** A fresh copy of `doc`'s record, text included. */
  private recordAt(doc: number): ArchivalRecord {
    const record = this.entries[doc]!.record;
    return { ...record, text: record.text ?? this.textOf(doc) };
  }

  private vectorOf(doc: number): Float32Array {
    const entry = this.entries[doc]!;
    const shard = this.shards.get(entry.shard)!;
    return shard.vectors.subarray(entry.row * this.dimensions, (entry.row + 1) * this.dimensions);
  }

  private shardItem(record: ArchivalRecord, vector: Float32Array): ShardItem {
    const metadata: Record<string, MetadataValue> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'id' && value !== undefined) metadata[key] = value as MetadataValue;
    }
    return { id: record.id, vector, metadata };
  }

  private enqueue<T>(write: () => Promise<T>): Promise<T> {
    // One write at a time: Vectra has no lock, and the manifest must see each write whole.
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

const decoder = new TextDecoder();

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
