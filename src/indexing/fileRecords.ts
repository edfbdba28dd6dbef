// What the indexer has stored in archival memory, per workspace file, so an unchanged file is neither
// re-read (same size and mtime) nor re-chunked and re-embedded (same content hash). A file is recorded
// only after its chunks are stored, so these records never claim more than the index holds.
// (Not to be confused with archival/manifest.json, the archival store's own list of its shards.)
//
// On disk it is two files: `files.json`, a snapshot (the format it always had, so older readers and
// `memcode doctor` still read it), and `files.log`, the changes since, one JSON line each. Its first line
// names the snapshot it continues by the sha1 of its bytes, so a log left behind by a crash during
// compaction, or a files.json rewritten by an older MemCode, is recognised and ignored rather than
// replayed over the wrong base. A batch costs one small fsynced append instead of rewriting every record
// (which made a first index slow down as the repository grew); the snapshot is written once per full
// run, or when the log outgrows the records it describes. A line cut off by a kill -9 is skipped.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPlainObject } from '../common/json';
import { appendDurably, moveAside, writeFileAtomic } from '../memory/atomicFile';
import { MemoryError } from '../memory/types';

export const FILE_RECORDS_VERSION = 1;
const LOG_VERSION = 1;

/** What was indexed of one workspace file. */
export interface FileRecord {
  /** sha1 of the file's bytes, hex. */
  hash: string;
  size: number;
  mtimeMs: number;
  /** Chunks stored for the file; 0 for an empty one. */
  chunks: number;
}

/** The whole of files.json (the snapshot). */
export interface FileRecords {
  version: typeof FILE_RECORDS_VERSION;
  /** The embedder the chunks were stored with; records made with another one are worthless. */
  embedderId: string;
  files: Record<string, FileRecord>;
  /**
   * Random per snapshot written, so two snapshots of the same records are told apart by files.log's header
   * (a log begun on one must not be replayed over the next). Absent in a files.json from before the log.
   */
  snapshotId?: string;
}

/** files.log's first line. */
interface LogHeader {
  filesLog: typeof LOG_VERSION;
  /** sha1 of the files.json bytes this log continues. */
  snapshot: string;
}

/** Every later line: a file recorded, or its record dropped. */
type LogLine = ({ path: string } & FileRecord) | { path: string; deleted: true };

/** Below this many log lines a compaction is never worth its write. */
const COMPACT_MIN_LINES = 1000;

export function emptyFileRecords(embedderId: string): FileRecords {
  return { version: FILE_RECORDS_VERSION, embedderId, files: {} };
}

export function isFileRecord(e: unknown): e is FileRecord {
  if (!isPlainObject(e)) return false;
  return typeof e.hash === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.chunks === 'number';
}

export function isFileRecords(v: unknown): v is FileRecords {
  if (!v || typeof v !== 'object') return false;
  const m = v as Partial<FileRecords>;
  if (m.version !== FILE_RECORDS_VERSION || typeof m.embedderId !== 'string' || !m.files || typeof m.files !== 'object') return false;
  return Object.values(m.files).every(isFileRecord);
}

/** files.log beside files.json. */
export function fileRecordLogPath(snapshotFile: string): string {
  return path.join(path.dirname(snapshotFile), `${path.basename(snapshotFile, '.json')}.log`);
}

/**
 * The file records of one memory folder for one embedder, read from the snapshot and the log, changed in
 * memory with set/delete and made durable with flush(). Write only under the memory folder's lock.
 */
export class FileRecordLog {
  private readonly files = new Map<string, FileRecord>();
  /** Lines set/delete queued for the next flush. */
  private pending: string[] = [];
  /** sha1 of files.json when it is this embedder's snapshot; unset, the next flush writes one. */
  private snapshotHash: string | undefined;
  /** files.log continues the snapshot on disk (its header names it), so flushes append to it. */
  private logContinues = false;
  /** Lines in the log after its header. */
  private logLines = 0;
  /** The log ends in a partial line (a cut-off append): the next append starts on a fresh one. */
  private hasTail = false;
  private readonly logFile: string;

  private constructor(
    private readonly snapshotFile: string,
    readonly embedderId: string,
  ) {
    this.logFile = fileRecordLogPath(snapshotFile);
  }

  /**
   * The records at `snapshotFile` (and its log) for `embedderId`. Missing, or made for another embedder →
   * empty (everything is indexed again); a corrupted snapshot is moved aside with a warning, and empty.
   */
  static open(snapshotFile: string, embedderId: string, warn?: (m: string) => void): FileRecordLog {
    const book = new FileRecordLog(snapshotFile, embedderId);
    book.readSnapshot(warn);
    if (book.snapshotHash) book.replayLog();
    return book;
  }

  get size(): number {
    return this.files.size;
  }

  get(relPath: string): FileRecord | undefined {
    return this.files.get(relPath);
  }

  has(relPath: string): boolean {
    return this.files.has(relPath);
  }

  paths(): IterableIterator<string> {
    return this.files.keys();
  }

  /** Records a file (in memory until flush()). */
  set(relPath: string, record: FileRecord): void {
    this.files.set(relPath, record);
    this.pending.push(JSON.stringify({ path: relPath, ...record } satisfies LogLine));
  }

  /** Drops a file's record (in memory until flush()). */
  delete(relPath: string): void {
    if (!this.files.delete(relPath)) return;
    this.pending.push(JSON.stringify({ path: relPath, deleted: true } satisfies LogLine));
  }

  /** Makes every change since the last flush durable: one fsynced append, or a snapshot when there is none yet. */
  flush(): void {
    if (this.pending.length === 0) return;
    if (!this.snapshotHash) {
      this.compact();
      return;
    }
    const text = `${this.pending.join('\n')}\n`;
    if (this.logContinues) {
      appendDurably(this.logFile, `${this.hasTail ? '\n' : ''}${text}`);
    } else {
      // No log yet (a files.json from before the log, or a compaction cut short): start one on this snapshot.
      writeFileAtomic(this.logFile, `${this.header()}\n${text}`);
      this.logContinues = true;
    }
    this.hasTail = false;
    this.logLines += this.pending.length;
    this.pending = [];
  }

  /** Forgets every record, on disk too (a rebuild). */
  reset(): void {
    this.files.clear();
    this.compact();
  }

  /** Writes every record to a new snapshot and starts an empty log on it. */
  compact(): void {
    const snapshot: FileRecords = { version: FILE_RECORDS_VERSION, embedderId: this.embedderId, snapshotId: randomBytes(8).toString('hex'), files: Object.fromEntries(this.files) };
    const text = `${JSON.stringify(snapshot)}\n`;
    // Compact JSON: with tens of thousands of files the pretty-printed form is several times larger.
    writeFileAtomic(this.snapshotFile, text);
    // A crash here leaves the old log naming the old snapshot: it is ignored, and the new one holds it all.
    this.snapshotHash = sha1(text);
    writeFileAtomic(this.logFile, `${this.header()}\n`);
    this.logContinues = true;
    this.logLines = 0;
    this.hasTail = false;
    this.pending = [];
  }

  /** Compacts when the log holds more lines than there are records (and enough to be worth it). */
  compactIfLarge(): void {
    this.flush();
    if (this.logLines > Math.max(COMPACT_MIN_LINES, this.files.size)) this.compact();
  }

  /** Compacts when anything was logged since the last snapshot: once at the end of a full run. */
  compactIfChanged(): void {
    this.flush();
    if (this.logLines > 0 || !this.snapshotHash) this.compact();
  }

  /** Lines in the log since the last snapshot. */
  get logLength(): number {
    return this.logLines;
  }

  /** The records as one object, the shape of files.json. */
  toRecords(): FileRecords {
    return { version: FILE_RECORDS_VERSION, embedderId: this.embedderId, files: Object.fromEntries(this.files) };
  }

  private header(): string {
    return JSON.stringify({ filesLog: LOG_VERSION, snapshot: this.snapshotHash! } satisfies LogHeader);
  }

  private readSnapshot(warn?: (m: string) => void): void {
    const bytes = readIfExists(this.snapshotFile);
    if (!bytes) return;
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(bytes.toString('utf8'));
      if (!isFileRecords(value)) problem = 'valid JSON but not the expected shape';
    } catch (err) {
      problem = `not valid JSON: ${(err as Error).message}`;
    }
    if (problem) {
      const aside = moveAside(this.snapshotFile);
      (warn ?? defaultWarn)(`${this.snapshotFile} was corrupted (${problem}); moved aside to ${aside} and started fresh (\`memcode doctor\`, or MemCode: Check Memory, checks the rest)`);
      return;
    }
    const records = value as FileRecords;
    if (records.embedderId !== this.embedderId) return;
    for (const [p, record] of Object.entries(records.files)) this.files.set(p, record);
    this.snapshotHash = sha1(bytes);
  }

  private replayLog(): void {
    const bytes = readIfExists(this.logFile);
    if (!bytes) return;
    const end = bytes.lastIndexOf(0x0a) + 1;
    const lines = bytes.toString('utf8', 0, end).split('\n');
    const header = parseLine(lines[0]);
    if (!isPlainObject(header) || header.filesLog !== LOG_VERSION || header.snapshot !== this.snapshotHash) return;
    this.logContinues = true;
    this.hasTail = end < bytes.length;
    for (const text of lines.slice(1)) {
      if (!text) continue;
      this.logLines++;
      // A line cut off by a crash (later appends start on a fresh line) stands for records never made durable.
      const line = parseLine(text);
      if (!isPlainObject(line) || typeof line.path !== 'string') continue;
      if (line.deleted === true) this.files.delete(line.path);
      else if (isFileRecord(line)) this.files.set(line.path, { hash: line.hash, size: line.size, mtimeMs: line.mtimeMs, chunks: line.chunks });
    }
  }
}

/**
 * The file records at `file` for `embedderId`, snapshot and log together, as one object (for readers
 * that only look). Missing or made for another embedder → empty.
 */
export function readFileRecords(file: string, embedderId: string, warn?: (m: string) => void): FileRecords {
  return FileRecordLog.open(file, embedderId, warn).toRecords();
}

function parseLine(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MemoryError('io', `could not read ${file}: ${(err as Error).message}`);
  }
}

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

function defaultWarn(msg: string): void {
  console.warn(`[memcode] ${msg}`);
}
