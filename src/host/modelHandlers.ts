// The onboarding panel and the header's model picker: the presets, Test connection (the server's
// models), and saving the choice: memcode.baseUrl / memcode.model in settings, the key in secret
// storage only. No vscode here: the settings and the key are reached through small interfaces.
import { isModelConfigured, PROVIDER_PRESETS } from '../app/providerPresets';
import { listModels } from '../llm/modelList';
import type { HostMessenger } from '../protocol/messenger';
import type { ModelConfig } from '../protocol/shapes';

export interface ModelSettingsStore {
  /** The effective base URL and model (MEMCODE_BASE_URL over the setting). */
  read(): { baseUrl: string; model: string };
  write(baseUrl: string, model: string): Promise<void>;
}

export interface KeyStore {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
}

export async function modelConfig(settings: ModelSettingsStore, keys: KeyStore): Promise<ModelConfig> {
  const { baseUrl, model } = settings.read();
  const hasKey = Boolean(await keys.get());
  return { baseUrl, model, hasKey, configured: isModelConfigured(baseUrl, hasKey), presets: PROVIDER_PRESETS.map((p) => ({ ...p })) };
}

export function registerModelHandlers(messenger: HostMessenger, settings: ModelSettingsStore, keys: KeyStore): void {
  messenger.on('model/config', () => modelConfig(settings, keys));
  // A key typed in the panel is tried before it is stored; without one, the stored key is used.
  messenger.on('model/test', async ({ baseUrl, apiKey }) => ({ models: await listModels({ baseUrl, apiKey: apiKey?.trim() || (await keys.get()) }) }));
  messenger.on('model/save', async ({ baseUrl, model, apiKey }) => {
    if (apiKey?.trim()) await keys.set(apiKey.trim());
    const url = baseUrl.replace(/\/+$/, '');
    await settings.write(url, model);
    const now = settings.read();
    // MEMCODE_BASE_URL wins over the setting: say so rather than seem to have saved a choice that does nothing.
    if (now.baseUrl.replace(/\/+$/, '') !== url) throw new Error(`memcode.baseUrl is saved, but the environment variable MEMCODE_BASE_URL (${now.baseUrl}) overrides it; unset it to use ${url}`);
    return modelConfig(settings, keys);
  });
  messenger.on('model/list', async () => {
    const { baseUrl } = settings.read();
    return { models: await listModels({ baseUrl, apiKey: await keys.get() }) };
  });
}
