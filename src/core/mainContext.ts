// Assembles what the model sees each step (DESIGN.md §2) and measures it against the token budget.
// Counting must stay cheap on a full 128k queue: every queue message is counted once, keyed by its
// recall id, and the fixed parts are cached by their text.
import type { ToolSchema } from '../common/types';
import type { ChatMessage, TokenCounter } from '../llm/types';
import type { BlockRecord, MessageRecord } from '../memory/types';
import type { ContextUsage } from './events';
import { PROMPT_SECTIONS, messageTimeHeader, todayLine } from './promptSections';
import { contentForModel } from '../memory/messageContent';
import { TOOL_CALL_ID_OVERHEAD } from '../llm/tokens';
import { cutOversizedMessage } from './oversizedMessage';

/** Share of the room left for the queue that one message may take: the one after it must fit too. */
const MESSAGE_SHARE_OF_ROOM = 0.5;
/** No message is cut below this, however full the fixed parts leave the window. */
const MIN_MESSAGE_CAP = 256;

export interface MemoryMetadata {
  /** Absent when the model cannot search recall memory (memory modes none and summary). */
  recallMessages?: number;
  archivalItems?: number;
  indexState?: string;
  /** Date only (YYYY-MM-DD), so the prefix does not change every step. */
  today: string;
}

export interface ContextInput {
  instructions: string;
  tools: ToolSchema[];
  /** The project-instructions section, delimiters included (projectInstructions.ts); '' or absent when there is none. */
  projectInstructions?: string;
  /** Undefined: no working-context section at all (memory modes none and summary). */
  blocks?: BlockRecord[];
  metadata: MemoryMetadata;
  summary: string;
  /** False when the evicted messages cannot be searched (memory mode summary): the summary's heading says so. */
  summarySearchable?: boolean;
  queue: readonly MessageRecord[];
}

export interface AssembledContext {
  messages: ChatMessage[];
  usage: ContextUsage;
}

export function renderBlocks(blocks: readonly BlockRecord[]): string {
  const parts = blocks.map(
    (b) =>
      `<block label="${b.label}" chars="${b.value.length}/${b.limit}">\n<description>${b.description}</description>\n${b.value}\n</block>`,
  );
  const { open, close } = PROMPT_SECTIONS.workingContext;
  return `${open}\n${parts.join('\n')}\n${close}`;
}

export function renderMetadata(m: MemoryMetadata): string {
  const lines = [todayLine(m.today)];
  if (m.recallMessages !== undefined) lines.push(`Recall memory: ${m.recallMessages} messages (search with conversation_search / conversation_search_date)`);
  if (m.archivalItems !== undefined) lines.push(`Archival memory: ${m.archivalItems} items${m.indexState ? ` (${m.indexState})` : ''}`);
  const { open, close } = PROMPT_SECTIONS.metadata;
  return `${open}\n${lines.join('\n')}\n${close}`;
}

export function renderSummary(summary: string, searchable = true): string {
  if (!summary) return '';
  const { open, close } = PROMPT_SECTIONS.summary;
  const heading = searchable ? 'Summary of older messages, now only in recall memory:' : 'Summary of older messages, no longer in this conversation:';
  return `${open}\n${heading}\n${summary}\n${close}`;
}

/**
 * How a stored record is shown to the model. Alerts use the user role: many local chat templates reject
 * mid-conversation system messages. The person's messages and alerts carry the time they were sent; the
 * model's own turns do not (models imitate such headers), nor do tool results (often JSON) or automatic
 * recall (it belongs to the message after it).
 */
export function renderRecord(r: MessageRecord): ChatMessage {
  switch (r.role) {
    case 'assistant':
      return r.toolCalls?.length ? { role: 'assistant', content: r.content, toolCalls: r.toolCalls } : { role: 'assistant', content: r.content };
    case 'tool':
      return { role: 'tool', content: r.content, toolCallId: r.toolCallId ?? '' };
    case 'system':
      return r.kind === 'auto_recall'
        ? { role: 'user', content: `[system auto recall] ${r.content}` }
        : { role: 'user', content: `${messageTimeHeader(r.time)}[system alert] ${r.content}` };
    default:
      return { role: 'user', content: `${messageTimeHeader(r.time)}${contentForModel(r)}` };
  }
}

/**
 * Tool results whose call was evicted, and calls whose results never got written (a process killed
 * mid-step), would make the request invalid. Drop the former and answer the latter.
 */
export function repairToolPairs(queue: readonly MessageRecord[]): MessageRecord[] {
  const out: MessageRecord[] = [];
  let open: Set<string> | undefined;
  const closeOpen = (before: MessageRecord) => {
    if (!open) return;
    for (const id of open) {
      out.push({ ...before, id: -1, role: 'tool', kind: 'tool_result', toolCallId: id, content: '{"error":"interrupted: no result was recorded for this call"}', toolCalls: undefined, tokens: 20 });
    }
    open = undefined;
  };
  for (const r of queue) {
    if (r.role === 'tool') {
      if (open?.has(r.toolCallId ?? '')) {
        open.delete(r.toolCallId ?? '');
        out.push(r);
        if (open.size === 0) open = undefined;
      }
      continue;
    }
    closeOpen(r);
    out.push(r);
    if (r.role === 'assistant' && r.toolCalls?.length) open = new Set(r.toolCalls.map((c) => c.id));
  }
  if (open && out.length) closeOpen(out[out.length - 1]);
  return out;
}

interface RenderedRecord {
  message: ChatMessage;
  tokens: number;
  /** The message cut to fit (oversizedMessage.ts), for the cap and mode it was cut for. */
  cut?: { cap: number; searchable: boolean; message: ChatMessage; tokens: number };
}

export class MainContext {
  private fixedCache = new Map<string, number>();
  /** Stored records never change, so each is rendered and counted once (keyed by the record object). */
  private rendered = new WeakMap<MessageRecord, RenderedRecord>();
  /** The most tokens one message may take in the prompt, as of the last assembly. */
  private messageCap = Number.MAX_SAFE_INTEGER;
  private searchable = true;

  constructor(
    private readonly tokens: TokenCounter,
    private window: number,
    private reserve: number,
  ) {}

  get contextWindow(): number {
    return this.window;
  }

  get responseReserve(): number {
    return this.reserve;
  }

  get budget(): number {
    return this.window - this.reserve;
  }

  /** The window turned out different (found from the server, or named by it in an error): the next assembly uses it. */
  resize(contextWindow: number, responseReserve: number): void {
    this.window = contextWindow;
    this.reserve = responseReserve;
  }

  /** Tokens of a fixed piece of text, cached by the text itself (instructions and schemas rarely change). */
  private countFixed(text: string): number {
    let n = this.fixedCache.get(text);
    if (n === undefined) {
      n = this.tokens.count(text);
      if (this.fixedCache.size > 64) this.fixedCache.clear();
      this.fixedCache.set(text, n);
    }
    return n;
  }

  private render(r: MessageRecord): { message: ChatMessage; tokens: number } {
    let entry = this.rendered.get(r);
    if (!entry) {
      const message = renderRecord(r);
      const tokens = this.storedTokens(r, message) ?? this.tokens.countMessage(message, r.id > 0 ? `r${r.id}` : undefined);
      entry = { message, tokens };
      this.rendered.set(r, entry);
    }
    if (entry.tokens <= this.messageCap) return entry;
    const { messageCap: cap, searchable } = this;
    if (entry.cut?.cap !== cap || entry.cut.searchable !== searchable) {
      const message = cutOversizedMessage(entry.message, cap, (m) => this.tokens.countMessage(m), { id: r.id, searchable });
      entry.cut = { cap, searchable, message, tokens: this.tokens.countMessage(message) };
    }
    return entry.cut;
  }

  /**
   * The record's stored count (made when it was appended) plus what rendering adds (a time header, a call
   * id), so a new process does not run every stored message through the tokenizer again. A count that
   * cannot be right for the text's length (a hand-edited line) is not trusted.
   */
  private storedTokens(r: MessageRecord, message: ChatMessage): number | undefined {
    if (r.id <= 0 || !(r.tokens > 0)) return undefined;
    const original = contentForModel(r);
    if (!message.content.endsWith(original)) return undefined;
    const chars = message.content.length + (message.toolCalls ?? []).reduce((sum, c) => sum + c.name.length + c.arguments.length, 0);
    // A token is at most two UTF-16 units' worth of one character, and BPE merges rarely beyond 32 characters.
    if (r.tokens > chars * 2 + 64 || r.tokens < chars / 32) return undefined;
    const prefix = message.content.slice(0, message.content.length - original.length);
    return r.tokens + (prefix ? this.tokens.count(prefix) : 0) + (message.toolCallId ? TOOL_CALL_ID_OVERHEAD : 0);
  }

  /** Tokens the record takes in the prompt (cut to the message cap of the last assembly if it is oversized). */
  countRecord(r: MessageRecord): number {
    return this.render(r).tokens;
  }

  /** System instructions + tool schemas: the part no eviction can shrink. */
  systemTokens(instructions: string, tools: ToolSchema[]): number {
    return this.countFixed(instructions) + this.countFixed(toolsWireText(tools)) + 8;
  }

  assemble(input: ContextInput): AssembledContext {
    const blocksText = input.blocks ? renderBlocks(input.blocks) : '';
    const metadataText = renderMetadata(input.metadata);
    const summaryText = renderSummary(input.summary, input.summarySearchable ?? true);
    const projectText = input.projectInstructions ?? '';
    const systemContent = [input.instructions, projectText, blocksText, metadataText, summaryText].filter(Boolean).join('\n\n');
    const system = this.systemTokens(input.instructions, input.tools);
    const instructions = projectText ? this.countFixed(projectText) : 0;
    const workingContext = (blocksText ? this.countFixed(blocksText) : 0) + this.countFixed(metadataText);
    const summary = summaryText ? this.countFixed(summaryText) : 0;
    this.messageCap = Math.max(MIN_MESSAGE_CAP, Math.floor((this.budget - system - instructions - workingContext - summary) * MESSAGE_SHARE_OF_ROOM));
    this.searchable = input.summarySearchable ?? true;
    const queue = repairToolPairs(input.queue);
    const messages: ChatMessage[] = [{ role: 'system', content: systemContent }];
    let queueTokens = 0;
    for (const r of queue) {
      const { message, tokens } = this.render(r);
      messages.push(message);
      queueTokens += tokens;
    }
    const total = system + instructions + workingContext + summary + queueTokens;
    return {
      messages,
      usage: { system, instructions, workingContext, summary, queue: queueTokens, total, budget: this.budget, contextWindow: this.contextWindow },
    };
  }
}

/** Tools as they travel in the request ({type: 'function', function: …}): what the server counts. */
const wireText = new WeakMap<ToolSchema[], string>();
function toolsWireText(tools: ToolSchema[]): string {
  let text = wireText.get(tools);
  if (text === undefined) {
    text = tools.length ? JSON.stringify(tools.map((t) => ({ type: 'function', function: t }))) : '';
    wireText.set(tools, text);
  }
  return text;
}
