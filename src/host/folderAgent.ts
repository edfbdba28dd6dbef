// One workspace folder's agent and its memory folder. The Agent is built lazily (first message, first
// look at memory) and rebuilt between turns when settings or the key changed; archival memory is the
// folder's one MemoryFolder, which the agent shares, so an index update never rebuilds the agent.
import * as vscode from 'vscode';
import type { Agent } from '../core/agent';
import type { AgentObserver } from '../core/events';
import type { ContextUsage } from '../common/types';
import type { QueuedMessage, TurnResult, UserMessage } from '../core/events';
import type { ApprovalProvider } from '../tools/types';
import type { InstructionFile, MemorySnapshot, SessionSummary, TranscriptItem } from '../protocol/shapes';
import { MemoryFolder } from '../app/memoryFolder';
import { agentModule } from '../app/lazyAgent';
import { memoryRoot } from '../memory/store';
import { describeStale } from '../memory/staleness';
import { describeSharing } from '../memory/teamSharing';
import { loadTokenizer, tokenizerLoaded } from '../llm/tokens';
import type { ApiKeyStore } from './secrets';
import { embeddingSettings, readSettings, type MemcodeSettings } from './settings';
import { toSessionSummary, toTranscript } from './transcript';

export interface FolderAgentOptions {
  folder: vscode.WorkspaceFolder;
  keys: ApiKeyStore;
  approvals: ApprovalProvider;
  observer: AgentObserver;
  log: (message: string) => void;
  /** Index state or counts changed. */
  onMemoryChanged: () => void;
  /** Adds what recall does not hold to a transcript read from it (each turn's "files changed" item). */
  decorate?: (items: TranscriptItem[]) => TranscriptItem[];
}

export class FolderAgent {
  readonly memory: MemoryFolder;
  private built?: Agent;
  private building?: Promise<Agent>;
  private stale = false;

  constructor(private readonly options: FolderAgentOptions) {
    this.memory = new MemoryFolder({
      workspaceRoot: this.root,
      memoryRoot: this.memoryRoot,
      embeddings: async () => embeddingSettings(this.settings(), await options.keys.get()),
      index: () => ({ exclude: this.settings().index.exclude, maxFileSize: this.settings().index.maxFileSize, allow: this.settings().files.allow }),
      archival: async () => ({ backend: this.settings().archival.backend, databaseUrl: await options.keys.databaseUrl() }),
      warn: options.log,
      onState: () => options.onMemoryChanged(),
      // The extension host's thread is the editor's: chunking and embedding run in a worker.
      indexInWorker: true,
    });
  }

  get folder(): vscode.WorkspaceFolder {
    return this.options.folder;
  }

  get root(): string {
    return this.options.folder.uri.fsPath;
  }

  get memoryRoot(): string {
    return memoryRoot(this.root, this.settings().storagePath || undefined);
  }

  get running(): boolean {
    return this.built?.running ?? false;
  }

  /** Messages typed while a turn runs, not yet delivered: the agent's queue, which it reports as it changes. */
  get queued(): QueuedMessage[] {
    return this.built?.queue() ?? [];
  }

  settings(): MemcodeSettings {
    return readSettings(this.options.folder.uri);
  }

  /** Settings or the key changed: the next turn starts from a fresh Agent (on the same memory folder). */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * The agent, with what is on disk now when it is idle: the person (or the CLI) may have edited a block
   * file or chatted since. Every look at memory comes through here, so no caller reloads on its own.
   * Built on first use, rebuilt between turns when settings or the key changed.
   */
  async agent(): Promise<Agent> {
    const agent = await this.current();
    if (!agent.running) agent.reload();
    return agent;
  }

  private current(): Promise<Agent> {
    if (this.built && (!this.stale || this.built.running)) return Promise.resolve(this.built);
    this.building ??= this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(): Promise<Agent> {
    const settings = this.settings();
    const apiKey = await this.options.keys.get();
    this.stale = false;
    // The agent being replaced is idle (current() waits for its turn): its MCP servers go with it.
    void this.built?.close();
    const agent = agentModule().openAgent({
      workspaceRoot: this.root,
      storagePath: settings.storagePath || undefined,
      exclude: settings.index.exclude,
      maxFileSize: settings.index.maxFileSize,
      allow: settings.files.allow,
      baseUrl: settings.baseUrl,
      apiKey,
      model: settings.model,
      contextWindow: settings.contextWindow,
      requestTimeoutMs: settings.requestTimeout * 1000,
      maxSteps: settings.maxSteps,
      autoRecall: settings.autoRecall,
      memoryMode: settings.memoryMode,
      approvals: this.options.approvals,
      observer: this.options.observer,
      warn: this.options.log,
      memory: this.memory,
      // The archival store is this.memory's; the setting also gives recall search its model embedder.
      embeddings: embeddingSettings(settings, apiKey),
      mcpServers: settings.mcpServers,
    });
    this.built = agent;
    // Ask the server for the model's window now, not at the first message, so the inspector shows it; never awaited.
    void agent.findContextWindow();
    return agent;
  }

  /** Context usage without building an agent just to measure it (the status bar at startup). */
  usageIfOpen(): ContextUsage | undefined {
    if (!tokenizerLoaded()) return undefined;
    try {
      return this.built?.contextUsage();
    } catch {
      return undefined;
    }
  }

  /** Stops the agent and ends its MCP servers (the folder closes, the extension deactivates). */
  async close(): Promise<void> {
    await this.built?.close();
  }

  /** Aborts the in-flight request, if an agent was ever built. */
  agentStop(): void {
    this.built?.stop();
  }

  async send(message: UserMessage): Promise<TurnResult> {
    const agent = await this.agent();
    return agent.send(message);
  }

  async snapshot(): Promise<MemorySnapshot> {
    const agent = await this.agent();
    void this.memory.refreshCounts();
    const index = this.memory.state;
    return {
      // The protocol's objects are strict: copy exactly the fields it declares.
      blocks: agent.workingContext.blocks().map(({ label, description, limit, value }) => ({ label, description, limit, value })),
      recallCount: agent.recall.count(),
      archivalCount: index.chunks ?? 0,
      indexState: index,
      // Checked again at each look: a save in the editor or a git pull shows without waiting for a turn.
      stale: (await agent.trust.refreshStale(agent.workingContext.blocks())).map((e) => ({
        block: e.block,
        id: e.id,
        text: e.text,
        why: e.stale.map(describeStale).join('; '),
        files: e.stale.map((s) => s.cite.path),
      })),
      sharing: describeSharing(this.memory.store.paths.root),
      // Instruction files are counted in tokens too, so they come with the usage.
      ...(tokenizerLoaded() ? { usage: usageOf(agent.contextUsage()), instructionFiles: instructionFilesOf(agent) } : this.measureSoon()),
    };
  }

  private measureSoon(): Record<string, never> {
    if (!measuring) {
      measuring = true;
      setTimeout(() => {
        try {
          loadTokenizer();
        } finally {
          measuring = false;
          this.options.onMemoryChanged();
        }
      }, 300);
    }
    return {};
  }

  async currentSession(): Promise<SessionSummary> {
    const agent = await this.agent();
    return toSessionSummary(agent.sessions.current(), true);
  }

  async sessions(): Promise<SessionSummary[]> {
    const agent = await this.agent();
    const current = agent.sessions.current().id;
    return agent.sessions.list().map((s) => toSessionSummary(s, s.id === current));
  }

  async transcript(sessionId?: string): Promise<TranscriptItem[]> {
    const agent = await this.agent();
    const items = toTranscript(agent.transcript(sessionId));
    return this.options.decorate?.(items) ?? items;
  }
}

/**
 * The chat's first draw must not wait ~1 s for the tokenizer: the snapshot goes without usage, and the
 * tokenizer loads right after (still before the first message needs it), followed by a fresh snapshot.
 */
let measuring = false;


function instructionFilesOf(agent: Agent): InstructionFile[] {
  return agent.instructionFiles().map(({ path, tokens, note }) => ({ path, tokens, ...(note ? { note } : {}) }));
}

function usageOf(u: ContextUsage): ContextUsage {
  return {
    system: u.system,
    ...(u.instructions !== undefined ? { instructions: u.instructions } : {}),
    workingContext: u.workingContext,
    summary: u.summary,
    queue: u.queue,
    total: u.total,
    budget: u.budget,
    contextWindow: u.contextWindow,
    ...(u.contextWindowSource ? { contextWindowSource: u.contextWindowSource } : {}),
  };
}
