// Collects the workspace's file events into one archival update per folder after a quiet moment, so
// saving, creating, deleting and renaming never index on the typing path (DESIGN.md §6). No vscode here:
// indexWatcher.ts forwards the editor's watcher events, the tests call the same methods.
//
// A rename arrives as a delete of the old path and a create of the new one (for a folder, often just the
// folder itself): the old path goes to `removed`, the new to `changed`, and the indexer drops everything
// under a removed folder and walks a changed one, removals first.
import * as path from 'node:path';
import { PendingChanges } from '../app/pendingChanges';
import { memoryPaths } from '../memory/store';

/** One workspace folder as the batcher sees it. */
export interface BatchFolder {
  /** Identity: events for the same key land in the same batch. */
  key: string;
  /** Absolute path of the folder. */
  root: string;
  /** Absolute path of its memory folder (`.memcode` or memcode.storagePath). */
  memoryRoot: string;
  /** memcode.index.autoUpdate, read when a batch is due. */
  autoUpdate(): boolean;
  /** Applies one batch of workspace-relative paths (forward slashes). */
  update(changed: string[], removed: string[]): Promise<unknown>;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ChangeBatcherOptions {
  quietMs: number;
  /** A block file under `<memoryRoot>/memory` changed, or a batch was applied: refresh what shows memory. */
  onMemoryChanged(): void;
  log?(message: string): void;
  timers?: Timers;
}

interface FolderBatch {
  folder: BatchFolder;
  pending: PendingChanges;
  /** The update running for this folder; the next batch waits for it. */
  running?: Promise<void>;
}

const IGNORED = /(^|\/)(\.git|node_modules)(\/|$)/;

const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class ChangeBatcher {
  private readonly batches = new Map<string, FolderBatch>();
  private readonly timers: Timers;
  private timer: unknown;
  private disposed = false;

  constructor(private readonly options: ChangeBatcherOptions) {
    this.timers = options.timers ?? realTimers;
  }

  /** A file or folder was created or saved. */
  changed(folder: BatchFolder, file: string): void {
    this.note(folder, file, 'changed');
  }

  /** A file or folder was deleted (or renamed away). */
  deleted(folder: BatchFolder, file: string): void {
    this.note(folder, file, 'removed');
  }

  /** Starts every due batch now, without waiting for the quiet moment. Resolves when all have finished. */
  async flush(): Promise<void> {
    this.cancelTimer();
    for (const batch of this.batches.values()) this.start(batch);
    await this.idle();
  }

  /** Resolves when no update is running (including batches queued behind running ones). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.batches.values()].map((b) => b.running).filter((r): r is Promise<void> => r !== undefined);
      if (!running.length) return;
      await Promise.all(running);
    }
  }

  /** Drops what has not started; a running update finishes on its own. */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    for (const batch of this.batches.values()) batch.pending.clear();
  }

  private note(folder: BatchFolder, file: string, kind: 'changed' | 'removed'): void {
    if (this.disposed) return;
    if (isInside(file, folder.memoryRoot)) {
      if (isInside(file, memoryPaths(folder.memoryRoot).memoryDir)) this.options.onMemoryChanged();
      return;
    }
    const rel = path.relative(folder.root, file).split(path.sep).join('/');
    if (!rel || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) || IGNORED.test(rel)) return;
    const batch = this.batchFor(folder);
    if (kind === 'changed') batch.pending.changed(rel);
    else batch.pending.removed(rel);
    this.cancelTimer();
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      for (const b of this.batches.values()) this.start(b);
    }, this.options.quietMs);
  }

  private batchFor(folder: BatchFolder): FolderBatch {
    let batch = this.batches.get(folder.key);
    if (!batch) this.batches.set(folder.key, (batch = { folder, pending: new PendingChanges() }));
    // The host may have made a fresh object for the folder (a restart): use the latest.
    batch.folder = folder;
    return batch;
  }

  /** Runs the folder's pending paths as one update, unless one is running (then they go after it). */
  private start(batch: FolderBatch): void {
    if (batch.running || batch.pending.size === 0) return;
    const { changed, removed } = batch.pending.take();
    const folder = batch.folder;
    let enabled: boolean;
    try {
      enabled = folder.autoUpdate();
    } catch (error) {
      this.options.log?.(`could not read memcode.index.autoUpdate: ${messageOf(error)}`);
      enabled = false;
    }
    if (!enabled) return;
    batch.running = (async () => {
      try {
        await folder.update(changed, removed);
      } catch (error) {
        this.options.log?.(`archival update of ${folder.root} failed: ${messageOf(error)}`);
      }
      this.options.onMemoryChanged();
    })().finally(() => {
      batch.running = undefined;
      // What arrived during the run goes now, unless more is still arriving (then the timer starts it).
      if (this.timer === undefined && !this.disposed) this.start(batch);
    });
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
