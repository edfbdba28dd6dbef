// Flags first, then environment variables, then defaults (DESIGN.md §8).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_DEFAULTS, DEFAULT_OPENAI_EMBEDDING_MODEL, SETTING_DEFAULTS as DEFAULTS } from '../common/defaults';
import { MEMORY_MODES, TOOL_SETS, type MemoryMode, type ToolSet } from '../core/promptSections';
import type { EmbedderSettings } from '../indexing/embeddings';
import { readMcpConfigFile } from '../app/mcpConfig';
import type { ArchivalBackendSettings } from '../app/memoryFolder';
import { MEMORY_REVIEW_MODES, type MemoryReviewMode } from '../tools/types';

export interface CliOptions {
  dir?: string;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  contextWindow?: string;
  maxSteps?: string;
  storage?: string;
  autoRecall?: boolean;
  lockWait?: string;
  embeddings?: string;
  embeddingsModel?: string;
  embeddingsBaseUrl?: string;
  exclude?: string[];
  maxFileSize?: string;
  allowPath?: string[];
  memory?: string;
  tools?: string;
  timeout?: string;
  mcpConfig?: string;
  archivalBackend?: string;
  review?: string;
  shareWithTeam?: boolean;
}

export interface CliConfig {
  workspaceRoot: string;
  storagePath?: string;
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Tokens; undefined: found from the server on the first turn. */
  contextWindow: number | undefined;
  maxSteps: number;
  autoRecall: boolean;
  lockWaitMs: number;
  embeddings: EmbedderSettings;
  exclude: string[];
  maxFileSize: number;
  /** `memcode.files.allow`: secrets-looking paths the file tools and the indexer may open. */
  allow: string[];
  requestTimeoutMs: number;
  /** memcode.archival.backend; the database URL only from MEMCODE_DATABASE_URL (a flag would show it in ps). */
  archival: ArchivalBackendSettings;
}

/** Bad usage (exit 2): the message says what to fix. */
export class UsageError extends Error {}

function positiveInt<F>(name: string, raw: string | undefined, fallback: F): number | F {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got "${raw}"`);
  return n;
}

function positiveSeconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number of seconds, got "${raw}"`);
  return n;
}

export function resolveConfig(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const workspaceRoot = path.resolve(opts.dir ?? '.');
  if (!fs.existsSync(workspaceRoot) || !fs.statSync(workspaceRoot).isDirectory()) {
    throw new UsageError(`-C ${opts.dir}: no such folder`);
  }
  const baseUrl = opts.baseUrl ?? env.MEMCODE_BASE_URL ?? env.OPENAI_BASE_URL ?? DEFAULTS.baseUrl;
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url "${baseUrl}" is not a URL (e.g. http://localhost:11434/v1)`);
  }
  return {
    workspaceRoot,
    storagePath: opts.storage ?? env.MEMCODE_STORAGE_PATH,
    baseUrl,
    model: opts.model ?? env.MEMCODE_MODEL ?? DEFAULTS.model,
    apiKey: opts.apiKey ?? env.MEMCODE_API_KEY ?? env.OPENAI_API_KEY,
    contextWindow: positiveInt('--context-window', opts.contextWindow ?? env.MEMCODE_CONTEXT_WINDOW, DEFAULTS.contextWindow ?? undefined),
    maxSteps: positiveInt('--max-steps', opts.maxSteps ?? env.MEMCODE_MAX_STEPS, DEFAULTS.maxSteps),
    autoRecall: opts.autoRecall ?? DEFAULTS.autoRecall,
    lockWaitMs: positiveInt('--lock-wait', opts.lockWait, CLI_DEFAULTS.lockWaitSeconds) * 1000,
    embeddings: embeddingSettings(opts, env, baseUrl),
    exclude: opts.exclude ?? [...DEFAULTS['index.exclude']],
    maxFileSize: positiveInt('--max-file-size', opts.maxFileSize, DEFAULTS['index.maxFileSize']),
    allow: opts.allowPath ?? listFromEnv(env.MEMCODE_ALLOW_PATHS) ?? [...DEFAULTS['files.allow']],
    requestTimeoutMs: positiveSeconds('--timeout', opts.timeout ?? env.MEMCODE_TIMEOUT, DEFAULTS.requestTimeout) * 1000,
    archival: {
      backend: oneOf('--archival-backend', ['vectra', 'postgres'] as const, opts.archivalBackend ?? env.MEMCODE_ARCHIVAL_BACKEND, DEFAULTS['archival.backend']),
      databaseUrl: env.MEMCODE_DATABASE_URL || undefined,
      repoKey: env.MEMCODE_REPO_KEY || undefined,
    },
  };
}

/** A comma-separated list (gitignore patterns have no use for commas); unset or blank is undefined. */
function listFromEnv(raw: string | undefined): string[] | undefined {
  const items = raw?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items?.length ? items : undefined;
}

/** `chat`'s memory mode and tool set; read apart from resolveConfig so a bad MEMCODE_MEMORY cannot break `memory show`. */
export function agentModes(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): { memoryMode: MemoryMode; tools: ToolSet } {
  return {
    memoryMode: oneOf('--memory', MEMORY_MODES, opts.memory ?? env.MEMCODE_MEMORY, DEFAULTS.memoryMode),
    tools: oneOf('--tools', TOOL_SETS, opts.tools ?? env.MEMCODE_TOOLS, CLI_DEFAULTS.tools),
  };
}

/** `--review` / MEMCODE_MEMORY_REVIEW: how the agent's memory edits are reviewed (tools/memoryReview.ts). */
export function memoryReviewMode(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): MemoryReviewMode {
  return oneOf('--review', MEMORY_REVIEW_MODES, opts.review ?? env.MEMCODE_MEMORY_REVIEW, DEFAULTS['memory.review']);
}

/**
 * `chat`'s MCP servers: the file named by --mcp-config or MEMCODE_MCP_CONFIG (VS Code's `mcp.json`, Claude
 * Desktop's config, or a map of servers by name), read as it is; undefined when neither is given.
 */
export function mcpServersConfig(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): unknown {
  const file = opts.mcpConfig ?? env.MEMCODE_MCP_CONFIG;
  if (file === undefined || file === '') return undefined;
  try {
    return readMcpConfigFile(path.resolve(file));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(e.code === 'ENOENT' ? `--mcp-config ${file}: no such file` : `--mcp-config: ${e.message}`);
  }
}

function oneOf<T extends string>(name: string, allowed: readonly T[], raw: string | undefined, fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got "${raw}"`);
}

function embeddingSettings(opts: CliOptions, env: NodeJS.ProcessEnv, chatBaseUrl: string): EmbedderSettings {
  const provider = opts.embeddings ?? env.MEMCODE_EMBEDDINGS_PROVIDER ?? DEFAULTS['embeddings.provider'];
  if (provider !== 'local' && provider !== 'openai') throw new UsageError(`--embeddings must be "local" or "openai", got "${provider}"`);
  return {
    provider,
    model: opts.embeddingsModel ?? env.MEMCODE_EMBEDDINGS_MODEL ?? (provider === 'openai' ? DEFAULT_OPENAI_EMBEDDING_MODEL : undefined),
    baseUrl: opts.embeddingsBaseUrl ?? env.MEMCODE_EMBEDDINGS_BASE_URL ?? chatBaseUrl,
    apiKey: opts.apiKey ?? env.MEMCODE_API_KEY ?? env.OPENAI_API_KEY,
  };
}
