// What memory keeps of one archival shard, in a binary file beside its Vectra index.json (same
// generation folder): each passage's vector as int8 with a scale, its 128-number sketch as int8, where
// its item sits in index.json, its path, symbol, language, kind and source as indexes into small string
// tables, and its BM25 term counts. Texts and full vectors are not copied here: index.json holds them
// once, and a search reads the few it needs by byte range. Opening reads this file, never index.json,
// so 100k passages open without parsing 40M numbers as JSON or tokenizing a text.
// The cache is trusted only while index.json has the size and modification time it recorded and the
// payload has the CRC-32 its header holds. A folder copied without its times (`cp -r`, a restore) still
// has index.json's size: then index.json's own CRC-32, recorded too, decides, and a match takes the new
// time into the header, so one read of index.json replaces rebuilding the cache. Anything unexpected means "no cache" (the caller reads
// index.json and writes it again), never an error; damage, as opposed to a stale or older cache, is
// reported. The agent's notes are kept whole in it (they are few and are no copy of the workspace), so
// a damaged index.json loses none.
//
// Layout (little-endian), every section 4-byte aligned:
//   header   u32 magic, u32 format, u32 rows, u32 dimensions, u32 termCounts, u32 jsonBytes,
//            u32 CRC-32 of index.json (0: not recorded, as before it was), u32 CRC-32 of everything after
//            the header, f64 index.json size, f64 index.json mtimeMs
//   i8 rows × dimensions vectors; f32 rows scales; i8 rows × SKETCH sketches; f32 rows sketch scales
//   u32 rows item starts; u32 rows vector starts; u32 rows item ends (byte ranges in index.json)
//   i32 rows path; i32 rows symbol (-1: none); i16 rows language; i16 rows kind; u8 rows source (1: note)
//   u32 rows + 1 starts into the term counts; u32 termCounts entries of (local term id << 8 | tf)
//   utf8 JSON { paths, symbols, languages, kinds, terms, notes: [{ row, id, text, time }] }
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalRecord } from './archivalMemory';
import type { ItemRange, WrittenIndex } from './archivalShard';
import { StringTable } from './archivalDocs';
import { writeDurablyAsync, writeFileAtomic } from './atomicFile';
import { crc32 } from './crc32';
import { quantizeInt8 } from './int8Scan';
import * as postingLists from './postingLists';
import { SKETCH_DIMENSIONS, sketchOf } from './vectorSearch';
import { runInSlices, runToEnd } from './timeSlice';

// Read once, as in bm25.ts: under tsx an imported binding read in a loop is a getter call each time.
const { POSTING_BYTE, TF_MAX, TF_SHIFT } = postingLists;

export const CACHE_FILE = 'cache.bin';
const MAGIC = 0x3143434d; // "MCC1"
/**
 * 5: a term count's byte also says whether a word is the term itself (postingLists.ts, WHOLE); 4: lean
 * (int8, no texts), read as it is with its counts capped (`wholeMarked` false). An older cache is
 * rebuilt from index.json once, silently.
 */
const FORMAT = 5;
const UNMARKED_FORMAT = 4;
const HEADER = 48;

export interface NoteText {
  row: number;
  id: string;
  text: string;
  time: string;
}

export interface ShardCache {
  rows: number;
  dimensions: number;
  vectors: Int8Array;
  scales: Float32Array;
  sketches: Int8Array;
  sketchScales: Float32Array;
  itemStarts: Uint32Array;
  vectorStarts: Uint32Array;
  itemEnds: Uint32Array;
  paths: Int32Array;
  symbols: Int32Array;
  languages: Int16Array;
  kinds: Int16Array;
  /** 1: a note, 0: a file passage. */
  sources: Uint8Array;
  /** rows + 1 offsets into `counts`. */
  termStarts: Uint32Array;
  /** (index into `strings.terms` << 8 | tf) per distinct term of each row. */
  counts: Uint32Array;
  strings: { paths: string[]; symbols: string[]; languages: string[]; kinds: string[]; terms: string[] };
  /** Its counts say which terms are whole words of the passage (postingLists.ts, WHOLE); a format 4 cache's do not. */
  wholeMarked: boolean;
  notes: NoteText[];
}

/** A row's vector as memory holds it, when it is copied from a shard already in memory. */
export interface Int8Row {
  vector: Int8Array;
  scale: number;
  sketch: Int8Array;
  sketchScale: number;
}

export interface CacheRow {
  record: ArchivalRecord;
  /** The full vector (quantized here), or its int8 forms as they are. */
  vector: Float32Array | Int8Row;
  /** (global term id << 8 | tf). */
  counts: Uint32Array;
  range: ItemRange;
}

const align = (n: number) => (n + 3) & ~3;

/** The sections after the header, in file order: [bytes, bytes padded to 4]. */
function sections(rows: number, dimensions: number, total: number): Array<[number, number]> {
  const sizes = [rows * dimensions, rows * 4, rows * SKETCH_DIMENSIONS, rows * 4, rows * 4, rows * 4, rows * 4, rows * 4, rows * 4, rows * 2, rows * 2, rows, (rows + 1) * 4, total * 4];
  return sizes.map((n) => [n, align(n)]);
}

/**
 * Writes the cache of the shard whose index.json is already whole in the live `folder` (its items at
 * `rows[i].range`; a cache made on open or by the doctor): beside, then renamed over, and durable.
 * `written` is what writing index.json returned (its CRC-32). Returns what it wrote.
 */
export function writeShardCache(folder: string, dimensions: number, rows: CacheRow[], termOf: (id: number) => string, written: WrittenIndex): Uint8Array {
  const { size, mtimeMs } = fs.statSync(path.join(folder, 'index.json'));
  const buf = runToEnd(encodeShardCache(dimensions, rows, termOf, { size, mtimeMs, crc: written.crc }));
  writeFileAtomic(path.join(folder, CACHE_FILE), buf);
  return buf;
}

/**
 * `writeShardCache` for a fresh generation folder (not live until the manifest names it), with the file
 * system's part (the write and its fsync) off the calling thread.
 */
export async function writeNewShardCache(folder: string, dimensions: number, rows: CacheRow[], termOf: (id: number) => string, written: WrittenIndex): Promise<Uint8Array> {
  const { size, mtimeMs } = await fs.promises.stat(path.join(folder, 'index.json'));
  const buf = await runInSlices(encodeShardCache(dimensions, rows, termOf, { size, mtimeMs, crc: written.crc }));
  await writeDurablyAsync(path.join(folder, CACHE_FILE), buf);
  return buf;
}

/**
 * The cache's bytes for `rows`, stamped with the size and modification time of the index.json they
 * point into; a generator that pauses after each row, so a caller on the editor's thread can give way.
 */
function* encodeShardCache(dimensions: number, rows: CacheRow[], termOf: (id: number) => string, index: IndexStamp): Generator<void, Uint8Array> {
  const n = rows.length;
  // The shard's own term numbers, by the index's: each distinct term is spelled out once.
  const termNumbers = new Map<number, number>();
  const terms: string[] = [];
  const termNumber = (id: number): number => {
    let number = termNumbers.get(id);
    if (number === undefined) {
      number = terms.length;
      termNumbers.set(id, number);
      terms.push(termOf(id));
    }
    return number;
  };
  const paths = new StringTable();
  const symbols = new StringTable();
  const languages = new StringTable();
  const kinds = new StringTable();
  let total = 0;
  for (const row of rows) total += row.counts.length;
  const layout = sections(n, dimensions, total);
  const jsonLater = HEADER + layout.reduce((sum, [, padded]) => sum + padded, 0);
  const body = new ArrayBuffer(jsonLater);
  let at = HEADER;
  const next = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, per: number, count: number): T => {
    const view = make(body, at, count);
    at += align(count * per);
    return view;
  };
  const vectors = next((b, o, l) => new Int8Array(b, o, l), 1, n * dimensions);
  const scales = next((b, o, l) => new Float32Array(b, o, l), 4, n);
  const sketches = next((b, o, l) => new Int8Array(b, o, l), 1, n * SKETCH_DIMENSIONS);
  const sketchScales = next((b, o, l) => new Float32Array(b, o, l), 4, n);
  const itemStarts = next((b, o, l) => new Uint32Array(b, o, l), 4, n);
  const vectorStarts = next((b, o, l) => new Uint32Array(b, o, l), 4, n);
  const itemEnds = next((b, o, l) => new Uint32Array(b, o, l), 4, n);
  const pathIds = next((b, o, l) => new Int32Array(b, o, l), 4, n);
  const symbolIds = next((b, o, l) => new Int32Array(b, o, l), 4, n);
  const languageIds = next((b, o, l) => new Int16Array(b, o, l), 2, n);
  const kindIds = next((b, o, l) => new Int16Array(b, o, l), 2, n);
  const sources = next((b, o, l) => new Uint8Array(b, o, l), 1, n);
  const termStarts = next((b, o, l) => new Uint32Array(b, o, l), 4, n + 1);
  const counts = next((b, o, l) => new Uint32Array(b, o, l), 4, total);
  const notes: NoteText[] = [];
  let c = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const { record } = row;
    if (row.vector instanceof Float32Array) {
      scales[i] = quantizeInt8(row.vector, vectors, i * dimensions);
      sketchScales[i] = quantizeInt8(sketchOf(row.vector, dimensions), sketches, i * SKETCH_DIMENSIONS);
    } else {
      vectors.set(row.vector.vector, i * dimensions);
      scales[i] = row.vector.scale;
      sketches.set(row.vector.sketch, i * SKETCH_DIMENSIONS);
      sketchScales[i] = row.vector.sketchScale;
    }
    itemStarts[i] = row.range.start;
    vectorStarts[i] = row.range.vector;
    itemEnds[i] = row.range.end;
    pathIds[i] = paths.id(record.path);
    symbolIds[i] = symbols.id(record.symbol);
    languageIds[i] = languages.id(record.language);
    kindIds[i] = kinds.id(record.kind);
    sources[i] = record.source === 'note' ? 1 : 0;
    if (record.source === 'note') notes.push({ row: i, id: record.id, text: record.text, time: record.time });
    termStarts[i] = c;
    for (let j = 0; j < row.counts.length; j++) counts[c++] = (termNumber(row.counts[j] >>> TF_SHIFT) << TF_SHIFT) | (row.counts[j] & POSTING_BYTE);
    yield;
  }
  termStarts[n] = c;
  const json = Buffer.from(
    JSON.stringify({ paths: paths.values(), symbols: symbols.values(), languages: languages.values(), kinds: kinds.values(), terms, notes }),
    'utf8',
  );
  // One fresh ArrayBuffer: the caller may read it back through aligned typed views.
  const buf = new Uint8Array(new ArrayBuffer(body.byteLength + json.length));
  buf.set(new Uint8Array(body));
  buf.set(json, body.byteLength);
  const header = new DataView(buf.buffer, 0, HEADER);
  header.setFloat64(32, index.size, true);
  header.setFloat64(40, index.mtimeMs, true);
  const fields = [MAGIC, FORMAT, n, dimensions, total, json.length, index.crc, crc32(buf.subarray(HEADER))];
  fields.forEach((v, i) => header.setUint32(i * 4, v, true));
  return buf;
}

/** What a cache records of the index.json it points into. */
interface IndexStamp {
  size: number;
  mtimeMs: number;
  crc: number;
}

/**
 * Grow-only room for reading shard caches one after another. Loading a store reads a ~1 MB cache per
 * shard and keeps only copies of parts of it; a fresh buffer for each one, freed between the copies
 * kept, leaves the allocator holes it does not give back (~20 MiB of resident memory at 100k chunks).
 */
export class CacheReadBuffer {
  private buffer = new ArrayBuffer(0);
  /** A view of `size` bytes, valid until the next call. */
  take(size: number): Uint8Array {
    if (this.buffer.byteLength < size) this.buffer = new ArrayBuffer(Math.max(size, Math.ceil(this.buffer.byteLength * 1.25)));
    return new Uint8Array(this.buffer, 0, size);
  }
}

/**
 * The raw bytes of `folder`'s cache, read off the main thread (open reads the next shards' meanwhile).
 * With `room`, the bytes are in it and last only until its next use: the caller copies what it keeps.
 */
export async function readCacheBytes(folder: string, room?: CacheReadBuffer): Promise<Uint8Array | undefined> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(path.join(folder, CACHE_FILE), 'r');
    const { size } = await handle.stat();
    // One read into an ArrayBuffer: aligned for the typed views, and no 512 KB round trips.
    const bytes = room ? room.take(size) : new Uint8Array(new ArrayBuffer(size));
    for (let at = 0; at < size; ) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead <= 0) return undefined;
      at += bytesRead;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export interface ParseCacheOptions {
  /** Told why a cache that is there cannot be used because it is damaged (not merely stale or older). */
  onDamage?: (reason: string) => void;
  /** Read it whatever state index.json is in (rescuing notes from a shard whose index.json is damaged). */
  withoutIndex?: boolean;
  /** Any dimensions (the caller learns them from the cache). */
  anyDimensions?: boolean;
}

/**
 * The cache in `bytes` (from readCacheBytes) if it is whole and matches `folder`'s index.json; otherwise
 * undefined. Its arrays are views into `bytes`: the caller copies what it keeps.
 */
export function parseShardCache(folder: string, bytes: Uint8Array | undefined, dimensions: number, opts: ParseCacheOptions = {}): ShardCache | undefined {
  const damaged = (reason: string) => {
    opts.onDamage?.(reason);
    return undefined;
  };
  const inconsistent = () => damaged('its sections disagree with each other');
  try {
    if (!bytes || bytes.length === 0) return undefined;
    if (bytes.length < HEADER) return damaged('it is shorter than its header');
    const base = bytes.byteOffset;
    const header = new DataView(bytes.buffer, base, HEADER);
    const u = (i: number) => header.getUint32(i * 4, true);
    const [magic, format, rows, dims, total, jsonBytes, indexCrc, checksum] = [u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7)];
    if (magic !== MAGIC) return damaged('it does not start like a MemCode cache');
    if (format !== FORMAT && format !== UNMARKED_FORMAT) return undefined;
    if (dims !== dimensions && !opts.anyDimensions) return undefined;
    /** index.json's time when only the time differs and index.json's CRC-32 is recorded: checked below, once the cache is known whole. */
    let movedTo: number | undefined;
    if (!opts.withoutIndex) {
      const stat = fs.statSync(path.join(folder, 'index.json'));
      if (header.getFloat64(32, true) !== stat.size) return undefined;
      if (header.getFloat64(40, true) !== stat.mtimeMs) {
        if (indexCrc === 0) return undefined;
        movedTo = stat.mtimeMs;
      }
    }
    const layout = sections(rows, dims, total);
    const jsonAt = HEADER + layout.reduce((sum, [, padded]) => sum + padded, 0);
    if (jsonAt + jsonBytes !== bytes.length) return damaged('its sections do not add up to its size');
    if (crc32(bytes.subarray(HEADER)) !== checksum) return damaged('its checksum does not match its content');
    if (movedTo !== undefined) {
      if (crc32(fs.readFileSync(path.join(folder, 'index.json'))) !== indexCrc) return undefined;
      restamp(folder, movedTo);
      header.setFloat64(40, movedTo, true);
    }
    let at = base + HEADER;
    let k = 0;
    const next = <T>(make: (buffer: ArrayBufferLike, offset: number, length: number) => T, per: number): T => {
      const view = make(bytes.buffer, at, layout[k][0] / per);
      at += layout[k++][1];
      return view;
    };
    const cache = {
      rows,
      dimensions: dims,
      vectors: next((b, o, l) => new Int8Array(b, o, l), 1),
      scales: next((b, o, l) => new Float32Array(b, o, l), 4),
      sketches: next((b, o, l) => new Int8Array(b, o, l), 1),
      sketchScales: next((b, o, l) => new Float32Array(b, o, l), 4),
      itemStarts: next((b, o, l) => new Uint32Array(b, o, l), 4),
      vectorStarts: next((b, o, l) => new Uint32Array(b, o, l), 4),
      itemEnds: next((b, o, l) => new Uint32Array(b, o, l), 4),
      paths: next((b, o, l) => new Int32Array(b, o, l), 4),
      symbols: next((b, o, l) => new Int32Array(b, o, l), 4),
      languages: next((b, o, l) => new Int16Array(b, o, l), 2),
      kinds: next((b, o, l) => new Int16Array(b, o, l), 2),
      sources: next((b, o, l) => new Uint8Array(b, o, l), 1),
      termStarts: next((b, o, l) => new Uint32Array(b, o, l), 4),
      counts: next((b, o, l) => new Uint32Array(b, o, l), 4),
    };
    const parsed = JSON.parse(Buffer.from(bytes.buffer, base + jsonAt, jsonBytes).toString('utf8')) as Partial<ShardCache['strings']> & { notes?: unknown };
    const strings = { paths: parsed.paths, symbols: parsed.symbols, languages: parsed.languages, kinds: parsed.kinds, terms: parsed.terms };
    if (!Object.values(strings).every((list) => Array.isArray(list) && list.every((s) => typeof s === 'string'))) return inconsistent();
    const notes = parsed.notes;
    if (!Array.isArray(notes) || !notes.every((n: Partial<NoteText>) => Number.isInteger(n?.row) && typeof n.id === 'string' && typeof n.text === 'string' && typeof n.time === 'string')) {
      return inconsistent();
    }
    const s = strings as ShardCache['strings'];
    const { termStarts, counts } = cache;
    if (termStarts[rows] !== total) return inconsistent();
    for (let i = 0; i < rows; i++) {
      if (termStarts[i] > termStarts[i + 1] || cache.itemStarts[i] >= cache.vectorStarts[i] || cache.vectorStarts[i] >= cache.itemEnds[i]) return inconsistent();
      if (cache.paths[i] >= s.paths.length || cache.symbols[i] >= s.symbols.length || cache.languages[i] >= s.languages.length || cache.kinds[i] >= s.kinds.length) {
        return inconsistent();
      }
    }
    for (let i = 0; i < total; i++) if (counts[i] >>> TF_SHIFT >= s.terms.length) return inconsistent();
    const wholeMarked = format === FORMAT;
    // Counts of 128 and more were counts then: capped as counts are now, and marking nothing.
    if (!wholeMarked) for (let i = 0; i < total; i++) if ((counts[i] & POSTING_BYTE) > TF_MAX) counts[i] = (counts[i] & ~POSTING_BYTE) | TF_MAX;
    return { ...cache, strings: s, notes: notes as NoteText[], wholeMarked };
  } catch (err) {
    // index.json gone (a writer swapped generations) is the caller's to notice; anything else is damage.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return damaged((err as Error).message);
  }
}

/**
 * Writes index.json's new time into the cache's header, in place: only the stamp changes, which the
 * payload's CRC does not cover, and a torn write of it means one more check of index.json, no more.
 */
function restamp(folder: string, mtimeMs: number): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(folder, CACHE_FILE), 'r+');
    const stamp = Buffer.alloc(8);
    stamp.writeDoubleLE(mtimeMs, 0);
    fs.writeSync(fd, stamp, 0, 8, 40);
  } catch {
    // A read-only copy: the next open checks index.json again.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The dimensions a cache declares, to read one whose manifest is lost. */
export function cacheDimensions(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER) return undefined;
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  return header.getUint32(0, true) === MAGIC ? header.getUint32(12, true) : undefined;
}
