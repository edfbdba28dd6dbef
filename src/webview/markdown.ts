// Model text → safe DOM. marked turns Markdown into HTML, DOMPurify strips anything that could run or
// load (script, event handlers, javascript: URLs) and hands back a fragment, then code blocks are
// highlighted and get Copy / Insert buttons. Only the highlight.js core and a few grammars are bundled.
import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { button, el } from './dom';

const LANGUAGES = { bash, c, cpp, css, diff, go, java, javascript, json, markdown, python, rust, typescript, xml };
for (const [name, grammar] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, grammar);
hljs.registerAliases(['sh', 'shell', 'zsh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });

// Raw HTML in a reply is shown as the text it is (a model writing `<div>` or `<script>` means the
// characters, and nothing it writes should become markup); DOMPurify below is the second line of defence.
const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html: ({ text, block }) => (block ? `<p class="raw-html">${escapeHtml(text)}</p>` : escapeHtml(text)),
    // Inputs do not survive the sanitizer (no forms in a reply): a task item's box is a marker that
    // becomes a disabled checkbox after sanitizing (taskBoxes).
    checkbox: ({ checked }) => `<span class="task-box" data-checked="${checked ? 'true' : 'false'}"></span>`,
  },
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// Styles could overlay fake UI and forms could post somewhere; neither belongs in a chat reply.
const PURIFY = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style'],
};

/** Sanitizes an HTML string into a fragment that is safe to insert. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return DOMPurify.sanitize(html, { ...PURIFY, RETURN_DOM_FRAGMENT: true });
}

export interface CodeActions {
  insert(code: string): void;
}

/**
 * Apply to file and Run in terminal on code blocks (set by cardWiring.ts): both go through the host's
 * approval and review like the agent's own edits and commands. Run only on shell code.
 */
export const codeBlockExtras: { apply?: (code: string, language?: string) => void; run?: (code: string) => void } = {};
const SHELL = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'powershell', 'ps1', 'cmd', 'bat']);

/** Renders Markdown into `target` (replacing what was there). */
export function renderMarkdown(target: HTMLElement, text: string, actions: CodeActions): void {
  let html: string;
  try {
    html = marked.parse(text, { async: false }) as string;
  } catch {
    target.replaceChildren(el('p', { text }));
    return;
  }
  const fragment = sanitizeToFragment(html);
  for (const a of Array.from(fragment.querySelectorAll('a'))) {
    a.setAttribute('rel', 'noopener noreferrer');
  }
  for (const code of Array.from(fragment.querySelectorAll('pre > code'))) decorateCodeBlock(code as HTMLElement, actions);
  taskBoxes(fragment);
  target.replaceChildren(fragment);
}

/** GitHub-style task lists: "- [x] done" shows a ticked box (read-only: the reply is not a form). */
function taskBoxes(fragment: DocumentFragment): void {
  for (const marker of Array.from(fragment.querySelectorAll('span.task-box'))) {
    const box = el('input', { className: 'task-checkbox', attrs: { type: 'checkbox', disabled: '' } });
    box.checked = (marker as HTMLElement).dataset.checked === 'true';
    const item = marker.closest('li');
    item?.classList.add('task-item');
    item?.parentElement?.classList.add('task-list');
    marker.replaceWith(box);
  }
}

function languageOf(code: HTMLElement): string | undefined {
  const match = /(?:^|\s)language-([\w+#-]+)/.exec(code.className);
  return match?.[1]?.toLowerCase();
}

function decorateCodeBlock(code: HTMLElement, actions: CodeActions): void {
  const source = code.textContent ?? '';
  const language = languageOf(code);
  if (language && hljs.getLanguage(language)) {
    const highlighted = hljs.highlight(source, { language, ignoreIllegals: true }).value;
    // hljs escapes the source, but everything that reaches the DOM still goes through DOMPurify.
    code.replaceChildren(sanitizeToFragment(highlighted));
    code.classList.add('hljs');
  }
  const pre = code.parentElement;
  if (!pre) return;
  const copy = button('Copy code', () => void copyText(source, copy), { icon: 'copy', className: 'code-action' });
  const insert = button('Insert code at cursor', () => actions.insert(source), { icon: 'insert', className: 'code-action' });
  const apply = codeBlockExtras.apply && button('Apply to file: propose this code as an edit of the active editor (its selection, or the whole file)', () => codeBlockExtras.apply?.(source, language), { icon: 'go-to-file', className: 'code-action', testid: 'code-apply' });
  const run = codeBlockExtras.run && language && SHELL.has(language) ? button('Run in terminal (asks first)', () => codeBlockExtras.run?.(source), { icon: 'terminal', className: 'code-action', testid: 'code-run' }) : undefined;
  const toolbar = el('div', { className: 'code-toolbar' }, el('span', { className: 'code-language', text: language ?? '' }), copy, insert, apply || undefined, run);
  const wrapper = el('div', { className: 'code-block' });
  pre.replaceWith(wrapper);
  wrapper.append(toolbar, pre);
}

async function copyText(text: string, feedback: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Older webviews refuse the async clipboard without focus; the legacy path still works there.
    const area = el('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  showCopied(feedback);
}

/** How long "Copied" stays on the button: long enough to read, short enough to copy again. */
const COPIED_MS = 1500;

/** A visible "Copied" on the button, and the same said once to a screen reader. */
function showCopied(button: HTMLButtonElement): void {
  let label = button.querySelector<HTMLElement>('.code-action-label');
  if (!label) {
    label = el('span', { className: 'code-action-label' });
    button.append(label);
  }
  label.textContent = 'Copied';
  button.classList.add('copied');
  button.setAttribute('aria-label', 'Copied');
  button.title = 'Copied';
  announce('Code copied to the clipboard');
  const timers = copiedTimers.get(button);
  if (timers !== undefined) clearTimeout(timers);
  copiedTimers.set(
    button,
    setTimeout(() => {
      button.classList.remove('copied');
      label.textContent = '';
      button.setAttribute('aria-label', 'Copy code');
      button.title = 'Copy code';
    }, COPIED_MS),
  );
}

const copiedTimers = new WeakMap<HTMLButtonElement, ReturnType<typeof setTimeout>>();

/** One polite live region for the whole page; the text is set anew so the same words are read again. */
export function announce(text: string): void {
  let region = document.getElementById('memcode-announcer');
  if (!region) {
    region = el('div', { className: 'visually-hidden', attrs: { id: 'memcode-announcer', role: 'status', 'aria-live': 'polite' } });
    document.body.append(region);
  }
  region.textContent = '';
  const target = region;
  setTimeout(() => (target.textContent = text), 50);
}
