// The memcode.* settings, read fresh on every use so a change applies without a reload.
// MEMCODE_BASE_URL wins over memcode.baseUrl (the e2e tests point the extension at a fake server with it).
import * as vscode from 'vscode';
import type { EmbeddingSettings } from '../indexing/openArchival';

// The same defaults as core/openAgent's DEFAULTS and package.json; repeated so reading settings does not load the core.
const DEFAULTS = { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', contextWindow: 16_384, maxSteps: 25 } as const;

export interface MemcodeSettings {
  baseUrl: string;
  model: string;
  contextWindow: number;
  embeddings: { provider: EmbeddingSettings['provider']; model?: string; baseUrl?: string };
  index: { exclude: string[]; maxFileSize: number; autoUpdate: boolean };
  maxSteps: number;
  autoRecall: boolean;
  approval: { edits: 'ask' | 'auto'; commands: 'ask' | 'never' };
  /** '' means `<workspace>/.memcode`. */
  storagePath: string;
}

export function readSettings(scope?: vscode.Uri): MemcodeSettings {
  const c = vscode.workspace.getConfiguration('memcode', scope);
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  return {
    baseUrl: nonEmpty(process.env.MEMCODE_BASE_URL) ?? nonEmpty(c.get<string>('baseUrl')) ?? DEFAULTS.baseUrl,
    model: nonEmpty(c.get<string>('model')) ?? DEFAULTS.model,
    contextWindow: positive(c.get<number>('contextWindow'), DEFAULTS.contextWindow),
    embeddings: {
      provider: c.get<string>('embeddings.provider') === 'openai' ? 'openai' : 'local',
      model: nonEmpty(c.get<string>('embeddings.model')),
      baseUrl: nonEmpty(c.get<string>('embeddings.baseUrl')),
    },
    index: {
      exclude: c.get<string[]>('index.exclude') ?? [],
      maxFileSize: positive(c.get<number>('index.maxFileSize'), 1_000_000),
      autoUpdate: c.get<boolean>('index.autoUpdate') ?? true,
    },
    maxSteps: positive(c.get<number>('maxSteps'), DEFAULTS.maxSteps),
    autoRecall: c.get<boolean>('autoRecall') ?? true,
    approval: {
      edits: c.get<string>('approval.edits') === 'auto' ? 'auto' : 'ask',
      commands: c.get<string>('approval.commands') === 'never' ? 'never' : 'ask',
    },
    storagePath: c.get<string>('storagePath')?.trim() ?? '',
  };
}

/** The embedder settings for archival memory; the OpenAI provider reuses the chat key and, by default, its server. */
export function embeddingSettings(settings: MemcodeSettings, apiKey: string | undefined): EmbeddingSettings {
  if (settings.embeddings.provider === 'local') return { provider: 'local' };
  return { provider: 'openai', model: settings.embeddings.model, baseUrl: settings.embeddings.baseUrl ?? settings.baseUrl, apiKey };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
