// Reciprocal-rank fusion (Cormack et al., 2009): rankings with incomparable scores (cosine, BM25) are
// merged by rank alone. An item near the top of either list rises; one found by both rises most.

export const RRF_K = 60;

/** Fuses rankings of ids (best first), each counted `weights[i]` times (default 1); returns ids with fused scores, best first. */
export function reciprocalRankFusion(rankings: number[][], k: number = RRF_K, weights: number[] = []): Array<{ id: number; score: number }> {
  const fused = new Map<number, number>();
  rankings.forEach((ranking, i) => {
    const weight = weights[i] ?? 1;
    ranking.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + weight / (k + rank + 1)));
  });
  // Ties (same ranks in swapped lists) go to the better single rank, then to the lower id.
  const best = new Map<number, number>();
  for (const ranking of rankings) ranking.forEach((id, rank) => best.set(id, Math.min(best.get(id) ?? Infinity, rank)));
  return [...fused]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || best.get(a.id)! - best.get(b.id)! || a.id - b.id);
}
