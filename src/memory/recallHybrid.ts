// Recall search with a model embedder: the keyword ranking (recall.ts, with its dates and the newest
// of a fact first) and the similarity of the message vectors embedded so far (messageVectors.ts),
// fused by reciprocal rank. Messages not embedded yet are still found by their words; without a
// query vector (the embedder failed or was slow) the keyword ranking stands alone.
import type { MessageVectors } from './messageVectors';
import { reciprocalRankFusion, RRF_K } from './rankFusion';
import type { RecallLog, RecallSearchOptions, RecallSearchPage } from './recall';
import { DEFAULT_SEARCH_ROLES } from './recallSearch';
import type { Role } from '../common/types';

/** Candidates each ranking contributes before fusion, at least. */
const CANDIDATES = 50;
/**
 * The vector ranking's weight beside the keyword ranking's 1. Below 1: a model embedder finds
 * paraphrases, but an exact name or date the keywords match is the stronger signal (measured with the
 * conversation benchmark's model-embedder rows, test/bench/conversationRecall.ts).
 */
export const RECALL_VECTOR_WEIGHT = 0.3;

export async function hybridRecallSearch(log: RecallLog, vectors: MessageVectors, query: string, opts: RecallSearchOptions = {}, vectorWeight = RECALL_VECTOR_WEIGHT): Promise<RecallSearchPage> {
  const page = opts.page ?? 1;
  const pageSize = opts.pageSize ?? 5;
  const want = Math.max(CANDIDATES, page * pageSize * 2);
  const keyword = log.search(query, { ...opts, page: 1, pageSize: want });
  const queryVector = vectors.size > 0 ? await vectors.embedQuery(query) : undefined;
  if (!queryVector) return log.search(query, opts);
  const roles = new Set<Role>(opts.roles ?? DEFAULT_SEARCH_ROLES);
  const allowed = (id: number) => log.isSearchable(id, opts, roles);
  let similar = vectors.ranking(queryVector, allowed, want).map((h) => h.id);
  const window = keyword.window;
  if (window) {
    // The named dates rank first on both sides: a similar message months away must not push the day's own down.
    const time = (id: number) => Date.parse(log.get(id)?.time ?? '');
    const near = (id: number) => time(id) >= window.rankStartMs && time(id) <= window.rankEndMs;
    const inside = vectors.ranking(queryVector, (id) => allowed(id) && near(id), want).map((h) => h.id);
    similar = [...inside, ...similar.filter((id) => !near(id))].slice(0, want);
  }
  const fused = reciprocalRankFusion([keyword.results.map((r) => r.id), similar], RRF_K, [1, vectorWeight]);
  const start = (page - 1) * pageSize;
  const results = fused.slice(start, start + pageSize).flatMap((h) => log.get(h.id) ?? []);
  const total = Math.max(keyword.total, fused.length);
  return { total, page, pages: Math.ceil(total / pageSize), results, ...(keyword.window ? { window: keyword.window } : {}) };
}
