// A tiny element builder: everything it sets goes through properties and textContent, never innerHTML.
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; testid?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.testid) node.dataset.testid = props.testid;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

/** A real <button> with an accessible name; `icon` is a codicon name. */
export function button(label: string, onClick: () => void, opts: { icon?: string; testid?: string; className?: string; text?: string } = {}): HTMLButtonElement {
  const b = el('button', { className: opts.className, testid: opts.testid, attrs: { type: 'button', 'aria-label': label, title: label } });
  if (opts.icon) b.append(el('span', { className: `codicon codicon-${opts.icon}`, attrs: { 'aria-hidden': 'true' } }));
  if (opts.text !== undefined) b.append(el('span', { text: opts.text }));
  else if (!opts.icon) b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
