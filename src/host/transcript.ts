// Recall records → the transcript items the chat renders. Tool calls become cards that their
// results complete, so a reopened view looks like the live one did.
import type { ToolCall } from '../common/types';
import { RECAP_START } from '../core/sessionRecap';
import { NEW_SESSION_TITLE } from '../memory/sessions';
import type { MessageAttachment, MessageRecord, SessionRecord } from '../memory/types';
import type { AttachmentRef, SessionSummary, ToolCard, TranscriptItem } from '../protocol/shapes';

/** A session as the chat lists it. */
export function toSessionSummary(session: SessionRecord, current: boolean): SessionSummary {
  // A session is named when it ends; until then the view shows its own stand-in (the first message).
  const title = session.title === NEW_SESSION_TITLE ? '' : session.title;
  return { id: session.id, title, started: session.started, ...(session.ended ? { ended: session.ended } : {}), current };
}

/** A call not answered yet: whether it edits memory is known from its result. */
export function cardFor(call: ToolCall): ToolCard {
  return { callId: call.id, name: call.name, args: call.arguments, status: 'running', editsMemory: false };
}

/** Completes a call's card with the outcome its result record carries. */
function completeCard(card: ToolCard, r: MessageRecord): void {
  card.result = r.content;
  if (r.ok === undefined) return completeLegacyCard(card, r.content);
  card.status = r.ok ? 'ok' : 'error';
  card.editsMemory = r.editsMemory ?? false;
  if (r.block !== undefined) card.block = r.block;
  else delete card.block;
}

// Records written before tool results carried their outcome: it is guessed from the tool's name, the
// result's text and the call's arguments, as the transcript always did for them.

function completeLegacyCard(card: ToolCard, content: string): void {
  card.status = /^\s*\{\s*"error"/.test(content) ? 'error' : 'ok';
  card.editsMemory = card.name.startsWith('working_context_') || card.name === 'archival_memory_insert';
  const block = /"block"\s*:\s*"([^"]+)"/.exec(card.args)?.[1];
  if (block) card.block = block;
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
      const { text, attachments } = r.attachments ? { text: r.content, attachments: r.attachments.map(attachmentRef) } : splitAttachments(r.content);
      return [{ type: 'user', id, text, time: r.time, ...(attachments.length ? { attachments } : {}) }];
    }
    case 'assistant': {
      const out: TranscriptItem[] = [];
      if (r.content) out.push({ type: 'assistant', id, text: forPerson(r.content), time: r.time });
      for (const call of r.toolCalls ?? []) {
        const card = cardFor(call);
        cards.set(call.id, card);
        out.push({ type: 'tool', id: `t${call.id}`, card });
      }
      return out;
    }
    case 'tool': {
      const card = r.toolCallId ? cards.get(r.toolCallId) : undefined;
      if (card) completeCard(card, r);
      return [];
    }
    case 'system':
      // The recap is for the model; the person sees that the session was continued and when.
      if (r.content.startsWith(RECAP_START)) return [{ type: 'notice', id, kind: 'session', text: 'Continued this session (the model was given a recap of it)', time: r.time }];
      return [{ type: 'notice', id, kind: r.kind === 'auto_recall' ? 'auto_recall' : 'system_alert', text: r.content, time: r.time }];
    default:
      return [];
  }
}

// The agent marks a reply cut short for the model ("[stopped by the person]"); the person reads it as a note.
const STOPPED_MARK = /\n*\[stopped by the person\]\s*$/;

function forPerson(content: string): string {
  return STOPPED_MARK.test(content) ? content.replace(STOPPED_MARK, '\n\n*— stopped*') : content;
}

function attachmentRef(a: MessageAttachment): AttachmentRef {
  return { path: a.path, ...(a.startLine ? { startLine: a.startLine, endLine: a.endLine ?? a.startLine } : {}) };
}

// Records written before attachments had their own field carry them in the text, as core/userMessage.ts
// still renders them for the model; splitAttachments reads them back out for those records.

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
