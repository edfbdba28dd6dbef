// `@file` / `@folder` completion in the input box: typing `@` and part of a path lists matching workspace
// files, and the folders that hold them (asked of the host); Up/Down choose, Enter or Tab insert `@path`
// and hand the path to `onPick` (the composer attaches its content), Escape closes.
import { el } from './dom';

/** The `@query` being typed just before the caret, or undefined when the caret is not in a mention. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | undefined {
  const match = /(?:^|\s)@([^\s@]*)$/.exec(text.slice(0, caret));
  if (!match) return undefined;
  return { start: caret - match[1].length - 1, query: match[1] };
}

export class MentionCompleter {
  readonly element: HTMLUListElement;
  private matches: string[] = [];
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older queries that arrive late are dropped. */
  private generation = 0;

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly findFiles: (query: string) => Promise<string[]>,
    private readonly onPick: (path: string) => void = () => {},
  ) {
    this.element = el('ul', { className: 'mentions', attrs: { role: 'listbox', id: 'memcode-mentions', 'aria-label': 'Workspace files' } });
    this.element.hidden = true;
    input.setAttribute('aria-controls', 'memcode-mentions');
    input.addEventListener('input', () => this.schedule());
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  /** Handles a key while the list is open; true when the key was used. */
  handleKey(event: KeyboardEvent): boolean {
    if (this.element.hidden || this.matches.length === 0) return false;
    switch (event.key) {
      case 'ArrowDown':
        this.move(1);
        break;
      case 'ArrowUp':
        this.move(-1);
        break;
      case 'Enter':
      case 'Tab':
        this.accept(this.matches[this.active]);
        break;
      case 'Escape':
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const mention = mentionAt(this.input.value, this.input.selectionStart ?? this.input.value.length);
    if (!mention) {
      this.close();
      return;
    }
    this.timer = setTimeout(() => void this.lookUp(mention.query), 120);
  }

  private async lookUp(query: string): Promise<void> {
    const generation = ++this.generation;
    let found: string[];
    try {
      found = await this.findFiles(query);
    } catch {
      found = [];
    }
    if (generation !== this.generation) return;
    this.matches = withFolders(found, query);
    this.active = 0;
    this.render();
  }

  private render(): void {
    if (this.matches.length === 0) {
      this.close();
      return;
    }
    this.element.replaceChildren(
      ...this.matches.map((path, i) => {
        const item = el('li', { className: 'mention', text: path, attrs: { role: 'option', id: `memcode-mention-${i}`, 'aria-selected': String(i === this.active) } });
        // mousedown, not click: the textarea must not lose focus before the choice is taken.
        item.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.accept(path);
        });
        return item;
      }),
    );
    this.element.hidden = false;
    this.input.setAttribute('aria-activedescendant', `memcode-mention-${this.active}`);
  }

  private move(by: number): void {
    this.active = (this.active + by + this.matches.length) % this.matches.length;
    this.render();
  }

  private accept(path: string): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const mention = mentionAt(this.input.value, caret);
    if (mention) {
      const before = this.input.value.slice(0, mention.start);
      const after = this.input.value.slice(caret);
      const inserted = `@${path} `;
      this.input.value = before + inserted + after;
      const at = before.length + inserted.length;
      this.input.setSelectionRange(at, at);
      this.input.dispatchEvent(new Event('input'));
      this.onPick(path);
    }
    this.close();
  }

  private close(): void {
    this.generation++;
    this.matches = [];
    this.element.hidden = true;
    this.element.replaceChildren();
    this.input.removeAttribute('aria-activedescendant');
  }
}

/** The folders (ending in `/`) that hold the found files and match the query, first, at most three. */
export function withFolders(files: readonly string[], query: string): string[] {
  const q = query.toLowerCase();
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = `${parts.slice(0, i).join('/')}/`;
      if (q && folder.toLowerCase().includes(q)) folders.add(folder);
    }
  }
  return [...[...folders].sort((a, b) => a.length - b.length).slice(0, 3), ...files];
}
