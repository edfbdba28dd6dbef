// Context windows of hosted models, for servers that do not say (api.openai.com, OpenRouter, proxies).
// Checked against the providers' model pages in 2025-06; a model missing here falls back to the default,
// and a server that names a smaller limit in a context-length error corrects whatever this says.
// Where a provider caps the input below the whole window (GPT-5: 272k in, 400k in all), the input cap is
// given, since the window here bounds the prompt.

const KNOWN_WINDOWS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^gpt-5(-mini|-nano|-chat-latest)?$/, 272_000],
  [/^gpt-4\.1(-mini|-nano)?$/, 1_047_576],
  [/^(gpt-4o|gpt-4o-mini|chatgpt-4o-latest)$/, 128_000],
  [/^gpt-4-turbo(-preview)?$/, 128_000],
  [/^gpt-4$/, 8_192],
  [/^gpt-3\.5-turbo$/, 16_385],
  [/^o1-mini$/, 128_000],
  [/^(o1|o3|o3-mini|o3-pro|o4-mini)$/, 200_000],
  // Anthropic's current models all take 200k by default (the 1M window is an opt-in beta).
  [/^claude-/, 200_000],
  [/^gemini-1\.5-pro/, 2_097_152],
  [/^gemini-(1\.5-flash|2\.0-flash|2\.5-pro|2\.5-flash)/, 1_048_576],
];

/**
 * The known window of a hosted model, by name as the server knows it: a router's provider prefix
 * ("openai/gpt-4o"), its variant tag ("…:beta") and a dated snapshot suffix ("gpt-4o-2024-08-06",
 * "claude-3-5-sonnet-20241022", "gpt-3.5-turbo-0125") are ignored.
 */
export function knownModelWindow(model: string): number | undefined {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^.*\//, '')
    .replace(/:[a-z0-9._-]+$/, '')
    .replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/, '');
  return KNOWN_WINDOWS.find(([pattern]) => pattern.test(name))?.[1];
}
