// Errors and the host's passing notices (retry warnings, evictions) exist only in the view: recall does
// not hold them, so the host's transcript after a reload (the view moved to another container, hidden and
// shown) lacks them. They are carried over from the saved view, each after the item it followed.
import type { TranscriptItem } from '../protocol/shapes';

function viewOnly(item: TranscriptItem): boolean {
  return item.type === 'error' || (item.type === 'notice' && (item.kind === 'warning' || item.kind === 'eviction'));
}

/** The same conversation entry in both lists: same id, same tool call, or the same text (a local echo). */
function sameEntry(a: TranscriptItem, b: TranscriptItem): boolean {
  if (a.id === b.id) return true;
  if (a.type === 'tool' && b.type === 'tool') return a.card.callId === b.card.callId;
  if ((a.type === 'user' && b.type === 'user') || (a.type === 'assistant' && b.type === 'assistant')) return a.text.trim() === b.text.trim();
  return false;
}

/**
 * `fresh` (the host's transcript) with the view-only items of `shown` (what the view drew before) put
 * back after the entry they followed. Nothing is carried over from a different conversation: an item
 * whose predecessor is not in `fresh` is dropped, unless nothing before it was (it led the transcript).
 */
export function withViewOnlyItems(shown: readonly TranscriptItem[], fresh: readonly TranscriptItem[]): TranscriptItem[] {
  const out = [...fresh];
  if (!shown.some(viewOnly)) return out;
  const freshIds = new Set(fresh.map((i) => i.id));
  let anchor = -1; // index in `out` after which the next carried item goes
  const entries = shown.filter((i) => !viewOnly(i));
  let anchored = entries.length === 0 || entries.some((i) => fresh.some((f) => sameEntry(f, i)));
  for (const item of shown) {
    if (viewOnly(item)) {
      if (!anchored || freshIds.has(item.id)) continue;
      out.splice(anchor + 1, 0, item);
      anchor++;
      continue;
    }
    // Searched from the last anchor on, so a repeated message ("go on") finds its own copy.
    const at = out.findIndex((i, n) => n > anchor && !viewOnly(i) && sameEntry(i, item));
    anchored = at >= 0;
    if (at >= 0) anchor = at;
  }
  return out;
}
