// The input box: Enter sends, Shift+Enter is a newline; Send and Stop; the editor's selection can ride
// along as an attachment. Sending while the agent works is allowed: the host queues the message.
import type { Attachment } from '../protocol/shapes';
import { button, el } from './dom';
import { MentionCompleter } from './mentions';

export interface ComposerActions {
  send(text: string, attachments: Attachment[]): void;
  stop(): void;
  /** The active editor's selection (or file), or null without an editor. */
  attachSelection(): Promise<Attachment | null>;
  /** Workspace paths for `@` completion. */
  findFiles(query: string): Promise<string[]>;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly chips: HTMLElement;
  private attachments: Attachment[] = [];
  private running = false;
  private readOnly = false;

  constructor(private readonly actions: ComposerActions) {
    this.input = el('textarea', {
      className: 'chat-input',
      testid: 'chat-input',
      attrs: { rows: '3', placeholder: 'Ask MemCode… (Enter to send, Shift+Enter for a new line)', 'aria-label': 'Message to MemCode' },
    });
    const mentions = new MentionCompleter(this.input, (query) => this.actions.findFiles(query));
    this.input.addEventListener('keydown', (event) => {
      if (mentions.handleKey(event)) return;
      // isComposing: Enter that confirms an IME candidate must not send.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape' && this.running) {
        event.preventDefault();
        this.actions.stop();
      }
    });
    this.input.addEventListener('input', () => this.update());
    this.sendButton = button('Send', () => this.submit(), { icon: 'send', testid: 'send', className: 'primary' });
    this.stopButton = button('Stop', () => this.actions.stop(), { icon: 'debug-stop', testid: 'stop', className: 'secondary' });
    this.attachButton = button('Attach the editor selection', () => void this.attach(), { icon: 'attach', className: 'icon' });
    this.chips = el('div', { className: 'attachments' });
    this.element = el('div', { className: 'composer' }, this.chips, mentions.element, this.input, el('div', { className: 'composer-buttons' }, this.attachButton, el('span', { className: 'spacer' }), this.stopButton, this.sendButton));
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

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.readOnly) return;
    this.actions.send(text, this.attachments);
    this.input.value = '';
    this.attachments = [];
    this.renderChips();
    this.update();
  }

  private async attach(): Promise<void> {
    const attachment = await this.actions.attachSelection();
    if (!attachment) return;
    this.attachments.push(attachment);
    this.renderChips();
  }

  private renderChips(): void {
    this.chips.replaceChildren(
      ...this.attachments.map((a, i) => {
        const name = a.startLine ? `${a.path}:${a.startLine}-${a.endLine ?? a.startLine}` : a.path;
        return el(
          'span',
          { className: 'chip' },
          el('span', { text: name }),
          button(`Remove ${name}`, () => {
            this.attachments.splice(i, 1);
            this.renderChips();
          }, { icon: 'close', className: 'icon' }),
        );
      }),
    );
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
