// The memory inspector's mark on a block with stale entries (issue 12): a badge in the block's header,
// its tooltip naming each entry and the code that changed. Kept apart from inspector.ts, which only calls in.
import type { MemorySnapshot } from '../protocol/shapes';
import { el } from './dom';

type StaleEntry = NonNullable<MemorySnapshot['stale']>[number];

/** Shows (or removes) the badge on one block's editor node. */
export function showStale(node: HTMLElement, entries: readonly StaleEntry[]): void {
  node.querySelector('.stale-badge')?.remove();
  node.classList.toggle('stale', entries.length > 0);
  if (!entries.length) return;
  const tooltip = entries.map((e) => `${e.text}\n  ${e.why}`).join('\n');
  const badge = el(
    'span',
    { className: 'stale-badge block-description', testid: 'stale-badge', attrs: { title: tooltip, 'aria-label': `${entries.length} stale: ${tooltip}`, tabindex: '0' } },
    el('span', { className: 'codicon codicon-warning', attrs: { 'aria-hidden': 'true' } }),
    ` ${entries.length} stale (${[...new Set(entries.flatMap((e) => e.files))].join(', ')})`,
  );
  node.querySelector('.block-header')?.append(badge);
}

/** Characters the model reads: provenance markers (`<!-- mc:… -->`) do not count against the limit. */
export function visibleLength(value: string): number {
  return value.replace(/[ \t]*<!--\s*mc:[^\n]*?-->[ \t]*$/gm, '').length;
}
