// The agent loop (DESIGN.md §3): events in, steps out. Each step the model either yields (answers
// in text) or calls functions, and the loop continues after their results. Everything the agent
// says or hears is appended to recall before it is acted on, so a killed process loses nothing
// that was acknowledged.
import { SETTING_DEFAULTS } from '../common/defaults';
import type { ContextWindowSource, ToolCall, ToolSchema } from '../common/types';
import type { ContextWindow } from '../llm/contextWindow';
import type { ChatModel, ChatResult, TokenCounter } from '../llm/types';
import { LlmError } from '../llm/types';
import type { MemoryStore } from '../memory/store';
import { WorkingContext } from '../memory/workingContext';
import { RecallLog } from '../memory/recall';
import { SessionList } from '../memory/sessions';
import { type Clock, MemoryError, type MessageRecord, type SessionRecord } from '../memory/types';
import type { ArchivalMemory, Embedder } from '../memory/archivalMemory';
import { MessageVectors } from '../memory/messageVectors';
import { truncateResult, type ToolRegistry } from '../tools/registry';
import type { ApprovalProvider, ToolOutcome } from '../tools/types';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import { InstructionFiles } from '../workspace/instructionFiles';
import { AgentError, type AgentObserver, type ContextUsage, type ToolResult, type TurnResult } from './events';
import { contentForModel } from '../memory/messageContent';
import type { QueuedMessage, UserMessage } from './userMessage';
import { MainContext, type AssembledContext } from './mainContext';
import { STEP_LIMIT_ALERT, summarizerInstructions, systemInstructions } from './prompts';
import type { MemoryMode } from './promptSections';
import { QueueEviction } from './queueEviction';
import { Summarizer } from './summarizer';
import { MemoryPressure } from './memoryPressure';
import { gatherAutoRecall, textInContext, type MemoryRetriever } from './autoRecall';
import { RecallRetriever } from './recallRetriever';
import { LoopBreaker } from './loopBreaker';
import { sessionRecap } from './sessionRecap';
import { sessionTitle } from './sessionTitle';
import { MemoryTrust, readableFiles } from './memoryTrust';
import { MemoryJournal } from '../memory/journal';
import { type CodeFingerprints, fileFingerprints } from '../memory/codeFingerprints';
import { PROJECT_INSTRUCTIONS_SHARE, ProjectInstructions, type InstructionFileUsage, type ProjectInstructionsSection } from './projectInstructions';

export interface AgentOptions {
  workspaceRoot: string;
  /** What the file tools may see and change; default: the workspace with this store's memory folder. */
  workspace?: WorkspaceFiles;
  store: MemoryStore;
  model: ChatModel;
  tokens: TokenCounter;
  tools: ToolRegistry;
  approvals: ApprovalProvider;
  /** The window to start with: the person's setting, or a stand-in until `detectContextWindow` answers. */
  contextWindow: number;
  /** Where `contextWindow` came from (default 'setting'). */
  contextWindowSource?: ContextWindowSource;
  /**
   * Finds the model's real window (openAgent: from the server, see llm/contextWindow.ts) when the person
   * left it unset. Asked once, before the first turn, so opening the agent never waits for the server.
   */
  detectContextWindow?: () => Promise<ContextWindow>;
  /** The server named a smaller window in a context-length error; the agent already uses it. */
  onContextWindowCorrected?: (tokens: number) => void;
  /** Tokens kept free for the model's answer. Default: 1/8 of the window, at most 4,096. */
  responseReserve?: number;
  /** Fraction of the budget at which the memory-pressure alert is raised. Default 0.75. */
  pressureThreshold?: number;
  /** Fraction of the budget the queue is cut down to on eviction. Default 0.5. */
  evictTarget?: number;
  maxSteps?: number;
  autoRecall?: boolean;
  autoRecallTokens?: number;
  /** Extra retrievers for automatic recall (archival memory plugs in here). */
  retrievers?: MemoryRetriever[];
  /** A model embedder for recall search: messages are embedded in the background and fused with the keywords. */
  recallEmbedder?: Embedder;
  /** Opens archival memory on first use, for the archival tools. */
  archival?: () => Promise<ArchivalMemory>;
  /** How long a turn waits for another process's lock on the memory folder. Default 30 s. */
  lockWaitMs?: number;
  observer?: AgentObserver;
  /** Default: systemInstructions for the memory mode and the tools in `tools`. */
  instructions?: string;
  /**
   * 'full' (default): MemCode. 'summary': no blocks, no automatic recall, no pressure alert, evicted
   * messages folded into the summary. 'none': the same, but evicted messages are dropped (no summary).
   * The memory tools are whatever `tools` holds: openAgent leaves them out of the ablations.
   */
  memoryMode?: MemoryMode;
  /** Fingerprints of cited code for provenance and staleness; default: whole files (no `#Symbol` precision). */
  fingerprints?: CodeFingerprints;
}

export class Agent {
  readonly workingContext: WorkingContext;
  readonly recall: RecallLog;
  readonly sessions: SessionList;
  readonly memoryMode: MemoryMode;
  /** Provenance of memory edits and stale entries (memoryTrust.ts). */
  readonly trust: MemoryTrust;
  private readonly mainContext: MainContext;
  private readonly eviction: QueueEviction;
  private readonly pressure: MemoryPressure;
  private readonly retrievers: MemoryRetriever[];
  /** The message vectors of recall memory, when a model embedder is configured. */
  private readonly recallVectors: MessageVectors | undefined;
  private readonly instructions: string;
  /** Messages typed while a turn runs, oldest first; each leaves only when it is appended to recall. */
  private readonly pending: QueuedMessage[] = [];
  private queuedCount = 0;
  /** What the agent may see of the workspace (also what Initialize Project Memory reads). */
  readonly workspace: WorkspaceFiles;
  private readonly projectInstructions: ProjectInstructions;
  private controller?: AbortController;
  private current?: Promise<TurnResult>;
  private windowSource: ContextWindowSource;
  private windowDetected?: Promise<void>;

  /** The chat model and clock, for passes that run beside the conversation (app/consolidateMemory.ts). */
  get chatModel(): ChatModel {
    return this.options.model;
  }

  get clock(): Clock {
    return this.options.store.clock;
  }

  /** How the person approves (and reviews memory edits: consolidation asks through it too). */
  get approvals(): ApprovalProvider {
    return this.options.approvals;
  }

  constructor(private readonly options: AgentOptions) {
    const { store } = options;
    this.workspace = options.workspace ?? new WorkspaceFiles({ root: options.workspaceRoot, memoryDir: store.paths.root });
    this.projectInstructions = new ProjectInstructions(new InstructionFiles(this.workspace), options.tokens);
    this.workingContext = new WorkingContext(store.paths.memoryDir, { warn: store.warn, journal: new MemoryJournal(store.paths.journalFile, store.clock) });
    this.workingContext.load();
    this.recall = RecallLog.open(store.paths, { clock: store.clock, warn: store.warn });
    this.recallVectors = options.recallEmbedder ? new MessageVectors(store.paths.recallDir, options.recallEmbedder, this.recall, { warn: store.warn }) : undefined;
    // Messages from before this process (or before the embedder was set) are embedded in the background.
    this.recallVectors?.catchUp();
    this.sessions = SessionList.open(store.paths, { clock: store.clock, warn: store.warn });
    this.trust = new MemoryTrust({
      workspaceRoot: options.workspaceRoot,
      fingerprints: options.fingerprints ?? fileFingerprints(options.workspaceRoot, readableFiles(this.workspace)),
      stalenessFile: store.paths.stalenessFile,
      clock: store.clock,
      warn: store.warn,
    });
    this.mainContext = new MainContext(options.tokens, options.contextWindow, this.responseReserve(options.contextWindow));
    this.windowSource = options.contextWindowSource ?? 'setting';
    this.memoryMode = options.memoryMode ?? SETTING_DEFAULTS.memoryMode;
    const mainContext = this.mainContext;
    const summarizer =
      this.memoryMode === 'none'
        ? undefined
        : // A getter: the window may be found or corrected after the summarizer is made.
          new Summarizer(options.model, options.tokens, { get budget() { return mainContext.budget; }, instructions: summarizerInstructions(this.memoryMode === 'full') });
    this.eviction = new QueueEviction(this.recall, summarizer, options.tokens, options.observer);
    this.pressure = new MemoryPressure({
      mainContext: this.mainContext,
      recall: this.recall,
      eviction: this.eviction,
      memoryMode: this.memoryMode,
      pressureThreshold: options.pressureThreshold,
      evictTarget: options.evictTarget,
      alert: (text) => this.alert(text),
      observer: options.observer,
    });
    const toolSchemas = options.tools.schemas();
    const fileTools = toolSchemas.some((t) => t.name === 'read_file' || t.name === 'search_files');
    this.instructions = options.instructions ?? systemInstructions({ memoryMode: this.memoryMode, fileTools, anyTools: toolSchemas.length > 0 });
    this.retrievers = [new RecallRetriever(this.recall, () => this.recall.state().firstInContextId, this.recallVectors), ...(options.retrievers ?? [])];
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  get budget(): number {
    return this.mainContext.budget;
  }

  /** The window main context is kept within, and where the number came from. */
  get contextWindow(): ContextWindow {
    return { tokens: this.mainContext.contextWindow, source: this.windowSource };
  }

  private responseReserve(contextWindow: number): number {
    return this.options.responseReserve ?? Math.min(4096, Math.floor(contextWindow / 8));
  }

  private setContextWindow(window: ContextWindow): void {
    this.mainContext.resize(window.tokens, this.responseReserve(window.tokens));
    this.windowSource = window.source;
    this.options.observer?.onContextWindow?.(window);
  }

  /**
   * Asks for the model's window once (a failed ask keeps the stand-in); each turn waits for that one ask,
   * and a host may start it early (the inspector then shows the real number before the first message).
   */
  async findContextWindow(): Promise<ContextWindow> {
    const detect = this.options.detectContextWindow;
    this.windowDetected ??= detect?.().then(
      (window) => {
        // A correction from the server while the ask was out knows better than the ask.
        if (this.windowSource !== 'server error') this.setContextWindow(window);
      },
      (err: unknown) => this.options.observer?.onWarning?.(`could not find the model's context window (${(err as Error).message}); using ${this.mainContext.contextWindow.toLocaleString('en-US')} tokens`),
    );
    await this.windowDetected;
    return this.contextWindow;
  }

  /**
   * The server refused the prompt and named its limit: a smaller window than ours is the truth. Returns
   * whether the window changed (only ever down, so the retries it allows come to an end).
   */
  private correctContextWindow(limit: number | undefined): boolean {
    const current = this.mainContext.contextWindow;
    if (!limit || limit >= current) return false;
    this.setContextWindow({ tokens: limit, source: 'server error' });
    this.options.onContextWindowCorrected?.(limit);
    const n = (x: number) => x.toLocaleString('en-US');
    this.options.observer?.onWarning?.(`the server says the model's window is ${n(limit)} tokens, not ${n(current)}: using ${n(limit)}`);
    return true;
  }

  /**
   * Sends a user message. While a turn is running the message is queued and delivered at its
   * next step (an interrupt), and the running turn's result is returned.
   */
  send(message: string | UserMessage, signal?: AbortSignal): Promise<TurnResult> {
    const { text, attachments } = typeof message === 'string' ? { text: message, attachments: undefined } : message;
    const copy: UserMessage = attachments?.length ? { text, attachments: attachments.map((a) => ({ ...a })) } : { text };
    if (this.current) {
      this.pending.push({ id: `q${++this.queuedCount}`, ...copy });
      this.reportQueue();
      return this.current;
    }
    return this.startTurn(signal, () => this.beginTurnWith(copy));
  }

  /**
   * Messages waiting for the next step, oldest first (copies). Usually empty between turns; a turn that was
   * stopped or failed leaves its undelivered messages here, and the next turn delivers them after its own.
   */
  queue(): QueuedMessage[] {
    return this.pending.map((m) => ({ ...m, ...(m.attachments ? { attachments: m.attachments.map((a) => ({ ...a })) } : {}) }));
  }

  /** Runs the loop again on the queue as it is: the "retry" after an error, without a new message. */
  retry(signal?: AbortSignal): Promise<TurnResult> {
    if (this.current) return this.current;
    return this.startTurn(signal, async () => undefined);
  }

  /** Aborts the in-flight request; the queue stays consistent (see runLoop). */
  stop(): void {
    this.controller?.abort();
  }

  /** Releases what the tools hold (MCP server processes); the agent is not used afterwards. */
  async close(): Promise<void> {
    this.stop();
    await this.options.tools.close();
  }

  /** Closes the current session: its queue is folded into the summary, and a new session starts. */
  async newSession(signal?: AbortSignal): Promise<SessionRecord> {
    if (this.current) throw new AgentError('busy', 'the agent is working; stop it before starting a new session');
    return this.options.store.withLock(
      'new session',
      async () => {
        this.reload();
        // A new session starts empty: messages left from a stopped turn are not carried into it.
        if (this.pending.length) {
          this.pending.length = 0;
          this.reportQueue();
        }
        const queue = this.recall.since(this.recall.state().firstInContextId);
        const session = this.sessions.current();
        await this.eviction.evict(queue, this.recall.lastId() + 1, signal);
        const sessionRecords = this.recall.all().filter((r) => r.session === session.id);
        this.sessions.end(session.id, sessionTitle(sessionRecords));
        return this.sessions.start();
      },
      this.options.lockWaitMs ?? 30_000,
      this.lockWaitNotice,
    );
  }

  /**
   * Makes a past session current again (MemCode's chat: Resume). The session that was current is closed
   * as by newSession (its queue folded into the summary, titled); the resumed one is reopened, so new
   * messages carry its id and its transcript continues, and the queue starts with a recap of its last
   * exchanges (core/sessionRecap.ts) so the model picks up where it left off.
   */
  async resumeSession(id: string, signal?: AbortSignal): Promise<SessionRecord> {
    if (this.current) throw new AgentError('busy', 'the agent is working; stop it before resuming another session');
    return this.options.store.withLock(
      'resume session',
      async () => {
        this.reload();
        const target = this.sessions.list().find((s) => s.id === id);
        if (!target) throw new MemoryError('not_found', `no session "${id}" in this memory folder`);
        const session = this.sessions.current();
        if (session.id === id) return session;
        if (this.pending.length) {
          this.pending.length = 0;
          this.reportQueue();
        }
        const queue = this.recall.since(this.recall.state().firstInContextId);
        await this.eviction.evict(queue, this.recall.lastId() + 1, signal);
        const sessionRecords = this.recall.all().filter((r) => r.session === session.id);
        if (sessionRecords.length) this.sessions.end(session.id, sessionTitle(sessionRecords));
        const resumed = this.sessions.reopen(id);
        // An empty session left behind would only clutter the history.
        if (!sessionRecords.length) this.sessions.remove(session.id);
        const records = this.recall.all().filter((r) => r.session === id);
        this.append({ role: 'system', kind: 'system_alert', content: sessionRecap(resumed.title, records) });
        return resumed;
      },
      this.options.lockWaitMs ?? 30_000,
      this.lockWaitNotice,
    );
  }

  /** Another process holds the memory folder: say so, or the wait looks like a hang. */
  private readonly lockWaitNotice = (message: string): void => this.options.observer?.onWarning?.(message);

  /** Token use of the main context as it would be sent now. */
  contextUsage(): ContextUsage {
    return this.assemble(this.options.tools.schemas()).usage;
  }

  /** The project's instruction files as the prompt holds them now, with their token counts (the memory inspector). */
  instructionFiles(): InstructionFileUsage[] {
    return this.instructionsSection(this.recall.since(this.recall.state().firstInContextId)).files;
  }

  /** Messages of a session (default: the current one), for transcripts. */
  transcript(sessionId = this.sessions.current().id): MessageRecord[] {
    return this.recall.all().filter((r) => r.session === sessionId);
  }

  private startTurn(signal: AbortSignal | undefined, begin: () => Promise<void>): Promise<TurnResult> {
    const controller = new AbortController();
    if (signal) {
      if (signal.aborted) controller.abort();
      else signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    this.controller = controller;
    const run = async (): Promise<TurnResult> => {
      await this.findContextWindow();
      const lock = await this.options.store.lock('chat turn', this.options.lockWaitMs ?? 30_000, this.lockWaitNotice);
      try {
        this.reload();
        await begin();
        if (this.memoryMode === 'full') {
          const staleAlert = await this.trust.startTurn(this.workingContext.blocks());
          if (staleAlert) this.alert(staleAlert);
        }
        return await this.runLoop(controller.signal);
      } finally {
        lock.release();
      }
    };
    const turn = run().finally(() => {
      this.current = undefined;
      this.controller = undefined;
    });
    this.current = turn;
    return turn;
  }

  /**
   * Reads what another process (the CLI, the extension) or a person (a block file) changed on disk since.
   * Each turn starts with it; a host calls it before showing memory while the agent is idle.
   */
  reload(): void {
    this.recall.refresh();
    this.sessions.refresh();
    this.workingContext.refresh();
  }

  private async beginTurnWith(message: UserMessage): Promise<void> {
    if (this.memoryMode === 'full' && (this.options.autoRecall ?? SETTING_DEFAULTS.autoRecall)) {
      const inContext = textInContext(this.workingContext.blocks(), this.recall.since(this.recall.state().firstInContextId));
      const found = await gatherAutoRecall(this.retrievers, message.text, this.options.tokens, this.options.autoRecallTokens ?? 1_000, { inContext });
      if (found) this.append({ role: 'system', kind: 'auto_recall', content: found });
    }
    this.appendUser(message);
  }

  private appendUser(message: UserMessage): MessageRecord {
    return this.append({ role: 'user', kind: 'message', content: message.text, ...(message.attachments?.length ? { attachments: message.attachments } : {}) });
  }

  private append(entry: Omit<MessageRecord, 'id' | 'time' | 'tokens' | 'session'>): MessageRecord {
    const record = this.recall.append({
      ...entry,
      session: this.sessions.current().id,
      tokens: this.options.tokens.countMessage({ role: entry.role, content: contentForModel(entry), toolCalls: entry.toolCalls }),
    });
    this.options.observer?.onMessage?.(record);
    if (entry.role === 'system' && entry.kind === 'system_alert') this.options.observer?.onSystemAlert?.(entry.content);
    return record;
  }

  private alert(text: string): void {
    this.append({ role: 'system', kind: 'system_alert', content: text });
  }

  private deliverInterrupts(): void {
    while (this.pending.length) {
      // Out of the queue only once it is in recall: a failed append leaves it waiting.
      this.appendUser(this.pending[0]);
      this.pending.shift();
      this.reportQueue();
    }
  }

  private reportQueue(): void {
    this.options.observer?.onQueue?.(this.queue());
  }

  /** Project rules, not memory: every memory mode gets them. Re-checked (stat only) at each assembly. */
  private instructionsSection(queue: readonly MessageRecord[]): ProjectInstructionsSection {
    return this.projectInstructions.section(queue, Math.floor(this.mainContext.contextWindow * PROJECT_INSTRUCTIONS_SHARE));
  }

  private assemble(tools: ToolSchema[]): AssembledContext {
    const state = this.recall.state();
    const full = this.memoryMode === 'full';
    const queue = this.recall.since(state.firstInContextId);
    const assembled = this.mainContext.assemble({
      instructions: this.instructions,
      tools,
      projectInstructions: this.instructionsSection(queue).text,
      blocks: full ? this.trust.promptBlocks(this.workingContext.blocks()) : undefined,
      metadata: { recallMessages: full ? this.recall.count() : undefined, today: this.options.store.clock().toISOString().slice(0, 10) },
      // A summary left by another mode on the same memory folder is not shown in mode none.
      summary: this.memoryMode === 'none' ? '' : state.summary,
      summarySearchable: full,
      queue,
    });
    return { ...assembled, usage: { ...assembled.usage, contextWindowSource: this.windowSource } };
  }

  private async runLoop(signal: AbortSignal): Promise<TurnResult> {
    const maxSteps = this.options.maxSteps ?? SETTING_DEFAULTS.maxSteps;
    const breaker = new LoopBreaker(3);
    let steps = 0;
    let toolCalls = 0;
    let forceYield = false;
    const stopped = (reply = ''): TurnResult => ({ reply, steps, toolCalls, stopped: true, hitStepLimit: forceYield });
    // Tools known only at run time (MCP servers) are started or listed again here, not at construction.
    await this.options.tools.refresh(signal);

    for (;;) {
      if (signal.aborted) return stopped();
      this.deliverInterrupts();
      this.workingContext.refresh();
      if (steps >= maxSteps && !forceYield) {
        this.alert(STEP_LIMIT_ALERT(steps));
        forceYield = true;
      }
      const tools = forceYield ? [] : this.options.tools.schemas();
      const { result, partial } = await this.callModel(tools, signal);
      if (!result) {
        // Stopped mid-stream: keep what the person already saw, marked as cut short.
        if (partial) this.append({ role: 'assistant', kind: 'message', content: `${partial}\n\n[stopped by the person]` });
        return stopped(partial);
      }
      steps++;
      const calls = forceYield ? [] : normalizeCallIds(result.toolCalls, this.recall.lastId() + 1);
      const step = this.append({ role: 'assistant', kind: 'message', content: result.content, toolCalls: calls.length ? calls : undefined });
      if (!calls.length) {
        if (this.pending.length) continue; // a message arrived while it answered: answer that too
        return { reply: result.content, steps, toolCalls, stopped: false, hitStepLimit: forceYield };
      }
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i];
        if (signal.aborted) {
          for (const rest of calls.slice(i)) this.recordToolResult(rest, { ok: false, content: '{"error":"cancelled: the person stopped the agent"}' });
          return stopped();
        }
        toolCalls++;
        this.options.observer?.onToolCall?.(call);
        const refusal = breaker.check(call);
        const outcome = refusal
          ? { ok: false, content: JSON.stringify({ error: refusal }) }
          : await this.options.tools.dispatch(call, {
              workspaceRoot: this.options.workspaceRoot,
              workspace: this.workspace,
              workingContext: this.workingContext,
              recall: this.recall,
              recallVectors: this.recallVectors,
              approvals: this.options.approvals,
              archival: this.options.archival,
              signal,
              callId: call.id,
              maxResultTokens: this.pressure.resultTokenCap(this.contextUsage()),
              countTokens: (text) => this.options.tokens.count(text),
              provenance: this.trust.forCall(call, step.session, step.id),
            });
        this.trust.observe(call, outcome);
        this.recordToolResult(call, outcome);
      }
    }
  }

  /** The outcome goes into recall with what the tool declares, so a transcript read later shows what the live one did. */
  private recordToolResult(call: ToolCall, tool: ToolOutcome): void {
    // Successful results come sized from dispatch; an error can quote what it was given (a huge name, say).
    const outcome = { ...tool, content: truncateResult(tool.content) };
    const editsMemory = outcome.ok && !!this.options.tools.get(call.name)?.editsMemory;
    const block = typeof outcome.args?.block === 'string' ? outcome.args.block : undefined;
    const result: ToolResult = { ...outcome, editsMemory, ...(block !== undefined ? { block } : {}) };
    this.append({ role: 'tool', kind: 'tool_result', name: call.name, toolCallId: call.id, content: outcome.content, ok: outcome.ok, editsMemory, block });
    this.options.observer?.onToolResult?.(call, result, editsMemory);
  }

  /**
   * One model request with the budget enforced. A context-length error from the server (our count
   * and the server's can differ) forces one eviction and one retry. Returns no result when stopped.
   */
  private async callModel(tools: ToolSchema[], signal: AbortSignal): Promise<{ result?: ChatResult; partial: string }> {
    let partial = '';
    for (let attempt = 0; ; attempt++) {
      const context = await this.pressure.fit(() => this.assemble(tools), signal, attempt > 0);
      if (signal.aborted) return { partial };
      try {
        const result = await this.options.model.chat({
          messages: context.messages,
          tools: tools.length ? tools : undefined,
          signal,
          maxTokens: this.mainContext.contextWindow - this.mainContext.budget,
          onText: (delta) => {
            partial += delta;
            this.options.observer?.onText?.(delta);
          },
        });
        return { result, partial };
      } catch (err) {
        if (err instanceof LlmError && err.kind === 'aborted') return { partial };
        if (err instanceof LlmError && err.kind === 'context_length') {
          if (this.correctContextWindow(err.details.contextLimit)) continue;
          if (attempt === 0) {
            this.options.observer?.onWarning?.('the model server says the context is too long; evicting older messages and retrying once');
            continue;
          }
        }
        throw err;
      }
    }
  }
}

/** Local models sometimes omit or repeat call ids; results are matched to calls by id, so make them unique. */
function normalizeCallIds(calls: ToolCall[], seed: number): ToolCall[] {
  const seen = new Set<string>();
  return calls.map((c, i) => {
    const id = c.id && !seen.has(c.id) ? c.id : `call_${seed}_${i}`;
    seen.add(id);
    return { ...c, id };
  });
}
