// A recorded message's text as the model reads it. Recall keeps what the person typed and the editor
// text they attached apart (the chat shows their words and references); this is the one place that
// joins them, for the prompt, the summarizer, automatic recall and conversation_search alike.
import type { MessageAttachment, MessageRecord } from './types';

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
