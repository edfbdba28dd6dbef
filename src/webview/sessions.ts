// The session bar: the current session's title, New session, and the history list that opens past
// transcripts read-only.
import type { SessionSummary } from '../protocol/shapes';
import { button, el } from './dom';

export interface SessionActions {
  newSession(): void;
  list(): Promise<SessionSummary[]>;
  open(id: string): void;
  backToCurrent(): void;
}

export class SessionBar {
  readonly element: HTMLElement;
  /** The banner over a past transcript. */
  readonly banner: HTMLElement;
  private readonly title: HTMLElement;
  private readonly history: HTMLDetailsElement;
  private readonly listEl: HTMLElement;

  constructor(private readonly actions: SessionActions) {
    this.title = el('span', { className: 'session-title' });
    this.listEl = el('ul', { className: 'session-items', attrs: { 'aria-label': 'Past sessions' } });
    // A <details> keeps the list keyboard-operable with no script of its own; it loads when opened.
    this.history = el(
      'details',
      { className: 'session-list', testid: 'session-list' },
      el('summary', {}, el('span', { className: 'codicon codicon-history', attrs: { 'aria-hidden': 'true' } }), el('span', { text: 'History' })),
      this.listEl,
    );
    this.history.addEventListener('toggle', () => {
      if (this.history.open) void this.load();
    });
    this.banner = el('div', { className: 'readonly-banner', attrs: { role: 'status' } });
    this.banner.hidden = true;
    this.element = el(
      'div',
      { className: 'session-bar' },
      el('div', { className: 'session-row' }, this.title, el('span', { className: 'spacer' }), button('New session', () => actions.newSession(), { icon: 'add', className: 'icon', testid: 'new-session' })),
      this.history,
    );
  }

  /** `provisional`: a stand-in title (the first message) while the session has none yet. */
  setCurrent(session: SessionSummary, provisional?: string): void {
    const fallback = provisional?.trim() ? (provisional.trim().length > 60 ? `${provisional.trim().slice(0, 59)}…` : provisional.trim()) : 'New session';
    this.title.textContent = session.title || fallback;
    this.title.title = `Started ${new Date(session.started).toLocaleString()}`;
  }

  /** Shows (or, with undefined, hides) the read-only banner for a past session. */
  showReadOnly(session: SessionSummary | undefined): void {
    if (!session) {
      this.banner.hidden = true;
      this.banner.replaceChildren();
      return;
    }
    this.banner.hidden = false;
    this.banner.replaceChildren(
      el('span', { className: 'codicon codicon-lock', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: `Viewing “${session.title || session.id}” (${new Date(session.started).toLocaleString()}), read-only` }),
      button('Back to the current session', () => this.actions.backToCurrent(), { text: 'Back', className: 'secondary small' }),
    );
  }

  private async load(): Promise<void> {
    this.listEl.replaceChildren(el('li', { className: 'muted', text: 'Loading…' }));
    try {
      const sessions = await this.actions.list();
      // Newest first reads best in a short list; the host gives them oldest first.
      const items = [...sessions].reverse().map((s) => {
        const label = `${s.title || 'Untitled'}${s.current ? ' (current)' : ''}`;
        const open = button(`Open session ${label}`, () => {
          this.history.open = false;
          if (s.current) this.actions.backToCurrent();
          else this.actions.open(s.id);
        }, { className: 'session-item', text: label });
        open.dataset.sessionId = s.id;
        open.append(el('span', { className: 'session-date', text: new Date(s.started).toLocaleString() }));
        return el('li', {}, open);
      });
      this.listEl.replaceChildren(...(items.length ? items : [el('li', { className: 'muted', text: 'No sessions yet' })]));
    } catch (error) {
      this.listEl.replaceChildren(el('li', { className: 'muted', text: `Could not list sessions: ${error instanceof Error ? error.message : String(error)}` }));
    }
  }
}
