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
}

export function emptyManifest(embedderId: string, dimensions: number): Manifest {
  return { format: MANIFEST_FORMAT, id: crypto.randomUUID(), embedder: { id: embedderId, dimensions }, generation: 0, nextShard: 1, shards: {} };
}

export function embedderMismatch(manifest: Manifest, embedderId: string, dimensions: number): MemoryError {
  return new MemoryError(
    'invalid',
    `archival memory was built with ${manifest.embedder.id} (${manifest.embedder.dimensions} dimensions) but the current ` +
      `embedder is ${embedderId} (${dimensions}); rebuild it with \`memcode index --rebuild\` (or MemCode: Rebuild Index)`,
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
    Object.values(m.shards).every((f) => typeof f === 'string' && !f.includes('/') && !f.includes('\\') && !f.startsWith('.'));
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
