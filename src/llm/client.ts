// The one ChatModel the agent talks to: any OpenAI-compatible chat-completions server (OpenAI,
// Ollama, LM Studio, vLLM, llama.cpp), always streamed, with our own retries so we can honour
// retry-after, type every failure, and never retry once text has reached the person.

import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { jsonrepair } from 'jsonrepair';
import { abortedError, interruptedError, isRetryable, toLlmError } from './errors';
import { abortableSleep, backoffDelay } from './retry';
import {
  LlmError,
  type ChatMessage,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type ToolCall,
  type ToolSchema,
  type Usage,
} from './types';

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: LlmError;
}

export interface OpenAiChatModelOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Time to wait for the response headers, and then for each streamed chunk (default 120 s). */
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  temperature?: number;
}

// Local servers (Ollama, llama.cpp) need no key, but the SDK insists on one.
const NO_KEY = 'sk-no-key';

export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  readonly baseUrl: string;
  private readonly client: OpenAI;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onRetry?: (info: RetryInfo) => void;
  private readonly temperature?: number;

  constructor(options: OpenAiChatModelOptions) {
    this.model = options.model;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.sleep = options.sleep ?? abortableSleep;
    this.onRetry = options.onRetry;
    this.temperature = options.temperature;
    this.client = new OpenAI({
      baseURL: this.baseUrl,
      apiKey: options.apiKey || NO_KEY,
      maxRetries: 0,
      timeout: this.timeoutMs,
    });
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const body = this.buildBody(request);
    const attempts = this.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      if (request.signal?.aborted) throw abortedError(this.baseUrl);
      const progress = { textDelivered: false };
      let error: LlmError;
      try {
        return await this.attempt(body, request, progress);
      } catch (err) {
        // The caller's own onText failed: that is their error to see, not a model failure.
        if (err instanceof CallerError) throw err.error;
        error = request.signal?.aborted ? abortedError(this.baseUrl) : toLlmError(err, { url: this.baseUrl, timeoutMs: this.timeoutMs });
      }
      // Once text has reached the person a retry would print it twice: fail instead.
      const last = attempt >= attempts || !isRetryable(error.kind) || progress.textDelivered;
      if (last) throw attempt > 1 ? withAttemptCount(error, attempt) : error;

      const delayMs = backoffDelay(attempt, {
        baseDelayMs: this.baseDelayMs,
        maxDelayMs: this.maxDelayMs,
        retryAfterMs: error.details.retryAfterMs,
      });
      this.onRetry?.({ attempt, delayMs, error });
      try {
        await this.sleep(delayMs, request.signal);
      } catch {
        throw abortedError(this.baseUrl);
      }
    }
  }

  private buildBody(request: ChatRequest): ChatCompletionCreateParamsStreaming {
    const body: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      messages: request.messages.map(toOpenAiMessage),
      stream: true,
      // Servers that do not know it ignore it; those that do send a final usage chunk.
      stream_options: { include_usage: true },
    };
    if (request.tools?.length) body.tools = request.tools.map(toOpenAiTool);
    const temperature = request.temperature ?? this.temperature;
    if (temperature !== undefined) body.temperature = temperature;
    // `max_tokens` rather than `max_completion_tokens`: the one every compatible server understands.
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    return body;
  }

  private async attempt(
    body: ChatCompletionCreateParamsStreaming,
    request: ChatRequest,
    progress: { textDelivered: boolean },
  ): Promise<ChatResult> {
    // One controller per attempt: the caller's signal stops it, and so does a stream gone silent.
    const controller = new AbortController();
    const stop = () => controller.abort();
    request.signal?.addEventListener('abort', stop, { once: true });
    let idleTimer: NodeJS.Timeout | undefined;
    let wentSilent = false;
    const armIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        wentSilent = true;
        controller.abort();
      }, this.timeoutMs);
    };

    try {
      const stream = await this.client.chat.completions.create(body, { signal: controller.signal });
      armIdleTimer();
      const reply = new ReplyAssembler();
      try {
        for await (const chunk of stream) {
          armIdleTimer();
          const text = reply.add(chunk);
          if (text && request.onText) {
            progress.textDelivered = true;
            try {
              request.onText(text);
            } catch (err) {
              throw new CallerError(err);
            }
          }
        }
      } catch (err) {
        if (err instanceof CallerError) throw err;
        if (request.signal?.aborted) throw abortedError(this.baseUrl);
        throw interruptedError(err, this.baseUrl);
      }
      // The SDK ends the iteration quietly when its signal aborts, so ask why it ended.
      if (request.signal?.aborted) throw abortedError(this.baseUrl);
      if (wentSilent) {
        throw new LlmError(
          'network',
          `the stream from the model server at ${this.baseUrl} was interrupted: no data for ${Math.round(this.timeoutMs / 1000)} s`,
          { url: this.baseUrl },
        );
      }
      return reply.finish(this.baseUrl);
    } finally {
      clearTimeout(idleTimer);
      request.signal?.removeEventListener('abort', stop);
    }
  }
}

class CallerError {
  constructor(readonly error: unknown) {}
}

function withAttemptCount(error: LlmError, attempts: number): LlmError {
  return new LlmError(error.kind, `${error.message} (gave up after ${attempts} attempts)`, error.details);
}

/** Collects streamed deltas: text in order, tool calls by their index. */
class ReplyAssembler {
  private content = '';
  private readonly calls: ToolCall[] = [];
  private readonly callsByIndex = new Map<number, ToolCall>();
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private sawChoice = false;

  /** Returns the text this chunk adds, if any. */
  add(chunk: ChatCompletionChunk): string {
    if (chunk.usage) {
      this.usage = {
        promptTokens: chunk.usage.prompt_tokens ?? 0,
        completionTokens: chunk.usage.completion_tokens ?? 0,
      };
    }
    let text = '';
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      this.sawChoice = true;
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string' && delta.content) {
        this.content += delta.content;
        text += delta.content;
      }
      for (const fragment of delta.tool_calls ?? []) this.addToolCallFragment(fragment);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return text;
  }

  private addToolCallFragment(fragment: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const index = typeof fragment.index === 'number' ? fragment.index : undefined;
    let call = index !== undefined ? this.callsByIndex.get(index) : undefined;
    // Some servers reuse index 0 for every call, or omit the index: a new id means a new call.
    if (call && fragment.id && call.id && fragment.id !== call.id) call = undefined;
    if (!call && index === undefined && !fragment.id) call = this.calls[this.calls.length - 1];
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.calls.push(call);
      if (index !== undefined) this.callsByIndex.set(index, call);
    }
    if (fragment.id) call.id = fragment.id;
    const name = fragment.function?.name;
    if (name && !call.name) call.name = name;
    const args = fragment.function?.arguments;
    if (typeof args === 'string') call.arguments += args;
    else if (args && typeof args === 'object') call.arguments += JSON.stringify(args);
  }

  finish(url: string): ChatResult {
    const toolCalls = this.calls
      .filter((call) => call.name || call.arguments)
      .map((call, i) => ({ ...call, id: call.id || `call_${Date.now().toString(36)}_${i}` }));
    if (!this.sawChoice || (!this.content && toolCalls.length === 0)) {
      throw new LlmError('bad_response', `the model server at ${url} returned an empty reply (no text and no tool calls)`, { url });
    }
    if (!this.finishReason) throw interruptedError(undefined, url);
    return { content: this.content, toolCalls, finishReason: this.finishReason, usage: this.usage };
  }
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: sendableArguments(call.arguments) },
        })),
      };
    }
  }
}

/**
 * Servers such as Ollama parse the arguments of past calls and reject the whole request when they
 * are not JSON, which local models often emit. Repair them for the transcript; the tool result
 * already told the model what went wrong.
 */
function sendableArguments(raw: string): string {
  if (isJsonObjectText(raw)) return raw;
  try {
    const repaired = jsonrepair(raw);
    if (isJsonObjectText(repaired)) return repaired;
  } catch {
    // Beyond repair: fall through.
  }
  return '{}';
}

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function toOpenAiTool(tool: ToolSchema): ChatCompletionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters as Record<string, unknown>,
    },
  };
}
