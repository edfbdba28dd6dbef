// Embeddings from any OpenAI-compatible /embeddings endpoint (OpenAI, Ollama, LM Studio, vLLM):
// batched, retried with backoff on 429/5xx/network, vectors checked for their dimensions.
import OpenAI from 'openai';
import { abortedError, isRetryable, toLlmError } from '../llm/errors';
import { abortableSleep, backoffDelay } from '../llm/retry';
import { LlmError } from '../llm/types';
import type { Embedder } from '../memory/archivalMemory';

export interface OpenAiEmbedderOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Asked of the server when given; otherwise the first response fixes them. */
  dimensions?: number;
  /** Inputs per request (default 64). */
  batchSize?: number;
  /** Retries after the first attempt of each batch (default 4). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

// Local servers (Ollama, llama.cpp) need no key, but the SDK insists on one.
const NO_KEY = 'sk-no-key';

export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly model: string;
  readonly baseUrl: string;
  private fixedDimensions: number;
  private readonly askDimensions: boolean;
  private readonly client: OpenAI;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: OpenAiEmbedderOptions) {
    this.model = options.model;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.id = `openai:${options.model}@${hostOf(this.baseUrl)}`;
    this.fixedDimensions = options.dimensions ?? 0;
    this.askDimensions = options.dimensions !== undefined;
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    this.maxRetries = Math.max(0, options.maxRetries ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.sleep = options.sleep ?? abortableSleep;
    this.client = new OpenAI({ baseURL: this.baseUrl, apiKey: options.apiKey || NO_KEY, maxRetries: 0, timeout: this.timeoutMs });
  }

  /** 0 until the first response when none were asked for. */
  get dimensions(): number {
    return this.fixedDimensions;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize), signal)));
    }
    return vectors;
  }

  private async embedBatch(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortedError(this.baseUrl);
      let error: LlmError;
      try {
        const response = await this.client.embeddings.create(
          {
            model: this.model,
            // Some servers reject an empty input outright; a space embeds to something harmless.
            input: input.map((t) => (t.length > 0 ? t : ' ')),
            // openai 6 asks for base64 by default, which servers that only speak floats answer with
            // arrays the SDK then mis-decodes (DESIGN.md §10): ask for floats, accept either.
            encoding_format: 'float',
            ...(this.askDimensions ? { dimensions: this.fixedDimensions } : {}),
          },
          { signal },
        );
        return this.checkResponse(response.data as unknown[], input.length);
      } catch (err) {
        error = signal?.aborted ? abortedError(this.baseUrl) : toLlmError(err, { url: this.baseUrl, timeoutMs: this.timeoutMs });
      }
      if (attempt > this.maxRetries || !isRetryable(error.kind)) throw error;
      const delayMs = backoffDelay(attempt, {
        baseDelayMs: this.baseDelayMs,
        maxDelayMs: this.maxDelayMs,
        retryAfterMs: error.details.retryAfterMs,
      });
      try {
        await this.sleep(delayMs, signal);
      } catch {
        throw abortedError(this.baseUrl);
      }
    }
  }

  private checkResponse(data: unknown[], expected: number): Float32Array[] {
    if (!Array.isArray(data) || data.length !== expected) {
      throw this.badResponse(`asked for ${expected} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`);
    }
    const vectors = new Array<Float32Array>(expected);
    data.forEach((entry, position) => {
      const item = entry as { index?: unknown; embedding?: unknown };
      const index = typeof item.index === 'number' ? item.index : position;
      if (index < 0 || index >= expected || vectors[index]) throw this.badResponse(`embedding index ${index} is out of place`);
      const vector = toVector(item.embedding);
      if (!vector) throw this.badResponse(`embedding ${index} is neither a list of numbers nor base64`);
      if (this.fixedDimensions === 0) this.fixedDimensions = vector.length;
      if (vector.length !== this.fixedDimensions) {
        throw this.badResponse(
          `embedding ${index} has ${vector.length} dimensions but ${this.fixedDimensions} were expected ` +
            `(check memcode.embeddings.dimensions and the model)`,
        );
      }
      vectors[index] = vector;
    });
    return vectors;
  }

  private badResponse(detail: string): LlmError {
    return new LlmError('bad_response', `the embeddings server at ${this.baseUrl} (model ${this.model}) sent a bad reply: ${detail}`, {
      url: this.baseUrl,
    });
  }
}

function toVector(embedding: unknown): Float32Array | undefined {
  if (Array.isArray(embedding)) {
    if (!embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
    return Float32Array.from(embedding as number[]);
  }
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return undefined;
    // Copy out: the Buffer may sit at an unaligned offset of a shared pool.
    const copy = new Uint8Array(bytes);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
