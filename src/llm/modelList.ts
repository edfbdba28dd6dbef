// "Test connection" in the chat's onboarding panel and the header's model picker: the server's models,
// asked through the openai client's models.list (GET /models), with the client's errors made readable.
import OpenAI from 'openai';
import { toLlmError } from './errors';

export interface ModelListOptions {
  baseUrl: string;
  apiKey?: string;
  /** Default 10 s: a person is waiting on a button. */
  timeoutMs?: number;
}

/** The ids the server lists, sorted; throws an LlmError (auth, network, bad_response…) naming the URL. */
export async function listModels({ baseUrl, apiKey, timeoutMs = 10_000 }: ModelListOptions): Promise<string[]> {
  const url = baseUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw toLlmError(new Error(`"${baseUrl}" is not a URL (expected e.g. http://localhost:11434/v1)`), { url: baseUrl });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw toLlmError(new Error(`"${baseUrl}" is not an http(s) URL`), { url: baseUrl });
  // A local server needs no key, but the client insists on one.
  const client = new OpenAI({ baseURL: url, apiKey: apiKey || 'sk-no-key', maxRetries: 0, timeout: timeoutMs });
  try {
    const ids: string[] = [];
    for await (const model of client.models.list()) if (typeof model.id === 'string' && model.id) ids.push(model.id);
    return [...new Set(ids)].sort((a, b) => a.localeCompare(b));
  } catch (error) {
    throw toLlmError(error, { url, timeoutMs });
  }
}
