// search_files: a case-insensitive regex (or literal) search over the workspace's text files.
import * as fs from 'node:fs';
import { globToRegExp } from './glob';
import type { PagingHint } from './registry';
import { type Tool, ToolError } from './types';
import { looksBinary } from '../workspace/binary';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';

export const MAX_SEARCH_MATCHES = 100;
// A matched line is shown up to this many characters: enough to recognise it, not a minified file.
const MATCH_TEXT_CHARS = 200;
// Files between yields to the event loop, so an abort (Stop) is seen during a long search.
const FILES_PER_YIELD = 50;

export interface SearchFilesArgs {
  pattern: string;
  glob?: string;
}

export interface SearchMatch {
  path: string;
  line: number;
  text: string;
}

export interface SearchFilesResult {
  matches: SearchMatch[];
  /** Every matching line found, also those beyond the ones returned. */
  total: number;
  truncated: boolean;
  note?: string;
}

export const searchFilesTool: Tool<SearchFilesArgs> & PagingHint = {
  name: 'search_files',
  description:
    'Search the text of the workspace files for a pattern (a regular expression, case-insensitive; taken ' +
    'literally if it is not a valid regex). Returns matching lines with path and line number, at most ' +
    `${MAX_SEARCH_MATCHES}. Use it to find where an identifier, message or setting is defined or used; ` +
    'narrow with glob, e.g. "*.ts", "src/**/*.py", "**/test/*".',
  parameters: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'Regular expression or plain text to look for, e.g. "function\\s+parseArgs" or "TODO".' },
      glob: { type: 'string', description: 'Only files whose workspace-relative path matches, e.g. "*.ts" or "src/**/*.test.ts".' },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  pagingHint: 'use a more specific pattern or a glob',
  async run(args, ctx) {
    const regex = patternToRegExp(args.pattern);
    const glob = args.glob?.trim() ? globToRegExp(args.glob) : undefined;
    const matches: SearchMatch[] = [];
    let total = 0;
    let filesSeen = 0;

    // The walk passes over secrets, the memory folder and what .gitignore or the excludes leave out.
    for (const entry of ctx.workspace.entries({ recursive: true, signal: ctx.signal })) {
      if (entry.isDir || (glob && !glob.test(entry.rel))) continue;
      if (++filesSeen % FILES_PER_YIELD === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (ctx.signal?.aborted) throw new ToolError('cancelled');
      }
      const text = readSearchable(ctx.workspace, entry.rel, entry.abs);
      if (text === undefined) continue;
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        if (!regex.test(lines[i])) continue;
        total++;
        if (matches.length < MAX_SEARCH_MATCHES) matches.push({ path: entry.rel, line: i + 1, text: shorten(lines[i].trim()) });
      }
    }
    if (ctx.signal?.aborted) throw new ToolError('cancelled');

    const result: SearchFilesResult = { matches, total, truncated: total > matches.length };
    if (total === 0) {
      result.note = `nothing matches ${JSON.stringify(args.pattern)}${args.glob ? ` in files matching "${args.glob}"` : ''}; try a shorter pattern, another spelling or no glob`;
    } else if (result.truncated) {
      result.note = `showing ${matches.length} of ${total} matching lines; use a more specific pattern or a glob to see the rest`;
    }
    return result;
  },
};

/** Case-insensitive regex; a pattern that is not a valid regex (e.g. "foo(") is searched for literally. */
export function patternToRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

/** The file's text, or undefined for what search skips: too big, binary (as the indexer judges it), unreadable. */
function readSearchable(workspace: WorkspaceFiles, rel: string, abs: string): string | undefined {
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile() || 'reason' in workspace.checkFile(rel, abs, stat, false)) return undefined;
    const data = fs.readFileSync(abs);
    if (looksBinary(data)) return undefined;
    return data.toString('utf8');
  } catch {
    return undefined;
  }
}

function shorten(line: string): string {
  return line.length > MATCH_TEXT_CHARS ? `${line.slice(0, MATCH_TEXT_CHARS)}…` : line;
}
