// Turns whatever a turn threw into the ChatError the webview shows, with a hint about what to do.
import { AgentError } from '../core/events';
import { LlmError } from '../llm/types';
import { MemoryError } from '../memory/types';
import type { ChatError } from '../protocol/shapes';

export interface ChatErrorContext {
  hasApiKey: boolean;
  baseUrl: string;
  /** Where baseUrl was set, as the person would change it: the hint names that place, not always the setting. */
  baseUrlFrom?: string;
}

export function toChatError(error: unknown, context: ChatErrorContext): ChatError {
  if (error instanceof LlmError) {
    switch (error.kind) {
      case 'auth':
        return context.hasApiKey
          ? { kind: 'auth', message: error.message, hint: 'the server refused the API key: run MemCode: Set API Key', retryable: true }
          : {
              // No key was sent, so "refused the API key" would mislead: say the server wants one.
              kind: 'no_api_key',
              message: `the model server at ${context.baseUrl} asks for an API key (${error.details.status ?? 401}) and none is set`,
              hint: 'no API key: run MemCode: Set API Key',
              retryable: true,
            };
      case 'rate_limit':
        return { kind: 'rate_limit', message: error.message, hint: 'the server is rate limiting; wait a moment and retry', retryable: true };
      case 'context_length':
        return { kind: 'context_length', message: error.message, hint: 'raise memcode.contextWindow only if the model really supports it, or start a new session', retryable: true };
      case 'network':
        return { kind: 'network', message: error.message, hint: `could not reach ${context.baseUrl}; check ${context.baseUrlFrom ?? 'memcode.baseUrl'} and that the server runs`, retryable: true };
      case 'server':
        return { kind: 'server', message: error.message, hint: 'the model server failed; retry', retryable: true };
      case 'bad_response':
        return { kind: 'bad_response', message: error.message, hint: 'the server answered with something unexpected; check memcode.model', retryable: true };
      case 'aborted':
        return { kind: 'internal', message: 'stopped', retryable: true };
    }
  }
  if (error instanceof MemoryError) {
    if (error.kind === 'locked') {
      return { kind: 'locked', message: error.message, hint: 'another MemCode process (the CLI or another window) is working on this memory folder; retry when it finishes', retryable: true };
    }
    return { kind: 'memory', message: error.message, hint: 'see MemCode: Show Memory; a damaged file was moved aside', retryable: false };
  }
  if (error instanceof AgentError && error.kind === 'busy') {
    return { kind: 'busy', message: error.message, hint: 'press Stop first', retryable: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message, retryable: true };
}
