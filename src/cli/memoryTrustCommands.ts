// `memcode memory check|log|revert`: stale entries, the memory journal, and undoing one change.
import { describeEntry, memoryLog, revertMemoryChange } from '../app/memoryHistory';
import { staleMemory } from '../app/staleMemory';
import { visibleText } from '../memory/provenance';
import { describeStale } from '../memory/staleness';
import { MemoryStore } from '../memory/store';
import { MEMORY_JSON_VERSION } from './memoryJson';

function open(root: string): MemoryStore {
  return MemoryStore.open(root, { warn: (m) => process.stderr.write(`[warning] ${m}\n`) });
}

/** The stale entries as text or JSON, and how many there are. */
export async function checkMemory(workspaceRoot: string, root: string, opts: { json?: boolean; allow?: string[] } = {}): Promise<{ text: string; stale: number }> {
  const store = open(root);
  const stale = await staleMemory(workspaceRoot, store.paths, store.warn, opts.allow);
  if (opts.json) {
    const json = {
      version: MEMORY_JSON_VERSION,
      stale: stale.map((e) => ({
        block: e.block,
        id: e.id,
        text: e.text,
        written: e.written ?? null,
        cites: e.stale.map((s) => ({ ...s.cite, reason: s.reason, changedOn: s.changedOn ?? null, description: describeStale(s) })),
      })),
    };
    return { text: `${JSON.stringify(json, null, 2)}\n`, stale: stale.length };
  }
  if (!stale.length) return { text: 'No stale entries: the code every memory entry cites is as it was when the entry was written.\n', stale: 0 };
  const out = [`${stale.length} stale ${stale.length === 1 ? 'entry' : 'entries'} (cited code changed since written):`, ''];
  for (const e of stale) {
    out.push(`${e.block} [${e.id}]${e.written ? ` written ${e.written}` : ''}: ${e.text}`);
    for (const s of e.stale) out.push(`  ${describeStale(s)}`);
  }
  out.push('', 'The agent is alerted at its next turn; or edit the entries in .memcode/memory/*.md yourself.');
  return { text: `${out.join('\n')}\n`, stale: stale.length };
}

export function logMemory(root: string, block: string | undefined, opts: { json?: boolean; limit?: number } = {}): string {
  const entries = memoryLog(open(root), block).slice(0, opts.limit ?? Infinity);
  if (opts.json) return `${JSON.stringify({ version: MEMORY_JSON_VERSION, entries }, null, 2)}\n`;
  if (!entries.length) return block ? `No changes to block "${block}" in the memory journal.\n` : 'The memory journal is empty.\n';
  const out: string[] = [];
  for (const e of entries) {
    out.push(`${e.id} ${e.block} ${describeEntry(e)}`);
    for (const line of e.diff) out.push(`    ${line[0]} ${visibleText(line.slice(1))}`);
  }
  out.push('', 'Undo one with `memcode memory revert <id>`.');
  return `${out.join('\n')}\n`;
}

export async function revertMemory(root: string, id: string, lockWaitMs?: number): Promise<string> {
  const { reverted, entry } = await revertMemoryChange(open(root), id, 'cli', lockWaitMs);
  if (!entry) return `Nothing to undo: block "${reverted.block}" already reads as before ${reverted.id}.\n`;
  return `Reverted ${reverted.id} in block "${reverted.block}" (recorded as ${entry.id}; revert that to redo it).\n`;
}
