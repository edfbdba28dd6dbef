import type { Role, ToolCall, ToolSchema } from '../common/types';

export type { Role, ToolCall, ToolSchema };

// The shapes every layer uses to talk to a chat model. Kept free of the openai SDK's own types
// so the core, the memory tiers and the tests do not depend on one vendor's client.

export interface ChatMessage {
  role: Role;
  content: string;
  /** Assistant messages that call functions. */
  toolCalls?: ToolCall[];
  /** Tool results: the id of the call they answer. */
  toolCallId?: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolSchema[];
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
  /** Called with each streamed piece of assistant text. */
  onText?: (delta: string) => void;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string;
  usage?: Usage;
}

export type LlmErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'context_length'
  | 'network'
  | 'server'
  | 'bad_response'
  | 'aborted';

/** Errors are values with a kind, so callers branch on `kind`, never on message text. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly details: {
      status?: number;
      url?: string;
      retryAfterMs?: number;
      /** A context_length error's limit in tokens, when the server names it ("maximum context length is 8192 tokens"). */
      contextLimit?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** What the agent needs from a chat model: one streamed completion, retries handled inside. */
export interface ChatModel {
  readonly model: string;
  readonly baseUrl: string;
  chat(request: ChatRequest): Promise<ChatResult>;
}

/** Token counting with a per-message cache (see tokens.ts). */
export interface TokenCounter {
  count(text: string): number;
  /** Tokens of a whole message including role/tool-call overhead; cached by `key` when given. */
  countMessage(message: ChatMessage, key?: string): number;
}
