// The conversation: user and assistant messages, the reply being streamed, tool cards, notices, inline
// errors and the queue of messages waiting for the agent. It keeps the items it shows, so the view can be
// saved with setState and drawn again after being hidden or reloaded.
import type { ChatError, ToolCard, TranscriptItem } from '../protocol/shapes';
import { button, el } from './dom';
import { ActivityRow } from './activity';
import { renderMarkdown } from './markdown';
import { personNotice, splitStopped } from './personWording';
import { ScrollFollow } from './scrollFollow';
import { staleProblems } from './staleProblems';
import { renderFilesChanged, renderToolCard } from './toolCards';

export interface TranscriptActions {
  insert(code: string): void;
  retry(): void;
}

export interface TranscriptSnapshot {
  items: TranscriptItem[];
  /** The part of a reply streamed so far, when the view was saved mid-reply. */
  streaming: string;
  queued: string[];
}

/** Local items are ours until the host's own copy of them arrives (their id starts with this). */
const LOCAL = 'local-';

export class TranscriptView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly queueEl: HTMLElement;
  private items: TranscriptItem[] = [];
  private readonly nodes = new Map<string, HTMLElement>();
  private streaming: { text: string; node: HTMLElement; body: HTMLElement; frame?: number } | undefined;
  private queued: string[] = [];
  private seq = 0;
  private readonly follow: ScrollFollow;
  private readonly activity = new ActivityRow();

  constructor(
    private readonly actions: TranscriptActions,
    private readonly changed: () => void,
  ) {
    this.list = el('div', { className: 'transcript-items', attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' } });
    this.queueEl = el('div', { className: 'queue', attrs: { 'aria-label': 'Queued messages' } });
    this.element = el('div', { className: 'transcript', attrs: { tabindex: '0' } }, this.list, this.activity.element, this.queueEl);
    this.follow = new ScrollFollow(this.element);
    this.element.append(this.follow.element);
  }

  /** The agent started or stopped working: the activity row shows while it works without streaming text. */
  setRunning(running: boolean): void {
    this.activity.setRunning(running);
    this.follow.contentChanged(false);
  }

  /** Draws a whole transcript (after load, a new session, or opening a past one). */
  reset(items: readonly TranscriptItem[], queued: readonly string[] = [], streaming = ''): void {
    this.items = [];
    this.nodes.clear();
    this.streaming = undefined;
    this.activity.setStreaming(false);
    this.list.replaceChildren();
    for (const item of items) this.add(item, false);
    if (streaming) this.appendDelta(streaming);
    this.setQueued(queued);
    this.follow.toEnd(true);
    this.changed();
  }

  snapshot(): TranscriptSnapshot {
    return { items: [...this.items], streaming: this.streaming?.text ?? '', queued: [...this.queued] };
  }

  /** Adds a finished item, or replaces the one it stands for (same id, the streamed reply, a local echo). */
  add(item: TranscriptItem, notify = true): void {
    const existing = this.findCounterpart(item);
    if (item.type === 'assistant' && this.streaming) this.dropStreaming();
    if (notify && (item.type === 'assistant' || item.type === 'tool')) this.clearStaleProblems();
    // Live cards only: a card left running in history (a crash mid-call) is not work going on now.
    if (notify && item.type === 'tool') {
      if (item.card.status === 'ok' || item.card.status === 'error') this.activity.toolFinished(item.card.callId);
      else this.activity.toolStarted(item.card);
    }
    const node = this.renderItem(item);
    if (existing) {
      const index = this.items.indexOf(existing);
      this.items[index] = item;
      const old = this.nodes.get(existing.id);
      if (old) replaceKeepingViewState(old, node);
      this.nodes.delete(existing.id);
    } else {
      this.items.push(item);
      this.list.append(node);
    }
    this.nodes.set(item.id, node);
    this.follow.contentChanged(!existing);
    if (notify) this.changed();
  }

  /** A message the person just sent, shown before the host confirms it: it always brings the view to the end. */
  addLocalUser(text: string): string {
    const id = this.localId();
    this.add({ type: 'user', id, text, time: new Date().toISOString() });
    this.follow.toEnd(true);
    return id;
  }

  remove(id: string): void {
    const index = this.items.findIndex((i) => i.id === id);
    if (index < 0) return;
    this.items.splice(index, 1);
    this.nodes.get(id)?.remove();
    this.nodes.delete(id);
    this.changed();
  }

  appendDelta(delta: string): void {
    if (!this.streaming) {
      const body = el('div', { className: 'markdown-body' });
      const node = el('div', { className: 'message assistant streaming', testid: 'message-assistant' }, body);
      this.list.append(node);
      this.streaming = { text: '', node, body };
      this.activity.setStreaming(true);
      this.clearStaleProblems();
    }
    const s = this.streaming;
    s.text += delta;
    // Re-rendering the whole reply on every token would be quadratic in a long answer; once a frame is enough.
    s.frame ??= requestAnimationFrame(() => {
      s.frame = undefined;
      renderMarkdown(s.body, s.text, this.actions);
      this.follow.contentChanged();
      this.changed();
    });
  }

  /** Keeps whatever was streamed as a message of its own (a tool call follows it, or the turn ended). */
  settleStreaming(): void {
    const s = this.streaming;
    if (!s) return;
    this.dropStreaming();
    if (s.text.trim()) this.add({ type: 'assistant', id: this.localId(), text: s.text, time: new Date().toISOString() });
  }

  toolCall(card: ToolCard): void {
    this.settleStreaming();
    this.add({ type: 'tool', id: `tool-${card.callId}`, card });
  }

  toolResult(result: { callId: string; ok: boolean; content: string; editsMemory: boolean; block?: string }): void {
    const existing = this.items.find((i): i is Extract<TranscriptItem, { type: 'tool' }> => i.type === 'tool' && i.card.callId === result.callId);
    const card: ToolCard = {
      ...(existing?.card ?? { callId: result.callId, name: 'tool', args: '' }),
      status: result.ok ? 'ok' : 'error',
      result: result.content,
      editsMemory: result.editsMemory,
      ...(result.block !== undefined ? { block: result.block } : {}),
    };
    this.add({ type: 'tool', id: existing?.id ?? `tool-${result.callId}`, card });
  }

  /** Draws a tool call's card again, changed by `update` (an approval, an applied edit); false when it is not shown. */
  updateCard(callId: string, update: (card: ToolCard) => ToolCard = (card) => card): boolean {
    const item = this.items.find((i): i is Extract<TranscriptItem, { type: 'tool' }> => i.type === 'tool' && i.card.callId === callId);
    if (!item) return false;
    this.add({ ...item, card: update(item.card) });
    return true;
  }

  /** The item with this id, e.g. a turn's "files changed" summary to mark it kept or undone. */
  item(id: string): TranscriptItem | undefined {
    return this.items.find((i) => i.id === id);
  }

  error(error: ChatError): void {
    this.settleStreaming();
    this.add({ type: 'error', id: this.localId(), error, time: new Date().toISOString() });
  }

  /** Messages waiting for the agent. One that leaves the queue is shown as sent until the host's copy replaces it. */
  setQueued(queued: readonly string[]): void {
    const remaining = [...queued];
    for (const text of this.queued) {
      const i = remaining.indexOf(text);
      if (i >= 0) remaining.splice(i, 1);
      else if (!this.items.some((item) => item.type === 'user' && item.text === text)) this.addLocalUser(text);
    }
    this.queued = [...queued];
    this.queueEl.replaceChildren(
      ...this.queued.map((text) =>
        el('div', { className: 'message user queued', testid: 'message-user' }, el('span', { className: 'badge', text: 'queued' }), el('div', { className: 'user-text', text })),
      ),
    );
    this.follow.contentChanged();
    this.changed();
  }

  /** Adds a message typed while the agent works, until the host's status says otherwise. */
  addQueued(text: string): void {
    this.setQueued([...this.queued, text]);
    this.follow.toEnd(true);
  }

  /**
   * The agent is making progress again (a retry or the next attempt worked): the retry warnings and
   * errors of this turn are history, so they leave instead of sitting above the answer.
   */
  private clearStaleProblems(): void {
    for (const id of staleProblems(this.items)) this.remove(id);
  }

  private findCounterpart(item: TranscriptItem): TranscriptItem | undefined {
    const same = this.items.find((i) => i.id === item.id);
    if (same) return same;
    if (item.type === 'tool') return this.items.find((i) => i.type === 'tool' && i.card.callId === item.card.callId);
    if (item.type === 'user' || item.type === 'assistant') {
      // A stopped reply comes back with a mark the streamed copy did not have.
      const text = splitStopped(item.text).text.trim();
      return this.items.find((i) => i.id.startsWith(LOCAL) && i.type === item.type && splitStopped(i.text).text.trim() === text);
    }
    return undefined;
  }

  private dropStreaming(): void {
    const s = this.streaming;
    if (!s) return;
    if (s.frame !== undefined) cancelAnimationFrame(s.frame);
    s.node.remove();
    this.streaming = undefined;
    this.activity.setStreaming(false);
  }

  private localId(): string {
    return `${LOCAL}${Date.now().toString(36)}-${this.seq++}`;
  }

  private renderItem(item: TranscriptItem): HTMLElement {
    switch (item.type) {
      case 'user':
        return this.renderUser(item);
      case 'assistant': {
        const body = el('div', { className: 'markdown-body' });
        const { text, stopped } = splitStopped(item.text);
        renderMarkdown(body, text, this.actions);
        const mark = stopped ? el('div', { className: 'stopped-mark', text: 'Stopped' }) : undefined;
        return el('div', { className: 'message assistant', testid: 'message-assistant', attrs: { title: item.time } }, body, mark);
      }
      case 'tool':
        return renderToolCard(item.card);
      case 'files':
        return renderFilesChanged(item);
      case 'notice':
        if (item.kind === 'auto_recall') return renderRecall(item.text, item.time);
        return el('div', { className: `notice notice-${item.kind}`, attrs: { role: 'note', title: item.time } }, el('span', { className: `codicon codicon-${noticeIcon(item.kind)}`, attrs: { 'aria-hidden': 'true' } }), el('span', { text: personNotice(item) }));
      case 'error':
        return this.renderError(item.error);
    }
  }

  private renderUser(item: Extract<TranscriptItem, { type: 'user' }>): HTMLElement {
    const node = el('div', { className: 'message user', testid: 'message-user', attrs: { title: item.time } }, el('div', { className: 'user-text', text: item.text }));
    if (item.attachments?.length) {
      node.append(
        el('div', { className: 'attachments' }, ...item.attachments.map((a) => el('span', { className: 'chip', text: a.startLine ? `${a.path}:${a.startLine}-${a.endLine ?? a.startLine}` : a.path }))),
      );
    }
    return node;
  }

  private renderError(error: ChatError): HTMLElement {
    const node = el(
      'div',
      { className: 'error', testid: 'error', attrs: { role: 'alert' } },
      el('span', { className: 'codicon codicon-error', attrs: { 'aria-hidden': 'true' } }),
      el('div', { className: 'error-text' }, el('div', { className: 'error-message', text: error.message }), error.hint ? el('div', { className: 'error-hint', text: error.hint }) : undefined),
    );
    if (error.retryable) {
      const retry = button('Retry', () => {
        retry.disabled = true;
        this.actions.retry();
      }, { icon: 'refresh', text: 'Retry', className: 'secondary' });
      node.append(retry);
    }
    return node;
  }
}

/**
 * A tool card is drawn again when its result arrives: one the person opened stays open, and keyboard
 * focus on its header stays there, instead of the card snapping shut under them.
 */
function replaceKeepingViewState(old: HTMLElement, next: HTMLElement): void {
  // A tool card keeps its fold (and its Raw JSON fold) in <details> inside it.
  const folds = (node: HTMLElement) => (node instanceof HTMLDetailsElement ? [node] : Array.from(node.querySelectorAll('details')));
  const [before, after] = [folds(old), folds(next)];
  if (before.length === after.length) before.forEach((d, i) => (after[i].open = d.open));
  const active = document.activeElement;
  const focused = old.contains(active);
  // A field being typed in (a reject reason) keeps the focus in its new copy; anything else goes to the header.
  const key = focused && active instanceof HTMLElement ? active.dataset.focusKey : undefined;
  old.replaceWith(next);
  const again = key ? Array.from(next.querySelectorAll<HTMLElement>('[data-focus-key]')).find((e) => e.dataset.focusKey === key) : undefined;
  if (focused) (again ?? next.querySelector<HTMLElement>('summary'))?.focus({ preventScroll: true });
}

/**
 * Automatic recall puts a few memories before each message; shown in full they would crowd out the
 * conversation, so they fold into one line the person can open.
 */
function renderRecall(text: string, time: string): HTMLElement {
  const hits = text.split('\n').filter((line) => line.startsWith('- ')).map((line) => line.slice(2));
  const label = hits.length === 1 ? 'Recalled 1 memory for this message' : `Recalled ${hits.length} memories for this message`;
  return el(
    'details',
    { className: 'notice notice-auto_recall', attrs: { title: time } },
    el('summary', {}, el('span', { className: 'codicon codicon-history', attrs: { 'aria-hidden': 'true' } }), el('span', { text: label })),
    el('ul', { className: 'recall-hits' }, ...(hits.length ? hits : [text]).map((hit) => el('li', { text: hit }))),
  );
}

function noticeIcon(kind: string): string {
  switch (kind) {
    case 'auto_recall':
      return 'history';
    case 'eviction':
      return 'archive';
    case 'warning':
      return 'warning';
    case 'session':
      return 'comment-discussion';
    default:
      return 'info';
  }
}
