// The memcode.* settings as the host uses them, made from whatever reads configuration keys: VS Code's
// WorkspaceConfiguration in the extension (settings.ts), a plain map in the tests. Bad values fall back to
// the defaults instead of reaching the agent. MEMCODE_BASE_URL wins over memcode.baseUrl (the e2e tests
// point the extension at a fake server with it).
import type { EmbedderSettings } from '../indexing/embeddings';
import type { MemoryMode } from '../core/promptSections';

// The same defaults as app/openAgent's DEFAULTS and package.json; repeated so reading settings does not load the core.
export const SETTING_DEFAULTS = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  contextWindow: 16_384,
  maxSteps: 25,
  maxFileSize: 1_000_000,
} as const;

/** package.json's minimum: a smaller window cannot hold the system prompt and the working context. */
const MIN_CONTEXT_WINDOW = 2048;

export interface MemcodeSettings {
  baseUrl: string;
  model: string;
  contextWindow: number;
  embeddings: { provider: EmbedderSettings['provider']; model?: string; baseUrl?: string };
  index: { exclude: string[]; maxFileSize: number; autoUpdate: boolean };
  maxSteps: number;
  autoRecall: boolean;
  /** 'full' is MemCode; 'summary' and 'none' are the baselines of the memory evaluation. */
  memoryMode: MemoryMode;
  approval: { edits: 'ask' | 'auto'; commands: 'ask' | 'never' };
  /** '' means `<workspace>/.memcode`. */
  storagePath: string;
}

/** Reads one key under `memcode.` (VS Code's WorkspaceConfiguration has this shape). */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

/**
 * The settings from `reader`, checked: a value of the wrong type or out of range is treated as unset.
 * Settings files are hand-edited JSON, so "wrong type" happens.
 */
export function settingsFrom(reader: SettingsReader, env: Record<string, string | undefined> = {}): MemcodeSettings {
  const text = (key: string) => nonEmpty(reader.get<unknown>(key));
  const flag = (key: string, fallback: boolean) => {
    const v = reader.get<unknown>(key);
    return typeof v === 'boolean' ? v : fallback;
  };
  const exclude = reader.get<unknown>('index.exclude');
  return {
    baseUrl: nonEmpty(env.MEMCODE_BASE_URL) ?? text('baseUrl') ?? SETTING_DEFAULTS.baseUrl,
    model: text('model') ?? SETTING_DEFAULTS.model,
    contextWindow: atLeast(MIN_CONTEXT_WINDOW, reader.get<unknown>('contextWindow'), SETTING_DEFAULTS.contextWindow),
    embeddings: {
      provider: reader.get<unknown>('embeddings.provider') === 'openai' ? 'openai' : 'local',
      model: text('embeddings.model'),
      baseUrl: text('embeddings.baseUrl'),
    },
    index: {
      exclude: Array.isArray(exclude) ? exclude.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()) : [],
      maxFileSize: positive(reader.get<unknown>('index.maxFileSize'), SETTING_DEFAULTS.maxFileSize),
      autoUpdate: flag('index.autoUpdate', true),
    },
    maxSteps: positive(reader.get<unknown>('maxSteps'), SETTING_DEFAULTS.maxSteps),
    autoRecall: flag('autoRecall', true),
    memoryMode: memoryMode(reader.get<unknown>('memoryMode')),
    approval: {
      edits: reader.get<unknown>('approval.edits') === 'auto' ? 'auto' : 'ask',
      commands: reader.get<unknown>('approval.commands') === 'never' ? 'never' : 'ask',
    },
    storagePath: text('storagePath') ?? '',
  };
}

/** The embedder settings for archival memory; the OpenAI provider reuses the chat key and, by default, its server. */
export function embeddingSettings(settings: MemcodeSettings, apiKey: string | undefined): EmbedderSettings {
  if (settings.embeddings.provider === 'local') return { provider: 'local' };
  return { provider: 'openai', model: settings.embeddings.model, baseUrl: settings.embeddings.baseUrl ?? settings.baseUrl, apiKey };
}

function memoryMode(value: unknown): MemoryMode {
  return value === 'none' || value === 'summary' ? value : 'full';
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function atLeast(min: number, value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}
