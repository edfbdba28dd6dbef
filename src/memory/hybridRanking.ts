// Hybrid archival search: the vector and keyword rankings fused by reciprocal rank, with the passages
// that hold a name the query types exactly as a third, heavier ranking.
import { visitCodeWords } from './codeTokens';
import { reciprocalRankFusion, RRF_K } from './rankFusion';

type Ranked = Array<{ id: number; score: number }>;

/** The vector and keyword rankings fused into one, scaled so that first place in every ranking scores 1. */
export function fuseHybrid(query: string, vector: Ranked, keyword: Ranked, textOf: (doc: number) => string): Ranked {
  const rankings = [vector.map((h) => h.id), keyword.map((h) => h.id)];
  const weights = [1, 1];
  // A name typed exactly is the strongest signal there is: the keyword hits holding it form a
  // third ranking, so they rise above chunks that are merely close in meaning.
  const names = compoundIdentifiers(query);
  if (names.length > 0) {
    const exact = keyword.filter((h) => {
      const text = textOf(h.id).toLowerCase();
      return names.some((name) => text.includes(name));
    });
    if (exact.length > 0) {
      rankings.push(exact.map((h) => h.id));
      // Weighted up: holding the exact name outweighs being middling in both other lists (a route asked
      // for among many passages that mention others: the memory eval's F5).
      weights.push(1.5);
    }
  }
  const best = weights.reduce((a, b) => a + b, 0) / (RRF_K + 1);
  return reciprocalRankFusion(rankings, RRF_K, weights).map((h) => ({ id: h.id, score: h.score / best }));
}

/**
 * The names in a query that a chunk either holds verbatim or does not: compound identifiers (parseConfig,
 * max_retries) and paths, routes and dotted names (/v2/refunds, src/app.ts). Dashed words alone are
 * left out: "on-call" is prose more often than a name.
 */
export function compoundIdentifiers(query: string): string[] {
  const names: string[] = [];
  visitCodeWords(query, () => {}, (word) => names.push(word));
  for (const match of query.matchAll(/[\w@~]*(?:[/.-][\w@~]+)+\/?/g)) {
    const name = match[0].toLowerCase().replace(/[./-]+$/, '');
    if (name.length >= 4 && /[/.]/.test(name) && /[a-z]/.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

