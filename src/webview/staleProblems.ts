// Which warnings and errors a turn's progress makes stale: a retry that worked leaves no "retry 1 in 2 s"
// or red error above its answer.
import type { TranscriptItem } from '../protocol/shapes';

/** The model client's notes about waiting and retrying (app/openAgent.ts), true only until it answers. */
const TRANSIENT_WARNING = /; retry \d+ in [\d.]+ s$|^waiting for the model server \(/;

/**
 * Ids of the retryable errors and transient warnings since the person's last message: the agent is making
 * progress on that message again, so they no longer describe its state.
 */
export function staleProblems(items: readonly TranscriptItem[]): string[] {
  let start = items.length;
  while (start > 0 && items[start - 1].type !== 'user') start--;
  return items
    .slice(start)
    .filter((i) => (i.type === 'error' && i.error.retryable) || (i.type === 'notice' && i.kind === 'warning' && TRANSIENT_WARNING.test(i.text)))
    .map((i) => i.id);
}
