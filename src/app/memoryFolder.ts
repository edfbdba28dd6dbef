// One memory folder's archival memory for the life of the process: the one store the agent's tools,
// automatic recall, the indexer, the file watcher, the editor's commands and the CLI all share. It is
// opened once (on first use, since it loads Vectra and tree-sitter) and kept: a file save updates it in
// place, and a write by another process (the CLI, another window) is picked up by `sync()`, which
// reloads only the shards that changed. Writes take the folder's lock; changes that arrive while the
// folder is locked or an index run is going are kept and applied after.
import * as fs from 'node:fs';
import type { IndexState } from '../common/types';
import type { ArchivalHit, ArchivalMemory, ArchivalRecord } from '../memory/archivalMemory';
import { type MemoryPaths, memoryPaths, MemoryStore } from '../memory/store';
import { type Clock, MemoryError, type Page } from '../memory/types';
import type { EmbedderSettings } from '../indexing/embeddings';
import type { IndexReport } from '../indexing/indexer';
import type { IndexProgress } from '../indexing/types';
import type { ArchivalBackend, IndexSettings, IndexWorker } from './archivalParts';
import { archivalParts } from './lazyArchival';
import { checkMemoryFolder, type DoctorReport } from './memoryDoctor';
import { PendingChanges } from './pendingChanges';
import { repoKeyOf } from './repoKey';

/**
 * Where archival memory lives (memcode.archival.backend). The database URL comes from secret storage or
 * MEMCODE_DATABASE_URL, never from settings; `repoKey` overrides the namespace found from git (repoKey.ts).
 */
export interface ArchivalBackendSettings {
  backend: 'vectra' | 'postgres';
  databaseUrl?: string;
  repoKey?: string;
}

export interface MemoryFolderOptions {
  workspaceRoot: string;
  memoryRoot: string;
  /** Read on every operation: a change of embedder reopens the store (which then asks for a rebuild). */
  embeddings: () => EmbedderSettings | Promise<EmbedderSettings>;
  /** Read on every index operation, so settings changes apply. */
  index?: () => IndexSettings;
  /** Read on every operation like `embeddings` (a change reopens the store); absent: the embedded store. */
  archival?: () => ArchivalBackendSettings | Promise<ArchivalBackendSettings>;
  warn: (message: string) => void;
  clock?: Clock;
  /** Called whenever `state` changes. */
  onState?: (state: IndexState) => void;
  /** How long a write waits for the folder's lock before giving up (default 10 s). */
  lockWaitMs?: number;
  /** Told once, after about a second, whom a write waits for while another process holds the folder. */
  onLockWait?: (message: string) => void;
  /** How long to wait before retrying updates when another process holds the folder (default 15 s). */
  retryLockedMs?: number;
  /**
   * Chunk and (with the local embedder) embed in a worker thread, so indexing never blocks this one: the
   * extension host. This folder still decides what is stored and stores it.
   */
  indexInWorker?: boolean;
}

const LOCK_WAIT_MS = 10_000;
const RETRY_LOCKED_MS = 15_000;

export class MemoryFolder {
  private current: IndexState;
  private memoryStore?: MemoryStore;
  private opened?: { key: string; store: Promise<ArchivalMemory> };
  private counting = false;
  /** Watcher changes not yet in the index: kept across an index run and a locked folder, never dropped. */
  private readonly pending = new PendingChanges();
  private draining?: Promise<void>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  private worker?: IndexWorker;
  /** Paths only: looking at the folder must not create it (the extension looks at every workspace folder). */
  private readonly paths: MemoryPaths;

  constructor(private readonly options: MemoryFolderOptions) {
    this.paths = memoryPaths(options.memoryRoot);
    this.current = this.indexed() ? { status: 'ready' } : { status: 'not_indexed' };
  }

  get workspaceRoot(): string {
    return this.options.workspaceRoot;
  }

  get state(): IndexState {
    return this.current;
  }

  /** The memory folder (layout, lock, agent.json), opened once. */
  get store(): MemoryStore {
    this.memoryStore ??= MemoryStore.open(this.options.memoryRoot, { warn: this.options.warn, clock: this.options.clock });
    return this.memoryStore;
  }

  /** Whether the workspace was ever indexed: the indexer's record of stored files exists. */
  indexed(): boolean {
    return fs.existsSync(this.paths.fileRecordsFile);
  }

  /** Whether there is anything to search: the store is open or exists on disk (files or notes). */
  hasArchival(): boolean {
    return this.opened !== undefined || fs.existsSync(this.paths.archivalManifestFile);
  }

  /**
   * The one archival memory of this folder, caught up with other processes' writes. Callers hold no copy:
   * they ask again for each operation, so a rebuild or a change of embedder reaches them.
   */
  archival(): Promise<ArchivalMemory> {
    return this.syncedStore();
  }

  /** Walks the whole workspace into archival memory; `rebuild` starts from an empty index. */
  async index(opts: { rebuild?: boolean; signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}): Promise<IndexReport & { chunksStored: number; filesStored: number }> {
    this.setState({ status: 'indexing', done: 0, total: 0 });
    try {
      const report = await this.withLock(opts.rebuild ? 'index rebuild' : 'index run', async () => {
        const store = opts.rebuild ? await this.rebuildStore() : await this.loadedStore();
        const indexer = await this.indexer(store);
        const result = await indexer.run({
          rebuild: opts.rebuild,
          signal: opts.signal,
          onProgress: (p) => {
            // While the walk still finds files its count is not a total yet ("1000/1000" of 1,207).
            this.setState(p.phase === 'scanning' ? { status: 'indexing', chunks: p.chunks } : { status: 'indexing', done: p.filesDone, total: p.filesTotal, chunks: p.chunks });
            opts.onProgress?.(p);
          },
        });
        return { ...result, chunksStored: store.count(), filesStored: store.paths().length };
      });
      this.setState({
        status: 'ready',
        files: report.filesStored,
        chunks: report.chunksStored,
        ...(report.cancelled ? { message: 'stopped before the end; run it again to finish' } : {}),
      });
      return report;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      // Files saved during the run may have been walked before they changed: apply them now.
      if (this.pending.size > 0) void this.drainPending();
    }
  }

  /**
   * Re-checks changed files and drops removed ones (the file watcher's batches). Resolves when they are in
   * the index, or are kept pending: during an index run (applied after it) or while another process holds
   * the folder (retried later). Before the first index there is nothing to update.
   */
  update(changed: string[], removed: string[]): Promise<void> {
    for (const p of changed) this.pending.changed(p);
    for (const p of removed) this.pending.removed(p);
    return this.drainPending();
  }

  async addNote(text: string): Promise<ArchivalRecord> {
    return this.withLock('archival note', async () => {
      const store = await this.loadedStore();
      const record = await store.addNote(text);
      this.setState({ ...this.current, chunks: store.count() });
      return record;
    });
  }

  /** Read-only: no lock. */
  async search(query: string, pageSize = 20): Promise<Page<ArchivalHit>> {
    return (await this.archival()).search(query, { pageSize });
  }

  /** Counts for the inspector, opening the store once in the background when it was never counted. */
  async refreshCounts(): Promise<void> {
    if (this.current.status !== 'ready' || this.current.chunks !== undefined || this.counting) return;
    this.counting = true;
    try {
      const store = await this.archival();
      this.setState({ status: 'ready', files: store.paths().length, chunks: store.count() });
    } catch (error) {
      this.failed(error);
    } finally {
      this.counting = false;
    }
  }

  /**
   * Checks the whole memory folder and (with `repair`) repairs it: MemCode: Check Memory. A failed
   * archival state is cleared, so the next use opens the repaired store.
   */
  async checkup(repair = true): Promise<DoctorReport> {
    const embedderId = archivalParts().embedderIdOf(await this.options.embeddings());
    const report = await checkMemoryFolder(this.paths, { repair, embedderId, lockWaitMs: this.options.lockWaitMs ?? LOCK_WAIT_MS });
    if (repair && (this.current.status === 'error' || this.current.status === 'needs_rebuild')) {
      this.setState(this.indexed() ? { status: 'ready' } : { status: 'not_indexed' });
    }
    return report;
  }

  /** Stops a scheduled retry (the folder is closing). */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.opened) closeStore(this.opened.store);
    void this.worker?.close();
    this.worker = undefined;
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** One drain at a time; changes arriving meanwhile are taken by its next round. */
  private drainPending(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.disposed) {
      const status = this.current.status;
      if (status === 'not_indexed' || status === 'needs_rebuild') {
        // The full index (or rebuild) the person has to run will see these files as they are then.
        this.pending.clear();
        return;
      }
      if (status === 'indexing') return; // index() drains when it ends
      const batch = this.pending.take();
      try {
        await this.withLock('archival update', async () => {
          const store = await this.loadedStore();
          const indexer = await this.indexer(store);
          if (batch.removed.length) await indexer.removeFiles(batch.removed);
          if (batch.changed.length) await indexer.updateFiles(batch.changed);
          this.setState({ status: 'ready', files: store.paths().length, chunks: store.count() });
        });
      } catch (error) {
        this.pending.putBack(batch);
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

  private withLock<T>(purpose: string, fn: () => Promise<T>): Promise<T> {
    return this.store.withLock(purpose, fn, this.options.lockWaitMs ?? LOCK_WAIT_MS, this.options.onLockWait);
  }

  /** The store with every shard in memory: what a writer needs (a big store opens lazily, for searches). */
  private async loadedStore(): Promise<ArchivalMemory> {
    const store = await this.syncedStore();
    await store.whenLoaded?.();
    return store;
  }

  private async syncedStore(): Promise<ArchivalMemory> {
    const store = await this.openStore();
    await store.sync();
    return store;
  }

  /** Opens the store once per embedder and backend; a failed open is retried on the next use (the person may rebuild meanwhile). */
  private async openStore(): Promise<ArchivalMemory> {
    const settings = await this.options.embeddings();
    const backend = await this.backend();
    const key = JSON.stringify([settings, backend]);
    if (this.opened?.key !== key) {
      if (this.opened) closeStore(this.opened.store);
      const store = archivalParts().openArchivalStore(this.store.paths, settings, { warn: this.options.warn, clock: this.store.clock, backend, worker: this.indexWorker() });
      const opened = { key, store };
      this.opened = opened;
      store.catch(() => {
        if (this.opened === opened) this.opened = undefined;
      });
    }
    return this.opened.store;
  }

  private async rebuildStore(): Promise<ArchivalMemory> {
    const settings = await this.options.embeddings();
    const backend = await this.backend();
    if (this.opened) closeStore(this.opened.store);
    const store = archivalParts().openArchivalStore(this.store.paths, settings, { rebuild: true, warn: this.options.warn, clock: this.store.clock, backend, worker: this.indexWorker() });
    this.opened = { key: JSON.stringify([settings, backend]), store };
    return store;
  }

  private async backend(): Promise<ArchivalBackend> {
    const chosen = await this.options.archival?.();
    if (chosen?.backend !== 'postgres') return { kind: 'vectra' };
    return { kind: 'postgres', databaseUrl: chosen.databaseUrl ?? '', repoKey: chosen.repoKey?.trim() || repoKeyOf(this.options.workspaceRoot) };
  }

  private async indexer(store: ArchivalMemory) {
    return archivalParts().createIndexer(this.options.workspaceRoot, this.store.paths, store, { ...this.options.index?.(), warn: this.options.warn, worker: this.indexWorker() });
  }

  /** The folder's index worker, started on first use when `indexInWorker` asks for one. */
  private indexWorker(): IndexWorker | undefined {
    if (!this.options.indexInWorker || this.disposed) return undefined;
    this.worker ??= new (archivalParts().IndexWorker)(this.options.warn);
    return this.worker;
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
    this.options.onState?.(state);
  }
}

/** A store given up (settings changed, folder closing) lets its connections go, if it holds any. */
function closeStore(store: Promise<ArchivalMemory>): void {
  store.then((s) => s.close?.()).catch(() => undefined);
}
