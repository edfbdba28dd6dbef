// Sessions in the header: the shown session's title, New session, and History: an overlay listing past
// sessions newest first with search, rename and delete; a past session opens read-only with a banner
// offering to continue it (it becomes the current session) or go back.
import type { SessionSummary } from '../protocol/shapes';
import { button, el } from './dom';
import { exactTime, relativeTime } from './relativeTime';

export interface SessionActions {
  newSession(): void;
  list(): Promise<SessionSummary[]>;
  /** Ids of the sessions whose messages contain the words. */
  search(query: string): Promise<string[]>;
  open(id: string): void;
  resume(id: string): void;
  rename(id: string, title: string): Promise<void>;
  /** Takes a past session off the list (its messages stay in recall memory). */
  remove(id: string): Promise<void>;
  backToCurrent(): void;
}

function shorten(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export class SessionBar {
  /** The title of the session shown (the current one, or the past one being viewed). */
  readonly title: HTMLElement;
  /** The History button and its overlay (a <details>: keyboard-operable without a script of its own). */
  readonly history: HTMLDetailsElement;
  readonly newButton: HTMLButtonElement;
  /** The banner over a past transcript. */
  readonly banner: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly search: HTMLInputElement;
  private sessions: SessionSummary[] = [];
  /** Sessions whose messages match the search (asked of the host), with the query they answer. */
  private contentMatches: { query: string; ids: Set<string> } = { query: '', ids: new Set() };
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private current?: SessionSummary;
  /** The current session's stand-in title (its first message) while it has none. */
  private provisional?: string;
  private viewing?: SessionSummary;

  constructor(private readonly actions: SessionActions) {
    this.title = el('span', { className: 'session-title', attrs: { role: 'heading', 'aria-level': '1' } });
    this.listEl = el('ul', { className: 'session-items', attrs: { 'aria-label': 'Past sessions' } });
    this.search = el('input', { className: 'session-search', attrs: { type: 'search', placeholder: 'Search sessions', 'aria-label': 'Search sessions' } });
    this.search.addEventListener('input', () => {
      this.renderList();
      this.searchMessages();
    });
    const close = button('Close history', () => (this.history.open = false), { icon: 'close', className: 'icon' });
    this.history = el(
      'details',
      { className: 'session-list header-overlay', testid: 'session-list' },
      el('summary', { className: 'header-button', attrs: { title: 'History', 'aria-label': 'History' } }, el('span', { className: 'codicon codicon-history', attrs: { 'aria-hidden': 'true' } })),
      el('div', { className: 'overlay-panel', attrs: { role: 'region', 'aria-label': 'Session history' } }, el('div', { className: 'overlay-head' }, el('span', { className: 'overlay-title', text: 'History' }), el('span', { className: 'spacer' }), close), this.search, this.listEl),
    );
    this.history.addEventListener('toggle', () => {
      if (!this.history.open) return;
      this.search.value = '';
      void this.load();
      this.search.focus();
    });
    this.history.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.history.open && !(event.target instanceof HTMLInputElement && event.target.classList.contains('session-rename'))) {
        event.preventDefault();
        this.history.open = false;
        (this.history.querySelector('summary') as HTMLElement | null)?.focus();
      }
    });
    this.newButton = button('New session', () => actions.newSession(), { icon: 'add', className: 'icon header-button', testid: 'new-session' });
    this.banner = el('div', { className: 'readonly-banner', attrs: { role: 'status' } });
    this.banner.hidden = true;
  }

  /** `provisional`: a stand-in title (the first message) while the session has none yet. */
  setCurrent(session: SessionSummary, provisional?: string): void {
    this.current = session;
    this.provisional = provisional?.trim() ? shorten(provisional) : undefined;
    if (!this.viewing) this.showTitle(session);
  }

  private currentTitle(): string {
    return this.current?.title || this.provisional || 'New session';
  }

  private showTitle(session: SessionSummary): void {
    const text = session.current ? this.currentTitle() : session.title || 'Untitled';
    this.title.textContent = text;
    this.title.title = `${text}\nStarted ${exactTime(session.started)}`;
  }

  /** Shows (or, with undefined, hides) the read-only banner for a past session. */
  showReadOnly(session: SessionSummary | undefined): void {
    this.viewing = session;
    if (!session) {
      this.banner.hidden = true;
      this.banner.replaceChildren();
      if (this.current) this.showTitle(this.current);
      return;
    }
    this.showTitle(session);
    this.banner.hidden = false;
    this.banner.replaceChildren(
      el('span', { className: 'codicon codicon-history', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'banner-text', text: `Viewing “${session.title || 'Untitled'}” (${relativeTime(session.started)}), read-only`, attrs: { title: `Started ${exactTime(session.started)}` } }),
      el(
        'span',
        { className: 'banner-actions' },
        button('Continue this session: it becomes the current one', () => this.actions.resume(session.id), { text: 'Continue', className: 'primary small', testid: 'resume-session' }),
        button('Back to the current session', () => this.actions.backToCurrent(), { text: 'Back', className: 'secondary small' }),
      ),
    );
  }

  private async load(): Promise<void> {
    this.listEl.replaceChildren(el('li', { className: 'muted', text: 'Loading…' }));
    try {
      this.sessions = await this.actions.list();
      this.renderList();
    } catch (error) {
      this.listEl.replaceChildren(el('li', { className: 'muted', text: `Could not list sessions: ${error instanceof Error ? error.message : String(error)}` }));
    }
  }

  /** Titles are filtered at once; what was said in each session is searched by the host, a moment later. */
  private searchMessages(): void {
    if (this.searchTimer !== undefined) clearTimeout(this.searchTimer);
    const query = this.search.value.trim();
    if (!query) return;
    this.searchTimer = setTimeout(() => {
      void this.actions.search(query).then(
        (ids) => {
          if (this.search.value.trim() !== query) return;
          this.contentMatches = { query, ids: new Set(ids) };
          this.renderList();
        },
        () => undefined,
      );
    }, 200);
  }

  private label(s: SessionSummary): string {
    return s.current ? this.currentTitle() : s.title || 'Untitled';
  }

  private renderList(): void {
    const query = this.search.value.trim().toLowerCase();
    // Newest first reads best; the host gives them oldest first.
    const inMessages = this.contentMatches.query.toLowerCase() === query ? this.contentMatches.ids : new Set<string>();
    const shown = [...this.sessions].reverse().filter((s) => !query || this.label(s).toLowerCase().includes(query) || inMessages.has(s.id));
    const items = shown.map((s) => this.item(s));
    this.listEl.replaceChildren(...(items.length ? items : [el('li', { className: 'muted', text: query ? 'No session matches' : 'No sessions yet' })]));
  }

  private item(s: SessionSummary): HTMLElement {
    const label = this.label(s);
    const open = button(`Open session ${label}${s.current ? ' (current)' : ''}`, () => {
      this.history.open = false;
      if (s.current) this.actions.backToCurrent();
      else this.actions.open(s.id);
    }, { className: 'session-item', text: '' });
    open.replaceChildren();
    open.dataset.sessionId = s.id;
    open.append(
      el('span', { className: 'session-name', text: label }),
      ...(s.current ? [el('span', { className: 'session-current', text: '(current)' })] : []),
      el('span', { className: 'session-date', text: relativeTime(s.ended ?? s.started), attrs: { title: `Started ${exactTime(s.started)}${s.ended ? `, last message ${exactTime(s.ended)}` : ''}` } }),
    );
    open.title = label;
    const li = el('li', { className: 'session-entry' }, open);
    const rename = button(`Rename ${label}`, () => this.startRename(li, s), { icon: 'edit', className: 'icon' });
    li.append(rename);
    if (!s.current) li.append(button(`Delete ${label}`, () => this.confirmDelete(li, s), { icon: 'trash', className: 'icon' }));
    return li;
  }

  private startRename(li: HTMLElement, s: SessionSummary): void {
    const input = el('input', { className: 'session-rename', attrs: { type: 'text', 'aria-label': 'New title', value: this.label(s) } });
    input.value = this.label(s);
    let done = false;
    const finish = async (save: boolean) => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      if (save && title && title !== this.label(s)) {
        try {
          await this.actions.rename(s.id, title);
          s.title = title;
          if (s.current && this.current) this.setCurrent({ ...this.current, title }, this.provisional);
        } catch (error) {
          li.replaceWith(el('li', { className: 'muted', text: `Could not rename: ${error instanceof Error ? error.message : String(error)}` }));
          return;
        }
      }
      this.renderList();
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void finish(true);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        void finish(false);
      }
    });
    input.addEventListener('blur', () => void finish(true));
    li.replaceChildren(input);
    input.focus();
    input.select();
  }

  private confirmDelete(li: HTMLElement, s: SessionSummary): void {
    const label = this.label(s);
    li.classList.add('confirm');
    li.replaceChildren(
      el('span', { className: 'confirm-text', text: `Delete “${shorten(label, 40)}”? Its messages stay in recall memory.` }),
      el(
        'span',
        { className: 'confirm-actions' },
        button(`Confirm delete ${label}`, () => void this.remove(s), { text: 'Delete', className: 'primary small' }),
        button('Cancel', () => this.renderList(), { text: 'Cancel', className: 'secondary small' }),
      ),
    );
    (li.querySelector('button.primary') as HTMLButtonElement | null)?.focus();
  }

  private async remove(s: SessionSummary): Promise<void> {
    try {
      await this.actions.remove(s.id);
      this.sessions = this.sessions.filter((x) => x.id !== s.id);
      this.renderList();
    } catch (error) {
      this.listEl.prepend(el('li', { className: 'muted', text: `Could not delete: ${error instanceof Error ? error.message : String(error)}` }));
    }
  }
}
