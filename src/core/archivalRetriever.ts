// Automatic recall from archival memory: the best few chunks or notes for the person's message.
import type { ArchivalMemory } from '../memory/archivalMemory';
import { hitLocation } from '../memory/hitLocation';
import { queryMatchers, relevanceOf, type MemoryHit, type MemoryRetriever } from './autoRecall';

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
    return page.results
      .filter((h) => matched.has(h.id))
      .slice(0, limit)
      .map((h) => ({
        source: hitLocation(h),
        text: h.text.length > MAX_HIT_CHARS ? `${h.text.slice(0, MAX_HIT_CHARS)}…` : h.text,
        relevance: relevanceOf(h.text, matchers, weights),
      }));
  }
}
