// Turns whatever the openai SDK, undici or the server threw into an LlmError with a kind, so the
// agent branches on `kind` and the person reads a message that names the server and the reason.

import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { LlmError, type LlmErrorKind } from './types';

/** Kinds worth another attempt: the same request may succeed a moment later. */
export function isRetryable(kind: LlmErrorKind): boolean {
  return kind === 'rate_limit' || kind === 'server' || kind === 'network';
}

// OpenAI says `context_length_exceeded`; vLLM, llama.cpp, Ollama, LM Studio and Anthropic-style
// proxies only say it in prose, so the message is matched as well.
const CONTEXT_LENGTH_TEXT =
  /context[ _-]?(length|window|size)|maximum context|too many tokens|prompt is too long|exceed(s|ed)? .*context/i;

export function isContextLengthText(text: string): boolean {
  return CONTEXT_LENGTH_TEXT.test(text);
}

// How servers name the limit when they refuse a prompt, each checked against its own wording:
// OpenAI, vLLM and OpenRouter: "This model's maximum context length is 8192 tokens. However, …"
// llama.cpp: "request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it"
// LM Studio: "… the model is loaded with context length of only 4096 tokens, which is not enough."
// Anthropic (and proxies passing it on): "prompt is too long: 210000 tokens > 200000 maximum"
const CONTEXT_LIMIT_TEXT = [
  /maximum context length is (\d[\d,]*)/i,
  /context (?:size|length|window) (?:of (?:only )?)?\(?(\d[\d,]*) tokens/i,
  /\d[\d,]* tokens > (\d[\d,]*) maximum/i,
];

/** The model's limit in tokens as a context-length error states it; undefined when the text names none. */
export function contextLimitFromText(text: string): number | undefined {
  for (const pattern of CONTEXT_LIMIT_TEXT) {
    const found = pattern.exec(text);
    if (!found) continue;
    const n = Number(found[1].replace(/,/g, ''));
    // A number no model has (a byte count, a typo) must not shrink the window to nothing.
    if (Number.isInteger(n) && n >= 512 && n <= 100_000_000) return n;
  }
  return undefined;
}

export function abortedError(url: string): LlmError {
  return new LlmError('aborted', `the request to the model server at ${url} was stopped`, { url });
}

interface ErrorContext {
  url: string;
  timeoutMs?: number;
}

export function toLlmError(err: unknown, context: ErrorContext): LlmError {
  const { url } = context;
  if (err instanceof LlmError) return err;
  if (err instanceof APIUserAbortError || isAbortError(err)) return abortedError(url);
  if (err instanceof APIConnectionTimeoutError) {
    const after = context.timeoutMs ? ` within ${Math.round(context.timeoutMs / 1000)} s` : '';
    return new LlmError('network', `the model server at ${url} did not answer${after}`, { url, cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new LlmError('network', `cannot reach the model server at ${url}: ${describeNetworkCause(err.cause ?? err)}`, {
      url,
      cause: err.cause ?? err,
    });
  }
  if (err instanceof APIError) return fromApiError(err, url);
  if (err instanceof SyntaxError) {
    return new LlmError('bad_response', `the model server at ${url} sent a reply that is not valid JSON: ${err.message}`, {
      url,
      cause: err,
    });
  }
  if (networkCode(err)) {
    return new LlmError('network', `cannot reach the model server at ${url}: ${describeNetworkCause(err)}`, { url, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError('bad_response', `unexpected failure talking to the model server at ${url}: ${message}`, {
    url,
    cause: err,
  });
}

/** A stream that broke after the response started: the connection, not the request, failed. */
export function interruptedError(err: unknown, url: string): LlmError {
  if (err instanceof APIError && !(err instanceof APIConnectionError)) return fromApiError(err, url);
  if (err instanceof SyntaxError) return toLlmError(err, { url });
  const reason = err === undefined ? 'the connection closed before the reply finished' : describeNetworkCause(err);
  return new LlmError('network', `the stream from the model server at ${url} was interrupted: ${reason}`, {
    url,
    cause: err,
  });
}

function fromApiError(err: APIError, url: string): LlmError {
  const status = err.status;
  const detail = redactKeys(serverDetail(err));
  const retryAfterMs = parseRetryAfter(err.headers);
  const codeOrType = `${err.code ?? ''} ${err.type ?? ''}`;
  const looksLikeContextLength =
    codeOrType.includes('context_length_exceeded') || /exceed_context/.test(codeOrType) || isContextLengthText(detail);
  const contextLimit = looksLikeContextLength ? contextLimitFromText(detail) : undefined;
  const details = { status, url, retryAfterMs, cause: err, ...(contextLimit ? { contextLimit } : {}) };

  if (status === undefined) {
    // An `error` event inside an otherwise healthy stream.
    if (looksLikeContextLength) return new LlmError('context_length', `the prompt is too long for the model at ${url}: ${detail}`, details);
    return new LlmError('server', `the model server at ${url} reported an error mid-stream: ${detail}`, details);
  }
  if (status === 401 || status === 403) {
    return new LlmError('auth', `the model server at ${url} refused the API key (${status}): ${detail}`, details);
  }
  if (status === 429) {
    return new LlmError('rate_limit', `the model server at ${url} is rate limiting requests (429): ${detail}`, details);
  }
  if ((status === 400 || status === 413 || status === 422) && looksLikeContextLength) {
    return new LlmError('context_length', `the prompt is too long for the model at ${url} (${status}): ${detail}`, details);
  }
  if (status === 404) {
    return new LlmError(
      'bad_response',
      `the model server at ${url} answered 404: ${detail} (check the base URL and the model name)`,
      details,
    );
  }
  if (status >= 500) {
    return new LlmError('server', `the model server at ${url} failed with ${status}: ${detail}`, details);
  }
  return new LlmError('bad_response', `the model server at ${url} rejected the request (${status}): ${detail}`, details);
}

function serverDetail(err: APIError): string {
  const body: unknown = err.error;
  if (typeof body === 'string' && body) return body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string' && body.message) {
    return body.message;
  }
  // The SDK prefixes the status to the message ("500 Internal error"); drop it, we say it ourselves.
  const text = err.message.replace(/^\d{3}\s*/, '').trim();
  return text || 'no details';
}

// Servers echo a masked key back ("Incorrect API key provided: sk-abc***xyz"); never pass even that on.
function redactKeys(text: string): string {
  return text.replace(/\b(sk|key|token)-[A-Za-z0-9_*.-]{4,}/g, '$1-***');
}

type HeaderBag = { get(name: string): string | null } | Record<string, string | string[] | undefined> | undefined | null;

/** `retry-after-ms` (non-standard, OpenAI) wins over `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: HeaderBag, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const read = (name: string): string | undefined => {
    if (typeof (headers as { get?: unknown }).get === 'function') {
      return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    }
    const value = (headers as Record<string, string | string[] | undefined>)[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = Number.parseFloat(read('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = read('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number.parseFloat(raw) * 1000;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError';
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out waiting for the response body',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'a TLS certificate in the chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate could not be verified',
};

/** The first system error code along the `cause` chain (fetch wraps them: TypeError → cause). */
function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code in NETWORK_REASONS || /^E[A-Z]+$/.test(code))) return code;
    // AggregateError from happy-eyeballs (IPv4 and IPv6 both refused).
    const inner = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length) {
      const found = networkCode(inner[0]);
      if (found) return found;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeNetworkCause(err: unknown): string {
  const code = networkCode(err);
  if (code) return NETWORK_REASONS[code] ?? code;
  let current: unknown = err;
  let last = '';
  for (let depth = 0; depth < 6 && current; depth++) {
    if (current instanceof Error && current.message) last = current.message;
    current = current instanceof Error ? current.cause : undefined;
  }
  if (last === 'terminated' || /other side closed/i.test(last)) return 'the connection closed unexpectedly';
  return last || 'unknown network error';
}
