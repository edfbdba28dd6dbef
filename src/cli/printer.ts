// What the terminal shows while the agent works: the reply on stdout, everything else on stderr,
// so `memcode chat -m ... > answer.txt` captures only the answer.
import type { AgentObserver, ContextUsage, EvictionReport } from '../core/events';
import type { ToolCall } from '../common/types';
import { CONTEXT_WINDOW_SOURCE_LABELS } from '../common/contextWindowLabels';
import type { ContextWindow } from '../llm/contextWindow';
import type { MessageRecord } from '../memory/types';
import type { ToolOutcome } from '../tools/types';

export interface PrinterStreams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const BLOCK_NAMES: Record<string, string> = { project: 'project notes', user: 'user preferences', task: 'task scratchpad' };

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What a successful memory edit changed: a working-context block, or archival memory (which has none). */
function memoryEdit(outcome: ToolOutcome): string {
  const block = outcome.args?.block;
  if (typeof block !== 'string') return 'saved a note to archival memory';
  return `updated ${BLOCK_NAMES[block] ?? `block "${block}"`}`;
}

export class TerminalPrinter implements AgentObserver {
  private atLineStart = true;

  constructor(private readonly streams: PrinterStreams) {}

  onText(delta: string): void {
    this.streams.out.write(delta);
    if (delta) this.atLineStart = delta.endsWith('\n');
  }

  /** Ends the streamed reply with a newline so the prompt or the next tool line starts clean. */
  endReply(): void {
    if (!this.atLineStart) this.streams.out.write('\n');
    this.atLineStart = true;
  }

  /** A queued message delivered mid-turn starts a new reply: end the one before it on its own line. */
  onMessage(record: MessageRecord): void {
    if (record.role === 'user') this.endReply();
  }

  onToolCall(call: ToolCall): void {
    this.endReply();
    this.streams.err.write(`→ ${call.name} ${clip(call.arguments)}\n`);
  }

  onToolResult(call: ToolCall, outcome: ToolOutcome, editsMemory: boolean): void {
    if (editsMemory && outcome.ok) {
      this.streams.err.write(`  ✎ ${memoryEdit(outcome)}\n`);
    } else if (!outcome.ok) {
      this.streams.err.write(`  ✗ ${clip(outcome.content)}\n`);
    } else {
      this.streams.err.write(`  ✓ ${clip(outcome.content, 100)}\n`);
    }
  }

  onSystemAlert(text: string): void {
    this.streams.err.write(`[alert] ${text}\n`);
  }

  onEviction(report: EvictionReport): void {
    this.streams.err.write(`[memory] ${report.evicted} older messages folded into the summary (${report.summaryTokens} tokens${report.fallback ? ', fallback summary' : ''}); they stay in recall\n`);
  }

  onWarning(message: string): void {
    this.streams.err.write(`[warning] ${message}\n`);
  }

  onContextUsage(_usage: ContextUsage): void {}

  /** Said once the window is found; a correction arrives as a warning that already says it. */
  onContextWindow(window: ContextWindow): void {
    if (window.source === 'server error') return;
    this.streams.err.write(`[context window] ${window.tokens.toLocaleString('en-US')} tokens, ${CONTEXT_WINDOW_SOURCE_LABELS[window.source]}\n`);
  }
}
