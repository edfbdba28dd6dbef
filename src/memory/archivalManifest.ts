// The archival store's manifest.json: which embedder built the store, which folder holds each shard now
// (a write goes to a new folder and the manifest flips to it atomically), and the store's identity,
// so a process holding an old copy can tell a rebuild happened. Also the clean-up of shard folders a
// crash left behind.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corrupt } from './archivalShard';
import { MemoryError } from './types';

export const MANIFEST_FORMAT = 1;
export const MANIFEST = 'manifest.json';
export const SHARDS = 'shards';

export interface Manifest {
  format: number;
  /** Made anew by every rebuild, so a process holding the old store can tell it is gone. */
  id?: string;
  embedder: { id: string; dimensions: number };
  generation: number;
  /** Number for the next shard to open. */
  nextShard: number;
  /** The shard new items go into while it has room. */
  openShard?: string;
  /** Shard name → its current folder under shards/. Empty shards are absent. */
  shards: Record<string, string>;
  /** Shard name → rows its folder holds (so a store still loading knows its size). */
  rows?: Record<string, number>;
  /**
   * Shard name → rows of its folder removed since it was written. Removing a file's passages from a
   * full shard only adds them here; the shard is rewritten (compacted) once half of it is gone.
   */
  deleted?: Record<string, number[]>;
}

export function emptyManifest(embedderId: string, dimensions: number): Manifest {
  return { format: MANIFEST_FORMAT, id: crypto.randomUUID(), embedder: { id: embedderId, dimensions }, generation: 0, nextShard: 1, shards: {} };
}

export function embedderMismatch(manifest: Manifest, embedderId: string, dimensions: number): MemoryError {
  return new MemoryError(
    'invalid',
    `archival memory was built with ${manifest.embedder.id} (${manifest.embedder.dimensions} dimensions) but the current ` +
      `embedder is ${embedderId} (${dimensions}); rebuild the index for it with \`memcode index --rebuild\` (or MemCode: Rebuild Index; your notes are kept)`,
  );
}

export function readManifest(file: string): Manifest {
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
    (m.id === undefined || typeof m.id === 'string') &&
    typeof m.generation === 'number' &&
    !!m.shards &&
    typeof m.shards === 'object' &&
    Object.values(m.shards).every((f) => typeof f === 'string' && !f.includes('/') && !f.includes('\\') && !f.startsWith('.')) &&
    (m.rows === undefined || (typeof m.rows === 'object' && !!m.rows && Object.values(m.rows).every((n) => Number.isInteger(n)))) &&
    (m.deleted === undefined ||
      (typeof m.deleted === 'object' && !!m.deleted && Object.values(m.deleted).every((rows) => Array.isArray(rows) && rows.every((n) => Number.isInteger(n)))));
  if (!valid) throw corrupt(file, 'not the expected shape');
  if ((m.format ?? 0) > MANIFEST_FORMAT) {
    throw new MemoryError('schema_newer', `archival memory in ${path.dirname(file)} was written by a newer MemCode (format ${m.format})`);
  }
  return m as Manifest;
}

const STRAY_AGE_MS = 15 * 60_000;

export function isMissingFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? (err as { cause?: NodeJS.ErrnoException })?.cause?.code;
  return code === 'ENOENT' || /ENOENT/.test((err as Error)?.message ?? '');
}

/** How long to wait, one after another, for a missing file while the manifest stands still. */
const STEADY_WAITS_MS = [10, 25, 50, 100, 200, 400];
/** Generation swaps to follow before giving up: a writer makes one per batch, a few per second at most. */
const MAX_SWAPS = 100;

/**
 * Runs `read` (which reads the manifest and the shard files it names, without the folder's lock) until
 * it sees one generation whole. A file missing because a writer swapped generations meanwhile (and
 * removed the old folders) is no damage: the manifest has moved on, so read again. Only a file still
 * missing while the manifest stays the same, after a short wait, is reported (the error `read` threw).
 */
export async function readThroughSwaps<T>(manifestFile: string, read: () => Promise<T>): Promise<T> {
  let seen = manifestText(manifestFile);
  let swaps = 0;
  let waits = 0;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (!isMissingFile(err)) throw err;
      const now = manifestText(manifestFile);
      if (now !== seen && swaps++ < MAX_SWAPS) {
        seen = now;
        continue;
      }
      if (waits >= STEADY_WAITS_MS.length) throw err;
      await new Promise((resolve) => setTimeout(resolve, STEADY_WAITS_MS[waits++]));
    }
  }
}

function manifestText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Shard folders a crash left behind before the manifest pointed at them. A recent one may be the next
 * generation of a writer in another process (readers open without the lock): it is left for a later open,
 * or removing it would leave that writer's new manifest pointing at nothing.
 */
export function removeStrayFolders(dir: string, manifest: Manifest, warn?: (m: string) => void, now = Date.now()): void {
  const shardsDir = path.join(dir, SHARDS);
  if (!fs.existsSync(shardsDir)) return;
  const current = new Set(Object.values(manifest.shards));
  for (const name of fs.readdirSync(shardsDir)) {
    if (current.has(name)) continue;
    try {
      if (now - fs.statSync(path.join(shardsDir, name)).mtimeMs < STRAY_AGE_MS) continue;
      fs.rmSync(path.join(shardsDir, name), { recursive: true, force: true });
    } catch (err) {
      warn?.(`could not remove the stale archival shard ${name}: ${(err as Error).message}`);
    }
  }
}
