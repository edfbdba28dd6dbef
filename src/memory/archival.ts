// Archival memory (DESIGN.md §6): workspace chunks and the agent's own notes in Vectra indexes on
// disk, searched by vector similarity and BM25 fused by reciprocal rank.
//
// Layout of `dir` (.memcode/archival):
//   manifest.json         embedder id and dimensions, and which folder holds each shard now
//   shards/<name>.<gen>/  one Vectra LocalIndex per shard of at most SHARD_CAPACITY items
// Vectra rewrites a whole index.json per update, so no write may touch a big one. New items fill the
// newest shard and then open another: a batch of adds rewrites only the shard(s) it fills, and
// replacing one file's chunks rewrites the shard that held them plus the newest, however large the
// index. Each write goes to a new shard folder and the manifest flips to it atomically, so a crash
// leaves the old state or the new, never a mix.
// Queries run over Float32Arrays and an inverted index kept in memory, loaded from the shards on open.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Chunk, Embedder } from '../indexing/types';
import { corrupt, type MetadataValue, quantize, readShard, type ShardItem, writeShard } from './archivalShard';
import { writeJsonAtomic } from './atomicFile';
import { visitCodeWords } from './codeTokens';
import { Bm25Index } from './bm25';
import { reciprocalRankFusion, RRF_K } from './rankFusion';
import { paginate } from './recallSearch';
import { TopK } from './topK';
import { type Clock, MemoryError, type Page } from './types';

export interface ArchivalRecord {
  id: string;
  text: string;
  source: 'file' | 'note';
  path?: string;
  startLine?: number;
  endLine?: number;
  language?: string;
  symbol?: string;
  kind?: string;
  time: string;
}

export interface ArchivalHit extends ArchivalRecord {
  /** Hybrid: fused rank score scaled to 0..1 (1 = first in both rankings); vector: cosine; keyword: BM25. */
  score: number;
}

export interface ArchivalQuery {
  /** 1-based. */
  page?: number;
  /** Default 5. */
  pageSize?: number;
  pathPrefix?: string;
  language?: string;
  source?: 'file' | 'note';
  /** Default hybrid. */
  mode?: 'hybrid' | 'vector' | 'keyword';
}

export interface ArchivalOpenOptions {
  warn?: (m: string) => void;
  clock?: Clock;
}

/** Candidates kept from each ranking before fusion; paging goes no deeper. */
export const CANDIDATES = 100;
/** Items per shard: one shard write (~1k × 384 numbers as JSON) stays well under 100 ms. */
export const SHARD_CAPACITY = 1000;
const MANIFEST_FORMAT = 1;
const MANIFEST = 'manifest.json';
const SHARDS = 'shards';

interface Manifest {
  format: number;
  embedder: { id: string; dimensions: number };
  generation: number;
  /** Number for the next shard to open. */
  nextShard: number;
  /** The shard new items go into while it has room. */
  openShard?: string;
  /** Shard name → its current folder under shards/. Empty shards are absent. */
  shards: Record<string, string>;
}

interface Entry {
  record: ArchivalRecord;
  shard: string;
  row: number;
}

interface Shard {
  folder: string;
  docs: number[];
  /** docs.length × dimensions, row-major. */
  vectors: Float32Array;
}

interface NewItem {
  record: ArchivalRecord;
  vector: Float32Array;
}

interface ShardChange {
  remove: Set<number>;
  add: NewItem[];
}

export class ArchivalStore {
  readonly embedderId: string;
  private readonly dimensions: number;
  private readonly entries: Array<Entry | undefined> = [];
  private readonly shards = new Map<string, Shard>();
  private readonly byPath = new Map<string, Set<number>>();
  private readonly bm25 = new Bm25Index();
  private live = 0;
  private notes = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly embedder: Embedder,
    private manifest: Manifest,
    private readonly clock: Clock,
  ) {
    this.embedderId = manifest.embedder.id;
    this.dimensions = manifest.embedder.dimensions;
  }

  static async open(dir: string, embedder: Embedder, opts: ArchivalOpenOptions = {}): Promise<ArchivalStore> {
    const dimensions = await knownDimensions(embedder);
    const file = path.join(dir, MANIFEST);
    if (!fs.existsSync(file)) return ArchivalStore.create(dir, embedder, dimensions, opts);
    const manifest = readManifest(file);
    if (manifest.embedder.id !== embedder.id || manifest.embedder.dimensions !== dimensions) {
      throw new MemoryError(
        'invalid',
        `archival memory was built with ${manifest.embedder.id} (${manifest.embedder.dimensions} dimensions) but the current ` +
          `embedder is ${embedder.id} (${dimensions}); rebuild it with \`memcode index --rebuild\` (or MemCode: Rebuild Index)`,
      );
    }
    const store = new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()));
    for (const [name, folder] of Object.entries(manifest.shards)) {
      const items = await readShard(path.join(dir, SHARDS, folder), dimensions);
      store.loadShard(name, folder, items);
    }
    removeStrayFolders(dir, manifest, opts.warn);
    return store;
  }

  /** Wipes everything in `dir` (not `dir` itself) and starts an empty index for `embedder`. */
  static async rebuild(dir: string, embedder: Embedder, opts: ArchivalOpenOptions = {}): Promise<ArchivalStore> {
    const dimensions = await knownDimensions(embedder);
    if (fs.existsSync(dir)) {
      // The manifest goes first: a crash halfway through leaves a folder that opens as empty.
      fs.rmSync(path.join(dir, MANIFEST), { force: true });
      for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    return ArchivalStore.create(dir, embedder, dimensions, opts);
  }

  private static create(dir: string, embedder: Embedder, dimensions: number, opts: ArchivalOpenOptions): ArchivalStore {
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      embedder: { id: embedder.id, dimensions },
      generation: 0,
      nextShard: 1,
      shards: {},
    };
    fs.rmSync(path.join(dir, SHARDS), { recursive: true, force: true });
    writeJsonAtomic(path.join(dir, MANIFEST), manifest);
    return new ArchivalStore(dir, embedder, manifest, opts.clock ?? (() => new Date()));
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

  async addChunks(chunks: Chunk[], signal?: AbortSignal): Promise<string[]> {
    if (chunks.length === 0) return [];
    const vectors = await this.embedChecked(chunks.map((c) => c.text), signal);
    const time = this.now();
    const items = chunks.map((chunk, i) => ({
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
    return this.enqueue(() => this.applyAdds(items));
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
      let removed = 0;
      for (const p of paths) {
        for (const doc of this.byPath.get(p) ?? []) {
          const shard = this.entries[doc]!.shard;
          if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
          changes.get(shard)!.remove.add(doc);
          removed++;
        }
      }
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
      else {
        const rankings = [vector.map((h) => h.id), keyword.map((h) => h.id)];
        // A name typed exactly is the strongest signal there is: the keyword hits holding it form a
        // third ranking, so they rise above chunks that are merely close in meaning.
        const names = compoundIdentifiers(query);
        if (names.length > 0) {
          const exact = keyword.filter((h) => {
            const text = this.entries[h.id]!.record.text.toLowerCase();
            return names.some((name) => text.includes(name));
          });
          if (exact.length > 0) rankings.push(exact.map((h) => h.id));
        }
        // Scaled so that first place in every ranking scores 1.
        const best = rankings.length / (RRF_K + 1);
        ranked = reciprocalRankFusion(rankings).map((h) => ({ id: h.id, score: h.score / best }));
      }
    }
    const hits = ranked.map(({ id, score }) => ({ ...this.entries[id]!.record, score }));
    return paginate(hits, page, pageSize);
  }

  // ------------------------------------------------------------------ internals

  private vectorSearch(q: Float32Array, allowed?: (doc: number) => boolean): Array<{ id: number; score: number }> {
    const d = this.dimensions;
    // The query in doubles: V8 then multiplies without converting one side at every step.
    const query = Float64Array.from(q);
    const top = new TopK(CANDIDATES);
    // Nothing in common with the query is not a candidate, however short the list.
    let threshold = 0;
    for (const shard of this.shards.values()) {
      const { docs, vectors } = shard;
      for (let row = 0, offset = 0; row < docs.length; row++, offset += d) {
        if (allowed && !allowed(docs[row])) continue;
        const score = dot(vectors, offset, query, d);
        if (score > threshold) {
          top.push(docs[row], score);
          threshold = Math.max(0, top.threshold);
        }
      }
    }
    return top.sorted();
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

  private applyAdds(items: NewItem[]): Promise<string[]> {
    const changes = new Map<string, ShardChange>();
    let shard = this.manifest.openShard;
    let room = shard ? SHARD_CAPACITY - (this.shards.get(shard)?.docs.length ?? 0) : 0;
    let next = this.manifest.nextShard;
    for (const item of items) {
      if (!shard || room <= 0) {
        shard = `s${String(next++).padStart(4, '0')}`;
        room = SHARD_CAPACITY;
      }
      if (!changes.has(shard)) changes.set(shard, { remove: new Set(), add: [] });
      changes.get(shard)!.add.push({ record: item.record, vector: quantize(item.vector) });
      room--;
    }
    return this.apply(changes, { nextShard: next, openShard: shard }).then(() => items.map((i) => i.record.id));
  }

  /** Writes every changed shard to a new folder, flips the manifest, then updates memory. */
  private async apply(changes: Map<string, ShardChange>, opening: Pick<Manifest, 'nextShard' | 'openShard'> = this.manifest): Promise<void> {
    const generation = this.manifest.generation + 1;
    const shards = { ...this.manifest.shards };
    const written: string[] = [];
    let next: Manifest;
    const plans = new Map<string, { docs: number[]; items: ShardItem[] }>();
    try {
      for (const [name, change] of changes) {
        const old = this.shards.get(name);
        const docs = (old?.docs ?? []).filter((doc) => !change.remove.has(doc));
        const items: ShardItem[] = docs.map((doc) => this.shardItem(this.entries[doc]!.record, this.vectorOf(doc)));
        for (const added of change.add) items.push(this.shardItem(added.record, added.vector));
        plans.set(name, { docs, items });
        if (items.length === 0) {
          delete shards[name];
          continue;
        }
        const folder = `${name}.${generation}`;
        written.push(folder);
        await writeShard(path.join(this.dir, SHARDS, folder), items);
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
      const removed = new Map<number, string>();
      for (const doc of change.remove) {
        const entry = this.entries[doc]!;
        removed.set(doc, entry.record.text);
        this.forget(doc, entry.record);
      }
      this.bm25.removeMany(removed);
      const plan = plans.get(name)!;
      const docs = plan.docs.slice();
      const vectors = new Float32Array((docs.length + change.add.length) * this.dimensions);
      docs.forEach((doc, row) => {
        vectors.set(this.vectorOf(doc), row * this.dimensions);
      });
      for (const added of change.add) {
        vectors.set(added.vector, docs.length * this.dimensions);
        docs.push(this.remember(added.record, name, docs.length));
      }
      docs.forEach((doc, row) => {
        this.entries[doc]!.row = row;
      });
      if (docs.length === 0) this.shards.delete(name);
      else this.shards.set(name, { folder: shards[name], docs, vectors });
    }
    for (const folder of oldFolders) fs.rmSync(path.join(this.dir, SHARDS, folder), { recursive: true, force: true });
  }

  private loadShard(name: string, folder: string, items: ShardItem[]): void {
    const vectors = new Float32Array(items.length * this.dimensions);
    const docs: number[] = [];
    items.forEach((item, row) => {
      vectors.set(item.vector, row * this.dimensions);
      docs.push(this.remember(recordOf(item), name, row));
    });
    this.shards.set(name, { folder, docs, vectors });
  }

  private remember(record: ArchivalRecord, shard: string, row: number): number {
    const doc = this.entries.length;
    this.entries.push({ record, shard, row });
    this.bm25.add(doc, record.text);
    if (record.source === 'note') this.notes++;
    if (record.path !== undefined && record.source === 'file') {
      if (!this.byPath.has(record.path)) this.byPath.set(record.path, new Set());
      this.byPath.get(record.path)!.add(doc);
    }
    this.live++;
    return doc;
  }

  /** Drops `doc` from everything but BM25 (removed in one batch by the caller). */
  private forget(doc: number, record: ArchivalRecord): void {
    this.entries[doc] = undefined;
    if (record.source === 'note') this.notes--;
    const set = record.path !== undefined ? this.byPath.get(record.path) : undefined;
    if (set) {
      set.delete(doc);
      if (set.size === 0) this.byPath.delete(record.path!);
    }
    this.live--;
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

  private async embedChecked(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors = await this.embedder.embed(texts, signal);
    if (vectors.length !== texts.length) {
      throw new MemoryError('invalid', `the embedder ${this.embedder.id} returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    for (const v of vectors) this.checkVector(v);
    return vectors;
  }

  private checkVector(vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new MemoryError('invalid', `a vector has ${vector.length} dimensions but archival memory holds ${this.dimensions}`);
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function recordOf(item: ShardItem): ArchivalRecord {
  const m = item.metadata;
  const record: ArchivalRecord = {
    id: item.id,
    text: String(m.text ?? ''),
    source: m.source === 'note' ? 'note' : 'file',
    time: String(m.time ?? ''),
  };
  for (const key of ['path', 'language', 'symbol', 'kind'] as const) if (typeof m[key] === 'string') record[key] = m[key] as string;
  for (const key of ['startLine', 'endLine'] as const) if (typeof m[key] === 'number') record[key] = m[key] as number;
  return record;
}

function compoundIdentifiers(query: string): string[] {
  const names: string[] = [];
  visitCodeWords(query, () => {}, (word) => names.push(word));
  return names;
}

function dot(matrix: Float32Array, offset: number, q: Float64Array, d: number): number {
  // Four accumulators let V8 keep independent adds in flight.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    s0 += matrix[offset + i] * q[i];
    s1 += matrix[offset + i + 1] * q[i + 1];
    s2 += matrix[offset + i + 2] * q[i + 2];
    s3 += matrix[offset + i + 3] * q[i + 3];
  }
  for (; i < d; i++) s0 += matrix[offset + i] * q[i];
  return s0 + s1 + s2 + s3;
}

/** An embedder that learns its dimensions from the server answers one probe first. */
async function knownDimensions(embedder: Embedder): Promise<number> {
  if (embedder.dimensions > 0) return embedder.dimensions;
  const [probe] = await embedder.embed(['dimensions probe']);
  return probe?.length ?? embedder.dimensions;
}

function readManifest(file: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw corrupt(file, (err as Error).message);
  }
  const m = value as Partial<Manifest> | null;
  const valid =
    !!m &&
    typeof m.embedder?.id === 'string' &&
    typeof m.embedder.dimensions === 'number' &&
    Number.isInteger(m.nextShard) &&
    (m.openShard === undefined || typeof m.openShard === 'string') &&
    typeof m.generation === 'number' &&
    !!m.shards &&
    typeof m.shards === 'object' &&
    Object.values(m.shards).every((f) => typeof f === 'string' && !f.includes('/') && !f.includes('\\') && !f.startsWith('.'));
  if (!valid) throw corrupt(file, 'not the expected shape');
  if ((m.format ?? 0) > MANIFEST_FORMAT) {
    throw new MemoryError('schema_newer', `archival memory in ${path.dirname(file)} was written by a newer MemCode (format ${m.format})`);
  }
  return m as Manifest;
}

/** Shard folders a crash left behind before the manifest pointed at them. */
function removeStrayFolders(dir: string, manifest: Manifest, warn?: (m: string) => void): void {
  const shardsDir = path.join(dir, SHARDS);
  if (!fs.existsSync(shardsDir)) return;
  const current = new Set(Object.values(manifest.shards));
  for (const name of fs.readdirSync(shardsDir)) {
    if (current.has(name)) continue;
    try {
      fs.rmSync(path.join(shardsDir, name), { recursive: true, force: true });
    } catch (err) {
      warn?.(`could not remove the stale archival shard ${name}: ${(err as Error).message}`);
    }
  }
}
