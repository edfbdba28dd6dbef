// The memcode.* settings as the host uses them, made from whatever reads configuration keys: VS Code's
// WorkspaceConfiguration in the extension (settings.ts), a plain map in the tests. Bad values fall back to
// the defaults instead of reaching the agent. MEMCODE_BASE_URL wins over memcode.baseUrl (the e2e tests
// point the extension at a fake server with it).
import { MEMORY_REVIEW_MODES, type MemoryReviewMode } from '../tools/types';
import { MIN_CONTEXT_WINDOW, SETTING_DEFAULTS } from '../common/defaults';
import type { EmbedderSettings } from '../indexing/embeddings';
import { MEMORY_MODES, type MemoryMode } from '../core/promptSections';

export interface MemcodeSettings {
  baseUrl: string;
  model: string;
  /** Tokens; undefined: found from the server (the setting left empty). */
  contextWindow: number | undefined;
  /** Seconds the model server may stay silent (see SETTING_DEFAULTS.requestTimeout). */
  requestTimeout: number;
  embeddings: { provider: EmbedderSettings['provider']; model?: string; baseUrl?: string };
  index: { exclude: string[]; maxFileSize: number; autoUpdate: boolean };
  /** `allow`: secrets-looking paths the person opened to the file tools and the indexer. */
  files: { allow: string[] };
  maxSteps: number;
  autoRecall: boolean;
  /** 'full' is MemCode; 'summary' and 'none' are the baselines of the memory evaluation. */
  memoryMode: MemoryMode;
  approval: { edits: 'ask' | 'auto'; commands: 'ask' | 'never' };
  /** '' means `<workspace>/.memcode`. */
  storagePath: string;
  /** MCP servers by name, as written (app/mcpConfig.ts reads them and reports what is wrong per server). */
  mcpServers: Record<string, unknown>;
  /** Where archival memory lives; the database URL is a secret (host/secrets.ts), never a setting. */
  archival: { backend: 'vectra' | 'postgres' };
  /** Review mode of the agent's memory edits; where the `user` block lives ('' = ~/.memcode/user.md); team sharing. */
  memory: { review: MemoryReviewMode; userStorePath: string; shareWithTeam: boolean };
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
  const patterns = (key: string): string[] => {
    const v = reader.get<unknown>(key);
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()) : [];
  };
  return {
    baseUrl: nonEmpty(env.MEMCODE_BASE_URL) ?? text('baseUrl') ?? SETTING_DEFAULTS.baseUrl,
    model: text('model') ?? SETTING_DEFAULTS.model,
    contextWindow: atLeast(MIN_CONTEXT_WINDOW, reader.get<unknown>('contextWindow'), SETTING_DEFAULTS.contextWindow ?? undefined),
    requestTimeout: positive(reader.get<unknown>('requestTimeout'), SETTING_DEFAULTS.requestTimeout),
    embeddings: {
      provider: oneOf(reader.get<unknown>('embeddings.provider'), ['local', 'openai'], SETTING_DEFAULTS['embeddings.provider']),
      model: text('embeddings.model'),
      baseUrl: text('embeddings.baseUrl'),
    },
    index: {
      exclude: patterns('index.exclude'),
      maxFileSize: positive(reader.get<unknown>('index.maxFileSize'), SETTING_DEFAULTS['index.maxFileSize']),
      autoUpdate: flag('index.autoUpdate', SETTING_DEFAULTS['index.autoUpdate']),
    },
    files: { allow: patterns('files.allow') },
    maxSteps: positive(reader.get<unknown>('maxSteps'), SETTING_DEFAULTS.maxSteps),
    autoRecall: flag('autoRecall', SETTING_DEFAULTS.autoRecall),
    memoryMode: oneOf(reader.get<unknown>('memoryMode'), MEMORY_MODES, SETTING_DEFAULTS.memoryMode),
    approval: {
      edits: oneOf(reader.get<unknown>('approval.edits'), ['ask', 'auto'], SETTING_DEFAULTS['approval.edits']),
      commands: oneOf(reader.get<unknown>('approval.commands'), ['ask', 'never'], SETTING_DEFAULTS['approval.commands']),
    },
    storagePath: text('storagePath') ?? SETTING_DEFAULTS.storagePath,
    mcpServers: plainObject(reader.get<unknown>('mcpServers')) ?? { ...SETTING_DEFAULTS.mcpServers },
    archival: { backend: oneOf(reader.get<unknown>('archival.backend'), ['vectra', 'postgres'], SETTING_DEFAULTS['archival.backend']) },
    memory: {
      review: oneOf(reader.get<unknown>('memory.review'), MEMORY_REVIEW_MODES, SETTING_DEFAULTS['memory.review']),
      userStorePath: text('memory.userStorePath') ?? SETTING_DEFAULTS['memory.userStorePath'],
      shareWithTeam: flag('memory.shareWithTeam', SETTING_DEFAULTS['memory.shareWithTeam']),
    },
  };
}

/** Where settingsFrom's baseUrl comes from, as the person would change it (error hints name it). */
export function baseUrlFrom(env: Record<string, string | undefined> = {}): string {
  return nonEmpty(env.MEMCODE_BASE_URL) ? 'the MEMCODE_BASE_URL environment variable' : 'memcode.baseUrl';
}

/** The embedder settings for archival memory; the OpenAI provider reuses the chat key and, by default, its server. */
export function embeddingSettings(settings: MemcodeSettings, apiKey: string | undefined): EmbedderSettings {
  if (settings.embeddings.provider === 'local') return { provider: 'local' };
  return { provider: 'openai', model: settings.embeddings.model, baseUrl: settings.embeddings.baseUrl ?? settings.baseUrl, apiKey };
}

function plainObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly unknown[]).includes(value) ? (value as T) : fallback;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function atLeast<F>(min: number, value: unknown, fallback: F): number | F {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}
