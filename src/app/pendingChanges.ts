// Workspace paths changed or removed and not yet applied to archival memory. The one place that says
// how a later event overrides an earlier one, used by the editor's debounce (host/changeBatcher.ts)
// and by the memory folder, which keeps changes across an index run or a folder locked by a turn.

export class PendingChanges {
  private readonly changedPaths = new Set<string>();
  private readonly removedPaths = new Set<string>();

  /** Saved or created: a pending removal of the same path is void. */
  changed(rel: string): void {
    this.removedPaths.delete(rel);
    this.changedPaths.add(rel);
  }

  /** Deleted or renamed away: a pending change is void, and so are those under a deleted folder. */
  removed(rel: string): void {
    this.changedPaths.delete(rel);
    for (const c of this.changedPaths) if (c.startsWith(`${rel}/`)) this.changedPaths.delete(c);
    this.removedPaths.add(rel);
  }

  get size(): number {
    return this.changedPaths.size + this.removedPaths.size;
  }

  /** Everything pending, emptied. */
  take(): { changed: string[]; removed: string[] } {
    const batch = { changed: [...this.changedPaths], removed: [...this.removedPaths] };
    this.clear();
    return batch;
  }

  /** Puts a batch that could not be applied back, under anything newer that arrived meanwhile. */
  putBack(batch: { changed: string[]; removed: string[] }): void {
    for (const p of batch.changed) if (!this.removedPaths.has(p)) this.changedPaths.add(p);
    for (const p of batch.removed) if (!this.changedPaths.has(p)) this.removedPaths.add(p);
  }

  clear(): void {
    this.changedPaths.clear();
    this.removedPaths.clear();
  }
}
