// The model servers the onboarding panel offers, with where each listens by default and whether it needs
// a key. Any other OpenAI-compatible server is the last entry: the person types its URL.
export interface ProviderPreset {
  id: string;
  label: string;
  baseUrl: string;
  needsKey: boolean;
  /** One line under the choice: where the key comes from, or how to start the server. */
  hint: string;
}

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { id: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', needsKey: true, hint: 'A key from platform.openai.com/api-keys.' },
  { id: 'ollama', label: 'Ollama', baseUrl: 'http://localhost:11434/v1', needsKey: false, hint: 'Runs locally: `ollama serve`, then `ollama pull` a model.' },
  { id: 'lmstudio', label: 'LM Studio', baseUrl: 'http://localhost:1234/v1', needsKey: false, hint: "Start LM Studio's local server (Developer tab)." },
  { id: 'vllm', label: 'vLLM', baseUrl: 'http://localhost:8000/v1', needsKey: false, hint: '`vllm serve <model>`; a key only if you started it with --api-key.' },
  { id: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', needsKey: true, hint: 'A key from openrouter.ai/keys.' },
  { id: 'custom', label: 'Any OpenAI-compatible URL', baseUrl: '', needsKey: false, hint: 'The base URL ends before /chat/completions, usually in /v1.' },
];

/** The preset a base URL belongs to ('custom' when none matches). */
export function presetFor(baseUrl: string): ProviderPreset {
  const url = baseUrl.replace(/\/+$/, '');
  return PROVIDER_PRESETS.find((p) => p.baseUrl && p.baseUrl === url) ?? PROVIDER_PRESETS[PROVIDER_PRESETS.length - 1];
}

/**
 * Whether the chat can talk to a model as configured: a key is stored, or the URL is not a hosted service
 * that always needs one. Decides when the onboarding panel shows by itself.
 */
export function isModelConfigured(baseUrl: string, hasKey: boolean): boolean {
  if (hasKey) return true;
  const preset = PROVIDER_PRESETS.find((p) => p.baseUrl && baseUrl.replace(/\/+$/, '').startsWith(p.baseUrl));
  return !preset?.needsKey;
}
