// list_files: what is in a folder of the workspace, folders marked with a trailing '/'.
import * as fs from 'node:fs';
import type { PagingHint } from './registry';
import { type Tool, ToolError } from './types';
import { resolveToolPath } from './workspaceAccess';

export const MAX_LIST_ENTRIES = 500;

export interface ListFilesArgs {
  path?: string;
  recursive?: boolean;
}

export interface ListFilesResult {
  path: string;
  /** Paths relative to the workspace root (ready for read_file), folders ending in '/', sorted. */
  entries: string[];
  truncated: boolean;
  note?: string;
}

export const listFilesTool: Tool<ListFilesArgs> & PagingHint = {
  name: 'list_files',
  description:
    'List the files and folders in a workspace folder (default: the root); folders end with "/". ' +
    'Paths are relative to the workspace root, ready for read_file. With recursive: true, lists everything ' +
    `below (up to ${MAX_LIST_ENTRIES} entries). Leaves out .git, node_modules, the memory folder, secrets (.env, keys) and what .gitignore ignores. ` +
    'Use it to get your bearings in an unfamiliar project; use search_files to find where something is.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Folder relative to the workspace root. Default: the root.' },
      recursive: { type: 'boolean', description: 'Also list everything in subfolders. Default false.' },
    },
    additionalProperties: false,
  },
  pagingHint: 'list a subfolder, or list without recursive',
  async run(args, ctx) {
    const { abs, rel } = resolveToolPath(ctx, args.path ?? '.', 'read');
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new ToolError(`folder "${rel}" not found`);
    }
    if (!stat.isDirectory()) throw new ToolError(`"${rel}" is a file, not a folder; use read_file to read it`);

    const entries: string[] = [];
    const unnamable: string[] = [];
    let truncated = false;
    const walk = ctx.workspace.entries({ from: abs, recursive: !!args.recursive, signal: ctx.signal, onUnnamable: (r) => unnamable.push(r) });
    for (const entry of walk) {
      if (entries.length >= MAX_LIST_ENTRIES) {
        truncated = true;
        break;
      }
      entries.push(entry.isDir ? `${entry.rel}/` : entry.rel);
    }
    if (ctx.signal?.aborted) throw new ToolError('cancelled');
    entries.sort(comparePaths);
    const result: ListFilesResult = { path: rel, entries, truncated };
    const notes: string[] = [];
    if (truncated) {
      notes.push(`stopped at ${MAX_LIST_ENTRIES} entries; list a subfolder (or without recursive) to see the rest`);
    } else if (entries.length === 0 && unnamable.length === 0 && rel !== '.' && ctx.workspace.isIgnoredFolder(rel)) {
      notes.push(`"${rel}" is left out by .gitignore or the exclude setting, so nothing in it is listed; read_file still opens a file in it by name`);
    } else if (entries.length === 0 && unnamable.length === 0) {
      notes.push('the folder is empty');
    }
    if (unnamable.length > 0) notes.push(unnamableNote(unnamable));
    if (notes.length) result.note = notes.join('; ');
    return result;
  },
};

/** The tools take paths as text, so a name that is not UTF-8 can be neither read nor edited: say so rather than list it. */
function unnamableNote(rels: string[]): string {
  const shown = rels.slice(0, 3).map((r) => JSON.stringify(r)).join(', ');
  const them = rels.length === 1 ? `1 entry left out: its name is not valid UTF-8 (${shown})` : `${rels.length} entries left out: their names are not valid UTF-8 (${shown}${rels.length > 3 ? ', …' : ''})`;
  return `${them}, so no tool can open ${rels.length === 1 ? 'it' : 'them'}; ask the person to rename ${rels.length === 1 ? 'it' : 'them'}`;
}

/** Code-unit order: the same on every OS and locale. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
