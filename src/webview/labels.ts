// Pure wording and arithmetic for the view (no DOM), so it can be unit-tested in Node.
import type { ContextUsage, ToolCard } from '../protocol/shapes';

const BLOCK_LABELS: Record<string, string> = {
  project: 'updated project notes',
  user: 'updated user preferences',
  task: 'updated task scratchpad',
};

/** The mark a memory-editing tool card carries, or undefined for a card that edits nothing. */
export function memoryEditLabel(card: Pick<ToolCard, 'name' | 'editsMemory' | 'block'>): string | undefined {
  if (!card.editsMemory) return undefined;
  if (card.block && Object.hasOwn(BLOCK_LABELS, card.block)) return BLOCK_LABELS[card.block];
  if (card.block) return `updated ${card.block} notes`;
  if (card.name.startsWith('archival_memory')) return 'saved to archival memory';
  return 'updated memory';
}

export interface UsageSegment {
  key: 'system' | 'instructions' | 'workingContext' | 'summary' | 'queue';
  label: string;
  tokens: number;
  /** Share of the context window, 0–100. */
  percent: number;
}

const SEGMENTS: [UsageSegment['key'], string][] = [
  ['system', 'System'],
  ['workingContext', 'Working context'],
  ['summary', 'Summary'],
  ['queue', 'Queue'],
];

/**
 * The usage bar's segments as shares of the context window (they never add up to more than 100). The
 * project instructions get a segment only when the project has some.
 */
export function usageSegments(usage: ContextUsage): UsageSegment[] {
  const instructions = usage.instructions ?? 0;
  const whole = Math.max(usage.contextWindow, usage.system + instructions + usage.workingContext + usage.summary + usage.queue, 1);
  const keys: [UsageSegment['key'], string][] = instructions > 0 ? [SEGMENTS[0], ['instructions', 'Instructions'], ...SEGMENTS.slice(1)] : SEGMENTS;
  return keys.map(([key, label]) => {
    const tokens = Math.max(0, usage[key] ?? 0);
    return { key, label, tokens, percent: (tokens / whole) * 100 };
  });
}

/** "12.3k" style token counts for tight spaces. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
  return `${Math.round(n / 1000)}k`;
}

/** Arguments as the card shows them: pretty JSON when they parse, the raw text otherwise. */
export function prettyArgs(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args), null, 2);
  } catch {
    return args;
  }
}
