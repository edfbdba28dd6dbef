// The doctor's look at archival memory: the manifest, every shard it names, and each shard's cache.
// Repairs lose nothing that can be read: a damaged or missing manifest is rebuilt from the shard folders
// present; a shard whose index.json is damaged is rewritten from its cache (and the other way round);
// a shard with both damaged is moved aside (its files are indexed again by the next `memcode index`).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_FILE, type CacheRow, cacheDimensions, parseShardCache, readCacheBytes, type ShardCache, writeShardCache } from './archivalCache';
import { MANIFEST, MANIFEST_FORMAT, type Manifest, readManifest, SHARDS } from './archivalManifest';
import { NOTES_RESCUE } from './archivalNotes';
import { indexFileOf, readShard, recordOf, rewriteIndex, type ShardItem } from './archivalShard';
import { asidePath, writeJsonAtomic } from './atomicFile';
import { Bm25Index } from './bm25';
import type { Checkup } from './checkup';
import { MemoryError } from './types';

const SHARD_FOLDER = /^(s\d+)\.(\d+)$/;

export interface ArchivalCheckOptions {
  /** The embedder to record in a rebuilt manifest when nothing on disk says which one built the store. */
  embedderId?: string;
}

export async function checkArchival(archivalDir: string, checkup: Checkup, opts: ArchivalCheckOptions = {}): Promise<void> {
  const manifestFile = path.join(archivalDir, MANIFEST);
  const shardsDir = path.join(archivalDir, SHARDS);
  const folders = fs.existsSync(shardsDir) ? fs.readdirSync(shardsDir).filter((f) => SHARD_FOLDER.test(f)) : [];
  const rebuild = (damaged?: string) => () => {
    const kept = damaged !== undefined ? `; the damaged one is kept as ${moveAsideFile(manifestFile, checkup.now())}` : '';
    return `${rebuildManifest(archivalDir, folders, embedderIdOf(archivalDir, damaged, opts.embedderId))}${kept}`;
  };
  let manifest: Manifest | undefined;
  if (!fs.existsSync(manifestFile)) {
    if (folders.length > 0) {
      await checkup.found(manifestFile, `is missing, but ${folders.length} shard folder(s) are there`, 'rebuild the manifest from the shard folders', rebuild());
    }
  } else {
    try {
      manifest = readManifest(manifestFile);
    } catch (err) {
      if (!(err instanceof MemoryError) || err.kind !== 'corrupt') {
        await checkup.found(manifestFile, (err as Error).message, 'update MemCode');
        return;
      }
      const text = fs.readFileSync(manifestFile, 'utf8');
      await checkup.found(manifestFile, `is corrupted (${reasonOf(err)})`, 'rebuild the manifest from the shard folders', rebuild(text));
    }
  }
  if (!manifest && fs.existsSync(manifestFile)) {
    try {
      manifest = readManifest(manifestFile);
    } catch {
      return; // Reported above.
    }
  }
  if (manifest) await checkShards(archivalDir, manifest, checkup);
  const rescue = path.join(archivalDir, NOTES_RESCUE);
  if (fs.existsSync(rescue)) {
    await checkup.found(rescue, 'holds notes a rebuild was putting back when it stopped', 'run `memcode index --rebuild` (or MemCode: Rebuild Index) to put them back; they are safe in this file');
  }
}

async function checkShards(archivalDir: string, manifest: Manifest, checkup: Checkup): Promise<void> {
  const dimensions = manifest.embedder.dimensions;
  const dropped: string[] = [];
  /** Shards written again with fewer rows: their row counts and removed rows change in the manifest. */
  const resized = new Map<string, number>();
  for (const [name, folder] of Object.entries(manifest.shards)) {
    const full = path.join(archivalDir, SHARDS, folder);
    const indexFile = indexFileOf(full);
    const bytes = await readCacheBytes(full);
    let items: ShardItem[] | undefined;
    let problem: string | undefined;
    try {
      items = await readShard(full, dimensions);
    } catch (err) {
      problem = reasonOf(err);
    }
    if (!items) {
      const cache = parseShardCache(full, bytes, dimensions, { withoutIndex: true });
      if (cache) {
        // The cache keeps notes whole but file passages only as vectors: those are indexed again.
        const files = cache.rows - cache.notes.length;
        const dropping = files > 0 ? `; its ${files} file passage(s) are indexed again by the next \`memcode index\`` : '';
        await checkup.found(indexFile, `is corrupted (${problem})`, `write it again from the shard's cache.bin${dropping}`, () => {
          rewriteIndexFromCache(full, cache);
          resized.set(name, cache.notes.length);
          return `wrote it again from cache.bin (${cache.notes.length} note(s))${dropping}`;
        });
      } else {
        await checkup.found(indexFile, `is corrupted (${problem}) and its cache.bin cannot stand in`, `move shard ${folder} aside and drop it from the manifest`, () => {
          const target = asidePath(path.join(archivalDir, folder), checkup.now());
          if (fs.existsSync(full)) fs.renameSync(full, target);
          dropped.push(name);
          return `moved it aside to ${target}; run \`memcode index\` to index its files again`;
        });
      }
      continue;
    }
    let damage: string | undefined;
    const cache = parseShardCache(full, bytes, dimensions, { onDamage: (reason) => (damage = reason) });
    if (cache) continue;
    const why = damage ? `is damaged (${damage})` : bytes ? 'is out of date' : 'is missing';
    await checkup.found(path.join(full, CACHE_FILE), why, 'write it again from index.json', () => {
      writeCache(full, dimensions, items);
      return 'wrote it again from index.json';
    });
  }
  if (dropped.length > 0 || resized.size > 0) {
    const shards = { ...manifest.shards };
    const rows = { ...(manifest.rows ?? {}) };
    const deleted = { ...(manifest.deleted ?? {}) };
    for (const name of dropped) {
      delete shards[name];
      delete rows[name];
      delete deleted[name];
    }
    for (const [name, n] of resized) {
      rows[name] = n;
      delete deleted[name];
    }
    const openShard = manifest.openShard && shards[manifest.openShard] ? manifest.openShard : undefined;
    writeJsonAtomic(path.join(archivalDir, MANIFEST), { ...manifest, generation: manifest.generation + 1, shards, rows, deleted, openShard });
  }
}

/** Writes a manifest naming, per shard, the newest folder that can be read; says what it did. */
function rebuildManifest(archivalDir: string, folders: string[], embedderId: string): string {
  const byShard = new Map<string, Array<{ folder: string; generation: number }>>();
  let generation = 0;
  let nextShard = 1;
  for (const folder of folders) {
    const [, name, gen] = SHARD_FOLDER.exec(folder)!;
    if (!byShard.has(name)) byShard.set(name, []);
    byShard.get(name)!.push({ folder, generation: Number(gen) });
    generation = Math.max(generation, Number(gen));
    nextShard = Math.max(nextShard, Number(name.slice(1)) + 1);
  }
  const shards: Record<string, string> = {};
  let dimensions: number | undefined;
  let passages = 0;
  for (const [name, candidates] of byShard) {
    candidates.sort((a, b) => b.generation - a.generation);
    for (const { folder } of candidates) {
      const read = shardContents(path.join(archivalDir, SHARDS, folder));
      if (!read) continue;
      shards[name] = folder;
      dimensions ??= read.dimensions;
      passages += read.rows;
      break;
    }
  }
  if (dimensions === undefined) throw new Error('no shard folder can be read');
  const manifest: Manifest = { format: MANIFEST_FORMAT, id: crypto.randomUUID(), embedder: { id: embedderId, dimensions }, generation, nextShard, shards };
  writeJsonAtomic(path.join(archivalDir, MANIFEST), manifest);
  return `rebuilt the manifest from ${Object.keys(shards).length} shard(s) (${passages} passages, embedder ${embedderId})`;
}

/** Rows and dimensions of a shard folder, from index.json or else its cache; undefined when neither reads. */
function shardContents(folder: string): { rows: number; dimensions: number } | undefined {
  try {
    const index = JSON.parse(fs.readFileSync(indexFileOf(folder), 'utf8')) as { items?: Array<{ vector?: unknown }> };
    const first = index.items?.[0]?.vector;
    if (Array.isArray(index.items) && Array.isArray(first)) return { rows: index.items.length, dimensions: first.length };
  } catch {
    // Falls through to the cache.
  }
  try {
    const bytes = fs.readFileSync(path.join(folder, CACHE_FILE));
    const dimensions = cacheDimensions(bytes);
    const cache = dimensions === undefined ? undefined : parseShardCache(folder, bytes, dimensions, { withoutIndex: true });
    return cache && dimensions !== undefined ? { rows: cache.rows, dimensions } : undefined;
  } catch {
    return undefined;
  }
}

/** Which embedder built the store: the indexer's files.json says, else what is left of the manifest, else the caller. */
function embedderIdOf(archivalDir: string, damagedManifest: string | undefined, fallback: string | undefined): string {
  try {
    const records = JSON.parse(fs.readFileSync(path.join(archivalDir, 'files.json'), 'utf8')) as { embedderId?: unknown };
    if (typeof records.embedderId === 'string') return records.embedderId;
  } catch {
    // Not indexed, or damaged too.
  }
  const left = damagedManifest && /"embedder"\s*:\s*\{\s*"id"\s*:\s*"([^"]+)"/.exec(damagedManifest);
  if (left) return left[1];
  if (fallback) return fallback;
  throw new Error('nothing says which embedder built archival memory');
}

/** index.json again with the notes the cache keeps (their vectors from its int8 copy), and a cache to match. */
function rewriteIndexFromCache(folder: string, cache: ShardCache): void {
  const d = cache.dimensions;
  const items: ShardItem[] = cache.notes.map(({ row, id, text, time }) => {
    const vector = new Float32Array(d);
    for (let i = 0; i < d; i++) vector[i] = cache.vectors[row * d + i] * cache.scales[row];
    return { id, vector, metadata: { text, source: 'note', time } };
  });
  writeCache(folder, d, items);
}

/** Writes index.json again in the store's layout (so each item's range is known) and the cache beside it. */
function writeCache(folder: string, dimensions: number, items: ShardItem[]): void {
  const index = rewriteIndex(folder, items);
  const bm25 = new Bm25Index();
  const rows: CacheRow[] = items.map((item, i) => {
    const record = recordOf(item);
    return { record, vector: item.vector, counts: bm25.countsFor(record.text), range: index.ranges[i] };
  });
  writeShardCache(folder, dimensions, rows, (id) => bm25.termOf(id), index);
}

function moveAsideFile(file: string, now: Date): string {
  const target = asidePath(file, now);
  fs.copyFileSync(file, target);
  return target;
}

function reasonOf(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  return /is corrupted \((.*)\); run/s.exec(message)?.[1] ?? message;
}
