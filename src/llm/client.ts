// The one ChatModel the agent talks to: any OpenAI-compatible chat-completions server (OpenAI,
// Ollama, LM Studio, vLLM, llama.cpp), always streamed, with our own retries so we can honour
// retry-after, type every failure, and never retry once text has reached the person. The person's
// timeout bounds how long the server may stay silent over the whole call (silenceWatch.ts).

import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { jsonrepair } from 'jsonrepair';
import { SETTING_DEFAULTS } from '../common/defaults';
import { abortedError, interruptedError, isRetryable, toLlmError } from './errors';
import { bodyKind, htmlPageError, jsonReply, notAStreamError } from './nonStreamReply';
import { ReplyAssembler } from './replyAssembler';
import { abortableSleep, backoffDelay } from './retry';
import { seconds, SilenceWatch, type SlowInfo } from './silenceWatch';
import { LlmError, type ChatMessage, type ChatModel, type ChatRequest, type ChatResult, type ToolSchema } from './types';

export type { SlowInfo };

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
  /** Retries after the first attempt (default 3), as long as the timeout allows them. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Longest silence from the server (default memcode.requestTimeout's): until it starts answering,
   * retries and their waits included, and then between two streamed pieces. A reply that keeps
   * streaming is never cut.
   */
  timeoutMs?: number;
  /** Called every `slowNoticeMs` (default 10 s) while the server is silent and the reply has not started. */
  onSlow?: (info: SlowInfo) => void;
  slowNoticeMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  temperature?: number;
}

// Local servers (Ollama, llama.cpp) need no key, but the SDK insists on one.
const NO_KEY = 'sk-no-key';

const DEFAULT_SLOW_NOTICE_MS = 10_000;

export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  readonly baseUrl: string;
  private readonly client: OpenAI;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly slowNoticeMs: number;
  private readonly onSlow?: (info: SlowInfo) => void;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onRetry?: (info: RetryInfo) => void;
  private readonly temperature?: number;

  constructor(options: OpenAiChatModelOptions) {
    this.model = options.model;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.timeoutMs = Math.max(1, options.timeoutMs ?? SETTING_DEFAULTS.requestTimeout * 1000);
    this.slowNoticeMs = Math.max(1, options.slowNoticeMs ?? DEFAULT_SLOW_NOTICE_MS);
    this.onSlow = options.onSlow;
    this.sleep = options.sleep ?? abortableSleep;
    this.onRetry = options.onRetry;
    this.temperature = options.temperature;
    this.client = new OpenAI({
      baseURL: this.baseUrl,
      apiKey: options.apiKey || NO_KEY,
      maxRetries: 0,
      // Our silence timer decides; the SDK's own (headers only) is a backstop just behind it.
      timeout: Math.ceil(this.timeoutMs) + 1_000,
    });
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const body = this.buildBody(request);
    const attempts = this.maxRetries + 1;
    const watch = new SilenceWatch({ timeoutMs: this.timeoutMs, noticeEveryMs: this.slowNoticeMs, onSlow: this.onSlow });
    for (let attempt = 1; ; attempt++) {
      if (request.signal?.aborted) throw abortedError(this.baseUrl);
      const progress = { textDelivered: false };
      let error: LlmError;
      try {
        return await this.attempt(body, request, progress, watch);
      } catch (err) {
        // The caller's own onText failed: that is their error to see, not a model failure.
        if (err instanceof CallerError) throw err.error;
        error = request.signal?.aborted ? abortedError(this.baseUrl) : toLlmError(err, { url: this.baseUrl, timeoutMs: this.timeoutMs });
      }
      // Once text has reached the person a retry would print it twice: fail instead.
      const last = attempt >= attempts || !isRetryable(error.kind) || progress.textDelivered || watch.remainingMs() <= 0;
      if (last) throw attempt > 1 ? withAttemptCount(error, attempt) : error;

      const delayMs = backoffDelay(attempt, {
        baseDelayMs: this.baseDelayMs,
        maxDelayMs: this.maxDelayMs,
        retryAfterMs: error.details.retryAfterMs,
      });
      // The person said how long to wait: a retry that cannot start within it is not worth the wait.
      if (delayMs >= watch.remainingMs()) throw beyondTimeout(error, attempt, delayMs, this.timeoutMs);
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
    watch: SilenceWatch,
  ): Promise<ChatResult> {
    // One controller per attempt: the caller's signal stops it, and so does a silent server.
    const controller = new AbortController();
    const stop = () => controller.abort();
    request.signal?.addEventListener('abort', stop, { once: true });
    let silenceTimer: NodeJS.Timeout | undefined;
    let phase: 'headers' | 'stream' = 'headers';
    let wentSilent: 'headers' | 'stream' | undefined;
    const armSilenceTimer = () => {
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => {
        wentSilent = phase;
        controller.abort();
      }, Math.max(1, watch.remainingMs()));
    };
    const heard = () => {
      watch.heard();
      armSilenceTimer();
    };
    // The SDK reports our abort as the person's; a timer that fired is a timeout instead.
    const why = (err: unknown): unknown => {
      if (request.signal?.aborted) return abortedError(this.baseUrl);
      return wentSilent ? this.silenceError(wentSilent) : err;
    };
    const deliver = (text: string) => {
      if (!text || !request.onText) return;
      progress.textDelivered = true;
      try {
        request.onText(text);
      } catch (err) {
        throw new CallerError(err);
      }
    };

    watch.noticesOn();
    armSilenceTimer();
    try {
      let response: Response;
      try {
        response = await this.client.chat.completions.create(body, { signal: controller.signal }).asResponse();
      } catch (err) {
        throw why(err);
      }
      phase = 'stream';
      heard();
      const { kind, mediaType } = bodyKind(response.headers.get('content-type'));
      if (kind === 'html' || kind === 'json') {
        let result: ChatResult;
        try {
          if (kind === 'html') throw await htmlPageError(response, this.baseUrl);
          result = await jsonReply(response, this.baseUrl);
        } catch (err) {
          throw why(err);
        }
        watch.noticesOff();
        deliver(result.content);
        return result;
      }

      const stream = Stream.fromSSEResponse<ChatCompletionChunk>(response, controller, this.client);
      const reply = new ReplyAssembler();
      let chunks = 0;
      try {
        for await (const chunk of stream) {
          chunks++;
          heard();
          const text = reply.add(chunk);
          if (reply.started) watch.noticesOff();
          deliver(text);
        }
      } catch (err) {
        if (err instanceof CallerError) throw err;
        const reason = why(err);
        throw reason instanceof LlmError ? reason : interruptedError(err, this.baseUrl);
      }
      // The SDK ends the iteration quietly when its signal aborts, so ask why it ended.
      const ended = why(undefined);
      if (ended) throw ended;
      if (chunks === 0 && kind === 'other') throw notAStreamError(mediaType, this.baseUrl, response.status);
      return reply.finish(this.baseUrl);
    } finally {
      clearTimeout(silenceTimer);
      watch.noticesOff();
      request.signal?.removeEventListener('abort', stop);
    }
  }

  private silenceError(phase: 'headers' | 'stream'): LlmError {
    const limit = `${seconds(this.timeoutMs)} s`;
    const message =
      phase === 'headers'
        ? `the model server at ${this.baseUrl} did not answer within ${limit}: it may be down, or slow to load the model (raise memcode.requestTimeout or --timeout)`
        : `the stream from the model server at ${this.baseUrl} was interrupted: no data for ${limit} (memcode.requestTimeout or --timeout)`;
    return new LlmError('network', message, { url: this.baseUrl });
  }
}

class CallerError {
  constructor(readonly error: unknown) {}
}

function withAttemptCount(error: LlmError, attempts: number): LlmError {
  return new LlmError(error.kind, `${error.message} (gave up after ${attempts} attempts)`, error.details);
}

function beyondTimeout(error: LlmError, attempts: number, delayMs: number, timeoutMs: number): LlmError {
  const tried = attempts > 1 ? `gave up after ${attempts} attempts: ` : '';
  return new LlmError(
    error.kind,
    `${error.message} (${tried}not retried: a retry in ${seconds(delayMs)} s would pass the ${seconds(timeoutMs)} s timeout)`,
    error.details,
  );
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
