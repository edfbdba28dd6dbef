// The memory inspector: the working-context blocks (editable; Save writes the block through the host),
// the counts of recall and archival items, the index state, the project instruction files (an overlay
// opened from the header's Memory button, so memory and chat each get the view's full height), and the
// compact context usage of the composer's footer ("2.7k / 16k", its legend on hover or focus).
import type { ContextUsage, IndexState, InstructionFile, MemoryBlock, MemorySnapshot } from '../protocol/shapes';
import { button, el } from './dom';
import { showStale, visibleLength } from './staleBadge';
import { formatTokens, usageSegments } from './labels';
import { CONTEXT_WINDOW_SOURCE_LABELS } from '../common/contextWindowLabels';

export interface InspectorActions {
  /** Resolves when saved; rejects with the reason (over the limit, unknown block). */
  saveBlock(label: string, value: string): Promise<void>;
  runCommand(command: 'memcode.indexWorkspace' | 'memcode.showMemory'): void;
}

interface BlockEditor {
  node: HTMLElement;
  input: HTMLTextAreaElement;
  counter: HTMLElement;
  status: HTMLElement;
  /** The value last known to be stored: the editor is dirty while the text differs from it. */
  saved: string;
  block: MemoryBlock;
}

export class Inspector {
  readonly element: HTMLDetailsElement;
  /** The composer footer's usage: a small bar and "used / window", the legend shown on hover or focus. */
  readonly usageElement: HTMLElement;
  private readonly blocksEl: HTMLElement;
  private readonly countsEl: HTMLElement;
  private readonly instructionsEl: HTMLElement;
  private readonly sharingEl: HTMLElement;
  private readonly editors = new Map<string, BlockEditor>();

  constructor(private readonly actions: InspectorActions) {
    this.usageElement = el('div', { className: 'context-usage', testid: 'context-usage', attrs: { role: 'group', 'aria-label': 'Context usage', tabindex: '0' } });
    this.blocksEl = el('div', { className: 'blocks' });
    this.countsEl = el('div', { className: 'counts' });
    this.instructionsEl = el('div', { className: 'instruction-files', testid: 'instruction-files' });
    this.sharingEl = el('p', { className: 'muted memory-sharing', testid: 'memory-sharing' });
    const close = button('Close memory', () => (this.element.open = false), { icon: 'close', className: 'icon' });
    this.element = el(
      'details',
      { className: 'memory-inspector header-overlay', testid: 'memory-inspector' },
      el('summary', { className: 'header-button', attrs: { title: 'Memory', 'aria-label': 'Memory' } }, el('span', { className: 'codicon codicon-database', attrs: { 'aria-hidden': 'true' } })),
      el(
        'div',
        { className: 'overlay-panel', attrs: { role: 'region', 'aria-label': 'Memory' } },
        el('div', { className: 'overlay-head' }, el('span', { className: 'overlay-title', text: 'Memory' }), el('span', { className: 'spacer' }), close),
        this.countsEl,
        this.sharingEl,
        this.instructionsEl,
        this.blocksEl,
      ),
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.element.open) {
        event.preventDefault();
        this.element.open = false;
        (this.element.querySelector('summary') as HTMLElement | null)?.focus();
      }
    });
  }

  render(snapshot: MemorySnapshot): void {
    this.renderCounts(snapshot);
    // What git shares of the memory folder (memory/teamSharing.ts): one line, absent from older hosts.
    this.sharingEl.textContent = snapshot.sharing ?? '';
    this.sharingEl.hidden = !snapshot.sharing;
    // The host leaves usage out until its tokenizer has loaded (about a second after the view opens).
    if (snapshot.usage) this.renderUsage(snapshot.usage);
    else if (!this.usageElement.hasChildNodes()) this.usageElement.replaceChildren(el('span', { className: 'usage-total muted', text: 'Measuring the context…' }));
    // Counted with the tokenizer, so they come and go with the usage: a snapshot without them keeps the last list.
    if (snapshot.instructionFiles) this.renderInstructionFiles(snapshot.instructionFiles);
    this.renderBlocks(snapshot.blocks);
    for (const [label, editor] of this.editors) showStale(editor.node, (snapshot.stale ?? []).filter((s) => s.block === label));
  }

  /** Read-only: the files are the project's own, edited in the editor like any file. */
  private renderInstructionFiles(files: readonly InstructionFile[]): void {
    if (!files.length) {
      this.instructionsEl.replaceChildren();
      return;
    }
    const items = files.map((f) =>
      el(
        'li',
        { className: 'instruction-file', attrs: { title: f.note ? `${f.path}: ${f.note}` : f.path } },
        el('span', { className: 'instruction-path', text: f.path }),
        el('span', { className: 'instruction-tokens', text: f.note && !f.tokens ? f.note : `${formatTokens(f.tokens)} tokens${f.note ? ` · ${f.note}` : ''}` }),
      ),
    );
    this.instructionsEl.replaceChildren(el('div', { className: 'instruction-title', text: 'Project instructions' }), el('ul', {}, ...items));
  }

  private renderCounts(snapshot: MemorySnapshot): void {
    const items = [
      el('span', { className: 'count', testid: 'recall-count', text: `Recall: ${snapshot.recallCount} messages` }),
      el('span', { className: 'count', testid: 'archival-count', text: `Archival: ${snapshot.archivalCount} items` }),
      el('span', { className: 'count index-state', text: describeIndex(snapshot.indexState) }),
      snapshot.indexState.status === 'not_indexed' || snapshot.indexState.status === 'needs_rebuild'
        ? button('Index workspace', () => this.actions.runCommand('memcode.indexWorkspace'), { icon: 'database', text: 'Index', className: 'secondary small' })
        : undefined,
    ].filter((n) => n !== undefined);
    this.countsEl.replaceChildren(...items);
  }

  private renderUsage(usage: ContextUsage): void {
    const segments = usageSegments(usage);
    const bar = el('div', {
      className: 'usage-bar',
      attrs: {
        role: 'meter',
        'aria-label': 'Context window in use',
        'aria-valuemin': '0',
        'aria-valuemax': String(usage.contextWindow),
        'aria-valuenow': String(usage.total),
        'aria-valuetext': `${usage.total} of ${usage.contextWindow} tokens`,
      },
    });
    for (const s of segments) {
      const part = el('div', { className: `usage-segment usage-${s.key}`, attrs: { title: `${s.label}: ${s.tokens} tokens` } });
      part.style.width = `${s.percent}%`;
      bar.append(part);
    }
    if (usage.contextWindow > 0 && usage.budget < usage.contextWindow) {
      // The mark shows where eviction starts: the rest of the window is kept for the reply.
      const budget = el('div', { className: 'usage-budget', attrs: { title: `Budget: ${usage.budget} tokens` } });
      budget.style.left = `${Math.min(100, (usage.budget / usage.contextWindow) * 100)}%`;
      bar.append(budget);
    }
    const legend = el(
      'div',
      { className: 'usage-legend', attrs: { role: 'tooltip', id: 'memcode-usage-legend' } },
      ...segments.map((s) => el('span', { className: 'usage-key' }, el('span', { className: `swatch usage-${s.key}`, attrs: { 'aria-hidden': 'true' } }), el('span', { text: `${s.label} ${formatTokens(s.tokens)}` }))),
      el('span', { className: 'usage-window', text: `${formatTokens(usage.total)} of ${formatTokens(usage.contextWindow)} tokens in use${usage.budget < usage.contextWindow ? `; older messages move to recall past ${formatTokens(usage.budget)}` : ''}` }),
      usage.contextWindowSource
        ? el('span', {
            className: 'usage-window-source',
            testid: 'context-window-source',
            text: `window ${CONTEXT_WINDOW_SOURCE_LABELS[usage.contextWindowSource]}`,
            attrs: { title: `Context window: ${usage.contextWindow} tokens (${usage.contextWindowSource}); set memcode.contextWindow to choose it yourself` },
          })
        : undefined,
    );
    const total = el('span', { className: 'usage-total', text: `${formatTokens(usage.total)} / ${formatTokens(usage.contextWindow)}` });
    this.usageElement.setAttribute('aria-describedby', 'memcode-usage-legend');
    this.usageElement.replaceChildren(bar, total, legend);
  }

  private renderBlocks(blocks: readonly MemoryBlock[]): void {
    const seen = new Set<string>();
    const nodes: HTMLElement[] = [];
    for (const block of blocks) {
      seen.add(block.label);
      let editor = this.editors.get(block.label);
      if (!editor) {
        editor = this.createEditor(block);
        this.editors.set(block.label, editor);
      }
      const dirty = editor.input.value !== editor.saved;
      if (editor.block.description !== block.description) {
        const description = editor.node.querySelector('.block-description');
        if (description) {
          description.textContent = block.description;
          description.setAttribute('title', block.description);
        }
      }
      editor.block = block;
      editor.saved = block.value;
      // defaultValue puts the stored text in the DOM (textContent), where tests and screen readers find it.
      editor.input.defaultValue = block.value;
      // A person halfway through an edit keeps their text; the agent's newer value shows once they save or revert.
      if (!dirty) editor.input.value = block.value;
      this.updateCounter(editor);
      nodes.push(editor.node);
    }
    for (const label of [...this.editors.keys()]) if (!seen.has(label)) this.editors.delete(label);
    this.blocksEl.replaceChildren(...nodes);
  }

  private createEditor(block: MemoryBlock): BlockEditor {
    const id = `block-${block.label.replace(/[^\w-]/g, '_')}`;
    const input = el('textarea', { className: 'block-input', attrs: { id, rows: '5', spellcheck: 'false' } });
    input.defaultValue = block.value;
    input.value = block.value;
    const counter = el('span', { className: 'block-counter' });
    const status = el('span', { className: 'block-status', attrs: { role: 'status' } });
    const node = el('div', { className: 'memory-block', testid: 'memory-block' });
    node.dataset.block = block.label;
    const editor: BlockEditor = { node, input, counter, status, saved: block.value, block };
    const save = button(`Save ${block.label}`, () => void this.save(editor, save), { icon: 'save', text: 'Save', className: 'secondary small' });
    const revert = button(`Revert ${block.label}`, () => {
      input.value = editor.saved;
      this.updateCounter(editor);
    }, { icon: 'discard', className: 'icon' });
    input.addEventListener('input', () => this.updateCounter(editor));
    input.addEventListener('keydown', (event) => {
      if (event.key === 's' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.save(editor, save);
      }
    });
    node.append(
      el('div', { className: 'block-header' }, el('label', { className: 'block-label', text: block.label, attrs: { for: id } }), el('span', { className: 'block-description', text: block.description, attrs: { title: block.description } })),
      input,
      el('div', { className: 'block-footer' }, counter, status, el('span', { className: 'spacer' }), revert, save),
    );
    return editor;
  }

  private updateCounter(editor: BlockEditor): void {
    const length = visibleLength(editor.input.value);
    editor.counter.textContent = `${length}/${editor.block.limit}`;
    editor.counter.classList.toggle('over', length > editor.block.limit);
    editor.node.classList.toggle('dirty', editor.input.value !== editor.saved);
  }

  private async save(editor: BlockEditor, saveButton: HTMLButtonElement): Promise<void> {
    const value = editor.input.value;
    saveButton.disabled = true;
    editor.status.textContent = 'Saving…';
    editor.status.classList.remove('failed');
    try {
      await this.actions.saveBlock(editor.block.label, value);
      editor.saved = value;
      editor.status.textContent = 'Saved';
    } catch (error) {
      editor.status.textContent = error instanceof Error ? error.message : String(error);
      editor.status.classList.add('failed');
    } finally {
      saveButton.disabled = false;
      this.updateCounter(editor);
    }
  }
}

function describeIndex(state: IndexState): string {
  switch (state.status) {
    case 'not_indexed':
      return 'Not indexed';
    case 'indexing':
      return state.total ? `Indexing ${state.done ?? 0}/${state.total} files` : 'Indexing…';
    case 'ready':
      return `Index: ${state.files ?? 0} files, ${state.chunks ?? 0} chunks`;
    case 'needs_rebuild':
      return `Index needs a rebuild${state.message ? `: ${state.message}` : ''}`;
    case 'error':
      return `Index error${state.message ? `: ${state.message}` : ''}`;
  }
}
