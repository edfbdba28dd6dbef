// Shapes every layer shares: the model's roles and tool calls, JSON schemas for tool arguments, and the
// split of the context window the inspector shows. No imports: anything may depend on this file.

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** Raw argument text as the model produced it (may be almost-JSON; the registry repairs it). */
  arguments: string;
}

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  additionalProperties?: boolean;
};

export interface ToolSchema {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** Token use of the main context split the way the memory inspector shows it. */
export interface ContextUsage {
  system: number;
  /** The project's instruction files (AGENTS.md, CLAUDE.md, …); absent from a report made before they were counted. */
  instructions?: number;
  workingContext: number;
  summary: number;
  queue: number;
  total: number;
  budget: number;
  contextWindow: number;
  /** Where `contextWindow` came from; absent where nobody knows (an old snapshot). */
  contextWindowSource?: ContextWindowSource;
}

/**
 * Where the context window came from: the person (setting or flag), the server's own endpoint, the table of
 * known hosted models (llm/knownModelWindows.ts), a context-length error naming the real limit, or the
 * fallback when nothing answered.
 */
export const CONTEXT_WINDOW_SOURCES = [
  'setting',
  'server:ollama',
  'server:lmstudio',
  'server:vllm',
  'server:llamacpp',
  'known model',
  'server error',
  'default',
] as const;
export type ContextWindowSource = (typeof CONTEXT_WINDOW_SOURCES)[number];

export type IndexStatus = 'not_indexed' | 'indexing' | 'ready' | 'needs_rebuild' | 'error';

/** Archival memory's index as the status bar and the memory inspector show it. */
export interface IndexState {
  status: IndexStatus;
  files?: number;
  chunks?: number;
  /** Progress of a run in files, while `indexing`. */
  done?: number;
  total?: number;
  /** Why it needs a rebuild or failed. */
  message?: string;
}
