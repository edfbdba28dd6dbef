// archival_memory_insert / archival_memory_search (DESIGN.md §4): the indexed workspace plus the
// agent's own notes. The store is opened on first use: loading Vectra and the index costs time that
// a conversation which never touches archival memory should not pay.
import type { ArchivalHit } from '../memory/archival';
import type { PagingHint } from './registry';
import { ToolError, type Tool, type ToolContext } from './types';

export const ARCHIVAL_PAGE_SIZE = 5;
const HIT_TEXT_CHARS = 1_500;

async function archivalOf(ctx: ToolContext) {
  if (!ctx.archival) throw new ToolError('archival memory is not available in this session');
  return ctx.archival();
}

export const archivalMemoryInsertTool: Tool<{ content: string }> = {
  name: 'archival_memory_insert',
  description:
    'Save a note to archival memory: long-lived knowledge too big or too detailed for working context ' +
    '(an explanation of a subsystem, a design discussion, a procedure). It is found later by archival_memory_search.',
  parameters: {
    type: 'object',
    properties: { content: { type: 'string', minLength: 1, description: 'The note, self-contained: name the files, identifiers and decisions it is about.' } },
    required: ['content'],
    additionalProperties: false,
  },
  editsMemory: true,
  async run(args, ctx) {
    const record = await (await archivalOf(ctx)).addNote(args.content);
    return { ok: true, id: record.id, message: 'saved to archival memory as a note' };
  },
};

export const archivalMemorySearchTool: Tool<{ query: string; page?: number }> & PagingHint = {
  name: 'archival_memory_search',
  description:
    'Search archival memory: the indexed workspace files (code split by function and class) and your saved notes, ' +
    'by meaning and by exact identifier. Use it before answering about code you have not read in this session. ' +
    'Results give the file path and line range; read more with read_file.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, description: 'What you look for, in words or identifiers, e.g. "where retries are scheduled" or "parseConfig".' },
      page: { type: 'integer', minimum: 1, description: 'Result page, from 1. Default 1.' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  pagingHint: 'ask for the next page',
  async run(args, ctx) {
    const store = await archivalOf(ctx);
    const found = await store.search(args.query, { page: args.page ?? 1, pageSize: ARCHIVAL_PAGE_SIZE });
    const result: Record<string, unknown> = {
      total: found.total,
      page: found.page,
      pages: found.pages,
      results: found.results.map(toHit),
    };
    if (found.page < found.pages) result.next_page = found.page + 1;
    if (found.total === 0) {
      result.message = store.count()
        ? `nothing in archival memory matches "${args.query}"; try other words or search_files for exact text`
        : 'archival memory is empty: the workspace has not been indexed yet (the person can run "memcode index" or MemCode: Index Workspace); use search_files meanwhile';
    }
    return result;
  },
};

function toHit(h: ArchivalHit) {
  const text = h.text.length > HIT_TEXT_CHARS ? `${h.text.slice(0, HIT_TEXT_CHARS)}…[${h.text.length - HIT_TEXT_CHARS} more characters: read_file for the rest]` : h.text;
  return h.source === 'note'
    ? { source: 'note', id: h.id, saved: h.time, score: round(h.score), text }
    : { source: 'file', path: h.path, lines: `${h.startLine}-${h.endLine}`, symbol: h.symbol, language: h.language, score: round(h.score), text };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export const archivalTools = [archivalMemoryInsertTool, archivalMemorySearchTool];
