// One folder's archival memory as the host uses it: index runs, incremental updates, notes and searches.
// Each operation opens the store fresh under the folder's lock, because the agent, the CLI and other
// windows keep their own copies in memory and write between our operations.
import * as fs from 'node:fs';
import type { ArchivalHit, ArchivalRecord, ArchivalStore } from '../memory/archival';
import { MemoryStore, memoryPaths } from '../memory/store';
import { archivalModule } from '../indexing/lazy';
import type { EmbeddingSettings, IndexSettings } from '../indexing/openArchival';
import type { IndexReport } from '../indexing/indexer';
import type { IndexProgress } from '../indexing/types';
import { MemoryError, type Page } from '../memory/types';
import type { IndexState } from '../protocol';

export interface ArchivalServiceOptions {
  workspaceRoot: string;
  memoryRoot: string;
  /** Read on every operation, so settings changes apply. */
  embeddings: () => Promise<EmbeddingSettings>;
  index: () => IndexSettings;
  warn: (message: string) => void;
  /** Called whenever `state` changes. */
  onState: (state: IndexState) => void;
  /** Called after anything was written, so the agent reopens its copy. */
  onWritten: () => void;
  /** How long to wait before retrying updates when another process holds the folder (default 15 s). */
  retryLockedMs?: number;
  /** How long an operation waits for the folder's lock before giving up (default 10 s). */
  lockWaitMs?: number;
}

const LOCK_WAIT_MS = 10_000;
const RETRY_LOCKED_MS = 15_000;

export class ArchivalService {
  private current: IndexState;
  private counting = false;
  /** Watcher changes not yet in the index: kept across an index run and a locked folder, never dropped. */
  private readonly pending = { changed: new Set<string>(), removed: new Set<string>() };
  private draining?: Promise<void>;
  private retryTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: ArchivalServiceOptions) {
    const manifest = memoryPaths(options.memoryRoot).fileRecordsFile;
    this.current = fs.existsSync(manifest) ? { status: 'ready' } : { status: 'not_indexed' };
  }

  get state(): IndexState {
    return this.current;
  }

  /** Walks the whole workspace into archival memory; `rebuild` starts from an empty index. */
  async index(opts: { rebuild?: boolean; signal?: AbortSignal; onProgress?: (p: IndexProgress) => void }): Promise<IndexReport> {
    this.setState({ status: 'indexing', done: 0, total: 0 });
    try {
      const report = await this.withArchival(async (archival) => {
        const { createIndexer } = archivalModule();
        const indexer = await createIndexer(this.options.workspaceRoot, this.store().paths, archival, { ...this.options.index(), warn: this.options.warn });
        const result = await indexer.run({
          rebuild: opts.rebuild,
          signal: opts.signal,
          onProgress: (p) => {
            this.setState({ status: 'indexing', done: p.filesDone, total: p.filesTotal, chunks: p.chunks });
            opts.onProgress?.(p);
          },
        });
        return { result, chunks: archival.count(), files: archival.paths().length };
      }, opts.rebuild);
      this.setState({ status: 'ready', files: report.files, chunks: report.chunks, ...(report.result.cancelled ? { message: 'stopped before the end; run it again to finish' } : {}) });
      return report.result;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      // Files saved during the run may have been walked before they changed: apply them now.
      if (this.hasPending()) void this.drainPending();
    }
  }

  /**
   * Re-checks changed files and drops removed ones (the file watcher's batches). Resolves when they are in
   * the index, or are kept pending: during an index run (applied after it) or while another process holds
   * the folder (retried later). Before the first index there is nothing to update.
   */
  update(changed: string[], removed: string[]): Promise<void> {
    for (const p of changed) {
      this.pending.removed.delete(p);
      this.pending.changed.add(p);
    }
    for (const p of removed) {
      this.pending.changed.delete(p);
      this.pending.removed.add(p);
    }
    return this.drainPending();
  }

  /** Stops a scheduled retry (the folder is closing). */
  dispose(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private hasPending(): boolean {
    return this.pending.changed.size > 0 || this.pending.removed.size > 0;
  }

  /** One drain at a time; changes arriving meanwhile are taken by its next round. */
  private drainPending(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.hasPending()) {
      const status = this.current.status;
      if (status === 'not_indexed' || status === 'needs_rebuild') {
        // The full index (or rebuild) the person has to run will see these files as they are then.
        this.pending.changed.clear();
        this.pending.removed.clear();
        return;
      }
      if (status === 'indexing') return; // index() drains when it ends
      const changed = [...this.pending.changed];
      const removed = [...this.pending.removed];
      this.pending.changed.clear();
      this.pending.removed.clear();
      try {
        await this.withArchival(async (archival) => {
          const { createIndexer } = archivalModule();
          const indexer = await createIndexer(this.options.workspaceRoot, this.store().paths, archival, { ...this.options.index(), warn: this.options.warn });
          if (removed.length) await indexer.removeFiles(removed);
          if (changed.length) await indexer.updateFiles(changed);
          this.setState({ status: 'ready', files: archival.paths().length, chunks: archival.count() });
        });
      } catch (error) {
        // Put the batch back under anything newer that arrived meanwhile.
        for (const p of changed) if (!this.pending.removed.has(p)) this.pending.changed.add(p);
        for (const p of removed) if (!this.pending.changed.has(p)) this.pending.removed.add(p);
        if (error instanceof MemoryError && error.kind === 'locked') {
          // A chat turn (or the CLI) holds the folder for its whole length: try again later.
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            void this.drainPending();
          }, this.options.retryLockedMs ?? RETRY_LOCKED_MS);
          return;
        }
        this.failed(error);
        return;
      }
    }
  }

  async addNote(text: string): Promise<ArchivalRecord> {
    return this.withArchival(async (archival) => {
      const record = await archival.addNote(text);
      this.setState({ ...this.current, chunks: archival.count() });
      return record;
    });
  }

  /** Read-only: no lock, the store is opened as it is on disk. */
  async search(query: string, pageSize = 20): Promise<Page<ArchivalHit>> {
    const archival = await this.open(false);
    return archival.search(query, { pageSize });
  }

  /** Counts for the inspector, opening the store once in the background when it was never counted. */
  async refreshCounts(): Promise<void> {
    if (this.current.status !== 'ready' || this.current.chunks !== undefined || this.counting) return;
    this.counting = true;
    try {
      const archival = await this.open(false);
      this.setState({ status: 'ready', files: archival.paths().length, chunks: archival.count() });
    } catch (error) {
      this.failed(error);
    } finally {
      this.counting = false;
    }
  }

  private async withArchival<T>(fn: (archival: ArchivalStore) => Promise<T>, rebuild = false): Promise<T> {
    const result = await this.store().withLock(
      rebuild ? 'index rebuild' : 'archival update',
      async () => fn(await this.open(rebuild)),
      this.options.lockWaitMs ?? LOCK_WAIT_MS,
    );
    this.options.onWritten();
    return result;
  }

  private async open(rebuild: boolean): Promise<ArchivalStore> {
    const { openArchival } = archivalModule();
    return openArchival(this.store().paths, await this.options.embeddings(), { rebuild, warn: this.options.warn });
  }

  private store(): MemoryStore {
    return MemoryStore.open(this.options.memoryRoot, { warn: this.options.warn });
  }

  private failed(error: unknown): void {
    // Another process holding the folder is not a broken index: keep the state, say why in the log.
    if (error instanceof MemoryError && error.kind === 'locked') {
      this.options.warn(error.message);
      if (this.current.status === 'indexing') this.setState({ status: 'ready', message: error.message });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.setState({ status: /rebuild/i.test(message) ? 'needs_rebuild' : 'error', message });
  }

  private setState(state: IndexState): void {
    this.current = state;
    this.options.onState(state);
  }
}
