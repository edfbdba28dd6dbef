// `memcode memory show|search`: read-only views of the memory folder. Reads need no lock: JSON and
// Markdown files are replaced atomically and the message log is append-only.
import { hitLocation } from '../memory/hitLocation';
import { visibleText } from '../memory/provenance';
import { RecallLog } from '../memory/recall';
import { SessionList } from '../memory/sessions';
import { MemoryStore } from '../memory/store';
import { WorkingContext } from '../memory/workingContext';
import type { Page } from '../memory/types';
import type { EmbedderSettings } from '../indexing/embeddings';
import { type ArchivalBackendSettings, MemoryFolder } from '../app/memoryFolder';
import { searchMemory as search } from '../app/searchMemory';
import { PROJECT_INSTRUCTIONS_SHARE, ProjectInstructions } from '../core/projectInstructions';
import { createTokenCounter } from '../llm/tokens';
import { InstructionFiles } from '../workspace/instructionFiles';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import { archivalHitJson, blockJson, MEMORY_JSON_VERSION, messageJson, pageJson, sessionJson, type SearchJson, type ShowJson } from './memoryJson';

function openReadOnly(root: string) {
  const warn = (m: string) => process.stderr.write(`[warning] ${m}\n`);
  const store = MemoryStore.open(root, { warn });
  const workingContext = new WorkingContext(store.paths.memoryDir, { warn });
  workingContext.load();
  return { store, workingContext, recall: RecallLog.open(store.paths, { warn }), sessions: SessionList.open(store.paths, { warn }) };
}

/** The workspace whose instruction files `memory show` lists, and the window their budget is a share of. */
export interface InstructionListing {
  workspaceRoot: string;
  contextWindow: number;
  allow?: string[];
}

export function showMemory(root: string, opts: { json?: boolean; instructions?: InstructionListing } = {}): string {
  const { instructions } = opts;
  const { store, workingContext, recall, sessions } = openReadOnly(root);
  const state = recall.state();
  const inQueue = recall.since(state.firstInContextId).length;
  const imported = recall.all().filter((r) => r.importedFrom !== undefined).length;
  if (opts.json) {
    const shown: ShowJson = {
      version: MEMORY_JSON_VERSION,
      memoryFolder: store.root,
      blocks: workingContext.blocks().map(blockJson),
      summary: state.summary,
      counts: { messages: recall.count(), inQueue, imported, sessions: sessions.list().length },
      sessions: sessions.list().map(sessionJson),
    };
    return `${JSON.stringify(shown, null, 2)}\n`;
  }
  const out: string[] = [`Memory folder: ${store.root}`, ''];
  if (instructions) out.push(...instructionFileLines(store.root, instructions));
  for (const b of workingContext.blocks()) {
    // Provenance markers are shown (they are the file's text) but do not count against the limit.
    out.push(`## ${b.label} (${visibleText(b.value).length}/${b.limit} chars) — ${b.description}`, b.value || '(empty)', '');
  }
  out.push('## summary of evicted messages', state.summary || '(none yet)', '');
  out.push(
    `Recall: ${recall.count()} messages (${inQueue} in the conversation queue${imported ? `, ${imported} imported` : ''}). Sessions: ${sessions.list().length}.`,
    '',
  );
  return out.join('\n');
}

/** The project instruction files as a new session's prompt holds them, with their token counts. */
function instructionFileLines(memoryDir: string, listing: InstructionListing): string[] {
  const workspace = new WorkspaceFiles({ root: listing.workspaceRoot, memoryDir, allow: listing.allow });
  const files = new InstructionFiles(workspace);
  if (!files.collect().length) return ['## project instructions', '(no AGENTS.md, CLAUDE.md or other instruction files)', ''];
  const section = new ProjectInstructions(files, createTokenCounter()).section([], Math.floor(listing.contextWindow * PROJECT_INSTRUCTIONS_SHARE));
  const lines = section.files.map((f) => `${f.path}: ${f.tokens} tokens${f.note ? ` (${f.note})` : ''}`);
  return ['## project instructions (read-only, in every prompt)', ...lines, ''];
}

/** The results as text (or JSON); `ok` is false when archival memory could not be searched (the messages still print). */
export async function searchMemory(
  workspaceRoot: string,
  root: string,
  query: string,
  page: number,
  embeddings: EmbedderSettings,
  opts: { json?: boolean; archival?: ArchivalBackendSettings } = {},
): Promise<{ text: string; ok: boolean }> {
  const { store, recall } = openReadOnly(root);
  const folder = new MemoryFolder({
    workspaceRoot,
    memoryRoot: store.root,
    embeddings: () => embeddings,
    archival: () => opts.archival ?? { backend: 'vectra' },
    warn: store.warn,
  });
  const found = await search(folder, recall, query, { page, pageSize: 10 });
  if (opts.json) {
    const result: SearchJson = {
      version: MEMORY_JSON_VERSION,
      query,
      messages: pageJson(found.messages, messageJson),
      archival: found.archival ? pageJson(found.archival, archivalHitJson) : null,
      archivalError: found.archivalError ?? null,
    };
    return { text: `${JSON.stringify(result, null, 2)}\n`, ok: !found.archivalError };
  }
  const out: string[] = ['## recall memory (messages)'];
  if (!found.messages.total) out.push(`No messages match "${query}".`);
  for (const r of found.messages.results) {
    out.push(`#${r.id} ${r.time.slice(0, 16).replace('T', ' ')} ${r.role}${r.importedFrom ? ` (imported from ${r.importedFrom})` : ''}: ${flat(r.content, 200)}`);
  }
  if (found.messages.total) out.push(pageLine(found.messages));

  out.push('', '## archival memory (files and notes)');
  if (found.archivalError) {
    out.push(`Archival memory could not be searched: ${found.archivalError}`);
    return { text: `${out.join('\n')}\n`, ok: false };
  }
  const hits = found.archival;
  const empty = !hits || (!hits.total && (await folder.archival()).count() === 0);
  if (empty) out.push('Archival memory is empty: run `memcode index` to index the workspace.');
  else {
    if (!hits.total) out.push(`Nothing in archival memory matches "${query}".`);
    for (const h of hits.results) {
      out.push(`${hitLocation(h)} (score ${h.score.toFixed(3)}): ${flat(h.text, 160)}`);
    }
    if (hits.total) out.push(pageLine(hits));
  }
  return { text: `${out.join('\n')}\n`, ok: true };
}

function flat(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function pageLine(p: Page<unknown>): string {
  return `— page ${p.page} of ${p.pages} (${p.total} matches)${p.page < p.pages ? `; next: --page ${p.page + 1}` : ''}`;
}
