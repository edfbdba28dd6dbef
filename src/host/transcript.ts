// Recall records → the transcript items the chat renders. Tool calls become cards that their
// results complete, so a reopened view looks like the live one did.
import type { ToolCall } from '../common/types';
import { NEW_SESSION_TITLE } from '../memory/sessions';
import type { MessageRecord, SessionRecord } from '../memory/types';
import type { Attachment, AttachmentRef, SessionSummary, ToolCard, TranscriptItem } from '../protocol/shapes';

/** A session as the chat lists it. */
export function toSessionSummary(session: SessionRecord, current: boolean): SessionSummary {
  // A session is named when it ends; until then the view shows its own stand-in (the first message).
  const title = session.title === NEW_SESSION_TITLE ? '' : session.title;
  return { id: session.id, title, started: session.started, ...(session.ended ? { ended: session.ended } : {}), current };
}

/** Tools that change memory: their cards are marked ("updated project notes"). */
export function editsMemory(toolName: string): boolean {
  return toolName.startsWith('working_context_') || toolName === 'archival_memory_insert';
}

/** The block a working-context call touched, read from its (possibly almost-JSON) arguments. */
export function blockOf(args: string): string | undefined {
  const m = /"block"\s*:\s*"([^"]+)"/.exec(args);
  return m?.[1];
}

export function cardFor(call: ToolCall): ToolCard {
  const name = call.name;
  const block = blockOf(call.arguments);
  return { callId: call.id, name, args: call.arguments, status: 'running', editsMemory: editsMemory(name), ...(block ? { block } : {}) };
}

export function toTranscript(records: readonly MessageRecord[]): TranscriptItem[] {
  const items: TranscriptItem[] = [];
  const cards = new Map<string, ToolCard>();
  for (const r of records) {
    const item = toItem(r, cards);
    if (item) items.push(...item);
  }
  return items;
}

/** One record as zero or more items; `cards` collects open tool cards so a result can complete its card. */
export function toItem(r: MessageRecord, cards: Map<string, ToolCard> = new Map()): TranscriptItem[] {
  const id = `m${r.id}`;
  switch (r.role) {
    case 'user': {
      const { text, attachments } = splitAttachments(r.content);
      return [{ type: 'user', id, text, time: r.time, ...(attachments.length ? { attachments } : {}) }];
    }
    case 'assistant': {
      const out: TranscriptItem[] = [];
      if (r.content) out.push({ type: 'assistant', id, text: r.content, time: r.time });
      for (const call of r.toolCalls ?? []) {
        const card = cardFor(call);
        cards.set(call.id, card);
        out.push({ type: 'tool', id: `t${call.id}`, card });
      }
      return out;
    }
    case 'tool': {
      const card = r.toolCallId ? cards.get(r.toolCallId) : undefined;
      if (card) {
        card.result = r.content;
        card.status = /^\s*\{\s*"error"/.test(r.content) ? 'error' : 'ok';
      }
      return [];
    }
    case 'system':
      return [{ type: 'notice', id, kind: r.kind === 'auto_recall' ? 'auto_recall' : 'system_alert', text: r.content, time: r.time }];
    default:
      return [];
  }
}

// Attached editor text rides in the message itself, so recall keeps it and the model sees it; the
// transcript shows the typed text with the attachments as references (splitAttachments undoes this).

export function withAttachments(text: string, attachments: readonly Attachment[]): string {
  if (!attachments.length) return text;
  const parts = attachments.map((a) => {
    const range = a.startLine ? `:${a.startLine}-${a.endLine ?? a.startLine}` : '';
    // A fence longer than any backtick run inside, so attached Markdown cannot close it early.
    const fence = '`'.repeat(Math.max(3, ...[...a.text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    return `Attached ${a.path}${range}:\n${fence}\n${a.text}\n${fence}`;
  });
  return `${text}\n\n${parts.join('\n\n')}`;
}

const ATTACHED = /\n\nAttached ([^\n]+?)(?::(\d+)-(\d+))?:\n(`{3,})\n[\s\S]*?\n\4(?=\n\nAttached |$)/y;

export function splitAttachments(content: string): { text: string; attachments: AttachmentRef[] } {
  for (let start = content.indexOf('\n\nAttached '); start >= 0; start = content.indexOf('\n\nAttached ', start + 1)) {
    const attachments: AttachmentRef[] = [];
    ATTACHED.lastIndex = start;
    let m: RegExpExecArray | null;
    while ((m = ATTACHED.exec(content))) {
      attachments.push({ path: m[1], ...(m[2] ? { startLine: Number(m[2]), endLine: Number(m[3]) } : {}) });
      if (ATTACHED.lastIndex === content.length) return { text: content.slice(0, start), attachments };
    }
  }
  return { text: content, attachments: [] };
}
