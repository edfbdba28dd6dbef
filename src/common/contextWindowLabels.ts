// Where the context window came from, in the words the memory inspector and the terminal both show.
import type { ContextWindowSource } from './types';

export const CONTEXT_WINDOW_SOURCE_LABELS: Record<ContextWindowSource, string> = {
  setting: 'as set',
  'server:ollama': 'from Ollama',
  'server:lmstudio': 'from LM Studio',
  'server:vllm': 'from vLLM',
  'server:llamacpp': 'from llama.cpp',
  'known model': 'known for this model',
  'server error': 'named by the server in an error',
  default: 'a guess: the server did not say',
};
