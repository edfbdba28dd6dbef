// The same tool call with the same arguments N times in a row is refused (DESIGN.md §3): a model
// stuck in a loop otherwise burns every step of the turn.
import type { ToolCall } from '../common/types';

export class LoopBreaker {
  private last = '';
  private count = 0;

  constructor(private readonly limit: number) {}

  /** Returns a refusal message when this call repeats the previous one for the limit-th time. */
  check(call: ToolCall): string | undefined {
    const signature = `${call.name}\u0000${canonicalArgs(call.arguments)}`;
    this.count = signature === this.last ? this.count + 1 : 1;
    this.last = signature;
    if (this.count < this.limit) return undefined;
    return `refused: ${call.name} was called with the same arguments ${this.count} times in a row. Its result will not change; use what you have, try different arguments, or answer the person.`;
  }
}

/** Whitespace and key order should not hide a repeat. */
function canonicalArgs(raw: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(raw)));
  } catch {
    return raw.trim();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
