// What the status-bar item says, without vscode so the tests read it. The context share is of the model's
// window, as the chat's usage bar shows it ("2.7k / 16k tokens"), and it says what it is a share of.
import type { ContextUsage } from '../common/types';

export interface ContextLabel {
  /** After "MemCode" in the item, e.g. "17% context". */
  text: string;
  /** The tooltip line. */
  tooltip: string;
  /** For screen readers, e.g. "context 17% full". */
  accessible: string;
}

export function contextLabel(usage: ContextUsage | undefined): ContextLabel | undefined {
  if (!usage || !(usage.contextWindow > 0)) return undefined;
  const percent = Math.round((usage.total / usage.contextWindow) * 100);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return {
    text: `${percent}% context`,
    tooltip: `Context: ${n(usage.total)} of ${n(usage.contextWindow)} tokens (${percent}% of the model's window); older messages move to recall memory past ${n(usage.budget)}`,
    accessible: `context ${percent}% full`,
  };
}
