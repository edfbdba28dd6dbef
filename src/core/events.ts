// What can reach the agent (DESIGN.md §3) and what it reports back to whoever drives it.
import type { ContextUsage, ToolCall } from '../common/types';
import type { ContextWindow } from '../llm/contextWindow';
import type { MessageRecord } from '../memory/types';
import type { ToolOutcome } from '../tools/types';
import type { QueuedMessage, UserMessage } from './userMessage';

export type { ContextUsage, ContextWindow, QueuedMessage, UserMessage };

export type AgentEvent =
  | { type: 'user_message'; text: string }
  | { type: 'system_alert'; text: string }
  | { type: 'document'; title: string; text: string };


export interface EvictionReport {
  evicted: number;
  firstInContextId: number;
  summaryTokens: number;
  /** The summarizer call failed and the deterministic summary was used instead. */
  fallback: boolean;
  error?: string;
}

/** A tool call's outcome as the agent recorded it: what the tool declares, not what its name suggests. */
export interface ToolResult extends ToolOutcome {
  /** The call changed memory: its tool declares `editsMemory` and it succeeded. */
  editsMemory: boolean;
  /** The working-context block the call named, if it named one. */
  block?: string;
}

/** Everything is optional: the CLI prints some of it, the webview renders all of it, tests assert on it. */
export interface AgentObserver {
  onText?(delta: string): void;
  onMessage?(record: MessageRecord): void;
  onToolCall?(call: ToolCall): void;
  /** `editsMemory` repeats `result.editsMemory`, for observers written before the result carried it. */
  onToolResult?(call: ToolCall, result: ToolResult, editsMemory: boolean): void;
  /** The messages waiting for the running turn's next step changed (one was typed or delivered). */
  onQueue?(pending: readonly QueuedMessage[]): void;
  onSystemAlert?(text: string): void;
  onEviction?(report: EvictionReport): void;
  onContextUsage?(usage: ContextUsage): void;
  /** The model's window was found (before the first turn) or corrected by the server's own word. */
  onContextWindow?(window: ContextWindow): void;
  onWarning?(message: string): void;
}

export type AgentErrorKind = 'context_too_small' | 'busy' | 'aborted';

export class AgentError extends Error {
  constructor(readonly kind: AgentErrorKind, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}

/** How a turn ended. */
export interface TurnResult {
  /** The final assistant text of the turn ('' if it was stopped before answering). */
  reply: string;
  steps: number;
  toolCalls: number;
  stopped: boolean;
  hitStepLimit: boolean;
}
