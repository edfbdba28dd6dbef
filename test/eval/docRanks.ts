// Scorer-side diagnosis for F5 (reads the answer key, so never part of the oracle): where the gold
// passage of each question's first hop ranks for the oracle's query, by archival search mode (keyword,
// vector, hybrid). It tells a ranking failure (hybrid below page 3 while keyword has it on pages 1–3)
// from a reading or eviction failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { archivalParts } from '../../src/app/lazyArchival';
import { MemoryStore, memoryRoot } from '../../src/memory/store';
import { oncallQuery, ownerQuery } from './docGrammar';
import type { AnswerKey, Timeline } from './generator';
import { parseQuestion, parseStatements } from './grammar';

export type SearchMode = 'keyword' | 'vector' | 'hybrid';
export const SEARCH_MODES: SearchMode[] = ['keyword', 'vector', 'hybrid'];

export interface DocRank {
  id: string;
  query: string;
  /** 1-based rank of the first passage holding the gold statement; undefined when no candidate holds it. */
  ranks: Record<SearchMode, number | undefined>;
}

export async function docRanks(timeline: Timeline, key: AnswerKey): Promise<DocRank[]> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-eval-ranks-'));
  try {
    for (const [rel, text] of Object.entries(timeline.files)) {
      fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(workspace, rel), text);
    }
    const store = MemoryStore.open(memoryRoot(workspace), {});
    const { openArchivalStore, createIndexer } = archivalParts();
    const archival = await openArchivalStore(store.paths, { provider: 'local' });
    await (await createIndexer(workspace, store.paths, archival, {})).run({});
    const out: DocRank[] = [];
    for (const q of timeline.questions) {
      const parsed = parseQuestion(q.text);
      const entry = key[q.id];
      if (!parsed || entry?.family !== 'F5') continue;
      const oncall = parsed.kind === 'oncall';
      const subject = oncall ? parsed.person : 'endpoint' in parsed ? parsed.endpoint : '';
      const query = oncall ? oncallQuery(subject) : ownerQuery(subject);
      const holds = (text: string) => parseStatements(text).some((s) => (oncall ? s.kind === 'oncall' && s.person === subject : s.kind === 'owner' && s.endpoint === subject) && entry.gold.includes(s.value));
      const ranks = {} as DocRank['ranks'];
      for (const mode of SEARCH_MODES) {
        const page = await archival.search(query, { pageSize: 1000, mode });
        const at = page.results.findIndex((h) => holds(h.text));
        ranks[mode] = at >= 0 ? at + 1 : undefined;
      }
      out.push({ id: q.id, query, ranks });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** One line per mode: how many gold passages rank on pages 1–3 (top 15) for the oracle's first query. */
export function describeDocRanks(ranks: DocRank[]): string[] {
  if (!ranks.length) return [];
  const pageOf = (r?: number) => (r === undefined ? 'not a candidate' : `p${Math.ceil(r / 5)}`);
  const lines = SEARCH_MODES.map((m) => {
    const within = ranks.filter((r) => r.ranks[m] !== undefined && r.ranks[m]! <= 15).length;
    return `${m} ${within}/${ranks.length} on pages 1–3`;
  });
  const items = ranks.map((r) => `${r.id} ${SEARCH_MODES.map((m) => `${r.ranks[m] ?? '–'}`).join('/')} (${pageOf(r.ranks.hybrid)})`);
  return [`F5 gold passage rank for the oracle's first query, keyword/vector/hybrid (scorer-side, from a fresh index): ${lines.join('; ')}. Per item: ${items.join(', ')}.`];
}
