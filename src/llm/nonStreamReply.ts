// A 2xx answer to a streaming request that is not an event stream. Two happen in the wild: a web page
// where the API should be (a base URL without /v1 lands on Open WebUI, nginx, a router's login page),
// and a proxy that ignores `stream: true` and sends the whole completion as JSON. Parsed as a stream,
// both look like an empty reply; here the first gets a message that says what came back and the
// second is taken as the answer it is.

import type { ChatCompletion } from 'openai/resources/chat/completions';
import { isContextLengthText } from './errors';
import { completionResult } from './replyAssembler';
import { LlmError, type ChatResult } from './types';

export type BodyKind = 'event-stream' | 'json' | 'html' | 'other';

/** What a Content-Type announces; a missing one is read as a stream, as the SDK does. */
export function bodyKind(contentType: string | null): { kind: BodyKind; mediaType: string } {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!mediaType || mediaType === 'text/event-stream') return { kind: 'event-stream', mediaType: mediaType || 'no content type' };
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return { kind: 'json', mediaType };
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return { kind: 'html', mediaType };
  return { kind: 'other', mediaType };
}

const CHECK_BASE_URL = 'check memcode.baseUrl (--base-url in the terminal): it usually ends in /v1';

/** Enough of a page to find its title; the rest is not read. */
const PAGE_PREFIX_BYTES = 64 * 1024;

export async function htmlPageError(response: Response, url: string): Promise<LlmError> {
  const { mediaType } = bodyKind(response.headers.get('content-type'));
  const title = pageTitle(await readPrefix(response, PAGE_PREFIX_BYTES));
  const titled = title ? ` titled "${title}"` : '';
  return new LlmError(
    'bad_response',
    `the model server at ${url} answered with an HTML page (${mediaType})${titled}, not an OpenAI-compatible API: ${CHECK_BASE_URL}`,
    { url, status: response.status },
  );
}

/** A body that is neither a stream nor JSON nor a page, and held no stream events either. */
export function notAStreamError(mediaType: string, url: string, status: number): LlmError {
  return new LlmError(
    'bad_response',
    `the model server at ${url} answered with ${mediaType}, not a stream of chat completion chunks: ${CHECK_BASE_URL}`,
    { url, status },
  );
}

/** A JSON body: a whole completion is the answer; anything else says what it was. */
export async function jsonReply(response: Response, url: string): Promise<ChatResult> {
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LlmError('bad_response', `the model server at ${url} sent a reply that is not valid JSON: ${(err as Error).message}`, { url, cause: err });
  }
  if (isCompletion(value)) return completionResult(value, url);
  const serverError = errorMessage(value);
  if (serverError !== undefined) {
    const kind = isContextLengthText(serverError) ? 'context_length' : 'bad_response';
    throw new LlmError(kind, `the model server at ${url} answered ${response.status} with an error: ${serverError}`, { url, status: response.status });
  }
  throw new LlmError(
    'bad_response',
    `the model server at ${url} answered with JSON that is not a chat completion (${describeJson(value)}): ${CHECK_BASE_URL}`,
    { url, status: response.status },
  );
}

function isCompletion(value: unknown): value is ChatCompletion {
  if (!value || typeof value !== 'object') return false;
  const choices = (value as { choices?: unknown }).choices;
  return Array.isArray(choices) && choices.some((c) => !!c && typeof c === 'object' && 'message' in c);
}

function errorMessage(value: unknown): string | undefined {
  const error = value && typeof value === 'object' ? (value as { error?: unknown }).error : undefined;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return undefined;
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).slice(0, 5);
    return keys.length ? `its keys: ${keys.join(', ')}` : 'an empty object';
  }
  return `a ${value === null ? 'null' : typeof value}`;
}

function pageTitle(html: string): string | undefined {
  const match = /<title[^>]*>([^<]*)</i.exec(html);
  const title = match?.[1].replace(/\s+/g, ' ').trim();
  return title ? title.slice(0, 80) : undefined;
}

async function readPrefix(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
