// Moves messages out of the conversation queue (DESIGN.md §2, "Memory pressure"; §3, "Sessions"). With a
// summarizer they are folded into the recursive summary; without one (memory mode none) they are simply
// dropped from the prompt: FIFO truncation. Either way they stay in recall/messages.jsonl, the log.
import type { TokenCounter } from '../llm/types';
import type { RecallLog } from '../memory/recall';
import type { MessageRecord } from '../memory/types';
import type { AgentObserver, EvictionReport } from './events';
import type { Summarizer } from './summarizer';

export class QueueEviction {
  constructor(
    private readonly recall: RecallLog,
    /** Undefined: evicted messages are dropped, with no summarizer call. */
    private readonly summarizer: Summarizer | undefined,
    private readonly tokens: TokenCounter,
    private readonly observer?: AgentObserver,
  ) {}

  /** Takes `evicted` (the oldest messages of the queue) out of it; the queue then starts at `firstInContextId`. */
  async evict(evicted: readonly MessageRecord[], firstInContextId: number, signal?: AbortSignal): Promise<void> {
    if (!evicted.length) return;
    if (!this.summarizer) {
      this.recall.saveState({ firstInContextId, pressureAlerted: false });
      this.observer?.onEviction?.({ evicted: evicted.length, firstInContextId, summaryTokens: 0, fallback: false });
      return;
    }
    const result = await this.summarizer.summarize(this.recall.state().summary, evicted, signal);
    this.recall.saveState({ summary: result.summary, firstInContextId, pressureAlerted: false });
    const report: EvictionReport = {
      evicted: evicted.length,
      firstInContextId,
      summaryTokens: this.tokens.count(result.summary),
      fallback: result.fallback,
      error: result.error,
    };
    if (result.fallback) this.observer?.onWarning?.(`the summarizer failed (${result.error}); used a plain fallback summary. Nothing was lost: evicted messages stay in recall memory.`);
    this.observer?.onEviction?.(report);
  }
}
