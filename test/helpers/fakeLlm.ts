// A scripted OpenAI-compatible server on 127.0.0.1 for every test in the project: real HTTP, real
// SSE, the same wire format as api.openai.com, and failures on demand (429, 500, 401, a context
// length error, a stream cut mid-way, a server that hangs or never answers, a web page where the API
// should be, a proxy that ignores `stream: true`). It records every request so a test can assert
// exactly what the model was shown.
//
// Standalone (for e2e tests in another process):
//   npx tsx test/helpers/fakeLlm.ts --port 0 [--require-api-key KEY]
// prints `FAKE_LLM_URL=http://127.0.0.1:PORT/v1` and serves the echo policy until killed. Such a
// process can be scripted over HTTP: POST /__fake/script {"replies": [...]}, GET /__fake/requests,
// POST /__fake/reset. Those control calls are not recorded.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeToolCall {
  name: string;
  arguments: string | object;
  id?: string;
}

export type FakeReply =
  /** `ignoreStream`: answer with one JSON completion even when the request asked for a stream, as some proxies do. */
  | { text: string; chunkSize?: number; delayMs?: number; ignoreStream?: boolean }
  | { toolCalls: FakeToolCall[]; text?: string; ignoreStream?: boolean }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** `limit`: the window the error names (OpenAI's wording; default 128000); `message`: another server's own wording. */
  | { contextLengthError: true; limit?: number; message?: string }
  | { cutAfterChunks: number; text: string }
  | { hangMs: number; text?: string }
  /** 200 with `Content-Type: text/html`: a web server or a UI where the API should be (a base URL without /v1). */
  | { htmlPage: string }
  /** Takes the request and never answers, until the client hangs up. */
  | { neverAnswer: true }
  /** Sends 200 and the event-stream headers, then nothing, until the client hangs up. */
  | { stallAfterHeaders: true };

export interface RecordedRequest {
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests dig into arbitrary request JSON
  body: any;
  time: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Policy = (req: { body: any; index: number }) => FakeReply | Promise<FakeReply>;

export interface FakeLlm {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Every request (chat and embeddings), in order. */
  requests: RecordedRequest[];
  chatRequests(): RecordedRequest[];
  /** Replies consumed in order by chat completions; when the queue is empty the policy answers. */
  script(...replies: FakeReply[]): void;
  setPolicy(policy: Policy): void;
  /** Every /embeddings answer waits this long first: a slow provider, so a long index run can be caught mid-way. */
  setEmbeddingDelay(ms: number): void;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  port?: number;
  policy?: Policy;
  requireApiKey?: string;
  /**
   * Also answer one local server's own endpoint for the model's window (llm/contextWindow.ts asks them):
   * Ollama `POST /api/show` (and `GET /api/ps`), LM Studio `GET /api/v0/models/:id`, llama.cpp `GET /props`,
   * vLLM `max_model_len` in `GET /v1/models`. Without it the fake is a server that says nothing of its window.
   */
  serverKind?: 'ollama' | 'lmstudio' | 'llamacpp' | 'vllm';
  /**
   * The window the server runs the model with: Ollama's num_ctx parameter (absent: none set, and the model
   * is not loaded), LM Studio's loaded length, llama.cpp's n_ctx, vLLM's max_model_len.
   */
  contextLength?: number;
  /** What the model was trained for: Ollama's `<arch>.context_length`, LM Studio's max (default 131072). */
  trainedContextLength?: number;
}

export const FAKE_MODEL = 'fake-model';
const DEFAULT_CHUNK_SIZE = 8;
const DEFAULT_EMBEDDING_DIMENSIONS = 256;
/** "Never" for a test: longer than any test runs, short enough for setTimeout; close() clears it. */
const NEVER_MS = 600_000;

/** MemCode's time header on each message from the person ("[Tue 2026-03-03 09:00 UTC] "; core/promptSections.ts). */
const TIME_HEADER = /^\[(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\] /;

/** Replies `echo: <last user message>`, without MemCode's time header, so the echo is what the person typed. */
export const echoPolicy: Policy = ({ body }) => ({ text: `echo: ${lastUserText(body).replace(TIME_HEADER, '')}` });

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  let policy: Policy = options.policy ?? echoPolicy;
  let chatIndex = 0;
  let embeddingDelayMs = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number, res: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve();
      }, ms);
      // A client that hangs up (abort) should not keep the timer alive.
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
      res.once('close', onClose);
      timers.add(timer);
    });

  const server = http.createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on('data', (piece: Buffer) => pieces.push(piece));
    req.on('end', () => {
      const raw = Buffer.concat(pieces).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const body = parseBody(raw);
      handle(path, req, res, body).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err), 'server_error');
        else res.destroy();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function handle(path: string, req: http.IncomingMessage, res: http.ServerResponse, body: any): Promise<void> {
    if (path.startsWith('/__fake/')) return control(path, req, res, body);
    requests.push({ path, method: req.method ?? 'GET', headers: { ...req.headers }, body, time: Date.now() });

    if (options.requireApiKey !== undefined && req.headers.authorization !== `Bearer ${options.requireApiKey}`) {
      return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const index = chatIndex++;
      const reply = queue.length > 0 ? queue.shift()! : await policy({ body, index });
      return sendChatReply(res, body, reply, wait);
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      await wait(embeddingDelayMs, res);
      return sendEmbeddings(res, body);
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const vllm = options.serverKind === 'vllm' && options.contextLength ? { max_model_len: options.contextLength } : {};
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: FAKE_MODEL, object: 'model', created: 0, owned_by: 'memcode-tests', ...vllm }],
      });
    }
    const native = nativeWindowReply(req.method ?? 'GET', path, body, options);
    if (native !== undefined) return sendJson(res, 200, native);
    return sendError(res, 404, `no route for ${req.method} ${path}`, 'invalid_request_error', 'not_found');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function control(path: string, req: http.IncomingMessage, res: http.ServerResponse, body: any): void {
    if (path === '/__fake/script' && req.method === 'POST') {
      const replies: unknown = body?.replies;
      if (!Array.isArray(replies)) return sendError(res, 400, 'expected {"replies": [...]}', 'invalid_request_error');
      queue.push(...(replies as FakeReply[]));
      return sendJson(res, 200, { queued: queue.length });
    }
    if (path === '/__fake/requests' && req.method === 'GET') return sendJson(res, 200, { requests });
    if (path === '/__fake/reset' && req.method === 'POST') {
      requests.length = 0;
      queue.length = 0;
      chatIndex = 0;
      return sendJson(res, 200, { ok: true });
    }
    return sendError(res, 404, `no control route ${req.method} ${path}`, 'invalid_request_error');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path.endsWith('/chat/completions')),
    script: (...replies) => {
      queue.push(...replies);
    },
    setPolicy: (next) => {
      policy = next;
    },
    setEmbeddingDelay: (ms) => {
      embeddingDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// ---------------------------------------------------------------- chat completions

type Wait = (ms: number, res: http.ServerResponse) => Promise<void>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function sendChatReply(res: http.ServerResponse, body: any, reply: FakeReply, wait: Wait): Promise<void> {
  if ('status' in reply) {
    const status = reply.status;
    const errorBody = reply.body ?? defaultErrorBody(status);
    res.writeHead(status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(typeof errorBody === 'string' ? errorBody : JSON.stringify(errorBody));
    return;
  }
  if ('contextLengthError' in reply) {
    const limit = reply.limit ?? 128000;
    return sendJson(res, 400, {
      error: {
        message:
          reply.message ??
          `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${limit + 3072} tokens. Please reduce the length of the messages.`,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
  }
  if ('htmlPage' in reply) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(reply.htmlPage);
    return;
  }
  if ('neverAnswer' in reply) {
    await wait(NEVER_MS, res);
    return;
  }
  if ('stallAfterHeaders' in reply) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    await wait(NEVER_MS, res);
    return;
  }
  if ('hangMs' in reply) {
    await wait(reply.hangMs, res);
    if (res.destroyed || res.writableEnded) return;
    return sendChatReply(res, body, { text: reply.text ?? 'done' }, wait);
  }

  const model = typeof body?.model === 'string' ? body.model : FAKE_MODEL;
  const id = `chatcmpl-fake-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const text = 'text' in reply && typeof reply.text === 'string' ? reply.text : '';
  const toolCalls = 'toolCalls' in reply ? reply.toolCalls.map(normalizeToolCall) : [];
  const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const usage = {
    prompt_tokens: approximateTokens(JSON.stringify(body?.messages ?? [])),
    completion_tokens: approximateTokens(text + toolCalls.map((c) => c.name + c.arguments).join('')),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

  if (body?.stream !== true || ('ignoreStream' in reply && reply.ignoreStream)) {
    if ('cutAfterChunks' in reply) {
      res.destroy();
      return;
    }
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text || (toolCalls.length ? null : ''),
            refusal: null,
            ...(toolCalls.length
              ? {
                  tool_calls: toolCalls.map((c) => ({
                    id: c.id,
                    type: 'function',
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
    });
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const chunk = (delta: Record<string, any>, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const send = (data: unknown) =>
    new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`, () => resolve());
    });

  await send(chunk({ role: 'assistant', content: '' }));

  const chunkSize = 'chunkSize' in reply && reply.chunkSize ? Math.max(1, reply.chunkSize) : DEFAULT_CHUNK_SIZE;
  const delayMs = 'delayMs' in reply && reply.delayMs ? reply.delayMs : 0;
  const pieces = splitText(text, chunkSize);

  if ('cutAfterChunks' in reply) {
    for (const piece of pieces.slice(0, Math.max(0, reply.cutAfterChunks))) await send(chunk({ content: piece }));
    // No finish_reason, no [DONE]: the connection just dies, as when a proxy or the server crashes.
    res.destroy();
    return;
  }

  for (const [i, piece] of pieces.entries()) {
    if (res.destroyed) return;
    if (i > 0 && delayMs > 0) await wait(delayMs, res);
    if (res.destroyed) return;
    await send(chunk({ content: piece }));
  }
  for (const [index, call] of toolCalls.entries()) {
    await send(
      chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    );
    for (const fragment of splitArguments(call.arguments)) {
      await send(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  }
  await send(chunk({}, finishReason));
  if (body?.stream_options?.include_usage) {
    await send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  }
  await send('[DONE]');
  res.end();
}

function normalizeToolCall(call: FakeToolCall, i: number): { id: string; name: string; arguments: string } {
  return {
    id: call.id ?? `call_fake_${i}_${Math.random().toString(36).slice(2, 8)}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  };
}

function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** At least two fragments whenever possible, as real servers split arguments arbitrarily. */
function splitArguments(args: string): string[] {
  if (args.length < 2) return args ? [args] : [];
  const size = Math.min(DEFAULT_CHUNK_SIZE, Math.ceil(args.length / 2));
  return splitText(args, size);
}

function defaultErrorBody(status: number): { error: { message: string; type: string; code: string | null } } {
  if (status === 401) {
    return { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } };
  }
  if (status === 403) return { error: { message: 'Permission denied.', type: 'invalid_request_error', code: 'forbidden' } };
  if (status === 429) {
    return { error: { message: 'Rate limit reached. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' } };
  }
  if (status >= 500) {
    return { error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } };
  }
  return { error: { message: `Request failed with status ${status}.`, type: 'invalid_request_error', code: null } };
}

// ---------------------------------------------------------------- native window endpoints

/** The body a local server's own endpoint answers with, in its own shape; undefined when it has none. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nativeWindowReply(method: string, path: string, body: any, options: FakeLlmOptions): unknown {
  const trained = options.trainedContextLength ?? 131072;
  const window = options.contextLength;
  switch (options.serverKind) {
    case 'ollama':
      if (method === 'POST' && path === '/api/show') {
        return {
          parameters: [window ? `num_ctx                        ${window}` : '', 'stop                           "<|eot_id|>"'].filter(Boolean).join('\n'),
          details: { family: 'llama', parameter_size: '8.0B' },
          model_info: { 'general.architecture': 'llama', 'general.parameter_count': 8030261312, 'llama.context_length': trained },
          model: body?.model,
        };
      }
      if (method === 'GET' && path === '/api/ps') return { models: [] };
      return undefined;
    case 'lmstudio':
      if (method === 'GET' && path.startsWith('/api/v0/models/')) {
        const id = decodeURIComponent(path.slice('/api/v0/models/'.length));
        return { id, object: 'model', type: 'llm', state: window ? 'loaded' : 'not-loaded', max_context_length: trained, ...(window ? { loaded_context_length: window } : {}) };
      }
      return undefined;
    case 'llamacpp':
      if (method === 'GET' && path === '/props') return { default_generation_settings: { n_ctx: window ?? 4096, params: {} }, total_slots: 1 };
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- embeddings

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function sendEmbeddings(res: http.ServerResponse, body: any): void {
  const input: unknown = body?.input;
  const texts = (Array.isArray(input) && input.every((x) => typeof x !== 'number') ? input : [input]).map((item) =>
    Array.isArray(item) ? item.join(' ') : String(item ?? ''),
  );
  const dimensions =
    Number.isInteger(body?.dimensions) && body.dimensions > 0 ? (body.dimensions as number) : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body?.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = fakeEmbedding(text, dimensions);
    return {
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    };
  });
  const tokens = texts.reduce((sum, t) => sum + approximateTokens(t), 0);
  sendJson(res, 200, {
    object: 'list',
    data,
    model: typeof body?.model === 'string' ? body.model : FAKE_MODEL,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/**
 * Feature hashing of lowercase words and character trigrams, L2-normalised: deterministic, and texts
 * that share words or spellings land close together, which is enough for retrieval tests.
 */
export function fakeEmbedding(text: string, dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const lower = text.toLowerCase();
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    // A sign bit keeps unrelated features from piling up in one direction.
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[hash % dimensions] += sign * weight;
  };
  for (const word of lower.match(/[a-z0-9_]+/g) ?? []) {
    add(`w:${word}`, 1);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.5);
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    // Empty or symbol-only text: a fixed unit vector rather than zeros, so cosine stays defined.
    vector[0] = 1;
    return vector;
  }
  return vector.map((v) => v / norm);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// ---------------------------------------------------------------- plumbing

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sendError(res: http.ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  sendJson(res, status, { error: { message, type, code } });
}

function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function lastUserText(body: any): string {
  const messages: unknown = body?.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown };
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((part: { type?: string; text?: string }) => (part?.type === 'text' ? (part.text ?? '') : ''))
        .join('');
    }
    return '';
  }
  return '';
}

// ---------------------------------------------------------------- standalone

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function runStandalone(): Promise<void> {
  const args = process.argv.slice(2);
  const port = Number(argValue(args, '--port') ?? '0');
  const fake = await startFakeLlm({ port, requireApiKey: argValue(args, '--require-api-key') });
  process.stdout.write(`FAKE_LLM_URL=${fake.url}\n`);
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  runStandalone().catch((err: unknown) => {
    process.stderr.write(`fake LLM failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
