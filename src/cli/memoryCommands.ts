// `memcode memory show|search`: read-only views of the memory folder. Reads need no lock: JSON and
// Markdown files are replaced atomically and the message log is append-only.
import { RecallLog } from '../memory/recall';
import { SessionList } from '../memory/sessions';
import { MemoryStore } from '../memory/store';
import { WorkingContext } from '../memory/workingContext';

function openReadOnly(root: string) {
  const warn = (m: string) => process.stderr.write(`[warning] ${m}\n`);
  const store = MemoryStore.open(root, { warn });
  const workingContext = new WorkingContext(store.paths.memoryDir, { warn });
  workingContext.load();
  return { store, workingContext, recall: RecallLog.open(store.paths, { warn }), sessions: SessionList.open(store.paths, { warn }) };
}

export function showMemory(root: string): string {
  const { store, workingContext, recall, sessions } = openReadOnly(root);
  const out: string[] = [`Memory folder: ${store.root}`, ''];
  for (const b of workingContext.blocks()) {
    out.push(`## ${b.label} (${b.value.length}/${b.limit} chars) — ${b.description}`, b.value || '(empty)', '');
  }
  const state = recall.state();
  out.push('## summary of evicted messages', state.summary || '(none yet)', '');
  const inContext = recall.count() ? recall.lastId() - state.firstInContextId + 1 : 0;
  out.push(`Recall: ${recall.count()} messages (${Math.max(0, inContext)} in the conversation queue). Sessions: ${sessions.list().length}.`, '');
  return out.join('\n');
}

export function searchMemory(root: string, query: string, page: number): string {
  const { recall } = openReadOnly(root);
  const found = recall.search(query, { page, pageSize: 10 });
  if (!found.total) return `No messages match "${query}".\n`;
  const lines = found.results.map((r) => `#${r.id} ${r.time.slice(0, 16).replace('T', ' ')} ${r.role}: ${r.content.replace(/\s+/g, ' ').slice(0, 200)}`);
  lines.push(`— page ${found.page} of ${found.pages} (${found.total} matches)${found.page < found.pages ? `; next: --page ${found.page + 1}` : ''}`);
  return `${lines.join('\n')}\n`;
}
