// MemCode's memory as another agent (Claude Code, Copilot, Cursor, Codex) reaches it through `memcode mcp`,
// without the SDK: the server (mcpServer.ts) only carries these calls. The tools are the agent's own
// (tools/memoryTools.ts, tools/archivalTools.ts) dispatched through the same registry, so limits,
// validation and error messages are identical; only their descriptions speak to an outside agent. Each
// write takes the memory folder's lock for the write alone (a chat turn holds it for the whole turn, an
// MCP session never) and leaves a system alert in recall memory naming the client, so MemCode's agent
// sees at its next step who changed its memory and how.
// Not yet: MemCode's review mode for memory edits; once it exists, these writes should go through it.
import type { MemoryReviewMode } from '../tools/types';
import type { JsonSchema } from '../common/types';
import { createTokenCounter } from '../llm/tokens';
import type { TokenCounter } from '../llm/types';
import { RecallLog } from '../memory/recall';
import { SessionList } from '../memory/sessions';
import { type BlockRecord, MemoryError } from '../memory/types';
import { visibleText } from '../memory/provenance';
import { MemoryTrust } from '../core/memoryTrust';
import { symbolFingerprints } from './symbolFingerprints';
import { MemoryJournal } from '../memory/journal';
import { WorkingContext } from '../memory/workingContext';
import { archivalMemoryInsertTool, archivalMemorySearchTool } from '../tools/archivalTools';
import {
  conversationSearchDateTool,
  conversationSearchTool,
  workingContextAppendTool,
  workingContextReplaceTool,
} from '../tools/memoryTools';
import { ToolRegistry } from '../tools/registry';
import type { ToolContext } from '../tools/types';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import type { MemoryFolder } from './memoryFolder';
import { secretIn } from './secretText';

export interface McpToolSpec {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  /** Changes memory: the client may ask the person first (MCP's destructiveHint / readOnlyHint). */
  writes: boolean;
}

/** `text` is the JSON the agent's tool would have returned: the result, or `{"error": ...}` when `ok` is false. */
export interface McpToolResult {
  ok: boolean;
  text: string;
}

export interface McpMemoryToolsOptions {
  folder: MemoryFolder;
  /** How long a write waits for another process (a chat turn, an index run) to release the folder. */
  lockWaitMs: number;
  /** Told once, after about a second, whom a write waits for. */
  onLockWait?: (message: string) => void;
  tokens?: TokenCounter;
  /**
   * The memory review mode (tools/memoryReview.ts). Nobody can answer a question over MCP, so in 'ask' a
   * write is refused with a message saying why and where to make it; it is never applied unreviewed.
   */
  review?: MemoryReviewMode;
}

export const MCP_SERVER_INSTRUCTIONS =
  'MemCode keeps a long-term memory of this repository, shared by MemCode\'s own agent and every agent connected here. ' +
  'Working context: a few small Markdown blocks ("project": architecture, conventions, build and test commands, decisions; ' +
  '"user": the developer\'s preferences; "task": the task at hand). Read them with working_context_read when you start ' +
  'work in this repository; save durable facts with working_context_append and correct outdated ones with ' +
  'working_context_replace (each block has a size limit). Recall memory: every past conversation with MemCode, searched ' +
  'with conversation_search (keywords) or conversation_search_date. Archival memory: the indexed code and saved notes, ' +
  'searched with archival_memory_search; save longer explanations with archival_memory_insert. Every change is recorded ' +
  'under your client\'s name. Never store secrets (keys, tokens, passwords): they are refused.';

const READ_TOOL = 'working_context_read';

const readParameters: JsonSchema = {
  type: 'object',
  properties: {
    block: { type: 'string', minLength: 1, description: 'One block\'s label, e.g. "project"; leave out for every block.' },
  },
  additionalProperties: false,
};

/** The agent's tools offered to other agents, with descriptions written for them. */
const OFFERED = [
  {
    tool: workingContextAppendTool,
    description:
      'Add a line or paragraph to the end of a MemCode working-context block, which MemCode\'s agent always sees and ' +
      'every connected agent can read. Save durable facts as soon as you learn them: build and test commands, ' +
      'conventions, decisions (project); the developer\'s preferences (user). The block\'s size limit applies.',
  },
  {
    tool: workingContextReplaceTool,
    description:
      'Replace one exact piece of text in a MemCode working-context block, to correct or update a fact (empty ' +
      'new_content deletes it). old_content must match the block exactly once: read the block first.',
  },
  {
    tool: conversationSearchTool,
    description:
      'Search MemCode\'s recall memory: every message exchanged with MemCode\'s agent in this repository, across all ' +
      'sessions. Use it when the developer refers to something discussed before. Keyword search: use distinctive ' +
      'words, names, file paths or error text.',
  },
  {
    tool: conversationSearchDateTool,
    description:
      'List past messages exchanged with MemCode\'s agent between two dates (inclusive), oldest first. Dates as ' +
      'YYYY-MM-DD (whole days, UTC) or ISO timestamps.',
  },
  {
    tool: archivalMemorySearchTool,
    description:
      'Search MemCode\'s archival memory: this repository\'s indexed files (code split by function and class) and ' +
      'the notes saved by agents, by meaning and by exact identifier. Results give the file path and line range.',
  },
  {
    tool: archivalMemoryInsertTool,
    description:
      'Save a note to MemCode\'s archival memory: long-lived knowledge too big or too detailed for working context ' +
      '(how a subsystem works, a design discussion, a procedure). Any agent finds it later with archival_memory_search.',
  },
];

const PREVIEW_CHARS = 300;
const UNKNOWN_CLIENT = 'an MCP client';

export class McpMemoryTools {
  private readonly registry = new ToolRegistry(OFFERED.map((o) => o.tool));
  private readonly workingContext: WorkingContext;
  private readonly recall: RecallLog;
  private readonly sessions: SessionList;
  private readonly context: ToolContext;
  private readonly trust: MemoryTrust;
  private tokens?: TokenCounter;
  private client = UNKNOWN_CLIENT;
  /** Writes in flight: the server waits for them before it exits, so none is cut half way. */
  private readonly writing = new Set<Promise<unknown>>();

  constructor(private readonly options: McpMemoryToolsOptions) {
    const { folder } = options;
    const store = folder.store;
    this.tokens = options.tokens;
    // Journaled like the agent's own edits (issue 12): another agent's writes must be undoable too.
    this.workingContext = new WorkingContext(store.paths.memoryDir, { warn: store.warn, journal: new MemoryJournal(store.paths.journalFile, store.clock) });
    this.workingContext.load();
    this.recall = RecallLog.open(store.paths, { clock: store.clock, warn: store.warn });
    this.sessions = SessionList.open(store.paths, { clock: store.clock, warn: store.warn });
    const workspace = new WorkspaceFiles({ root: folder.workspaceRoot, memoryDir: store.paths.root });
    this.trust = new MemoryTrust({ workspaceRoot: folder.workspaceRoot, fingerprints: symbolFingerprints(folder.workspaceRoot, workspace), stalenessFile: store.paths.stalenessFile, clock: store.clock, warn: store.warn });
    this.context = {
      workspaceRoot: folder.workspaceRoot,
      workspace,
      workingContext: this.workingContext,
      recall: this.recall,
      // Only memory tools are offered here; in review mode 'ask' their writes ask, and nobody here can answer.
      approvals: {
        memoryReview: options.review,
        request: async (request) => ({
          approved: false,
          unanswerable: request.kind === 'memory',
          reason:
            request.kind === 'memory'
              ? `not written: memory review is set to ask in this project, and an edit made over MCP cannot be shown to the person for review. Ask the person to make it in MemCode's chat or in the file memory/${request.block}.md`
              : 'nothing is approved over MCP',
        }),
      },
      archival: () => folder.archival(),
    };
  }

  /** The client's name from its MCP initialize request (clientInfo.name), as recall records and the lock show it. */
  setClient(name: string | undefined): void {
    this.client = cleanClientName(name) ?? UNKNOWN_CLIENT;
  }

  get clientName(): string {
    return this.client;
  }

  list(): McpToolSpec[] {
    return [
      {
        name: READ_TOOL,
        description:
          'Read MemCode\'s working context: the short Markdown blocks of durable memory about this repository that ' +
          'MemCode\'s agent always sees ("project", "user", "task" and any others), with their size and limit. Read ' +
          'it when you start work here. Give block for one block, or nothing for all.',
        inputSchema: readParameters,
        writes: false,
      },
      ...OFFERED.map(({ tool, description }) => ({ name: tool.name, description, inputSchema: tool.parameters, writes: !!tool.editsMemory })),
    ];
  }

  /** Runs one tool call; never throws: failures come back as `{"error": ...}` with `ok` false. */
  async call(name: string, args: Record<string, unknown> = {}): Promise<McpToolResult> {
    if (name === READ_TOOL) return this.read(args);
    const tool = this.registry.get(name);
    if (!tool) return failure(`unknown tool "${name}"; available tools: ${this.list().map((t) => t.name).join(', ')}`);
    if (!tool.editsMemory) {
      this.reload();
      return this.dispatch(name, args);
    }
    const refused = refusal(args);
    if (refused) return failure(refused);
    const write = this.write(name, args);
    this.writing.add(write);
    try {
      return await write;
    } finally {
      this.writing.delete(write);
    }
  }

  /** The working-context blocks as they are on disk now (a person or another process may have edited them). */
  blocks(): BlockRecord[] {
    this.workingContext.refresh();
    return this.workingContext.blocks();
  }

  /** Resolves once no write is in flight. */
  async settled(): Promise<void> {
    while (this.writing.size) await Promise.allSettled([...this.writing]);
  }

  private read(args: Record<string, unknown>): McpToolResult {
    const extra = Object.keys(args).filter((k) => k !== 'block');
    if (extra.length) return failure(`invalid arguments for ${READ_TOOL}: unknown argument ${extra.map((k) => `"${k}"`).join(', ')}; it takes only "block"`);
    if (args.block !== undefined && (typeof args.block !== 'string' || args.block === '')) {
      return failure(`invalid arguments for ${READ_TOOL}: block must be a block label such as "project"`);
    }
    try {
      const all = this.blocks();
      const chosen = args.block === undefined ? all : [this.workingContext.get(args.block)];
      return { ok: true, text: JSON.stringify({ blocks: chosen.map(blockView) }) };
    } catch (err) {
      return failure(err instanceof Error ? err.message : String(err));
    }
  }

  private async write(name: string, args: Record<string, unknown>): Promise<McpToolResult> {
    const store = this.options.folder.store;
    try {
      return await store.withLock(
        `mcp (${this.client})`,
        async () => {
          this.reload();
          const outcome = await this.dispatch(name, args);
          if (outcome.ok) this.recordChange(noticeOf(this.client, name, args, outcome.text));
          return outcome;
        },
        this.options.lockWaitMs,
        this.options.onLockWait,
      );
    } catch (err) {
      // The lock could not be had in time (a long chat turn, an index run): the client may try again.
      if (err instanceof MemoryError) return failure(err.message);
      throw err;
    }
  }

  private async dispatch(name: string, args: Record<string, unknown>): Promise<McpToolResult> {
    const call = { id: `mcp-${name}`, name, arguments: JSON.stringify(args) };
    // What another agent writes carries its provenance too: the session it landed in and the client's name.
    const provenance = this.trust.forCall(call, this.sessions.current().id, undefined, `${name} (mcp: ${this.client})`);
    const outcome = await this.registry.dispatch(call, { ...this.context, provenance });
    return { ok: outcome.ok, text: outcome.content };
  }

  /** Under the lock: what another agent changed goes into recall as a system alert, like MemCode's own alerts. */
  private recordChange(content: string): void {
    this.tokens ??= createTokenCounter();
    this.recall.append({
      session: this.sessions.current().id,
      role: 'system',
      kind: 'system_alert',
      content,
      tokens: this.tokens.countMessage({ role: 'system', content }),
    });
  }

  private reload(): void {
    this.recall.refresh();
    this.sessions.refresh();
    this.workingContext.refresh();
  }
}

/** As MemCode's own model reads a block: without the provenance markers, which the write tools keep by themselves. */
function blockView(b: BlockRecord) {
  const value = visibleText(b.value);
  return { label: b.label, description: b.description, chars: `${value.length}/${b.limit}`, value };
}

function failure(message: string): McpToolResult {
  return { ok: false, text: JSON.stringify({ error: message }) };
}

/** Why the text a write would store is refused: it looks like a secret. */
function refusal(args: Record<string, unknown>): string | undefined {
  for (const key of ['content', 'new_content']) {
    const value = args[key];
    const what = typeof value === 'string' ? secretIn(value) : undefined;
    if (what) {
      return (
        `refused: ${key} looks like ${what}. MemCode's memory is stored in plain files (which a team may commit) and sent ` +
        'to the model provider: save where the secret is kept (e.g. "the deploy token is in .env as DEPLOY_TOKEN"), never the secret itself'
      );
    }
  }
  return undefined;
}

/** "claude-code (through MCP) appended to block "project": …", for MemCode's agent to read. */
function noticeOf(client: string, name: string, args: Record<string, unknown>, resultText: string): string {
  const who = `${client} (another agent, through MCP)`;
  const text = (key: string) => preview(typeof args[key] === 'string' ? (args[key] as string) : '');
  switch (name) {
    case workingContextAppendTool.name:
      return `${who} appended to block "${String(args.block)}": ${text('content')}`;
    case workingContextReplaceTool.name:
      return args.new_content === ''
        ? `${who} deleted from block "${String(args.block)}": ${text('old_content')}`
        : `${who} replaced in block "${String(args.block)}": ${text('old_content')} → ${text('new_content')}`;
    case archivalMemoryInsertTool.name: {
      const id = noteId(resultText);
      return `${who} saved a note to archival memory${id ? ` (${id})` : ''}: ${text('content')}`;
    }
    default:
      return `${who} called ${name}`;
  }
}

function noteId(resultText: string): string | undefined {
  try {
    const id = (JSON.parse(resultText) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** Quoted, so where the text starts and ends is plain; cut, since the agent can read the block itself. */
function preview(text: string): string {
  return JSON.stringify(text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text);
}

/** A client's self-given name, made safe to print and to store: letters, digits and a little punctuation. */
export function cleanClientName(name: string | undefined): string | undefined {
  const clean = (name ?? '').replace(/[^\p{L}\p{N} ._@/+()-]/gu, '').replace(/\s+/g, ' ').trim().slice(0, 60);
  return clean || undefined;
}
