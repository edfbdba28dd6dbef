// The recursive summary (DESIGN.md §2, "Memory pressure"): evicted messages folded into the running
// summary by the model, with a deterministic fallback. Which messages go is memoryPressure.ts's call.
import type { ChatModel, TokenCounter } from '../llm/types';
import { fitToTokens } from '../llm/tokens';
import { LlmError } from '../llm/types';
import type { MessageRecord } from '../memory/types';
import { SUMMARIZER_INSTRUCTIONS } from './prompts';
import { contentForModel } from '../memory/messageContent';

const MAX_CHARS_PER_MESSAGE = 2_000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)} …[${text.length - max} more chars]`;
}

/** One evicted message as a transcript line for the summarizer. */
export function transcriptLine(r: MessageRecord): string {
  const head = `[#${r.id} ${r.time.slice(0, 16)} ${r.role}${r.name ? ` ${r.name}` : ''}]`;
  const calls = r.toolCalls?.length ? ` calls ${r.toolCalls.map((c) => `${c.name}(${clip(c.arguments, 300)})`).join(', ')}` : '';
  return `${head}${calls} ${clip(contentForModel(r), MAX_CHARS_PER_MESSAGE)}`.trim();
}

const PATHLIKE = /(?:[\w.-]+\/)*[\w.-]+\.(?:ts|tsx|js|jsx|json|py|go|rs|java|c|cc|cpp|h|hpp|md|yml|yaml|toml|sh|css|html)\b/g;

/**
 * Used when the summarizer call fails: no model needed, deterministic, bounded. It keeps what a
 * later search needs most (who asked what, file names) and says plainly that it is a fallback.
 */
export function fallbackSummary(previous: string, evicted: readonly MessageRecord[], maxChars = 1_800): string {
  if (!evicted.length) return previous;
  const first = evicted[0];
  const last = evicted[evicted.length - 1];
  const asks = evicted
    .filter((r) => r.role === 'user' && (r.kind ?? 'message') === 'message')
    .map((r) => `- ${r.time.slice(0, 10)}: ${clip(r.content.replace(/\s+/g, ' '), 120)}`);
  const files = new Set<string>();
  for (const r of evicted) for (const m of contentForModel(r).match(PATHLIKE) ?? []) if (files.size < 12) files.add(m);
  const section = [
    `Messages #${first.id}–#${last.id} (${first.time.slice(0, 10)} to ${last.time.slice(0, 10)}) were evicted without a model summary; search recall for details.`,
    asks.length ? `The person asked:\n${asks.slice(-8).join('\n')}` : '',
    files.size ? `Files mentioned: ${[...files].join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const room = Math.max(0, maxChars - section.length - 2);
  const kept = previous.length > room ? `…${previous.slice(previous.length - room + 1)}` : previous;
  return [kept, section].filter(Boolean).join('\n\n');
}

export interface SummaryResult {
  summary: string;
  fallback: boolean;
  error?: string;
}

export class Summarizer {
  constructor(
    private readonly model: ChatModel,
    private readonly tokens: TokenCounter,
    private readonly options: { budget: number; maxSummaryTokens?: number; instructions?: string },
  ) {}

  private get instructions(): string {
    return this.options.instructions ?? SUMMARIZER_INSTRUCTIONS;
  }

  private get maxSummaryTokens(): number {
    return this.options.maxSummaryTokens ?? Math.min(700, Math.floor(this.options.budget * 0.1));
  }

  /** Folds `evicted` into `previous`, in as many calls as needed to keep each request inside the budget. */
  async summarize(previous: string, all: readonly MessageRecord[], signal?: AbortSignal): Promise<SummaryResult> {
    // Automatic recall only copied older memories into the queue, stamped with the time of the copy: folded
    // in, a fact would come out with the wrong date (and an older value could look newer than its update).
    const evicted = all.filter((r) => r.kind !== 'auto_recall');
    if (!evicted.length) return { summary: previous, fallback: false };
    try {
      let summary = previous;
      for (const chunk of this.chunks(evicted, previous)) summary = await this.fold(summary, chunk, signal);
      return { summary, fallback: false };
    } catch (err) {
      if (err instanceof LlmError && err.kind === 'aborted') throw err;
      const message = err instanceof Error ? err.message : String(err);
      return { summary: fallbackSummary(previous, evicted), fallback: true, error: message };
    }
  }

  /** Splits the transcript so instructions + previous summary + chunk + the answer fit the window. */
  private chunks(evicted: readonly MessageRecord[], previous: string): string[][] {
    const overhead = this.tokens.count(this.instructions) + this.tokens.count(previous) + this.maxSummaryTokens * 2 + 64;
    const room = Math.max(256, this.options.budget - overhead);
    const chunks: string[][] = [];
    let current: string[] = [];
    let used = 0;
    for (const r of evicted) {
      const line = transcriptLine(r);
      const n = this.tokens.count(line) + 4;
      if (used + n > room && current.length) {
        chunks.push(current);
        current = [];
        used = 0;
      }
      current.push(n > room ? line.slice(0, room * 3) : line);
      used += Math.min(n, room);
    }
    if (current.length) chunks.push(current);
    return chunks;
  }

  private async fold(previous: string, lines: string[], signal?: AbortSignal): Promise<string> {
    const user = `${previous ? `Previous summary:\n${previous}\n\n` : ''}Evicted messages:\n${lines.join('\n')}\n\nWrite the new summary.`;
    const result = await this.model.chat({
      messages: [
        { role: 'system', content: this.instructions },
        { role: 'user', content: user },
      ],
      maxTokens: this.maxSummaryTokens,
      temperature: 0,
      signal,
    });
    const text = result.content.trim();
    if (!text) throw new Error('the summarizer returned an empty summary');
    // A server may ignore maxTokens; eviction plans for a summary of at most maxSummaryTokens.
    return fitToTokens((chars) => text.slice(0, chars), text.length, this.maxSummaryTokens, (cut) => this.tokens.count(cut));
  }
}
