// What the file tools skip and how they tell text from binary, shared so list_files, search_files and
// read_file agree on what the workspace holds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MEMORY_FOLDER, toWorkspaceRelative } from './workspacePaths';
import { ToolError } from './types';

/** Folders never listed or searched: version control, dependencies, and the memory folder. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', MEMORY_FOLDER]);

/** How much of a file's start is checked for a NUL byte, the mark of a binary file (as git does). */
export const BINARY_SNIFF_BYTES = 8192;

export function looksBinary(head: Buffer): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Reads just the start of a file to check it is text, without loading a large file whole. */
export function fileLooksBinary(abs: string): boolean {
  const fd = fs.openSync(abs, 'r');
  try {
    const head = Buffer.alloc(BINARY_SNIFF_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return looksBinary(head.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
}

export interface WalkEntry {
  abs: string;
  /** Relative to the workspace root, forward slashes. */
  rel: string;
  isDir: boolean;
  /** Symbolic links may point anywhere: check them with resolveInWorkspace before reading. */
  isSymlink: boolean;
}

/**
 * Yields entries under `dirAbs` breadth first (so a capped listing still shows the top levels whole),
 * each folder's entries sorted, skipping SKIPPED_DIRS. Symbolic links are
 * yielded but never descended into: they may lead out of the workspace or round in a loop.
 * Checks `signal` between folders so a search over a big tree can be stopped.
 */
export function* walkWorkspace(root: string, dirAbs: string, opts: { recursive: boolean; signal?: AbortSignal }): Generator<WalkEntry> {
  const queue: string[] = [dirAbs];
  for (let next = 0; next < queue.length; next++) {
    if (opts.signal?.aborted) throw new ToolError('cancelled');
    const dir = queue[next];
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it rather than fail the whole listing
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of dirents) {
      if (SKIPPED_DIRS.has(d.name)) continue;
      const abs = path.join(dir, d.name);
      const isDir = d.isDirectory() || (d.isSymbolicLink() && isDirectory(abs));
      yield { abs, rel: toWorkspaceRelative(root, abs), isDir, isSymlink: d.isSymbolicLink() };
      if (opts.recursive && d.isDirectory()) queue.push(abs);
    }
  }
}

function isDirectory(abs: string): boolean {
  try {
    return fs.statSync(abs).isDirectory();
  } catch {
    return false;
  }
}
