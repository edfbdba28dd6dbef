// The agent's own archival notes, read straight from the shard folders on disk. A rebuild throws the
// store away, but notes are no copy of anything in the workspace: they are found here (in every shard
// folder, whatever the manifest says, so a damaged manifest loses none) and put into the new store.
// Between the wipe and the new store holding them, they wait in a rescue file, so a crash in between
// loses none either: the next rebuild reads that file too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalRecord } from './archivalMemory';
import { cacheDimensions, parseShardCache } from './archivalCache';
import { SHARDS } from './archivalManifest';
import { readJsonFile } from './atomicFile';

/** Notes waiting to be put back into a rebuilt store (see above). */
export const NOTES_RESCUE = 'notes.rescue.json';

/** Every note in `archivalDir`'s shard folders and rescue file, each once (notes are never edited), oldest first. */
export function collectNotes(archivalDir: string, warn?: (m: string) => void): ArchivalRecord[] {
  const notes = new Map<string, ArchivalRecord>();
  const keep = (record: ArchivalRecord) => {
    if (!notes.has(record.id)) notes.set(record.id, record);
  };
  const rescue = path.join(archivalDir, NOTES_RESCUE);
  for (const note of readJsonFile<unknown[]>(rescue, { fallback: () => [], validate: Array.isArray, warn })) {
    const record = noteOf(note);
    if (record) keep(record);
  }
  const shards = path.join(archivalDir, SHARDS);
  const folders = fs.existsSync(shards) ? fs.readdirSync(shards) : [];
  for (const folder of folders) {
    const found = notesInShard(path.join(shards, folder));
    if (!found) warn?.(`could not read the notes of archival shard ${folder} (both index.json and cache.bin are damaged); left it on disk`);
    for (const record of found ?? []) keep(record);
  }
  return [...notes.values()].sort((a, b) => a.time.localeCompare(b.time));
}

/** The notes of one shard folder from its index.json, or from its cache when index.json is damaged; undefined when neither reads. */
export function notesInShard(folder: string): ArchivalRecord[] | undefined {
  try {
    const index = JSON.parse(fs.readFileSync(path.join(folder, 'index.json'), 'utf8')) as { items?: unknown };
    if (Array.isArray(index.items)) {
      return index.items.flatMap((item: { id?: unknown; metadata?: unknown } | null) => {
        const record = noteOf(item && typeof item.metadata === 'object' ? { ...item.metadata, id: item.id } : undefined);
        return record ? [record] : [];
      });
    }
  } catch {
    // Falls through to the cache.
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path.join(folder, 'cache.bin'));
  } catch {
    return undefined;
  }
  const dimensions = cacheDimensions(bytes);
  const cache = dimensions === undefined ? undefined : parseShardCache(folder, bytes, dimensions, { withoutIndex: true });
  if (!cache) return undefined;
  return cache.notes.flatMap(({ id, text, time }) => {
    const note = noteOf({ id, text, time, source: 'note' });
    return note ? [note] : [];
  });
}

function noteOf(value: unknown): ArchivalRecord | undefined {
  const v = value as Partial<ArchivalRecord> | null | undefined;
  if (!v || v.source !== 'note' || typeof v.id !== 'string' || typeof v.text !== 'string') return undefined;
  return { id: v.id, text: v.text, source: 'note', time: typeof v.time === 'string' ? v.time : '' };
}
