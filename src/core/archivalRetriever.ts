// Automatic recall from archival memory: the best few chunks or notes for the person's message.
import type { ArchivalMemory } from '../memory/archivalMemory';
import { hitLocation } from '../memory/hitLocation';
import { compoundIdentifiers } from '../memory/hybridRanking';
import { queryMatchers, RELEVANCE_FLOOR, relevanceOf, type MemoryHit, type MemoryRetriever } from './autoRecall';

/**
 * The names in `query` a passage holds verbatim or not at all, lowercased: compound identifiers and
 * paths, and tokens of letters and digits (a UUID, a hash, an id) at least six long.
 */
export function exactNames(query: string): string[] {
  const tokens = query
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase())
    .filter((w) => w.length >= 6 && /\p{L}/u.test(w) && /\p{N}/u.test(w));
  return [...new Set([...compoundIdentifiers(query).filter((n) => n.length >= 6), ...tokens])];
}

const MAX_HIT_CHARS = 600;

export class ArchivalRetriever implements MemoryRetriever {
  constructor(private readonly archival: () => Promise<ArchivalMemory | undefined>) {}

  async retrieve(query: string, limit: number): Promise<MemoryHit[]> {
    const matchers = queryMatchers(query);
    if (!matchers.length) return [];
    const store = await this.archival();
    if (!store || store.count() === 0) return [];
    // Vector search always returns something; pushing unrelated chunks into every turn would be noise.
    // Keep hybrid hits that also share words with the message.
    const keyword = await store.search(query, { pageSize: 50, mode: 'keyword' });
    const matched = new Set(keyword.results.map((h) => h.id));
    const page = await store.search(query, { pageSize: limit * 3, mode: 'hybrid' });
    // Every content word counts the same here: archival keeps no per-word frequencies to hand.
    const weights = matchers.map(() => 1);
    const names = exactNames(query);
    return page.results
      .filter((h) => matched.has(h.id))
      .slice(0, limit)
      .map((h) => {
        const lower = h.text.toLowerCase();
        // A name the message types exactly (a UUID, parseConfig, src/app.ts) is the strongest signal there
        // is: the passage holding it is worth showing even if it shares no other word with the message.
        const named = names.some((n) => lower.includes(n));
        const relevance = relevanceOf(h.text, matchers, weights);
        return {
          source: hitLocation(h),
          text: h.text.length > MAX_HIT_CHARS ? `${h.text.slice(0, MAX_HIT_CHARS)}…` : h.text,
          relevance: named ? Math.max(relevance, RELEVANCE_FLOOR) : relevance,
        };
      });
  }
}
