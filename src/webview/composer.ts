// The input box: Enter sends, Shift+Enter is a newline; Send and Stop; context rides along as chips with
// their token counts (the paperclip: the editor's selection or a file picker; `@file`/`@folder`; Add
// Selection to Chat), each removable before sending; ↑ in an empty box brings back earlier prompts.
// Sending while the agent works is allowed: the host queues the message.
import type { AttachedContent, Attachment } from '../protocol/shapes';
import { button, el } from './dom';
import { formatTokens } from './labels';
import { MentionCompleter } from './mentions';

export interface ComposerActions {
  send(text: string, attachments: Attachment[]): void;
  stop(): void;
  /** The paperclip: the active editor's selection (or file), or files picked in a dialog; [] when nothing. */
  attach(): Promise<AttachedContent[]>;
  /** The content of a workspace file or folder named with `@`; `quiet`: [] rather than an error shown when it cannot be read. */
  attachPath(path: string, quiet?: boolean): Promise<AttachedContent[]>;
  /** Workspace paths for `@` completion. */
  findFiles(query: string): Promise<string[]>;
}

const HISTORY_LIMIT = 50;

export class Composer {
  readonly element: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly chips: HTMLElement;
  private attachments: AttachedContent[] = [];
  private running = false;
  private readOnly = false;
  /** Prompts sent, oldest first; `recalled` is the one ↑ brought back (history.length: none). */
  private history: string[] = [];
  private recalled = 0;

  /** `footer`: shown between the paperclip and the buttons (the context usage). */
  constructor(private readonly actions: ComposerActions, footer?: HTMLElement) {
    this.input = el('textarea', {
      className: 'chat-input',
      testid: 'chat-input',
      attrs: { rows: '3', placeholder: 'Ask MemCode… (@ to attach a file, ↑ for the last prompt)', 'aria-label': 'Message to MemCode' },
    });
    const mentions = new MentionCompleter(this.input, (query) => this.actions.findFiles(query), (path) => void this.attachPath(path));
    this.input.addEventListener('keydown', (event) => {
      if (mentions.handleKey(event)) return;
      // isComposing: Enter that confirms an IME candidate must not send.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape' && this.running) {
        event.preventDefault();
        this.actions.stop();
      } else if ((event.key === 'ArrowUp' || event.key === 'ArrowDown') && !event.shiftKey && !event.altKey && this.recall(event.key === 'ArrowUp' ? -1 : 1)) {
        event.preventDefault();
      }
    });
    this.input.addEventListener('input', () => {
      this.fitHeight();
      this.update();
    });
    this.sendButton = button('Send', () => this.submit(), { icon: 'send', testid: 'send', className: 'primary' });
    this.stopButton = button('Stop', () => this.actions.stop(), { icon: 'debug-stop', testid: 'stop', className: 'secondary' });
    this.attachButton = button('Attach the editor selection, or files', () => void this.attach(), { icon: 'attach', className: 'icon', testid: 'attach' });
    this.chips = el('div', { className: 'attachments', attrs: { 'aria-label': 'Attached context' } });
    this.element = el(
      'div',
      { className: 'composer' },
      this.chips,
      mentions.element,
      this.input,
      el('div', { className: 'composer-buttons' }, this.attachButton, footer ?? el('span', { className: 'spacer' }), this.stopButton, this.sendButton),
    );
    this.update();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.update();
  }

  /** A past session is open: nothing can be sent to it. */
  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly;
    this.update();
  }

  focus(): void {
    this.input.focus();
  }

  /** Earlier prompts for ↑ (the transcript's, after a reload), oldest first; keeps what was sent since. */
  seedHistory(prompts: readonly string[]): void {
    if (this.history.length) return;
    this.history = prompts.slice(-HISTORY_LIMIT);
    this.recalled = this.history.length;
  }

  /** Content from outside the box (Add Selection to Chat). */
  addAttachments(items: readonly AttachedContent[]): void {
    for (const item of items) {
      const same = this.attachments.findIndex((a) => sameSource(a.attachment, item.attachment));
      if (same >= 0) this.attachments[same] = item;
      else this.attachments.push(item);
    }
    this.renderChips();
  }

  /** ↑/↓ walk the sent prompts while the box is empty or shows one of them unchanged; true when used. */
  private recall(step: -1 | 1): boolean {
    const value = this.input.value;
    const showing = this.recalled < this.history.length && value === this.history[this.recalled];
    if (value !== '' && !showing) return false;
    // Inside a multi-line prompt the arrows move the caret.
    if (showing && step === -1 && value.slice(0, this.input.selectionStart ?? 0).includes('\n')) return false;
    if (showing && step === 1 && value.slice(this.input.selectionEnd ?? value.length).includes('\n')) return false;
    const next = (showing ? this.recalled : this.history.length) + step;
    if (next < 0 || (step === -1 && !this.history.length)) return false;
    if (next >= this.history.length) {
      if (!showing) return false;
      this.recalled = this.history.length;
      this.input.value = '';
    } else {
      this.recalled = next;
      this.input.value = this.history[next];
    }
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    this.fitHeight();
    this.update();
    return true;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.readOnly) return;
    const attached = this.attachments;
    // `@path` typed or pasted without picking it from the list: its content goes along too, when it is a
    // readable workspace path (a decorator or a package name is not, and is left as text).
    const unresolved = typedMentions(text).filter((path) => !attached.some((a) => a.attachment.path === path.replace(/\/+$/, '') || a.attachment.path.startsWith(path)));
    if (unresolved.length) {
      void Promise.all(unresolved.map((path) => this.actions.attachPath(path, true))).then((found) =>
        this.actions.send(text, [...attached, ...found.flat()].map((a) => a.attachment)),
      );
    } else {
      this.actions.send(text, attached.map((a) => a.attachment));
    }
    if (this.history[this.history.length - 1] !== text) this.history.push(text);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    this.recalled = this.history.length;
    this.input.value = '';
    this.attachments = [];
    this.renderChips();
    this.fitHeight();
    this.update();
  }

  private async attach(): Promise<void> {
    this.addAttachments(await this.actions.attach());
  }

  private async attachPath(path: string): Promise<void> {
    const pending = el('span', { className: 'chip pending', text: `${path} …` });
    this.chips.append(pending);
    try {
      this.addAttachments(await this.actions.attachPath(path));
    } finally {
      pending.remove();
    }
  }

  private renderChips(): void {
    this.chips.replaceChildren(
      ...this.attachments.map((item, i) => {
        const a = item.attachment;
        const name = a.startLine ? `${a.path}:${a.startLine}-${a.endLine ?? a.startLine}` : a.path;
        const base = name.slice(name.lastIndexOf('/', name.length - 2) + 1);
        return el(
          'span',
          { className: 'chip', testid: 'attachment-chip', attrs: { title: `${name}, ${item.tokens} tokens` } },
          el('span', { className: 'codicon codicon-file', attrs: { 'aria-hidden': 'true' } }),
          el('span', { className: 'chip-name', text: base }),
          el('span', { className: 'chip-tokens', text: formatTokens(item.tokens) }),
          button(`Remove ${name}`, () => {
            this.attachments.splice(i, 1);
            this.renderChips();
            this.input.focus();
          }, { icon: 'close', className: 'icon' }),
        );
      }),
    );
  }

  /** The box grows with what is typed (up to chat.css's max-height), and shrinks back when it is sent. */
  private fitHeight(): void {
    this.input.style.height = '';
    if (this.input.scrollHeight > this.input.clientHeight) this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  private update(): void {
    this.input.disabled = this.readOnly;
    this.attachButton.disabled = this.readOnly;
    this.sendButton.disabled = this.readOnly || this.input.value.trim() === '';
    this.sendButton.setAttribute('aria-label', this.running ? 'Send (queued until the agent is done)' : 'Send');
    this.stopButton.disabled = !this.running;
    this.element.classList.toggle('running', this.running);
  }
}

function sameSource(a: Attachment, b: Attachment): boolean {
  return a.path === b.path && a.startLine === b.startLine && a.endLine === b.endLine;
}

/** Paths named with `@` in a message (after a space or at the start), that look like files or folders. */
export function typedMentions(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|\s)@([^\s@]+)/g)) {
    const path = match[1].replace(/[.,;:!?)]+$/, '');
    if (path.includes('/') || /\.\w+$/.test(path)) found.add(path);
  }
  return [...found];
}
