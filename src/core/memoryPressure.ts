// Memory pressure (DESIGN.md §2): the policy that keeps main context within the window. A warning to the
// model as the queue passes the pressure threshold, eviction of the oldest messages (into recall, folded
// into the summary by queueEviction.ts) past the budget, and how much one tool result may take.
import type { ContextUsage } from '../common/types';
import type { RecallLog } from '../memory/recall';
import type { MessageRecord } from '../memory/types';
import { AgentError, type AgentObserver } from './events';
import type { AssembledContext, MainContext } from './mainContext';
import type { MemoryMode } from './promptSections';
import { MEMORY_PRESSURE_ALERT } from './prompts';
import type { QueueEviction } from './queueEviction';

export interface MemoryPressureOptions {
  mainContext: MainContext;
  recall: RecallLog;
  eviction: QueueEviction;
  memoryMode: MemoryMode;
  /** Share of the budget at which the model is warned (default 0.75). */
  pressureThreshold?: number;
  /** Share of the budget the queue is cut to on eviction (default 0.5). */
  evictTarget?: number;
  /** Puts a system alert in the queue. */
  alert: (text: string) => void;
  observer?: AgentObserver;
}

export class MemoryPressure {
  constructor(private readonly options: MemoryPressureOptions) {}

  /** Enforces the budget: pressure alert at the threshold, eviction past 100% (or when forced). */
  async fit(assemble: () => AssembledContext, signal: AbortSignal, forceEvict: boolean): Promise<AssembledContext> {
    const budget = this.options.mainContext.budget;
    let context = assemble();
    const projectInstructions = context.usage.instructions ?? 0;
    const fixed = context.usage.system + projectInstructions + context.usage.workingContext;
    if (fixed > budget) {
      throw new AgentError(
        'context_too_small',
        `the context window of ${this.options.mainContext.contextWindow} tokens cannot hold the system instructions and tools (${context.usage.system} tokens)${projectInstructions ? `, the project instructions (${projectInstructions} tokens)` : ''} and working context (${context.usage.workingContext} tokens) with ${this.options.mainContext.contextWindow - budget} tokens kept for the answer; raise the context window (memcode.contextWindow / --context-window) or shrink the working-context blocks`,
      );
    }
    if (forceEvict || context.usage.total > budget) {
      // A grown summary can leave the first cut short of the target: cut again, a bounded number of times.
      for (let round = 0; round < 3 && (round === 0 || context.usage.total > budget); round++) {
        if (!(await this.evict(context.usage, signal, forceEvict))) break;
        context = assemble();
      }
      if (context.usage.total > budget) {
        throw new AgentError(
          'context_too_small',
          `the latest messages (${context.usage.queue} tokens, long ones already cut to fit) do not fit the context window of ${this.options.mainContext.contextWindow} tokens next to the instructions and working context (${fixed} tokens) and the summary (${context.usage.summary} tokens); raise the context window (memcode.contextWindow / --context-window) or shrink the working-context blocks`,
        );
      }
    } else if (
      this.options.memoryMode === 'full' &&
      context.usage.total > budget * (this.options.pressureThreshold ?? 0.75) &&
      !this.options.recall.state().pressureAlerted
    ) {
      this.options.alert(MEMORY_PRESSURE_ALERT(Math.round((context.usage.total / budget) * 100)));
      this.options.recall.saveState({ pressureAlerted: true });
      context = assemble();
    }
    this.options.observer?.onContextUsage?.(context.usage);
    return context;
  }

  /**
   * The most tokens one tool result may take: a quarter of what the fixed parts leave of the budget, so the
   * question, a call and its result, and the next one fit together even in a small window (an 8k window and
   * two archival searches of dense text did not).
   */
  resultTokenCap(usage: ContextUsage): number {
    return Math.max(300, Math.floor(roomForQueue(usage) / 4));
  }

  /**
   * Cuts the queue to the eviction target and folds the evicted messages into the summary (or drops them, in mode none). The
   * target also leaves room under the pressure threshold for the fixed parts and a grown summary,
   * so one eviction is not followed at once by another.
   */
  private async evict(usage: ContextUsage, signal: AbortSignal, forced: boolean): Promise<boolean> {
    const budget = this.options.mainContext.budget;
    const room = budget * (this.options.pressureThreshold ?? 0.75) - usage.system - (usage.instructions ?? 0) - usage.workingContext - Math.min(700, budget * 0.1);
    let target = Math.max(0, Math.min(budget * (this.options.evictTarget ?? 0.5), room));
    // The server counted more than we did: our count is not to be trusted, so halve the queue at least.
    if (forced) target = Math.min(target, usage.queue / 2);
    const recall = this.options.recall;
    const queue = recall.since(recall.state().firstInContextId);
    const count = (r: MessageRecord) => this.options.mainContext.countRecord(r);
    // Keep the person's latest message (the question this turn answers) and what followed it, when that
    // fits: otherwise tool results piling up in a long turn push the question itself out of context.
    let minKeep = 3;
    const question = findLastIndex(queue, (r) => r.role === 'user');
    if (question >= 0) {
      const tail = queue.slice(question).reduce((sum, r) => sum + count(r), 0);
      if (tail <= roomForQueue(usage) - Math.min(700, budget * 0.1)) minKeep = Math.max(minKeep, queue.length - question);
    }
    let plan = planEviction(queue, count, target, minKeep);
    // The latest messages are kept only while they fit: large ones (each is cut to half the room, see
    // mainContext.ts) could otherwise hold the queue over the budget for good. The last one always stays.
    const fits = (p: EvictionPlan | undefined) => !!p && p.kept.reduce((sum, r) => sum + count(r), 0) <= roomForQueue(usage);
    if (!fits(plan) && minKeep > 1) plan = planEviction(queue, count, target, 1) ?? plan;
    if (!plan) return false;
    await this.options.eviction.evict(plan.evicted, plan.kept[0].id, signal);
    return true;
  }}

export interface EvictionPlan {
  evicted: MessageRecord[];
  kept: MessageRecord[];
}

/**
 * Chooses the oldest messages to evict so that the queue falls to `targetTokens`, always keeping the
 * last `minKeep` messages and never separating a tool call from its results (the kept part never
 * starts with a tool result). Returns undefined when nothing can be evicted.
 */
export function planEviction(
  queue: readonly MessageRecord[],
  countRecord: (r: MessageRecord) => number,
  targetTokens: number,
  minKeep = 3,
): EvictionPlan | undefined {
  const maxCut = queue.length - minKeep;
  if (maxCut <= 0) return undefined;
  let total = 0;
  for (const r of queue) total += countRecord(r);
  let cut = 0;
  while (cut < maxCut && total > targetTokens) {
    total -= countRecord(queue[cut]);
    cut++;
  }
  // Move forward past results of an evicted call; if that eats into the kept tail, move back instead.
  let forward = cut;
  while (forward < queue.length && queue[forward].role === 'tool') forward++;
  if (forward <= maxCut) cut = forward;
  else while (cut > 0 && queue[cut].role === 'tool') cut--;
  if (cut === 0) return undefined;
  return { evicted: queue.slice(0, cut), kept: queue.slice(cut) };
}

/** What the budget leaves for the conversation queue next to the instructions, project instructions, working context and summary. */
function roomForQueue(usage: ContextUsage): number {
  return usage.budget - usage.system - (usage.instructions ?? 0) - usage.workingContext - usage.summary;
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}

