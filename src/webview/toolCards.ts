// Tool cards as people read them: a sentence with file links ("Read src/store.ts, lines 1–27"), the result
// drawn as code, a file list, search hits or terminal output (the raw JSON one click away), the question
// the call waits on (Accept / Reject with a reason; for commands Allow once / Always allow / Reject), and
// an applied edit's file with +/− lines, Open and Undo. Also the "files changed" summary a turn ends with.
// What is not in the transcript item (open questions, applied edits) lives in `cardState`, filled by
// cardWiring.ts, so a transcript drawn again (reload, back from a past session) shows it too.
import type { FileChange, PendingApproval, ToolCard, ToolCardChange, TranscriptItem } from '../protocol/shapes';
import { button, el } from './dom';
import { memoryEditLabel, prettyArgs } from './labels';
import { errorForPerson, parseCard, sentenceText, statusWord, toolSentence, type SentencePart, type ToolCardView } from './toolSentences';

export interface CardActions {
  answer(id: string, answer: 'accept' | 'always' | 'reject', reason?: string): void;
  openFile(path: string, line?: number): void;
  undoEdit(callId: string): void;
  restoreTurn(turnId: string): void;
  keepTurn(turnId: string): void;
}

/** Open questions and applied edits by tool call, and the actions the cards' buttons take. */
export const cardState = {
  approvals: new Map<string, PendingApproval>(),
  changes: new Map<string, ToolCardChange>(),
  /** Questions answered here, waiting for the host to confirm. */
  answered: new Set<string>(),
  /**
   * Reject forms open, by question, with the reason typed so far: a card drawn again while the person
   * types (the tool's status, the question listed again) keeps the form and its text.
   */
  rejecting: new Map<string, string>(),
  actions: {
    answer: () => undefined,
    openFile: () => undefined,
    undoEdit: () => undefined,
    restoreTurn: () => undefined,
    keepTurn: () => undefined,
  } as CardActions,
};

/** Results longer than this are cut in the card (the raw view has them whole). */
const SHOWN_CHARS = 20_000;
const SHOWN_ENTRIES = 200;

export function renderToolCard(card: ToolCard): HTMLElement {
  const approval = cardState.approvals.get(card.callId);
  const change = cardState.changes.get(card.callId);
  const view = parseCard(card);
  const parts = toolSentence(card, change);
  const mark = memoryEditLabel(card);
  const waiting = approval !== undefined;
  const status = statusWord(card, waiting, view.error);
  const stopped = card.status === 'error' && /^cancelled\b/.test(view.error ?? '');
  // A rejection is the person's answer, not a failure: it does not get the error icon.
  const rejected = card.status === 'error' && /^the person rejected\b/.test(view.error ?? '');
  const icon = waiting ? 'question' : card.status === 'running' ? 'loading codicon-modifier-spin' : card.status === 'ok' ? 'check' : stopped ? 'debug-stop' : rejected ? 'circle-slash' : 'error';
  const sentence = sentenceText(parts);

  const summary = el(
    'summary',
    { attrs: { 'aria-label': [sentence, status, mark].filter(Boolean).join(' — ') } },
    el('span', { className: `codicon codicon-${icon}`, attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'tool-sentence' }, ...parts.map(renderPart)),
    // The state is in the icon and the header's accessible name; a waiting card says so in its question below.
    mark ? el('span', { className: 'memory-mark', text: mark }) : undefined,
  );
  const body = el('div', { className: 'tool-body' }, ...renderResult(card, view), renderRaw(card));
  const details = el('details', { className: 'tool-details' }, summary, body);
  const node = el(
    'div',
    { className: `tool-card${mark ? ' edits-memory' : ''} status-${card.status}${waiting ? ' waiting' : ''}`, testid: 'tool-card' },
    details,
    approval ? renderApproval(approval) : undefined,
    change && card.status !== 'running' ? renderChange(card.callId, change) : undefined,
  );
  node.dataset.tool = card.name;
  node.dataset.callId = card.callId;
  return node;
}

function renderPart(part: SentencePart): Node {
  // "+3 −1" stays on one line in a narrow sidebar.
  if ('text' in part) return document.createTextNode(part.text.replace(/(\+\d+) (−\d+)/, '$1\u00a0$2'));
  if ('code' in part) return el('code', { text: part.code });
  return fileLink(part.file, part.line);
}

/** A workspace path that opens in the editor. Inside a card's header it must not also fold the card. */
function fileLink(path: string, line?: number, label = path): HTMLElement {
  const link = el('a', { className: 'file-link', text: label, attrs: { href: '#', title: `Open ${path}${line ? ` at line ${line}` : ''}` } });
  link.addEventListener('click', (event) => {
    event.preventDefault();
    event.stopPropagation();
    cardState.actions.openFile(path, line);
  });
  return link;
}

function renderResult(card: ToolCard, view: ToolCardView): HTMLElement[] {
  if (card.result === undefined) return renderArgsForPerson(card, view);
  if (card.status === 'error') return [el('div', { className: 'tool-error', text: errorForPerson(view.error) ?? card.result })];
  const r = view.result;
  const o = isObject(r) ? r : {};
  switch (card.name) {
    case 'read_file':
      return [codeBlock(typeof o.content === 'string' ? o.content : '', 'tool-code'), ...note(o.note)];
    case 'list_files': {
      const entries = Array.isArray(o.entries) ? o.entries.filter((e): e is string => typeof e === 'string') : [];
      return [
        el('ul', { className: 'tool-files' }, ...entries.slice(0, SHOWN_ENTRIES).map((e) => el('li', {}, e.endsWith('/') ? el('span', { text: e }) : fileLink(e)))),
        ...note(entries.length > SHOWN_ENTRIES ? `${entries.length - SHOWN_ENTRIES} more in the raw result` : o.note),
      ];
    }
    case 'search_files': {
      const matches = Array.isArray(o.matches) ? o.matches.filter(isObject) : [];
      return [
        el(
          'ul',
          { className: 'tool-hits' },
          ...matches.slice(0, SHOWN_ENTRIES).map((m) =>
            el('li', {}, fileLink(String(m.path), typeof m.line === 'number' ? m.line : undefined, `${String(m.path)}:${String(m.line)}`), el('code', { text: String(m.text ?? '') })),
          ),
        ),
        ...note(o.note),
      ];
    }
    case 'run_command':
      return [
        el('div', { className: 'tool-label', text: `$ ${typeof parseArgs(card).command === 'string' ? String(parseArgs(card).command) : ''}` }),
        codeBlock(typeof o.output === 'string' && o.output ? o.output : '(no output)', 'tool-terminal'),
      ];
    case 'edit_file':
    case 'write_file':
    case 'apply_to_file':
    case 'working_context_append':
    case 'working_context_replace':
    case 'working_context_rewrite':
    case 'archival_memory_insert':
      return [...renderArgsForPerson(card, view), ...(typeof o.message === 'string' ? [el('div', { className: 'tool-note', text: o.message })] : [])];
    default:
      // MCP tools answer in text; anything else is shown as the data it is.
      return [codeBlock(typeof r === 'string' ? r : JSON.stringify(r, null, 2), 'tool-code')];
  }
}

/** What the call asks for, in the person's terms (the new text of an edit, the note saved). */
function renderArgsForPerson(card: ToolCard, view: ToolCardView): HTMLElement[] {
  const a = view.args;
  const text = (key: string) => (typeof a[key] === 'string' ? (a[key] as string) : undefined);
  switch (card.name) {
    case 'edit_file':
      return [
        ...(text('old_text') !== undefined ? [el('div', { className: 'tool-label', text: 'Replaces' }), codeBlock(text('old_text') ?? '', 'tool-code removed')] : []),
        ...(text('new_text') !== undefined ? [el('div', { className: 'tool-label', text: 'With' }), codeBlock(text('new_text') ?? '', 'tool-code added')] : []),
      ];
    case 'write_file':
      return text('content') !== undefined ? [codeBlock(text('content') ?? '', 'tool-code added')] : [];
    case 'run_command':
    case 'run_in_terminal':
      return text('command') !== undefined ? [codeBlock(`$ ${text('command')}`, 'tool-terminal')] : [];
    case 'working_context_append':
    case 'archival_memory_insert':
      return text('content') !== undefined ? [el('div', { className: 'tool-quote', text: text('content') ?? '' })] : [];
    case 'working_context_replace':
      return [el('div', { className: 'tool-label', text: 'Replaces' }), el('div', { className: 'tool-quote removed', text: text('old_text') ?? '' }), el('div', { className: 'tool-label', text: 'With' }), el('div', { className: 'tool-quote added', text: text('new_text') ?? '' })];
    case 'working_context_rewrite':
      return text('content') !== undefined ? [el('div', { className: 'tool-quote', text: text('content') ?? '' })] : [];
    default:
      return [];
  }
}

/** The arguments and the result exactly as the model sent and got them, folded away. */
function renderRaw(card: ToolCard): HTMLElement {
  const raw = el(
    'details',
    { className: 'tool-raw' },
    el('summary', { text: 'Raw JSON' }),
    el('div', { className: 'tool-label', text: 'Arguments' }),
    el('pre', { className: 'tool-args', text: prettyArgs(card.args) }),
  );
  if (card.result !== undefined) raw.append(el('div', { className: 'tool-label', text: 'Result' }), el('pre', { className: 'tool-result', text: prettyArgs(card.result) }));
  return raw;
}

function renderApproval(approval: PendingApproval): HTMLElement {
  const answered = cardState.answered.has(approval.id);
  const box = el('div', { className: 'approval', testid: 'approval', attrs: { role: 'group', 'aria-label': `Waiting for your approval: ${approval.title}` } });
  const heading = el('div', { className: 'approval-title' }, el('span', { className: 'codicon codicon-shield', attrs: { 'aria-hidden': 'true' } }), el('span', { text: 'Waiting for your approval' }));
  box.append(heading);
  if (approval.kind === 'edit' && approval.path) {
    box.append(
      el('div', { className: 'approval-detail' }, fileLink(approval.path), approval.added !== undefined ? el('span', { className: 'line-counts', text: ` +${approval.added} −${approval.removed ?? 0}` }) : undefined, el('span', { className: 'approval-hint', text: ' — the diff is open in the editor' })),
    );
  } else if (approval.command !== undefined) {
    box.append(codeBlock(approval.command, 'tool-terminal'), ...(approval.detail ? [el('div', { className: 'approval-hint', text: approval.detail })] : []));
  } else if (approval.detail) {
    box.append(el('div', { className: 'approval-hint', text: approval.title }), codeBlock(approval.detail, 'tool-code'));
  }
  const buttons = el('div', { className: 'approval-buttons' });
  const answer = (kind: 'accept' | 'always' | 'reject', reason?: string) => {
    cardState.answered.add(approval.id);
    cardState.rejecting.delete(approval.id);
    for (const b of Array.from(box.querySelectorAll('button, input'))) (b as HTMLButtonElement).disabled = true;
    cardState.actions.answer(approval.id, kind, reason);
  };
  const yes = approval.kind === 'edit' ? 'Accept' : approval.kind === 'command' ? 'Allow once' : 'Allow';
  buttons.append(button(`${yes}: ${approval.title}`, () => answer('accept'), { text: yes, testid: 'approval-accept', className: 'primary' }));
  if (approval.kind === 'command') {
    buttons.append(button(`Always allow this exact command in this workspace: ${approval.command ?? ''}`, () => answer('always'), { text: 'Always allow in this workspace', testid: 'approval-always', className: 'secondary' }));
  }
  const reject = button(`Reject: ${approval.title}`, () => {
    cardState.rejecting.set(approval.id, '');
    buttons.hidden = true;
    form.hidden = false;
    reason.focus();
  }, { text: 'Reject', testid: 'approval-reject', className: 'secondary' });
  buttons.append(reject);
  // The reason is optional; the agent reads it and can try something else.
  const reason = el('input', { className: 'approval-reason', testid: 'approval-reason', attrs: { type: 'text', placeholder: 'Why? (optional — the agent reads it)', 'aria-label': 'Reason for rejecting (optional)', 'data-focus-key': `reason-${approval.id}` } });
  const confirm = button('Reject with this reason', () => answer('reject', reason.value), { text: 'Reject', testid: 'approval-reject-confirm', className: 'primary' });
  const back = button('Back', () => {
    cardState.rejecting.delete(approval.id);
    form.hidden = true;
    buttons.hidden = false;
    reject.focus();
  }, { text: 'Back', className: 'secondary' });
  const form = el('div', { className: 'approval-reject-form' }, reason, confirm, back);
  const draft = answered ? undefined : cardState.rejecting.get(approval.id);
  form.hidden = draft === undefined;
  buttons.hidden = draft !== undefined;
  if (draft !== undefined) reason.value = draft;
  reason.addEventListener('input', () => {
    if (cardState.rejecting.has(approval.id)) cardState.rejecting.set(approval.id, reason.value);
  });
  reason.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      answer('reject', reason.value);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      back.click();
    }
  });
  box.append(buttons, form);
  if (answered) for (const b of Array.from(box.querySelectorAll('button, input'))) (b as HTMLButtonElement).disabled = true;
  return box;
}

/** Open and Undo under an applied edit (its sentence already names the file and its +/− lines). */
function renderChange(callId: string, change: ToolCardChange): HTMLElement {
  const row = el('div', { className: `edit-change${change.undone ? ' undone' : ''}`, testid: 'edit-change', attrs: { role: 'group', 'aria-label': `Edit to ${change.path}` } });
  if (change.undone) row.append(el('span', { className: 'badge', text: 'undone' }));
  // A file the edit created is gone once undone: nothing to open.
  if (!(change.undone && change.created)) row.append(button(`Open ${change.path}`, () => cardState.actions.openFile(change.path), { text: 'Open', className: 'secondary', testid: 'edit-open' }));
  if (!change.undone) row.append(button(`Undo this edit to ${change.path}`, () => cardState.actions.undoEdit(callId), { text: 'Undo', className: 'secondary', testid: 'edit-undo' }));
  return row;
}

/** A turn's "files changed" summary with Keep all / Undo all. */
export function renderFilesChanged(item: Extract<TranscriptItem, { type: 'files' }>): HTMLElement {
  const added = item.files.reduce((n, f) => n + f.added, 0);
  const removed = item.files.reduce((n, f) => n + f.removed, 0);
  const title = `${item.files.length} ${item.files.length === 1 ? 'file' : 'files'} changed`;
  const node = el(
    'div',
    { className: `files-changed${item.state ? ` ${item.state}` : ''}`, testid: 'files-changed', attrs: { role: 'group', 'aria-label': `${title} in this turn` } },
    el(
      'div',
      { className: 'files-changed-title' },
      el('span', { className: 'codicon codicon-files', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: title }),
      el('span', { className: 'line-counts' }, el('span', { className: 'added', text: ` +${added}` }), el('span', { className: 'removed', text: ` −${removed}` })),
      item.state ? el('span', { className: 'badge', text: item.state === 'kept' ? 'kept' : 'undone' }) : undefined,
    ),
    el('ul', { className: 'files-changed-list' }, ...item.files.map((f) => fileRow(f, item.state !== 'undone'))),
  );
  if (!item.state) {
    node.append(
      el(
        'div',
        { className: 'files-changed-buttons' },
        button('Keep all changes', () => cardState.actions.keepTurn(item.turnId), { text: 'Keep all', className: 'primary', testid: 'keep-all' }),
        button('Undo all: put the files back as they were before this turn (later turns’ edits are undone too)', () => cardState.actions.restoreTurn(item.turnId), { text: 'Undo all', className: 'secondary', testid: 'undo-all' }),
      ),
    );
  }
  return node;
}

/** `markUndone`: a file undone on its own is marked; when the whole turn was undone, its title says so once. */
function fileRow(f: FileChange, markUndone: boolean): HTMLElement {
  return el(
    'li',
    { className: f.undone ? 'undone' : '' },
    fileLink(f.path),
    el('span', { className: 'line-counts' }, el('span', { className: 'added', text: ` +${f.added}` }), el('span', { className: 'removed', text: ` −${f.removed}` })),
    f.created ? el('span', { className: 'badge', text: 'new' }) : undefined,
    f.undone && markUndone ? el('span', { className: 'badge', text: 'undone' }) : undefined,
  );
}

function codeBlock(text: string, className: string): HTMLElement {
  const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… (${text.length - SHOWN_CHARS} more characters in the raw result)` : text;
  return el('pre', { className }, el('code', { text: shown }));
}

function note(value: unknown): HTMLElement[] {
  return typeof value === 'string' && value ? [el('div', { className: 'tool-note', text: value })] : [];
}

function parseArgs(card: ToolCard): Record<string, unknown> {
  return parseCard(card).args;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
