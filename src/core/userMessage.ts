// What the person sends: the text they typed plus editor text they attached. Recall keeps the two apart
// (the chat shows their words and references to the attachments); this is the one place that joins them
// into what the model reads.
import type { MessageAttachment, MessageRecord } from '../memory/types';

/** A message from the person, as it enters the agent. */
export interface UserMessage {
  text: string;
  attachments?: MessageAttachment[];
}

/** A message typed while a turn runs, waiting for the turn's next step. `id` stays the same until it is delivered. */
export interface QueuedMessage extends UserMessage {
  id: string;
}

/** The text and its attachments as one message for the model. */
export function withAttachments(text: string, attachments: readonly MessageAttachment[] = []): string {
  if (!attachments.length) return text;
  const parts = attachments.map((a) => {
    const range = a.startLine ? `:${a.startLine}-${a.endLine ?? a.startLine}` : '';
    // A fence longer than any backtick run inside, so attached Markdown cannot close it early.
    const fence = '`'.repeat(Math.max(3, ...[...a.text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    return `Attached ${a.path}${range}:\n${fence}\n${a.text}\n${fence}`;
  });
  return `${text}\n\n${parts.join('\n\n')}`;
}

/**
 * A record's text as the model reads it: a person's message with its attachments. Records written before
 * attachments had their own field already carry them in `content`.
 */
export function contentForModel(r: Pick<MessageRecord, 'content' | 'attachments'>): string {
  return r.attachments?.length ? withAttachments(r.content, r.attachments) : r.content;
}
