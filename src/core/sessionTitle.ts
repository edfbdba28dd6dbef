// A short title for a closed session, from its first request: deterministic and free, unlike asking the model.
import type { MessageRecord } from '../memory/types';

export function sessionTitle(records: readonly MessageRecord[], maxChars = 60): string {
  const first = records.find((r) => r.role === 'user' && (r.kind ?? 'message') === 'message');
  if (!first) return 'Empty session';
  const line = first.content.replace(/\s+/g, ' ').trim();
  return line.length > maxChars ? `${line.slice(0, maxChars - 1).trimEnd()}…` : line;
}
