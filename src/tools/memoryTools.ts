// The memory tools of DESIGN.md §4: the model edits its own working context and searches recall memory
// (the full message history) through these. Errors from the memory tier (unknown block, over the limit,
// 0 or many matches) carry their own advice and surface unchanged as {"error": ...}.
import { hybridRecallSearch } from '../memory/recallHybrid';
import type { BlockRecord, MessageRecord, Page } from '../memory/types';
import type { PagingHint } from './registry';
import type { Tool } from './types';
import { contentForModel } from '../memory/messageContent';
import { type DateWindow, describeDays } from '../memory/queryDates';
import { type MessageSource, pageNeighbours } from '../memory/recallExchange';
import { visibleText } from '../memory/provenance';
import { withoutStaleNotes } from '../memory/staleness';
import { reviewedBlockEdit } from './memoryReview';

export const RECALL_PAGE_SIZE = 5;
// Enough of a message to tell whether it is the one meant; read_file-like paging is not possible for a message.
const RECALL_CONTENT_CHARS = 600;
// The turns around hits (the reply that answers a matched question): shorter, and at most this much a page.
const RECALL_CONTEXT_CHARS = 300;
const RECALL_PAGE_CONTEXT_CHARS = 1_500;

export interface BlockEditResult {
  ok: true;
  block: string;
  /** "used/limit", so the model sees how much room is left. */
  chars: string;
  message: string;
}

export interface RecallHit {
  id: number;
  time: string;
  session: string;
  role: string;
  content: string;
  /** The turns next to it in its session (the exchange around it) that are not results themselves. */
  context?: RecallHit[];
}

export interface RecallSearchResult {
  total: number;
  page: number;
  pages: number;
  next_page?: number;
  /** The days this page's results are from, e.g. "2026-03-02 … 2026-03-04". */
  covers?: string;
  /** The dates conversation_search read in the query, so the model can tell when it read them wrongly. */
  date_window?: { read: string; dates: string; ranked_first: string; note: string };
  results: RecallHit[];
  message?: string;
}

const blockParam = {
  type: 'string',
  minLength: 1,
  description: 'Block label: "project" (architecture, conventions, commands, decisions), "user" (the person\'s preferences) or "task" (the task at hand), or another block shown in working context.',
};
const pageParam = { type: 'integer', minimum: 1, description: 'Result page, from 1. Default 1.' };

export const workingContextAppendTool: Tool<{ block: string; content: string }> = {
  name: 'working_context_append',
  description:
    'Add a line or paragraph to the end of a working-context block, which you always see. Save durable facts as ' +
    'soon as you learn them: build and test commands, conventions, decisions (project); the person\'s preferences ' +
    '(user); goal, plan and progress (task).',
  parameters: {
    type: 'object',
    properties: {
      block: blockParam,
      content: { type: 'string', minLength: 1, description: 'Text to append, e.g. "- Tests: npm test (mocha)".' },
    },
    required: ['block', 'content'],
    additionalProperties: false,
  },
  editsMemory: true,
  async run(args, ctx) {
    const content = withoutStaleNotes(args.content);
    const block = await reviewedBlockEdit(ctx, args.block, `append to block "${args.block}": ${content}`, await ctx.provenance?.editFor(content), (e) =>
      ctx.workingContext.append(args.block, content, e),
    );
    return edited(block, `appended to block "${args.block}"`);
  },
};

export const workingContextReplaceTool: Tool<{ block: string; old_content: string; new_content: string }> = {
  name: 'working_context_replace',
  description:
    'Replace one exact piece of text in a working-context block, to correct or update a fact (empty new_content ' +
    'deletes it). old_content must match the block exactly once.',
  parameters: {
    type: 'object',
    properties: {
      block: blockParam,
      old_content: { type: 'string', minLength: 1, description: 'The exact text now in the block.' },
      new_content: { type: 'string', description: 'What replaces it; "" deletes it.' },
    },
    required: ['block', 'old_content', 'new_content'],
    additionalProperties: false,
  },
  editsMemory: true,
  async run(args, ctx) {
    // The model sees stale notes after entries (staleness.ts); they are not in the block, so not in what it copies.
    const newContent = withoutStaleNotes(args.new_content);
    const oldContent = withoutStaleNotes(args.old_content);
    const summary = newContent === '' ? `delete from block "${args.block}": ${oldContent}` : `replace in block "${args.block}": ${oldContent} → ${newContent}`;
    const block = await reviewedBlockEdit(ctx, args.block, summary, await ctx.provenance?.editFor(newContent), (e) =>
      ctx.workingContext.replace(args.block, oldContent, newContent, e),
    );
    return edited(block, args.new_content === '' ? `deleted text from block "${args.block}"` : `replaced text in block "${args.block}"`);
  },
};

export const workingContextRewriteTool: Tool<{ block: string; content: string }> = {
  name: 'working_context_rewrite',
  description:
    'Replace the whole text of a working-context block. Use it to consolidate a block that is getting full, ' +
    'or to clean the task block when a task ends. Keep every fact that still matters.',
  parameters: {
    type: 'object',
    properties: {
      block: blockParam,
      content: { type: 'string', description: 'The complete new text of the block.' },
    },
    required: ['block', 'content'],
    additionalProperties: false,
  },
  editsMemory: true,
  async run(args, ctx) {
    const content = withoutStaleNotes(args.content);
    const block = await reviewedBlockEdit(ctx, args.block, `rewrite block "${args.block}"`, await ctx.provenance?.editFor(content), (e) =>
      ctx.workingContext.rewrite(args.block, content, e),
    );
    return edited(block, `rewrote block "${args.block}"`);
  },
};

export const conversationSearchTool: Tool<{ query: string; page?: number }> & PagingHint = {
  name: 'conversation_search',
  description:
    'Search recall memory: every past message with the person, across all sessions, including ones no longer ' +
    'in your context. Use it when the person refers to something said or done before ("as we discussed", ' +
    '"last time"). Keyword search: use distinctive words, names, file paths or error text. Dates in the query ' +
    '("on 9 November", "last Tuesday", "in March") rank messages from around then first.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, description: 'Words to look for, e.g. "port ledger-svc" or "deploy last Tuesday".' },
      page: pageParam,
    },
    required: ['query'],
    additionalProperties: false,
  },
  pagingHint: 'ask for the next page',
  async run(args, ctx) {
    // Relative dates are read against the person's latest message (RecallLog.search's default).
    const page = args.page ?? 1;
    const options = { page, pageSize: RECALL_PAGE_SIZE, upToId: ctx.recall.pagingCutoff(`search:${args.query}`, page) };
    const found = ctx.recallVectors ? await hybridRecallSearch(ctx.recall, ctx.recallVectors, args.query, options) : ctx.recall.search(args.query, options);
    const result = recallResult(
      found,
      ctx.recall,
      `nothing in recall memory matches "${args.query}"; try other words (a name, a file path, an error message) or conversation_search_date`,
    );
    return found.window ? withWindow(result, found.window) : result;
  },
};

export const conversationSearchDateTool: Tool<{ start_date: string; end_date: string; query?: string; page?: number }> & PagingHint = {
  name: 'conversation_search_date',
  description:
    'List past messages between two dates (inclusive), across all sessions: oldest first, or with a query, the ' +
    'best matches first and then the rest. Use it when the person refers to a time ("yesterday", "last Monday"). ' +
    'Dates as YYYY-MM-DD (whole days, UTC) or ISO timestamps. Each page says which days it covers.',
  parameters: {
    type: 'object',
    properties: {
      start_date: { type: 'string', minLength: 1, description: 'First day, e.g. "2026-03-02".' },
      end_date: { type: 'string', minLength: 1, description: 'Last day, e.g. "2026-03-04".' },
      query: { type: 'string', description: 'Optional words to rank the range by, e.g. "deploy ledger-svc".' },
      page: pageParam,
    },
    required: ['start_date', 'end_date'],
    additionalProperties: false,
  },
  pagingHint: 'ask for the next page',
  async run(args, ctx) {
    const page = args.page ?? 1;
    const upToId = ctx.recall.pagingCutoff(`date:${args.start_date}:${args.end_date}:${args.query ?? ''}`, page);
    const found = ctx.recall.searchByDate(args.start_date, args.end_date, { page, pageSize: RECALL_PAGE_SIZE, query: args.query, upToId });
    return recallResult(
      found,
      ctx.recall,
      `no messages between ${args.start_date} and ${args.end_date}; try a wider range or conversation_search with words`,
    );
  },
};

export const memoryTools = [
  workingContextAppendTool,
  workingContextReplaceTool,
  workingContextRewriteTool,
  conversationSearchTool,
  conversationSearchDateTool,
];

function edited(block: BlockRecord, message: string): BlockEditResult {
  return { ok: true, block: block.label, chars: `${visibleText(block.value).length}/${block.limit}`, message };
}

/** The turns a results page shows beside its hits (hit id → them), as conversation_search* return them. */
export function recallPageContext(log: MessageSource, results: readonly MessageRecord[]): Map<number, MessageRecord[]> {
  return pageNeighbours(log, results, RECALL_PAGE_CONTEXT_CHARS, (m) => Math.min(hitText(m).length, RECALL_CONTEXT_CHARS));
}

function recallResult(found: Page<MessageRecord>, log: MessageSource, nothingFound: string): RecallSearchResult {
  const around = recallPageContext(log, found.results);
  const result: RecallSearchResult = {
    total: found.total,
    page: found.page,
    pages: found.pages,
    results: found.results.map((m) => {
      const context = around.get(m.id);
      return context ? { ...toHit(m), context: context.map((n) => toHit(n, RECALL_CONTEXT_CHARS)) } : toHit(m);
    }),
  };
  if (found.page < found.pages) result.next_page = found.page + 1;
  const times = found.results.map((m) => Date.parse(m.time)).filter((t) => !Number.isNaN(t));
  if (times.length) result.covers = describeDays(Math.min(...times), Math.max(...times));
  if (found.total === 0) result.message = nothingFound;
  else if (found.results.length === 0) result.message = `page ${found.page} is past the last page (${found.pages})`;
  return result;
}

function withWindow(result: RecallSearchResult, w: DateWindow): RecallSearchResult {
  return {
    ...result,
    date_window: {
      read: w.matched.join(', '),
      dates: describeDays(w.startMs, w.endMs),
      ranked_first: describeDays(w.rankStartMs, w.rankEndMs),
      note: 'messages from ranked_first come first, then the others; the date words were not searched as keywords',
    },
  };
}

function hitText(m: MessageRecord): string {
  // A step that only called functions has no text; what it called is what it said.
  return contentForModel(m) || (m.toolCalls ?? []).map((c) => `[called ${c.name}(${c.arguments})]`).join(' ');
}

function toHit(m: MessageRecord, max = RECALL_CONTENT_CHARS): RecallHit {
  const text = hitText(m);
  const content = text.length > max ? `${text.slice(0, max)}…[${text.length - max} more characters]` : text;
  return { id: m.id, time: m.time, session: m.session, role: m.name ? `${m.role} (${m.name})` : m.role, content };
}
