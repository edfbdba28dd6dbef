// The model's real context window when the person left memcode.contextWindow unset: asked of the server's
// own endpoints (Ollama, LM Studio, vLLM, llama.cpp server; each speaks OpenAI at /v1 and says its window
// elsewhere), else taken from the table of known hosted models, else a fallback. Asked once per server
// and model for the life of the process; the agent asks on its first turn, so opening never waits.
import type { ContextWindowSource } from '../common/types';
import { knownModelWindow } from './knownModelWindows';

export interface ContextWindow {
  tokens: number;
  source: ContextWindowSource;
}

export interface ModelServer {
  /** The OpenAI-compatible base URL, usually ending in /v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

/**
 * When nothing answers. 8,192 rather than the old 16,384: too small a window only evicts sooner into
 * recall memory, which MemCode is built for; too large a one overflows, and some servers (Ollama)
 * then cut the prompt's head silently, system instructions first. Hosted models are in the table, and a
 * server that refuses a prompt with its limit corrects the number anyway.
 */
export const FALLBACK_CONTEXT_WINDOW = 8_192;

/** Each probe's bound: a server that does not answer its own info endpoint in 2 s is not worth waiting for. */
export const PROBE_TIMEOUT_MS = 2_000;

/**
 * Ollama's num_ctx for a model with none of its own that is not loaded yet: the smallest of its defaults
 * (4k under 24 GiB of VRAM). A prompt past num_ctx is cut without an error, so guessing high is unsafe.
 */
const OLLAMA_DEFAULT_NUM_CTX = 4_096;

/** Hosted APIs have none of the local servers' info endpoints: probing them only sends the key to 404s. */
const HOSTED_API = /(^|\.)(openai\.com|openrouter\.ai|anthropic\.com|googleapis\.com|groq\.com|mistral\.ai|deepseek\.com|together\.xyz)$/i;

const windows = new Map<string, Promise<ContextWindow>>();

function cacheKey(server: ModelServer): string {
  return `${server.baseUrl.replace(/\/+$/, '')}\n${server.model}`;
}

/** The model's window as its server, or the known-model table, tells it; the fallback when neither does. */
export function detectContextWindow(server: ModelServer, options: { timeoutMs?: number } = {}): Promise<ContextWindow> {
  const key = cacheKey(server);
  let pending = windows.get(key);
  if (!pending) {
    pending = findWindow(server, options.timeoutMs ?? PROBE_TIMEOUT_MS).then((found) => {
      // A server that was not up yet may be by the next agent: only an answer is kept.
      if (found.source === 'default' && windows.get(key) === pending) windows.delete(key);
      return found;
    });
    windows.set(key, pending);
  }
  return pending;
}

/** The server named a smaller limit in a context-length error: later agents of this process start from it. */
export function correctContextWindow(server: ModelServer, tokens: number): void {
  windows.set(cacheKey(server), Promise.resolve({ tokens, source: 'server error' }));
}

/** Forgets every detected window (tests start each case from a clean process state). */
export function forgetContextWindows(): void {
  windows.clear();
}

/** The server's own root: Ollama, LM Studio and llama.cpp serve OpenAI at /v1 and their native API beside it. */
export function nativeBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

async function findWindow(server: ModelServer, timeoutMs: number): Promise<ContextWindow> {
  if (!isHosted(server.baseUrl)) {
    const probe = new Probe(server, timeoutMs);
    // In parallel, so a server that knows none of these costs one timeout, not four; the first in this
    // order that answers wins (vLLM last: only its /v1/models carries the number, others list the model too).
    const answers = await Promise.all([probe.ollama(), probe.lmStudio(), probe.llamaCpp(), probe.vllm()]);
    const sources: ContextWindowSource[] = ['server:ollama', 'server:lmstudio', 'server:llamacpp', 'server:vllm'];
    const i = answers.findIndex((n) => n !== undefined);
    if (i >= 0) return { tokens: answers[i]!, source: sources[i] };
  }
  const known = knownModelWindow(server.model);
  if (known) return { tokens: known, source: 'known model' };
  return { tokens: FALLBACK_CONTEXT_WINDOW, source: 'default' };
}

function isHosted(baseUrl: string): boolean {
  try {
    return HOSTED_API.test(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

class Probe {
  private readonly native: string;
  private readonly openAi: string;

  constructor(
    private readonly server: ModelServer,
    private readonly timeoutMs: number,
  ) {
    this.openAi = server.baseUrl.replace(/\/+$/, '');
    this.native = nativeBaseUrl(server.baseUrl);
  }

  /**
   * `POST /api/show`: the model's own num_ctx parameter (what Ollama uses), within what it was trained for.
   * Without one, the window the loaded model got (`/api/ps`), else Ollama's smallest default.
   */
  async ollama(): Promise<number | undefined> {
    const show = await this.json(`${this.native}/api/show`, { model: this.server.model });
    if (!isRecord(show) || !isRecord(show.model_info)) return undefined;
    const info = show.model_info;
    const arch = info['general.architecture'];
    const trainedKey = typeof arch === 'string' && `${arch}.context_length` in info ? `${arch}.context_length` : Object.keys(info).find((k) => k.endsWith('.context_length'));
    const trained = tokens(trainedKey ? info[trainedKey] : undefined);
    const param = typeof show.parameters === 'string' ? /^\s*num_ctx\s+(\d+)/m.exec(show.parameters)?.[1] : undefined;
    const numCtx = tokens(param === undefined ? undefined : Number(param));
    const cap = (n: number) => (trained ? Math.min(n, trained) : n);
    if (numCtx) return cap(numCtx);
    const ps = await this.json(`${this.native}/api/ps`);
    const running = isRecord(ps) && Array.isArray(ps.models) ? ps.models.filter(isRecord) : [];
    const same = (name: unknown) => typeof name === 'string' && withTag(name) === withTag(this.server.model);
    const loaded = tokens(running.find((m) => same(m.name) || same(m.model))?.context_length);
    return cap(loaded ?? OLLAMA_DEFAULT_NUM_CTX);
  }

  /** `GET /api/v0/models/<id>`: the length the model is loaded with, else the most it takes. */
  async lmStudio(): Promise<number | undefined> {
    const id = this.server.model.split('/').map(encodeURIComponent).join('/');
    const model = await this.json(`${this.native}/api/v0/models/${id}`);
    if (!isRecord(model)) return undefined;
    return tokens(model.loaded_context_length) ?? tokens(model.max_context_length);
  }

  /** `GET /props`: the context each slot of llama-server has (the -c size shared among --parallel slots). */
  async llamaCpp(): Promise<number | undefined> {
    const props = await this.json(`${this.native}/props`);
    if (!isRecord(props)) return undefined;
    const settings = props.default_generation_settings;
    return tokens(isRecord(settings) ? settings.n_ctx : undefined) ?? tokens(props.n_ctx);
  }

  /** `GET /v1/models`: vLLM adds `max_model_len` to each model it serves. */
  async vllm(): Promise<number | undefined> {
    const list = await this.json(`${this.openAi}/models`);
    const data = isRecord(list) && Array.isArray(list.data) ? list.data.filter(isRecord) : [];
    return tokens(data.find((m) => m.id === this.server.model)?.max_model_len);
  }

  /** GET (or POST with a body); undefined on any failure, as every probe but one misses. */
  private async json(url: string, body?: unknown): Promise<unknown> {
    try {
      const response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.server.apiKey ? { authorization: `Bearer ${this.server.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return await response.json();
    } catch {
      return undefined;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plausible window in tokens, or undefined. */
function tokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 256 && value <= 100_000_000 ? value : undefined;
}

/** Ollama lists "llama3.1:latest" for "llama3.1". */
function withTag(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}
