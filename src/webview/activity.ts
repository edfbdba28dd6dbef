// The activity row at the end of the conversation: what the agent is doing while no text streams (before
// the first token, between steps, while a tool runs), so a working agent never looks like a stalled one.
import type { ToolCard } from '../protocol/shapes';
import { el } from './dom';

const LONGEST = 60;

/** "Reading src/store.ts…", "Running npm test…": a tool call in the present tense, from its arguments. */
export function activityText(card: Pick<ToolCard, 'name' | 'args'>): string {
  const args = parseArgs(card.args);
  const arg = (key: string) => {
    const value = args[key];
    return typeof value === 'string' && value.trim() ? short(value.trim()) : undefined;
  };
  switch (card.name) {
    case 'read_file':
      return `Reading ${arg('path') ?? 'a file'}…`;
    case 'list_files':
      return `Listing ${arg('path') && arg('path') !== '.' ? arg('path') : 'the workspace'}…`;
    case 'search_files':
      return arg('pattern') ? `Searching the files for “${arg('pattern')}”…` : 'Searching the files…';
    case 'edit_file':
      return `Editing ${arg('path') ?? 'a file'}…`;
    case 'write_file':
      return `Writing ${arg('path') ?? 'a file'}…`;
    case 'run_command':
      return `Running ${arg('command') ?? 'a command'}…`;
    case 'archival_memory_search':
      return arg('query') ? `Searching memory for “${arg('query')}”…` : 'Searching memory…';
    case 'archival_memory_insert':
      return 'Saving a note to memory…';
    case 'conversation_search':
    case 'conversation_search_date':
      return 'Searching past conversations…';
    default:
      if (card.name.startsWith('working_context_')) return arg('block') ? `Updating the ${arg('block')} notes…` : 'Updating memory…';
      return `Running ${card.name}…`;
  }
}

/** Arguments as far as they parse: the model's almost-JSON still gives its path or command when it can. */
function parseArgs(args: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    const out: Record<string, unknown> = {};
    for (const m of args.matchAll(/"(\w+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2].replace(/\\(.)/g, '$1');
    return out;
  }
  return {};
}

function short(text: string): string {
  const line = text.split('\n')[0];
  return line.length > LONGEST || line !== text ? `${line.slice(0, LONGEST - 1)}…` : line;
}

/** The row itself: shown while the agent works without streaming text; one polite live region. */
export class ActivityRow {
  readonly element: HTMLElement;
  private readonly label: HTMLElement;
  private running = false;
  private streaming = false;
  /** Tools that have not answered yet, in call order: the row names the latest. */
  private readonly tools = new Map<string, string>();

  constructor() {
    this.label = el('span', { className: 'activity-text' });
    this.element = el(
      'div',
      { className: 'activity', testid: 'activity', attrs: { role: 'status', 'aria-live': 'polite' } },
      el('span', { className: 'codicon codicon-loading codicon-modifier-spin', attrs: { 'aria-hidden': 'true' } }),
      this.label,
    );
    this.element.hidden = true;
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (!running) {
      this.tools.clear();
      this.streaming = false;
    }
    this.draw();
  }

  /** Text is streaming (the reply shows itself) or stopped streaming (a step ended). */
  setStreaming(streaming: boolean): void {
    this.streaming = streaming;
    this.draw();
  }

  toolStarted(card: Pick<ToolCard, 'callId' | 'name' | 'args'>): void {
    this.streaming = false;
    this.tools.set(card.callId, activityText(card));
    this.draw();
  }

  toolFinished(callId: string): void {
    this.tools.delete(callId);
    this.draw();
  }

  get text(): string | undefined {
    if (!this.running || this.streaming) return undefined;
    return [...this.tools.values()].pop() ?? 'Thinking…';
  }

  private draw(): void {
    const text = this.text;
    this.element.hidden = text === undefined;
    if (text !== undefined && this.label.textContent !== text) this.label.textContent = text;
  }
}
