// Builds an Agent from plain settings: the one place where the model client, token counter, tool
// registry and memory folder are put together, so the CLI and the extension wire it the same way.
// The agent is given its folder's one archival memory (memoryFolder.ts); it never opens its own.
import { symbolFingerprints } from './symbolFingerprints';
import type { CodeFingerprints } from '../memory/codeFingerprints';
import { OpenAiChatModel } from '../llm/client';
import { correctContextWindow, detectContextWindow, FALLBACK_CONTEXT_WINDOW } from '../llm/contextWindow';
import { seconds } from '../llm/silenceWatch';
import { createTokenCounter } from '../llm/tokens';
import type { TokenCounter } from '../llm/types';
import { memoryRoot } from '../memory/store';
import type { Clock } from '../memory/types';
import { createEmbedder, type EmbedderSettings } from '../indexing/embeddings';
import { createToolRegistry } from '../tools';
import type { ApprovalProvider } from '../tools/types';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import { Agent } from '../core/agent';
import { ArchivalRetriever } from '../core/archivalRetriever';
import type { AgentObserver } from '../core/events';
import type { MemoryMode, ToolSet } from '../core/promptSections';
import { type ArchivalBackendSettings, MemoryFolder } from './memoryFolder';
import { parseMcpServers } from './mcpConfig';
import { McpServers } from './mcpServers';

export interface AgentSettings {
  workspaceRoot: string;
  /** Memory folder; default `<workspaceRoot>/.memcode`. */
  storagePath?: string;
  /** Gitignore-style patterns the file tools leave out, as the indexer does (`memcode.index.exclude`). */
  exclude?: string[];
  /** Bytes; larger files are not searched (`memcode.index.maxFileSize`). */
  maxFileSize?: number;
  /** Secrets-looking paths the person opened to the file tools, as to the indexer (`memcode.files.allow`). */
  allow?: string[];
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Tokens; unset: found from the server on the first turn (llm/contextWindow.ts). */
  contextWindow?: number;
  maxSteps?: number;
  autoRecall?: boolean;
  lockWaitMs?: number;
  /** Retries after a 429, 5xx or network error (default 2: three attempts in all), within the timeout. */
  maxRetries?: number;
  /** How long the model server may stay silent, retries included (`memcode.requestTimeout`, `--timeout`). */
  requestTimeoutMs?: number;
  /** How often a silent model server is reported through the observer's onWarning (default 10 s). */
  slowNoticeMs?: number;
  approvals: ApprovalProvider;
  observer?: AgentObserver;
  clock?: Clock;
  warn?: (message: string) => void;
  tokens?: TokenCounter;
  /**
   * Embedder for archival memory; default the offline local one (ignored for archival when `memory` is
   * given). A model embedder (`openai`) is also recall search's, for hybrid search over messages.
   */
  embeddings?: EmbedderSettings;
  /** Where archival memory lives when `memory` is not given (default: the memory folder). */
  archival?: ArchivalBackendSettings;
  /** The folder's one archival memory, shared with the indexer and the commands; made here when absent. */
  memory?: MemoryFolder;
  /**
   * What memory the agent has (default 'full'; see MemoryMode). In 'none' and 'summary' the model gets
   * no working-context blocks, no memory tools (working_context_*, archival_*, conversation_search*), no
   * automatic recall and no pressure alert; recall memory still logs every message.
   */
  memoryMode?: MemoryMode;
  /**
   * 'all' (default): memory tools (as the mode allows) plus the file, edit and command tools. 'memory':
   * the memory tools only, so an evaluation measures memory with no way around it; with memory mode
   * none or summary that leaves no tools at all.
   */
  tools?: ToolSet;
  /**
   * MCP servers whose tools the model gets (`memcode.mcpServers`, `--mcp-config`): servers by name as in
   * VS Code's `mcp.json`, or a whole file with `servers` or `mcpServers`. Started on the first turn and
   * closed by `agent.close()`. Not with `tools: 'memory'`.
   */
  mcpServers?: unknown;
  /** Fingerprints of cited code for provenance and staleness (default: files, and symbols through the chunker). */
  fingerprints?: CodeFingerprints;
}

export { memoryRoot };
export type { MemoryMode, ToolSet };

export function openAgent(settings: AgentSettings): Agent {
  const memory =
    settings.memory ??
    new MemoryFolder({
      workspaceRoot: settings.workspaceRoot,
      memoryRoot: memoryRoot(settings.workspaceRoot, settings.storagePath),
      embeddings: () => settings.embeddings ?? { provider: 'local' },
      archival: () => settings.archival ?? { backend: 'vectra' },
      warn: settings.warn ?? ((m) => console.warn(`[memcode] ${m}`)),
      clock: settings.clock,
    });
  const store = memory.store;
  store.recordModel(settings.model);
  const model = new OpenAiChatModel({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    model: settings.model,
    maxRetries: settings.maxRetries ?? 2,
    timeoutMs: settings.requestTimeoutMs,
    slowNoticeMs: settings.slowNoticeMs,
    onSlow: ({ waitedMs }) => settings.observer?.onWarning?.(`waiting for the model server (${seconds(waitedMs)} s)…`),
    onRetry: ({ attempt, delayMs, error }) =>
      settings.observer?.onWarning?.(`${error.message.replace(/[.;:\s]+$/, '')}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`),
  });
  const server = { baseUrl: settings.baseUrl, model: settings.model, apiKey: settings.apiKey };
  const givenWindow = settings.contextWindow || undefined;
  const archival = () => memory.archival();
  const memoryMode = settings.memoryMode ?? 'full';
  const fullMemory = memoryMode === 'full';
  const workspaceTools = (settings.tools ?? 'all') === 'all';
  let recallWarned = false;
  const retriever = new ArchivalRetriever(async () => {
    // Never indexed and no notes: do not load Vectra just to find nothing.
    if (!memory.hasArchival()) return undefined;
    try {
      return await archival();
    } catch (err) {
      // Automatic recall must never break a turn; the archival tools report the same error to the model.
      if (!recallWarned) settings.observer?.onWarning?.(`automatic recall skipped archival memory: ${(err as Error).message}`);
      recallWarned = true;
      return undefined;
    }
  });
  const tools = createToolRegistry({ memoryTools: fullMemory, archivalTools: fullMemory, fileTools: workspaceTools, editTools: workspaceTools });
  if (workspaceTools && settings.mcpServers !== undefined) {
    const { servers, problems } = parseMcpServers(settings.mcpServers, { workspaceFolder: settings.workspaceRoot });
    const warn = (message: string) => (settings.observer?.onWarning ? settings.observer.onWarning(message) : settings.warn?.(message));
    if (servers.length || problems.length) tools.addSource(new McpServers({ servers, problems, warn }));
  }
  const workspace = new WorkspaceFiles({
    root: settings.workspaceRoot,
    memoryDir: store.paths.root,
    exclude: settings.exclude,
    maxFileSize: settings.maxFileSize,
    allow: settings.allow,
  });
  return new Agent({
    workspaceRoot: settings.workspaceRoot,
    workspace,
    store,
    model,
    tokens: settings.tokens ?? createTokenCounter(),
    tools,
    approvals: settings.approvals,
    // Until the server answers, the fallback stands in (and the inspector says so).
    contextWindow: givenWindow ?? FALLBACK_CONTEXT_WINDOW,
    contextWindowSource: givenWindow ? 'setting' : 'default',
    detectContextWindow: givenWindow ? undefined : () => detectContextWindow(server),
    onContextWindowCorrected: (tokens) => correctContextWindow(server, tokens),
    maxSteps: settings.maxSteps,
    autoRecall: settings.autoRecall,
    memoryMode,
    archival,
    retrievers: fullMemory ? [retriever] : [],
    // Recall search uses a model embedder when archival memory has one; the offline embedder would make prose worse (issue 11).
    recallEmbedder: fullMemory && settings.embeddings?.provider === 'openai' ? createEmbedder(settings.embeddings) : undefined,
    lockWaitMs: settings.lockWaitMs,
    observer: settings.observer,
    fingerprints: settings.fingerprints ?? symbolFingerprints(settings.workspaceRoot, workspace),
  });
}

/** MEMCODE_NOW fixes the start of the clock (for simulated timelines); time then runs on from it. */
export function clockFromEnv(value: string | undefined): Clock | undefined {
  if (!value) return undefined;
  const base = Date.parse(value);
  if (Number.isNaN(base)) throw new Error(`MEMCODE_NOW="${value}" is not a date (use ISO 8601, e.g. 2026-03-02T09:00:00Z)`);
  const started = Date.now();
  return () => new Date(base + (Date.now() - started));
}
