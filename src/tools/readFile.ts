// read_file: a page of a text file, at most 400 lines, saying where it is in the file and how to go on.
import * as fs from 'node:fs';
import { readLineRange, type ReadLine } from './lineReader';
import type { PagingHint } from './registry';
import { type Tool, ToolError } from './types';
import { resolveToolPath } from './workspaceAccess';

export const READ_PAGE_LINES = 400;
// Stay under the registry's cut (12,000) with room for the JSON around the text, so a page is never cut
// in the middle and next_start_line is always right.
const PAGE_CHARS = 10_000;
// A single line longer than this (minified code, data) is shown cut; the rest of it is never held.
const LONG_LINE_CHARS = 2_000;

export interface ReadFileArgs {
  path: string;
  start_line?: number;
  end_line?: number;
}

export interface ReadFileResult {
  path: string;
  start_line: number;
  end_line: number;
  total_lines: number;
  content: string;
  next_start_line?: number;
  note?: string;
}

export const readFileTool: Tool<ReadFileArgs> & PagingHint = {
  name: 'read_file',
  description:
    'Read a text file of the workspace, a page of at most 400 lines at a time. Returns the lines as plain text ' +
    'with their range (start_line..end_line of total_lines) and next_start_line when there is more. ' +
    'Read a file before editing it or answering about its details; use start_line/end_line to go to a part.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root, e.g. "src/index.ts".' },
      start_line: { type: 'integer', minimum: 1, description: 'First line to read (1-based). Default 1.' },
      end_line: { type: 'integer', minimum: 1, description: 'Last line to read (inclusive). Default and maximum: start_line + 399.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  pagingHint: 'use read_file with start_line and end_line for a smaller range',
  async run(args, ctx) {
    // Refuses secrets and the memory folder; a gitignored file named explicitly is read (see resolve).
    const { abs, rel } = resolveToolPath(ctx, args.path, 'read');
    statFile(abs, rel);
    if (ctx.workspace.isBinaryFile(abs)) throw new ToolError(`"${rel}" is a binary file; read_file only reads text files`);

    const start = args.start_line ?? 1;
    const requestedEnd = args.end_line ?? start + READ_PAGE_LINES - 1;
    if (requestedEnd < start) throw new ToolError(`end_line (${requestedEnd}) is before start_line (${start})`);
    const end = Math.min(requestedEnd, start + READ_PAGE_LINES - 1);

    const { lines, total } = await readLines(abs, start, end, ctx.signal);
    if (total === 0) return { path: rel, start_line: 1, end_line: 0, total_lines: 0, content: '', note: 'the file is empty' };
    if (start > total) {
      throw new ToolError(`start_line ${start} is past the end of "${rel}", which has ${total} lines`);
    }
    return page(rel, start, lines, total, requestedEnd > end);
  },
};

function statFile(abs: string, rel: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ToolError(`file "${rel}" not found; use list_files or search_files to find the right path`);
  }
  if (stat.isDirectory()) throw new ToolError(`"${rel}" is a folder, not a file; use list_files to see what is in it`);
  if (!stat.isFile()) throw new ToolError(`"${rel}" is not a regular file`);
  return stat;
}

/** Builds the page from the lines wanted, shortening it to fit PAGE_CHARS. */
function page(rel: string, start: number, wanted: ReadLine[], total: number, capped: boolean): ReadFileResult {
  const shown: string[] = [];
  let chars = 0;
  let longLines = 0;
  for (const raw of wanted) {
    let line = raw.text;
    if (raw.length > LONG_LINE_CHARS) {
      line = `${line.slice(0, LONG_LINE_CHARS)} …[line cut: ${raw.length - LONG_LINE_CHARS} more characters]`;
      longLines++;
    }
    // JSON escaping grows the text (quotes, backslashes, tabs); measure what the model will receive.
    const cost = JSON.stringify(line).length - 1;
    if (shown.length > 0 && chars + cost > PAGE_CHARS) break;
    shown.push(line);
    chars += cost;
  }
  const endLine = start + shown.length - 1;
  const result: ReadFileResult = {
    path: rel,
    start_line: start,
    end_line: endLine,
    total_lines: total,
    content: shown.join('\n'),
  };
  const notes: string[] = [];
  if (endLine < total) {
    result.next_start_line = endLine + 1;
    const why = shown.length < wanted.length ? 'the page was full' : capped ? `at most ${READ_PAGE_LINES} lines a page` : '';
    notes.push(`lines ${start}-${endLine} of ${total}${why ? ` (${why})` : ''}; read on with start_line ${endLine + 1}`);
  }
  if (longLines > 0) notes.push(`${longLines} very long line(s) were cut`);
  if (notes.length) result.note = notes.join('; ');
  return result;
}

/** Memory stays small whatever the file: lines outside the range are only counted, long ones cut. */
async function readLines(abs: string, start: number, end: number, signal?: AbortSignal): Promise<{ lines: ReadLine[]; total: number }> {
  try {
    return await readLineRange(abs, start, end, { maxLineChars: LONG_LINE_CHARS, signal });
  } catch (err) {
    if (signal?.aborted) throw new ToolError('cancelled');
    throw err;
  }
}
