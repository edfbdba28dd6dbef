// archival_memory_insert / archival_memory_search (DESIGN.md §4): the indexed workspace plus the
// agent's own notes. The store is opened on first use: loading Vectra and the index costs time that
// a conversation which never touches archival memory should not pay.
import { fitToTokens } from '../llm/tokens';
import type { ArchivalHit } from '../memory/archivalMemory';
import { lineRange } from '../memory/hitLocation';
import { CODE_STOP_WORDS } from '../memory/stopWords';
import { formatMarker, visibleText } from '../memory/provenance';
import type { PagingHint } from './registry';
import { ToolError, type Tool, type ToolContext } from './types';

export const ARCHIVAL_PAGE_SIZE = 5;
const HIT_TEXT_CHARS = 1_500;
const MIN_HIT_TEXT_CHARS = 160;

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
    // Where the note came from rides along in its text, as a marker (memory/provenance.ts) at its end.
    const marker = await ctx.provenance?.noteMarker(args.content);
    const record = await (await archivalOf(ctx)).addNote(marker ? `${args.content} ${formatMarker(marker)}` : args.content);
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
    // A note whose cited code changed since it was saved says so, as stale working-context entries do.
    const stale = new Map<string, string>();
    for (const h of found.results) {
      const note = h.source === 'note' ? await ctx.provenance?.staleNote?.(h.text) : undefined;
      if (note) stale.set(h.id, note);
    }
    const toHit = (h: ArchivalHit, query: string, chars: number) => hitOf(h, query, chars, stale.get(h.id));
    const result: Record<string, unknown> = {
      total: found.total,
      page: found.page,
      pages: found.pages,
      results: found.results.map((h) => toHit(h, args.query, HIT_TEXT_CHARS)),
    };
    // In a small window the page must fit the result limit whole (valid JSON, every hit), so each hit's
    // text shrinks to the part around the query instead of the page being cut off at the end.
    const { maxResultTokens, countTokens } = ctx;
    if (maxResultTokens && countTokens) {
      result.results = fitToTokens(
        (chars) => found.results.map((h) => toHit(h, args.query, chars)),
        HIT_TEXT_CHARS,
        maxResultTokens * 0.95,
        (hits) => countTokens(JSON.stringify({ ...result, results: hits })),
        // Aims at 90% of the limit (0.95 of the 95% it must come under).
        { minChars: MIN_HIT_TEXT_CHARS, rounds: 5, margin: 0.9 / 0.95 },
      );
    }
    if (found.page < found.pages) result.next_page = found.page + 1;
    if (found.total === 0) {
      result.message = store.count()
        ? `nothing in archival memory matches "${args.query}"; try other words or search_files for exact text`
        : 'archival memory is empty: the workspace has not been indexed yet (the person can run "memcode index" or MemCode: Index Workspace); use search_files meanwhile';
    }
    return result;
  },
};

function hitOf(h: ArchivalHit, query: string, maxChars: number, stale?: string) {
  const text = excerpt(h.source === 'note' ? visibleText(h.text) : h.text, query, maxChars, h.source === 'note' ? 'search again with more specific words' : 'read_file for the rest');
  return h.source === 'note'
    ? { source: 'note', id: h.id, saved: h.time, score: round(h.score), text, ...(stale ? { stale } : {}) }
    : { source: 'file', path: h.path, lines: lineRange(h), symbol: h.symbol, language: h.language, score: round(h.score), text };
}

/**
 * At most `maxChars` of `text`: the whole text, or the lines that hold the query, best first, widened by
 * their neighbours while there is room, with markers where lines were left out. A line scores the in-text
 * rarity of the query words it holds, the whole phrase above all: a line that names the query's rare
 * identifier in other words ("Ownership note: … owns /v4/disputes" for "owner of /v4/disputes") must not
 * lose its place to the neighbours of lines that merely repeat the phrase, or the hit that ranked for it
 * is shown without it.
 */
export function excerpt(text: string, query: string, maxChars: number, more: string): string {
  if (text.length <= maxChars) return text;
  const lines = text.split('\n');
  const lower = lines.map((l) => l.toLowerCase());
  const phrase = query.toLowerCase().trim();
  const terms = [...new Set(phrase.split(/[^\p{L}\p{N}_$-]+/u).filter((w) => w.length >= 2 && !CODE_STOP_WORDS.has(w)))];
  // Short terms ("v4") only as whole words, or they match inside every longer word ("v42", "nav4").
  const has = terms.map((w) => {
    if (w.length >= 3) return (l: string) => l.includes(w);
    const whole = new RegExp(`(?<![\\p{L}\\p{N}_])${w.replace(/[$]/g, '\\$')}(?![\\p{L}\\p{N}_])`, 'u');
    return (l: string) => whole.test(l);
  });
  const weight = has.map((h) => {
    const df = lower.filter(h).length;
    return df ? Math.log(1 + lines.length / df) : 0;
  });
  const all = weight.reduce((a, b) => a + b, 0);
  const score = lower.map((l) => (phrase && l.includes(phrase) ? all + 1 : has.reduce((sum, h, k) => sum + (h(l) ? weight[k] : 0), 0)));
  const hits = lower.map((_, i) => i).filter((i) => score[i] > 0).sort((a, b) => score[b] - score[a] || a - b);
  if (!hits.length) return `${text.slice(0, maxChars)}…[${text.length - maxChars} more characters: ${more}]`;
  const keep = new Set<number>();
  let used = 0;
  const take = (i: number) => {
    if (i < 0 || i >= lines.length || keep.has(i) || used + lines[i].length + 1 > maxChars) return;
    keep.add(i);
    used += lines[i].length + 1;
  };
  for (const i of hits) take(i);
  for (let d = 1; d <= 3; d++) for (const i of hits) (take(i - d), take(i + d));
  if (!keep.size) return `${text.slice(0, maxChars)}…[${text.length - maxChars} more characters: ${more}]`;
  const out: string[] = [];
  let last = -1;
  for (const i of [...keep].sort((x, y) => x - y)) {
    if (i > last + 1) out.push(`…[${i - last - 1} lines left out]`);
    out.push(lines[i]);
    last = i;
  }
  if (last < lines.length - 1) out.push(`…[${lines.length - 1 - last} more lines: ${more}]`);
  return out.join('\n');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export const archivalTools = [archivalMemoryInsertTool, archivalMemorySearchTool];
