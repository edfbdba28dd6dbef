// The memory journal for people: `memcode memory log` / `revert` and MemCode: Show Memory History.
// A revert is itself a change in the journal (actor 'revert'), so it can be reverted in turn.
import type { MemoryStore } from '../memory/store';
import { type ChangeOrigin, type JournalEntry, MemoryJournal, revertChange } from '../memory/journal';
import { MemoryError } from '../memory/types';
import { WorkingContext } from '../memory/workingContext';

/** The journal of a memory folder, with hand edits made since the last look recorded first. */
export function openHistory(store: MemoryStore): { journal: MemoryJournal; workingContext: WorkingContext } {
  const journal = new MemoryJournal(store.paths.journalFile, store.clock);
  const workingContext = new WorkingContext(store.paths.memoryDir, { warn: store.warn, journal });
  workingContext.load();
  return { journal, workingContext };
}

/** The project's journal and, when the user block lives in the per-user store, that store's own. */
function journalsOf(workingContext: WorkingContext, journal: MemoryJournal): MemoryJournal[] {
  const user = workingContext.journalOf('user');
  return user && user !== journal ? [journal, user] : [journal];
}

/** Journal entries, newest first; `block` narrows to one block. */
export function memoryLog(store: MemoryStore, block?: string): JournalEntry[] {
  const { journal, workingContext } = openHistory(store);
  return journalsOf(workingContext, journal)
    .flatMap((j) => j.log(block))
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}

/**
 * Undoes one journaled change (`id`, or a unique prefix of it) in the block as it is now, under the
 * folder's lock; later changes to other lines stay. Returns the revert's own journal entry.
 */
export async function revertMemoryChange(store: MemoryStore, id: string, via: string, lockWaitMs = 10_000): Promise<{ reverted: JournalEntry; entry?: JournalEntry }> {
  return store.withLock('memory revert', async () => {
    const { journal: projectJournal, workingContext } = openHistory(store);
    const found = journalsOf(workingContext, projectJournal).map((j) => ({ j, hits: j.all().filter((e) => e.id === id || (id.length >= 4 && e.id.startsWith(id))) }));
    const matches = found.flatMap((f) => f.hits);
    const journal = found.find((f) => f.hits.length)?.j ?? projectJournal;
    if (matches.length !== 1) {
      throw new MemoryError('not_found', matches.length ? `"${id}" names ${matches.length} journal entries; give more of the id` : `no journal entry "${id}"; \`memcode memory log\` lists them`);
    }
    const [target] = matches;
    const current = workingContext.blocks().find((b) => b.label === target.block);
    if (!current) throw new MemoryError('not_found', `block "${target.block}" no longer exists`);
    const next = revertChange(current.value, journal.textBefore(target), target.after);
    const origin: ChangeOrigin = { actor: 'revert', via, revertOf: target.id };
    workingContext.setValue(target.block, next, origin);
    const [entry] = journal.log(target.block);
    return { reverted: target, entry: entry?.revertOf === target.id ? entry : undefined };
  }, lockWaitMs);
}

/** "2026-12-01 10:02 agent (working_context_append, session s1, message 41)". */
export function describeEntry(e: JournalEntry): string {
  const details = [e.via, e.session && `session ${e.session}`, e.message !== undefined && `message ${e.message}`, e.revertOf && `reverts ${e.revertOf}`].filter(Boolean);
  return `${e.time.slice(0, 16).replace('T', ' ')} ${e.actor}${details.length ? ` (${details.join(', ')})` : ''}`;
}
