// Automatic recall (DESIGN.md §3): before a user message reaches the model, the best few hits from
// external memory are put into the queue, so memory does not depend on the model remembering to look.
import type { TokenCounter } from '../llm/types';
import type { RecallLog } from '../memory/recall';
import { contentForModel } from '../memory/messageContent';

export interface MemoryHit {
  /** Where it came from, as the model should cite it: "recall #12 (2026-11-20, user)", "src/a.ts:10-40". */
  source: string;
  text: string;
}

/** One source of automatic recall. Recall memory now; archival memory plugs in the same way. */
export interface MemoryRetriever {
  retrieve(query: string, limit: number): Promise<MemoryHit[]>;
}

const MAX_HIT_CHARS = 500;

/** Searches the message log, skipping what is already in the conversation queue. */
export class RecallRetriever implements MemoryRetriever {
  constructor(
    private readonly recall: RecallLog,
    private readonly firstInContextId: () => number,
  ) {}

  async retrieve(query: string, limit: number): Promise<MemoryHit[]> {
    // The queue as the model sees it: imported history numbered after its start is not in it, so it may be recalled.
    const inContext = new Set(this.recall.since(this.firstInContextId()).map((r) => r.id));
    // The message being answered is stamped with the clock when appended, after this search: read its dates against that.
    const page = this.recall.search(query, { pageSize: limit, excludeIds: inContext, reference: this.recall.now() });
    return page.results.map((r) => {
      const text = contentForModel(r);
      return { source: `recall #${r.id} (${r.time.slice(0, 10)}, ${r.role})`, text: text.length > MAX_HIT_CHARS ? `${text.slice(0, MAX_HIT_CHARS)}…` : text };
    });
  }
}

/** Gathers hits from every retriever and renders those that fit in `budgetTokens`; undefined if none. */
export async function gatherAutoRecall(
  retrievers: readonly MemoryRetriever[],
  query: string,
  tokens: TokenCounter,
  budgetTokens: number,
  perRetriever = 3,
): Promise<string | undefined> {
  if (!query.trim()) return undefined;
  const hits: MemoryHit[] = [];
  for (const r of retrievers) hits.push(...(await r.retrieve(query, perRetriever)));
  if (!hits.length) return undefined;
  const header = 'Possibly relevant memories, found automatically for the next message (check them before relying on them):';
  const lines: string[] = [];
  let used = tokens.count(header);
  for (const h of hits) {
    const line = `- ${h.source}: ${h.text.replace(/\s+/g, ' ')}`;
    const n = tokens.count(line);
    if (used + n > budgetTokens) continue;
    lines.push(line);
    used += n;
  }
  return lines.length ? `${header}\n${lines.join('\n')}` : undefined;
}
