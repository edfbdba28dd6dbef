// What the model is told when the person resumes a past session: that it was resumed, and its last
// exchanges (the words, not tool traffic), newest kept first within a budget. The session's messages
// are not put back into the queue: the queue is the contiguous tail of recall, and an old session's
// records sit anywhere in it. The rest stays a conversation_search away.
import type { MessageRecord } from '../memory/types';

/** How every recap starts: the chat shows such a record as a short "continued" line, not the recap itself. */
export const RECAP_START = 'The person resumed the earlier session ';

export function sessionRecap(title: string, records: readonly MessageRecord[], maxChars = 4_000): string {
  const lines: string[] = [];
  let used = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if ((r.role !== 'user' && r.role !== 'assistant') || (r.kind ?? 'message') !== 'message' || !r.content.trim()) continue;
    const text = r.content.trim().replace(/\s+/g, ' ');
    const line = `- ${r.role} (${r.time.slice(0, 16).replace('T', ' ')}): ${text.length > 600 ? `${text.slice(0, 599)}…` : text}`;
    if (used + line.length > maxChars && lines.length) break;
    lines.unshift(line);
    used += line.length;
  }
  const head = `${RECAP_START}"${title}". New messages continue it.`;
  if (!lines.length) return head;
  const older = records.filter((r) => (r.role === 'user' || r.role === 'assistant') && (r.kind ?? 'message') === 'message').length - lines.length;
  return [
    `${head} Its last exchanges:`,
    ...lines,
    older > 0 ? `(${older} earlier messages of this session are in recall memory: conversation_search finds them.)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
