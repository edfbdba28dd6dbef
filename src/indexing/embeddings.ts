// The Embedder interface's two providers (DESIGN.md §6) and the one place settings pick between them.
import { LocalEmbedder } from './localEmbedder';
import { OpenAiEmbedder } from './openaiEmbedder';
import type { Embedder } from '../memory/archivalMemory';
import { DEFAULT_OPENAI_EMBEDDING_MODEL } from '../common/defaults';

export { LOCAL_DEFAULT_DIMENSIONS, LOCAL_EMBEDDER_ID, LocalEmbedder, type LocalEmbedderOptions } from './localEmbedder';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openaiEmbedder';

export interface EmbedderSettings {
  provider: 'local' | 'openai';
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  dimensions?: number;
}

export { DEFAULT_OPENAI_EMBEDDING_MODEL };
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function createEmbedder(settings: EmbedderSettings): Embedder {
  if (settings.provider === 'openai') {
    return new OpenAiEmbedder({
      baseUrl: settings.baseUrl || DEFAULT_OPENAI_BASE_URL,
      model: settings.model || DEFAULT_OPENAI_EMBEDDING_MODEL,
      apiKey: settings.apiKey,
      dimensions: settings.dimensions,
    });
  }
  return new LocalEmbedder({ dimensions: settings.dimensions });
}
