// A binary copy of one archival shard, written beside its Vectra index.json in the same generation
// folder, so opening 100k chunks reads typed arrays instead of parsing 40M numbers as JSON and
// re-tokenizing every text for BM25. Vectra's index.json stays the source of truth: the cache is
// trusted only while index.json has the size and modification time it recorded and the payload has
// the CRC-32 its header holds (a few garbled bytes of text must not reach the model as the file's
// content). Anything unexpected in it means "no cache" (the caller falls back to index.json and
// rewrites it), never an error; damage, as opposed to a stale or older cache, is reported.
//
// Layout (little-endian), every section 4-byte aligned:
//   header   u32 magic, u32 format, u32 rows, u32 dimensions, u32 termCounts, u32 jsonBytes, u32 textBytes,
//            u32 CRC-32 of everything after the header, f64 index.json size, f64 index.json mtimeMs
//   i16      rows × dimensions vectors × 10^4 (stored vectors are rounded to 4 decimals: lossless)
//   u32      rows + 1 starts into the term counts
//   u32      termCounts entries of (local term id << 8 | tf)
//   u32      rows + 1 starts into the texts
//   utf8     the records' texts, back to back (padded to 4 bytes); decoded only when a record is read
//   utf8     JSON { records (without text), terms }
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from './atomicFile';

export const CACHE_FILE = 'cache.bin';
const MAGIC = 0x3143434d; // "MCC1"
/** 3 added the checksum: a format-2 cache is rebuilt from index.json once, silently. */
const FORMAT = 3;
/** The rounding of archivalShard.ts quantize(): components are whole multiples of 1/PRECISION. */
const PRECISION = 1e4;
const HEADER = 48;
const TF_SHIFT = 8;
const TF_MASK = 255;

export interface ShardCache<R> {
  /** Without `text`: see `texts`. */
  records: Array<Omit<R, 'text'>>;
  /** rows × dimensions. */
  vectors: Float32Array;
  /** Row i's text is texts.subarray(textStarts[i], textStarts[i + 1]) as UTF-8. */
  texts: Uint8Array;
  textStarts: Uint32Array;
  /** The shard's own term dictionary. */
  terms: string[];
  /** rows + 1 offsets into `counts`. */
  starts: Uint32Array;
  /** (index into `terms` << 8 | tf) per distinct term of each row. */
  counts: Uint32Array;
}

export interface CacheRow<R extends { text: string }> {
  record: R;
  vector: Float32Array;
  /** (global term id << 8 | tf). */
  counts: Uint32Array;
}

/**
 * Writes the cache of the shard whose index.json is already whole in `folder`, and makes it durable.
 * `replace`: the folder is live (a cache made on open), so write beside and rename over.
 */
export function writeShardCache<R extends { text: string }>(
  folder: string,
  dimensions: number,
  rows: CacheRow<R>[],
  termOf: (id: number) => string,
  replace = false,
): void {
  const local = new Map<number, number>();
  const terms: string[] = [];
  let total = 0;
  for (const row of rows) total += row.counts.length;
  const starts = new Uint32Array(rows.length + 1);
  const counts = new Uint32Array(total);
  let at = 0;
  rows.forEach((row, i) => {
    starts[i] = at;
    for (let j = 0; j < row.counts.length; j++) {
      const global = row.counts[j] >>> TF_SHIFT;
      let id = local.get(global);
      if (id === undefined) {
        id = terms.length;
        local.set(global, id);
        terms.push(termOf(global));
      }
      counts[at++] = (id << TF_SHIFT) | (row.counts[j] & TF_MASK);
    }
  });
  starts[rows.length] = at;
  const textStarts = new Uint32Array(rows.length + 1);
  const encoded = rows.map((r) => Buffer.from(r.record.text, 'utf8'));
  let textBytes = 0;
  encoded.forEach((b, i) => {
    textStarts[i] = textBytes;
    textBytes += b.length;
  });
  textStarts[rows.length] = textBytes;
  const paddedText = (textBytes + 3) & ~3;
  const json = Buffer.from(JSON.stringify({ records: rows.map((r) => ({ ...r.record, text: undefined })), terms }), 'utf8');
  const stat = fs.statSync(path.join(folder, 'index.json'));
  const vectorBytes = rows.length * dimensions * 2;
  const size = HEADER + ((vectorBytes + 3) & ~3) + starts.byteLength + counts.byteLength + textStarts.byteLength + paddedText + json.length;
  const buf = Buffer.alloc(size);
  const header = new DataView(buf.buffer, buf.byteOffset, HEADER);
  header.setFloat64(32, stat.size, true);
  header.setFloat64(40, stat.mtimeMs, true);
  let offset = HEADER;
  const scaled = new Int16Array(rows.length * dimensions);
  rows.forEach((row, r) => {
    for (let i = 0; i < dimensions; i++) scaled[r * dimensions + i] = Math.round(row.vector[i] * PRECISION);
  });
  buf.set(new Uint8Array(scaled.buffer), offset);
  offset += (vectorBytes + 3) & ~3;
  buf.set(new Uint8Array(starts.buffer), offset);
  offset += starts.byteLength;
  buf.set(new Uint8Array(counts.buffer), offset);
  offset += counts.byteLength;
  buf.set(new Uint8Array(textStarts.buffer), offset);
  offset += textStarts.byteLength;
  for (const b of encoded) {
    b.copy(buf, offset);
    offset += b.length;
  }
  offset += paddedText - textBytes;
  json.copy(buf, offset);
  const fields = [MAGIC, FORMAT, rows.length, dimensions, total, json.length, textBytes, crc32(buf.subarray(HEADER))];
  fields.forEach((v, i) => header.setUint32(i * 4, v, true));
  const file = path.join(folder, CACHE_FILE);
  if (replace) {
    writeFileAtomic(file, buf);
    return;
  }
  // A fresh generation folder is not live until the manifest names it: a plain write is enough.
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, buf);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

let unscaledTable: Float32Array | undefined;

/** i16 → the float quantize() made it from (k / 10^4, rounded to f32), by lookup: exact and quick. */
function unscaled(): Float32Array {
  if (!unscaledTable) {
    unscaledTable = new Float32Array(65536);
    for (let k = -32768; k < 32768; k++) unscaledTable[k + 32768] = k / PRECISION;
  }
  return unscaledTable;
}

/** The raw bytes of `folder`'s cache, read off the main thread (open reads the next shards' meanwhile). */
export async function readCacheBytes(folder: string): Promise<Uint8Array | undefined> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(path.join(folder, CACHE_FILE), 'r');
    const { size } = await handle.stat();
    // One read into a fresh ArrayBuffer: aligned for the typed views, and no 512 KB round trips.
    const bytes = new Uint8Array(new ArrayBuffer(size));
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

/** The cache in `bytes` (from readCacheBytes) if it is whole and matches `folder`'s index.json; otherwise undefined. */
export function parseShardCache<R extends { text: string }>(
  folder: string,
  bytes: Uint8Array | undefined,
  dimensions: number,
  opts: ParseCacheOptions = {},
): ShardCache<R> | undefined {
  const damaged = (reason: string) => {
    opts.onDamage?.(reason);
    return undefined;
  };
  const inconsistent = () => damaged('its sections disagree with each other');
  try {
    if (!bytes || bytes.length === 0) return undefined;
    if (bytes.length < HEADER) return damaged('it is shorter than its header');
    const at = bytes.byteOffset;
    const header = new DataView(bytes.buffer, at, HEADER);
    const u = (i: number) => header.getUint32(i * 4, true);
    const [magic, format, rows, dims, total, jsonBytes, textBytes, checksum] = [u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7)];
    if (magic !== MAGIC) return damaged('it does not start like a MemCode cache');
    if (format !== FORMAT) return undefined;
    if (dims !== dimensions && !opts.anyDimensions) return undefined;
    if (!opts.withoutIndex) {
      const stat = fs.statSync(path.join(folder, 'index.json'));
      if (header.getFloat64(32, true) !== stat.size || header.getFloat64(40, true) !== stat.mtimeMs) return undefined;
    }
    if (crc32(bytes.subarray(HEADER)) !== checksum) return damaged('its checksum does not match its content');
    const vectorsAt = HEADER;
    const startsAt = vectorsAt + ((rows * dims * 2 + 3) & ~3);
    const countsAt = startsAt + (rows + 1) * 4;
    const textStartsAt = countsAt + total * 4;
    const textsAt = textStartsAt + (rows + 1) * 4;
    const jsonAt = textsAt + ((textBytes + 3) & ~3);
    if (jsonAt + jsonBytes !== bytes.length) return damaged('its sections do not add up to its size');
    const scaled = new Int16Array(bytes.buffer, at + vectorsAt, rows * dims);
    const vectors = new Float32Array(rows * dims);
    const table = unscaled();
    for (let i = 0; i < vectors.length; i++) vectors[i] = table[scaled[i] + 32768];
    const starts = new Uint32Array(bytes.buffer, at + startsAt, rows + 1);
    const counts = new Uint32Array(bytes.buffer, at + countsAt, total);
    const textStarts = new Uint32Array(bytes.buffer, at + textStartsAt, rows + 1);
    if (textStarts[rows] !== textBytes) return inconsistent();
    for (let i = 0; i < rows; i++) if (textStarts[i] > textStarts[i + 1]) return inconsistent();
    // Copied out, so the rest of the file's buffer can go.
    const texts = bytes.slice(textsAt, textsAt + textBytes);
    const parsed = JSON.parse(Buffer.from(bytes.buffer, at + jsonAt, jsonBytes).toString('utf8')) as { records?: unknown; terms?: unknown };
    const { records, terms } = parsed;
    if (!Array.isArray(records) || records.length !== rows || !Array.isArray(terms)) return inconsistent();
    if (!records.every((r) => typeof (r as { id?: unknown } | null)?.id === 'string')) return inconsistent();
    if (!terms.every((t) => typeof t === 'string')) return inconsistent();
    if (starts[rows] !== total) return inconsistent();
    for (let i = 0; i < rows; i++) if (starts[i] > starts[i + 1]) return inconsistent();
    for (let i = 0; i < total; i++) if (counts[i] >>> TF_SHIFT >= terms.length) return inconsistent();
    return { records: records as Array<Omit<R, 'text'>>, vectors, texts, textStarts, terms: terms as string[], starts, counts };
  } catch (err) {
    // index.json gone (a writer swapped generations) is the caller's to notice; anything else is damage.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return damaged((err as Error).message);
  }
}

/** The dimensions a cache declares, to read one whose manifest is lost. */
export function cacheDimensions(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER) return undefined;
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  return header.getUint32(0, true) === MAGIC ? header.getUint32(12, true) : undefined;
}

let crcTable: Uint32Array | undefined;

/** zlib's native CRC-32 where Node has it (20.15+), else a table-driven one with the same result. */
function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(bytes) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
