// Workspace → chunks → archival memory, incrementally (DESIGN.md §6). Files go in batches; after each
// batch is stored, the file records (fileRecords.ts: files.json and its log) record it. The order of
// writes is the whole crash story:
//   1. a changed or removed file's record is dropped, durably (one small append to files.log),
//   2. its old chunks are replaced by its new ones (or removed), in one atomic write of the store,
//   3. its new record is appended.
// A crash or cancel anywhere leaves the records claiming at most what the store holds; a file whose
// chunks were stored but not recorded is simply redone next run (delete-then-add keeps it single).
// The snapshot is rewritten once at the end of a full run, not per batch: that kept a first index's
// speed from falling as the records grew.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalMemory } from '../memory/archivalMemory';
import type { CodeChunker } from './chunker';
import { FileRecordLog, type FileRecord } from './fileRecords';
import type { Chunk, IndexProgress } from './types';
import type { GeneratedKind } from './generatedFiles';
import { preparePassages, type PreparedFile } from './preparePassages';
import { looksBinary } from '../workspace/binary';
import { isSkipped, WorkspaceFiles, type SkipReason, type WorkspaceFile } from '../workspace/workspaceFiles';

export interface IndexerOptions {
  workspaceRoot: string;
  archival: ArchivalMemory;
  /** files.json (MemoryPaths.fileRecordsFile); its log, files.log, goes beside it. */
  fileRecordsPath: string;
  chunker: CodeChunker;
  /**
   * Which files may be indexed: the same policy object the file tools get. When absent, one is built
   * from workspaceRoot and the four options below (kept for callers that pass plain settings).
   */
  workspace?: WorkspaceFiles;
  /** Gitignore-style patterns relative to the workspace root (ignored when `workspace` is given). */
  exclude?: string[];
  /** Bytes (default 1 MB; ignored when `workspace` is given). */
  maxFileSize?: number;
  /** Secret patterns on top of the built-in ones (ignored when `workspace` is given). */
  secrets?: string[];
  /** The memory folder when it is not `<root>/.memcode`, so it is never indexed (ignored when `workspace` is given). */
  storageDir?: string;
  warn?: (message: string) => void;
  /** Most files per archival write (default 100). */
  batchFiles?: number;
  /** Most bytes of source per archival write (default 2 MB). */
  batchBytes?: number;
  /**
   * Turns a batch's texts into passages somewhere else (the memory folder's index worker), keeping this
   * thread free; by default they are chunked here, with `chunker`.
   */
  prepare?: (files: Array<{ path: string; text: string }>) => Promise<PreparedFile[]>;
}

/** Why a file's text is not in archival memory: refused by the workspace policy, or minified or generated (stored as one summary chunk). */
export type IndexSkipReason = SkipReason | GeneratedKind;

export interface IndexReport {
  /** Files looked at: walked by run(), or named to updateFiles(). */
  filesScanned: number;
  /** Files (re)chunked and stored this time. */
  filesIndexed: number;
  /** Files found as they were recorded: same size and mtime, or same content. */
  filesUnchanged: number;
  /** Files whose chunks were removed: deleted, renamed away, now ignored, now a secret or binary. */
  filesRemoved: number;
  /** Files whose text was not indexed this time; a minified or generated one has a summary chunk instead and is not counted as indexed. */
  skipped: Array<{ path: string; reason: IndexSkipReason }>;
  /** Chunks stored this time. */
  chunks: number;
  /** Bytes of the files indexed this time. */
  bytes: number;
  ms: number;
  cancelled: boolean;
}

export interface IndexRunOptions {
  /** Forget the file records and every file chunk, and index everything again (the agent's notes stay). */
  rebuild?: boolean;
  /** Stops after the batch being stored; what was stored is recorded. */
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
}

// Content is checked when a changed file is read (readFile), which keeps a re-run over unchanged files free of reads.
const CHECKS = { sniffContent: false } as const;
const DEFAULT_BATCH_FILES = 100;
const DEFAULT_BATCH_BYTES = 2_000_000;
const PROGRESS_EVERY_MS = 100;
/**
 * A file modified this recently may change again within the clock's resolution without its mtime
 * moving, so its recorded mtime is left unusable and the next run checks its content hash (as git does
 * with "racily clean" entries).
 */
const RACY_MS = 2000;

/** One operation's state: the file records and the paths the store holds, kept in step as batches land. */
interface Pass {
  records: FileRecordLog;
  stored: Set<string>;
  report: IndexReport;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  filesTotal: number;
  filesDone: number;
}

/**
 * One operation at a time is the caller's job: the memory folder (app/memoryFolder.ts) runs each under
 * the folder's lock, which also keeps other processes out.
 */
export class Indexer {
  private readonly batchFiles: number;
  private readonly batchBytes: number;
  private readonly workspace: WorkspaceFiles;

  constructor(private readonly opts: IndexerOptions) {
    this.batchFiles = Math.max(1, opts.batchFiles ?? DEFAULT_BATCH_FILES);
    this.batchBytes = Math.max(1, opts.batchBytes ?? DEFAULT_BATCH_BYTES);
    this.workspace =
      opts.workspace ??
      new WorkspaceFiles({
        root: opts.workspaceRoot,
        memoryDir: opts.storageDir,
        exclude: opts.exclude,
        maxFileSize: opts.maxFileSize,
        secrets: opts.secrets,
      });
  }

  /** Walks the whole workspace and brings archival memory in line with it. */
  run(opts: IndexRunOptions = {}): Promise<IndexReport> {
    return this.runNow(opts);
  }

  /** Re-checks just these files (saved or created; folders are walked), removing those now gone or refused. */
  updateFiles(relPaths: string[], signal?: AbortSignal): Promise<IndexReport> {
    return this.updateNow(relPaths.map(normalizeRel), signal);
  }

  /** Drops the chunks of these files (or of everything under these folders); returns how many chunks went. */
  removeFiles(relPaths: string[]): Promise<number> {
    const pass = this.startPass();
    return this.removePaths(pass, this.expand(pass, relPaths.map(normalizeRel)));
  }

  /** A rename is a delete and an add: chunk ids are not kept, the new path's chunks are fresh. */
  async renameFile(from: string, to: string): Promise<IndexReport> {
    const pass = this.startPass();
    await this.removePaths(pass, this.expand(pass, [normalizeRel(from)]));
    const report = await this.updateNow([normalizeRel(to)]);
    report.filesRemoved += pass.report.filesRemoved;
    return report;
  }

  // ------------------------------------------------------------------ operations

  private async runNow(opts: IndexRunOptions): Promise<IndexReport> {
    const started = performance.now();
    const pass = this.startPass(opts);
    if (opts.rebuild) {
      pass.records.reset();
      await this.opts.archival.deleteByPath([...pass.stored]);
      pass.stored.clear();
    }
    const { report, records } = pass;
    const seen = new Set<string>();
    const candidates: WorkspaceFile[] = [];
    for await (const entry of this.workspace.indexableFiles({ ...CHECKS, signal: opts.signal })) {
      if (isSkipped(entry)) {
        report.skipped.push(entry);
        continue;
      }
      seen.add(entry.path);
      const prev = records.get(entry.path);
      if (prev && prev.size === entry.size && prev.mtimeMs === entry.mtimeMs && this.holds(pass, entry.path, prev)) {
        report.filesUnchanged++;
        pass.filesDone++;
      } else {
        candidates.push(entry);
      }
      if (seen.size % 1000 === 0) this.progress(pass, 'scanning', seen.size);
    }
    report.filesScanned = seen.size;
    pass.filesTotal = seen.size;
    if (opts.signal?.aborted) return this.finish(pass, started, true, true);

    // Files recorded or stored that the walk no longer yields: deleted, renamed, ignored, or refused.
    const gone = new Set([...records.paths(), ...pass.stored].filter((p) => !seen.has(p)));
    if (gone.size > 0) {
      this.progress(pass, 'removing');
      await this.removePaths(pass, [...gone]);
    }
    await this.indexFiles(pass, candidates);
    return this.finish(pass, started, report.cancelled, true);
  }

  private async updateNow(relPaths: string[], signal?: AbortSignal): Promise<IndexReport> {
    const started = performance.now();
    const pass = this.startPass({ signal });
    const candidates: WorkspaceFile[] = [];
    const gone: string[] = [];
    for (const rel of relPaths) {
      if (!rel) continue;
      const abs = path.join(this.opts.workspaceRoot, rel);
      if (isDirectory(abs)) {
        // A folder created or renamed into place: everything under it that the walk would yield.
        gone.push(...this.expand(pass, [rel]));
        for await (const entry of this.workspace.indexableFiles({ ...CHECKS, signal })) {
          if (!entry.path.startsWith(`${rel}/`)) continue;
          if (isSkipped(entry)) pass.report.skipped.push(entry);
          else candidates.push(entry);
        }
        continue;
      }
      const verdict = this.workspace.judgeFile(rel, CHECKS);
      if (verdict.ok) {
        candidates.push(verdict.file);
        continue;
      }
      if (verdict.reason !== 'ignored' && verdict.reason !== 'missing') pass.report.skipped.push({ path: rel, reason: verdict.reason });
      gone.push(...this.expand(pass, [rel]));
    }
    const keep = new Set(candidates.map((c) => c.path));
    const removals = [...new Set(gone)].filter((p) => !keep.has(p));
    pass.report.filesScanned = candidates.length + removals.length;
    pass.filesTotal = candidates.length;
    if (removals.length > 0) await this.removePaths(pass, removals);
    await this.indexFiles(pass, candidates);
    return this.finish(pass, started, pass.report.cancelled);
  }

  // ------------------------------------------------------------------ batches

  private async indexFiles(pass: Pass, files: WorkspaceFile[]): Promise<void> {
    // Say how much there is before the first batch, which can take seconds to store.
    if (files.length > 0) this.progress(pass, 'indexing');
    let batch: WorkspaceFile[] = [];
    let bytes = 0;
    for (const file of files) {
      if (pass.signal?.aborted) break;
      batch.push(file);
      bytes += file.size;
      if (batch.length >= this.batchFiles || bytes >= this.batchBytes) {
        await this.storeBatch(pass, batch);
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0 && !pass.signal?.aborted) await this.storeBatch(pass, batch);
    if (pass.signal?.aborted) pass.report.cancelled = true;
  }

  /** Reads, chunks and stores one batch, then records it. */
  private async storeBatch(pass: Pass, batch: WorkspaceFile[]): Promise<void> {
    const { records, report, stored } = pass;
    const archival = this.opts.archival;
    const chunks: Chunk[] = [];
    const fresh = new Map<string, FileRecord>();
    const refused: string[] = [];
    const changed: Array<{ path: string; text: string; record: Omit<FileRecord, 'chunks'>; prepared?: PreparedFile }> = [];
    let bytes = 0;
    const summarised: IndexReport['skipped'] = [];
    const now = Date.now();
    let reported = performance.now();
    for (const file of batch) {
      // A batch is read and chunked in one go: report along the way and let the event loop breathe, so
      // a progress bar moves and the editor stays responsive during a big batch.
      if (performance.now() - reported > PROGRESS_EVERY_MS) {
        this.progress(pass, 'indexing', undefined, file.path);
        await new Promise((resolve) => setImmediate(resolve));
        reported = performance.now();
        if (pass.signal?.aborted) return;
      }
      pass.filesDone++;
      const read = this.readFile(file);
      if ('reason' in read) {
        report.skipped.push({ path: file.path, reason: read.reason });
        if (records.has(file.path) || stored.has(file.path)) refused.push(file.path);
        continue;
      }
      const mtimeMs = Math.abs(now - file.mtimeMs) < RACY_MS ? 0 : file.mtimeMs;
      const prev = records.get(file.path);
      if (prev && prev.hash === read.hash && this.holds(pass, file.path, prev)) {
        // Touched, not changed: remember the new size and mtime so the next run skips the read.
        records.set(file.path, { ...prev, size: file.size, mtimeMs });
        report.filesUnchanged++;
        continue;
      }
      // Chunked here, between the yields above, unless the worker does the whole batch below.
      const inline = this.opts.prepare ? undefined : preparePassages(this.opts.chunker, file.path, read.text);
      changed.push({ path: file.path, text: inline ? '' : read.text, record: { hash: read.hash, size: read.size, mtimeMs }, prepared: inline });
      bytes += read.size;
    }
    const prepared = this.opts.prepare
      ? await this.opts.prepare(changed.map(({ path: p, text }) => ({ path: p, text })))
      : changed.map((c) => c.prepared!);
    if (pass.signal?.aborted && this.opts.prepare) {
      // Stopped while the worker chunked: nothing of this batch is stored or recorded.
      pass.report.cancelled = true;
      records.flush();
      return;
    }
    changed.forEach(({ path: p, record }, i) => {
      const { chunks: fileChunks, generated } = prepared[i];
      if (generated) summarised.push({ path: p, reason: generated });
      chunks.push(...fileChunks);
      fresh.set(p, { ...record, chunks: fileChunks.length });
    });
    const replaced = [...fresh.keys(), ...refused].filter((p) => records.has(p) || stored.has(p));
    if (fresh.size > 0 || replaced.length > 0) {
      // Their old records go first, durably: had the store changed under a record that still stood,
      // a file changed back to that content would pass for unchanged. (A first index drops nothing.)
      for (const p of replaced) records.delete(p);
      records.flush();
      try {
        // One write: the old passages go and the new ones arrive together, or neither does.
        await archival.replaceChunks(replaced, chunks, pass.signal);
        for (const p of replaced) stored.delete(p);
      } catch (err) {
        // Whatever got stored of this batch is not recorded, so the next run redoes it.
        if (pass.signal?.aborted) {
          pass.report.cancelled = true;
          return;
        }
        throw err;
      }
      for (const [p, entry] of fresh) {
        records.set(p, entry);
        if (entry.chunks > 0) stored.add(p);
      }
      report.filesIndexed += fresh.size - summarised.length;
      report.skipped.push(...summarised);
      report.filesRemoved += refused.length;
      report.chunks += chunks.length;
      report.bytes += bytes;
    }
    records.flush();
    this.progress(pass, 'indexing', undefined, batch[batch.length - 1]?.path);
  }

  private readFile(file: WorkspaceFile): { text: string; hash: string; size: number } | { reason: SkipReason } {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file.abs);
    } catch {
      return { reason: 'unreadable' };
    }
    // The walk only looked at names and sizes (to keep unchanged runs free of reads): check content now.
    if (buf.length > this.workspace.maxFileSize) return { reason: 'too_large' };
    if (looksBinary(buf)) return { reason: 'binary' };
    return { text: buf.toString('utf8'), hash: createHash('sha1').update(buf).digest('hex'), size: buf.length };
  }

  /** Removes these paths' records, then their chunks (records first, as in storeBatch). Returns chunks removed. */
  private async removePaths(pass: Pass, paths: string[]): Promise<number> {
    if (paths.length === 0) return 0;
    let files = 0;
    for (const p of paths) {
      if (pass.records.has(p) || pass.stored.has(p)) files++;
      pass.records.delete(p);
    }
    pass.records.flush();
    const removed = await this.opts.archival.deleteByPath(paths);
    for (const p of paths) pass.stored.delete(p);
    pass.report.filesRemoved += files;
    pass.records.compactIfLarge();
    return removed;
  }

  // ------------------------------------------------------------------ helpers

  /** Reloaded for every operation: the CLI and the extension take turns writing it. */
  private startPass(opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}): Pass {
    const embedderId = this.opts.archival.embedderId;
    return {
      records: FileRecordLog.open(this.opts.fileRecordsPath, embedderId, this.opts.warn),
      stored: new Set(this.opts.archival.paths()),
      report: { filesScanned: 0, filesIndexed: 0, filesUnchanged: 0, filesRemoved: 0, skipped: [], chunks: 0, bytes: 0, ms: 0, cancelled: false },
      signal: opts.signal,
      onProgress: opts.onProgress,
      filesTotal: 0,
      filesDone: 0,
    };
  }

  /** A file's record is only worth trusting if the store really holds the file's chunks. */
  private holds(pass: Pass, relPath: string, entry: FileRecord): boolean {
    return entry.chunks === 0 || pass.stored.has(relPath);
  }

  /** Paths known to the file records or the store that are `rel` itself or lie under it. */
  private expand(pass: Pass, rels: string[]): string[] {
    const known = new Set([...pass.records.paths(), ...pass.stored]);
    const out = new Set<string>();
    for (const rel of rels) {
      if (!rel) continue;
      if (known.has(rel)) out.add(rel);
      const prefix = `${rel}/`;
      for (const p of known) if (p.startsWith(prefix)) out.add(p);
    }
    return [...out];
  }

  private progress(pass: Pass, phase: IndexProgress['phase'], filesTotal?: number, currentPath?: string): void {
    pass.onProgress?.({
      phase,
      filesDone: pass.filesDone,
      filesTotal: filesTotal ?? pass.filesTotal,
      chunks: pass.report.chunks,
      bytes: pass.report.bytes,
      ...(currentPath ? { currentPath } : {}),
    });
  }

  /** A full run ends with a fresh snapshot (once per run); smaller operations only when the log has grown long. */
  private finish(pass: Pass, started: number, cancelled: boolean, fullRun = false): IndexReport {
    if (fullRun) pass.records.compactIfChanged();
    else pass.records.compactIfLarge();
    pass.report.cancelled = cancelled;
    pass.report.ms = performance.now() - started;
    this.progress(pass, 'done');
    return pass.report;
  }
}

function normalizeRel(rel: string): string {
  return path.normalize(rel).split(path.sep).join('/').replace(/^(\.\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

function isDirectory(abs: string): boolean {
  try {
    return fs.statSync(abs).isDirectory();
  } catch {
    return false;
  }
}
