// One shard of archival memory on disk: a Vectra LocalIndex folder, written whole into a fresh folder
// and never touched again. Vectra rewrites index.json in place without a temp file, so a kill -9
// mid-write could leave half a file; writing a new folder and flipping the manifest (archival.ts)
// leaves either the old shard or the new one, never a mix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalRecord } from './archivalMemory';
import { MemoryError } from './types';

export type MetadataValue = string | number | boolean;

export interface ShardItem {
  id: string;
  vector: Float32Array;
  metadata: Record<string, MetadataValue>;
}

type VectraModule = typeof import('vectra');
let vectra: VectraModule | undefined;

/** Vectra (and its wink NLP model) loads only when archival memory is first used. */
function loadVectra(): VectraModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  vectra ??= require('vectra') as VectraModule;
  return vectra;
}

/** Four decimals of a unit vector's components: a third of the JSON, no visible change to cosine. */
const PRECISION = 1e4;

export function roundVector(vector: Float32Array): number[] {
  const out = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i] * PRECISION) / PRECISION;
  return out;
}

/** The same rounding, kept as floats: what memory holds equals what a reopen will read. */
export function quantize(vector: Float32Array): Float32Array {
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i] * PRECISION) / PRECISION;
  return out;
}

export function indexFileOf(folder: string): string {
  return path.join(folder, 'index.json');
}

/** Writes `items` as a new Vectra index in `folder` (which must not exist) and makes it durable. */
export async function writeShard(folder: string, items: ShardItem[]): Promise<void> {
  const { LocalIndex } = loadVectra();
  fs.rmSync(folder, { recursive: true, force: true });
  const index = new LocalIndex(folder);
  await index.createIndex({ version: 1 });
  if (items.length > 0) {
    await index.batchInsertItems(items.map((item) => ({ id: item.id, vector: roundVector(item.vector), metadata: item.metadata })));
  }
  fsyncFile(indexFileOf(folder));
}

/** Reads a shard; anything unreadable is MemoryError('corrupt') naming the file. */
export async function readShard(folder: string, dimensions: number): Promise<ShardItem[]> {
  const file = indexFileOf(folder);
  // The cause marks it as missing, not damaged: a reader racing a writer's generation swap reads again.
  const missing = () => corrupt(file, 'the file is missing', Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' }));
  if (!fs.existsSync(file)) throw missing();
  const { LocalIndex } = loadVectra();
  let raw: Array<{ id: unknown; vector: unknown; metadata: unknown }>;
  try {
    raw = await new LocalIndex(folder).listItems();
  } catch (err) {
    // Vectra says "Index does not exist" when the folder went away under it: that is a swap, not damage.
    if (!fs.existsSync(file)) throw missing();
    throw corrupt(file, (err as Error).message, err);
  }
  if (!Array.isArray(raw)) throw corrupt(file, 'it holds no list of items');
  return raw.map((item, position) => {
    if (typeof item?.id !== 'string' || !Array.isArray(item.vector) || typeof item.metadata !== 'object' || !item.metadata) {
      throw corrupt(file, `item ${position} is not a Vectra item`);
    }
    if (item.vector.length !== dimensions) {
      throw corrupt(file, `item ${position} has ${item.vector.length} dimensions instead of ${dimensions}`);
    }
    return { id: item.id, vector: Float32Array.from(item.vector as number[]), metadata: item.metadata as Record<string, MetadataValue> };
  });
}

/** The record a shard item holds (its metadata is the record but for the id). */
export function recordOf(item: ShardItem): ArchivalRecord {
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

/** A damaged archival file. The advice is the doctor, which repairs without losing notes, never a wipe. */
export function corrupt(file: string, reason: string, cause?: unknown): MemoryError {
  return new MemoryError(
    'corrupt',
    `archival memory file ${file} is corrupted (${reason}); run \`memcode doctor\` (or MemCode: Check Memory) to repair it. ` +
      'Working context and recall memory are not affected.',
    { cause },
  );
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
