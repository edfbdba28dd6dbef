// One shard of archival memory on disk: a Vectra LocalIndex folder (index.json, which Vectra and people
// can read), written whole into a fresh folder and never touched again: writing a new folder and
// flipping the manifest (archival.ts) leaves either the old shard or the new one, never a mix. It is
// the one copy of each passage's text and full vector; memory holds only byte ranges into it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalRecord } from './archivalMemory';
import { writeDurably, writeDurablyAsync } from './atomicFile';
import { crc32 } from './crc32';
import { MemoryError } from './types';
import { runInSlices, runToEnd } from './timeSlice';

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

/** Where one item's JSON object sits in index.json: bytes [start, end); its vector's `[` at `vector` (it ends the item: `…]}`). */
export interface ItemRange {
  start: number;
  vector: number;
  end: number;
}

/**
 * Writes `items` as a new Vectra index in `folder` (which must not exist) and makes it durable. The
 * file is Vectra's own JSON layout (what `LocalIndex` writes and reads), written here in one go so the
 * byte range of every item is known: a text or a vector is later read back alone, by its range,
 * instead of being held in memory or copied into a second file.
 */
/** An item's bytes copied as they are from another index.json; its vector's `[` at `vectorAt`. */
export interface RawItem {
  raw: Uint8Array;
  vectorAt: number;
}

/** What writing a shard's index.json tells its cache: where each item is, and the file's CRC-32. */
export interface WrittenIndex {
  ranges: ItemRange[];
  crc: number;
}

export async function writeShard(folder: string, items: Array<ShardItem | RawItem>): Promise<WrittenIndex> {
  // Formatting stays on the caller's thread but gives way to it every few milliseconds (a 1,000-item
  // shard takes ~50 ms); the folder, the write and its fsync go to the thread pool.
  const { bytes, ranges } = await runInSlices(formatIndex(items));
  await fs.promises.rm(folder, { recursive: true, force: true });
  await fs.promises.mkdir(folder, { recursive: true });
  await writeDurablyAsync(indexFileOf(folder), bytes);
  return { ranges, crc: crc32(bytes) };
}

/** Writes `folder`'s index.json again (beside, then renamed over: readers see the old file or the new) in this layout. */
export function rewriteIndex(folder: string, items: ShardItem[]): WrittenIndex {
  const scratch = `${indexFileOf(folder)}.tmp`;
  const { bytes, ranges } = runToEnd(formatIndex(items));
  writeDurably(scratch, bytes);
  fs.renameSync(scratch, indexFileOf(folder));
  return { ranges, crc: crc32(bytes) };
}

/** index.json's bytes, pausing after each item so an async caller can give way. */
function* formatIndex(items: Array<ShardItem | RawItem>): Generator<void, { bytes: Uint8Array; ranges: ItemRange[] }> {
  const parts: Uint8Array[] = [Buffer.from('{"version":1,"metadata_config":{},"items":[', 'utf8')];
  let at = parts[0].length;
  const ranges: ItemRange[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) {
      parts.push(COMMA);
      at += 1;
    }
    if ('raw' in item) {
      ranges.push({ start: at, vector: at + item.vectorAt, end: at + item.raw.length });
      parts.push(item.raw);
      at += item.raw.length;
      continue;
    }
    // Vectra's item, with the vector last so its bytes can be read alone: `{"id":…,"metadata":…,"norm":…,"vector":[…]}`.
    const vector = roundVector(item.vector);
    const head = Buffer.from(`{"id":${JSON.stringify(item.id)},"metadata":${JSON.stringify(item.metadata)},"norm":${norm(vector)},"vector":`, 'utf8');
    const tail = Buffer.from(`${JSON.stringify(vector)}}`, 'utf8');
    ranges.push({ start: at, vector: at + head.length, end: at + head.length + tail.length });
    parts.push(head, tail);
    at += head.length + tail.length;
    yield;
  }
  parts.push(Buffer.from(']}', 'utf8'));
  return { bytes: Buffer.concat(parts), ranges };
}

const COMMA = Buffer.from(',', 'utf8');

/** Vectra's `norm` field: the vector's length. */
function norm(vector: number[]): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}

/**
 * Reads the items at `ranges` of `folder`'s index.json, one positioned read each. Anything unreadable
 * is MemoryError('corrupt'); a file gone (a writer swapped generations) keeps its ENOENT as the cause.
 */
export function readItems(folder: string, ranges: ItemRange[], dimensions: number): ShardItem[] {
  return readRanges(folder, ranges, (r) => ({ at: r.start, length: r.end - r.start }), (bytes, file, position) => {
    let raw: { id?: unknown; vector?: unknown; metadata?: unknown };
    try {
      raw = JSON.parse(bytes.toString('utf8')) as typeof raw;
    } catch {
      throw corrupt(file, `item ${position} is not where its cache says`);
    }
    return itemOf(raw, file, position, dimensions);
  });
}

/** Reads one byte span per range from `folder`'s index.json (one positioned read each) and parses it. */
function readRanges<T>(
  folder: string,
  ranges: ItemRange[],
  span: (range: ItemRange) => { at: number; length: number },
  parse: (bytes: Buffer, file: string, position: number) => T,
): T[] {
  const file = indexFileOf(folder);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw corrupt(file, 'the file is missing', err);
  }
  try {
    let scratch = Buffer.alloc(4096);
    return ranges.map((range, position) => {
      const { at, length } = span(range);
      if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
      if (fs.readSync(fd, scratch, 0, length, at) !== length) throw corrupt(file, 'it is shorter than its cache says');
      return parse(scratch.subarray(0, length), file, position);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** The items at `ranges` as bytes, to be copied into another index.json unparsed, with their records. */
export function readRawItems(folder: string, ranges: ItemRange[]): Array<RawItem & { record: ArchivalRecord }> {
  return readRanges(folder, ranges, (r) => ({ at: r.start, length: r.end - r.start }), (bytes, file, position) => {
    const vectorAt = ranges[position].vector - ranges[position].start;
    return { raw: Uint8Array.from(bytes), vectorAt, record: recordFromHead(bytes.toString('utf8', 0, vectorAt), file, position) };
  });
}

/** The records of the items at `ranges`, without reading their vectors (the bulk of each item). */
export function readRecords(folder: string, ranges: ItemRange[]): ArchivalRecord[] {
  return readRanges(folder, ranges, (r) => ({ at: r.start, length: r.vector - r.start }), (bytes, file, position) => recordFromHead(bytes.toString('utf8'), file, position));
}

/** An item's record from its head, the bytes before its vector: `{"id":…,"metadata":…,"norm":…,"vector":`. */
function recordFromHead(text: string, file: string, position: number): ArchivalRecord {
  let raw: { id?: unknown; metadata?: unknown };
  try {
    // A number in the vector's place closes the object.
    raw = JSON.parse(`${text}0}`) as typeof raw;
  } catch {
    throw corrupt(file, `item ${position} is not where its cache says`);
  }
  if (typeof raw?.id !== 'string' || typeof raw.metadata !== 'object' || !raw.metadata) throw corrupt(file, `item ${position} is not a Vectra item`);
  return recordOf({ id: raw.id, vector: EMPTY, metadata: raw.metadata as Record<string, MetadataValue> });
}

const EMPTY = new Float32Array(0);

/** Only the full vectors of the items at `ranges` (their JSON arrays, not their texts). */
export function readVectors(folder: string, ranges: ItemRange[], dimensions: number): Float32Array[] {
  return readRanges(folder, ranges, (r) => ({ at: r.vector, length: r.end - 1 - r.vector }), (bytes, file, position) => {
    let numbers: unknown;
    try {
      numbers = JSON.parse(bytes.toString('latin1'));
    } catch {
      numbers = undefined;
    }
    if (!Array.isArray(numbers) || numbers.length !== dimensions) throw corrupt(file, `item ${position}'s vector is not where its cache says`);
    return Float32Array.from(numbers as number[]);
  });
}

function itemOf(item: { id?: unknown; vector?: unknown; metadata?: unknown } | null, file: string, position: number, dimensions: number): ShardItem {
  if (typeof item?.id !== 'string' || !Array.isArray(item.vector) || typeof item.metadata !== 'object' || !item.metadata) {
    throw corrupt(file, `item ${position} is not a Vectra item`);
  }
  if (item.vector.length !== dimensions) {
    throw corrupt(file, `item ${position} has ${item.vector.length} dimensions instead of ${dimensions}`);
  }
  return { id: item.id, vector: Float32Array.from(item.vector as number[]), metadata: item.metadata as Record<string, MetadataValue> };
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
  return raw.map((item, position) => itemOf(item, file, position, dimensions));
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

