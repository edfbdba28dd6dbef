// The conversation follows new content while the person is at the bottom, and leaves them alone while
// they read further up: then new content shows a "New messages" button that jumps to the latest. Their
// own message always brings them to the bottom.
import { el } from './dom';

/** How close to the end still counts as "at the bottom" (a line of text; sub-pixel scroll positions). */
const AT_END_PX = 40;

export class ScrollFollow {
  /** Put it last inside the scroller: it sticks to the scroller's bottom edge. */
  readonly element: HTMLElement;
  private readonly jump: HTMLButtonElement;
  private pinned = true;
  /** Scroll events our own scrolling causes are not the person moving away. */
  private expected: number | undefined;

  constructor(private readonly scroller: HTMLElement) {
    this.jump = el('button', { className: 'jump-to-latest', testid: 'jump-to-latest', attrs: { type: 'button', title: 'Jump to the latest message' } });
    this.jump.append(el('span', { className: 'codicon codicon-arrow-down', attrs: { 'aria-hidden': 'true' } }), el('span', { text: 'New messages' }));
    this.jump.addEventListener('click', () => this.toEnd(true));
    this.jump.hidden = true;
    this.element = el('div', { className: 'jump-row' }, this.jump);
    scroller.addEventListener('scroll', () => this.onScroll());
    // The scroll event comes a frame later; a reply arriving in between would pull the view back down
    // under a person who had just started to scroll up. Their intent is known at once.
    scroller.addEventListener('wheel', (e) => e.deltaY < 0 && this.leave(), { passive: true });
    scroller.addEventListener('touchmove', () => this.leave(), { passive: true });
    scroller.addEventListener('keydown', (e) => ['ArrowUp', 'PageUp', 'Home'].includes(e.key) && this.leave());
  }

  /** Whether new content will be followed. */
  get following(): boolean {
    return this.pinned;
  }

  /**
   * Content was added or grew. At the bottom it is followed; scrolled up, `news` (a new message, a reply
   * streaming, a tool card; not a status row) shows the button instead.
   */
  contentChanged(news = true): void {
    if (this.pinned) this.toEnd(false);
    else if (news) this.jump.hidden = false;
  }

  /** Scrolls to the latest content; `force` also when the person had scrolled up (they sent something). */
  toEnd(force: boolean): void {
    if (force) this.pinned = true;
    if (!this.pinned) return;
    this.jump.hidden = true;
    const top = this.scroller.scrollHeight - this.scroller.clientHeight;
    if (Math.abs(this.scroller.scrollTop - top) >= 1) {
      this.expected = top;
      this.scroller.scrollTop = top;
    }
  }

  private leave(): void {
    if (this.scroller.scrollHeight > this.scroller.clientHeight) this.pinned = false;
  }

  private onScroll(): void {
    const box = this.scroller;
    const distance = box.scrollHeight - box.scrollTop - box.clientHeight;
    if (this.expected !== undefined && Math.abs(box.scrollTop - this.expected) < 2) {
      this.expected = undefined;
      return;
    }
    this.expected = undefined;
    this.pinned = distance < AT_END_PX;
    if (this.pinned) this.jump.hidden = true;
  }
}
