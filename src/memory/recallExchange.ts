// The exchange around a recalled message: the answer often sits in the turn next to the one that
// matched ("How was your trip to Lisbon?" matches; "We ate bacalhau every night" answers). Automatic
// recall and conversation_search both show a hit with these neighbours.
import type { MessageRecord } from './types';

/** What finding neighbours needs of the log. */
export interface MessageSource {
  get(id: number): MessageRecord | undefined;
}

/** Tool results and summaries between two turns are stepped over, up to this many. */
const MAX_STEP = 4;

/**
 * The conversation turns next to `r` in its session: for a person's message the reply after it first,
 * for a reply the message before it first, then the other side. `skip`: ids the reader already has
 * (the queue in context, the other hits of a page); the walk stops at them.
 */
export function exchangeNeighbours(log: MessageSource, r: MessageRecord, skip?: (id: number) => boolean): MessageRecord[] {
  const near = (step: 1 | -1): MessageRecord | undefined => {
    for (let id = r.id + step, k = 0; k < MAX_STEP && id > 0; id += step, k++) {
      const n = log.get(id);
      if (!n || skip?.(n.id) || n.session !== r.session) return undefined;
      if ((n.role === 'user' || n.role === 'assistant') && (n.kind ?? 'message') === 'message') return n;
    }
    return undefined;
  };
  const after = near(1);
  const before = near(-1);
  const order = r.role === 'user' ? [after, before] : [before, after];
  return order.filter((n): n is MessageRecord => n !== undefined);
}

/**
 * Neighbours for a page of search results, within `budgetChars` of their text: each hit's first
 * neighbour in rank order, then each hit's second, whole neighbours only. A turn that is itself a
 * result, or already shown beside an earlier one, is not repeated.
 */
export function pageNeighbours(
  log: MessageSource,
  results: readonly MessageRecord[],
  budgetChars: number,
  charsOf: (m: MessageRecord) => number,
): Map<number, MessageRecord[]> {
  const shown = new Set(results.map((r) => r.id));
  const lists = results.map((r) => exchangeNeighbours(log, r, (id) => shown.has(id)));
  const out = new Map<number, MessageRecord[]>();
  let left = budgetChars;
  for (let side = 0; side < 2; side++) {
    results.forEach((r, i) => {
      const n = lists[i][side];
      if (!n || shown.has(n.id)) return;
      const cost = charsOf(n);
      if (cost > left) return;
      left -= cost;
      shown.add(n.id);
      out.set(r.id, [...(out.get(r.id) ?? []), n]);
    });
  }
  return out;
}
