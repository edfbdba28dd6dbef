// Workspace confinement: every file the model names is resolved here, and nothing outside the workspace
// (by `..`, by an absolute path, or through a symlink) nor inside the memory folder gets through.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolError } from './types';

/** The memory folder's name: its files are changed with memory tools, never as plain files. */
export const MEMORY_FOLDER = '.memcode';

// Symlink chains longer than this are refused rather than followed forever.
const MAX_LINK_HOPS = 40;

/**
 * The absolute path of `requested` inside the workspace `root`. Relative paths resolve against `root`;
 * absolute ones must already be inside it. The real path (symlinks followed, or for a file still to be
 * created, its nearest existing parent's) must stay inside the real root too. Throws ToolError.
 */
export function resolveInWorkspace(root: string, requested: string): string {
  if (typeof requested !== 'string') throw new ToolError('path must be a string');
  if (requested.includes('\0')) throw new ToolError('path contains a NUL byte');
  const shown = requested;
  const rootAbs = path.resolve(root);
  const abs = path.resolve(rootAbs, requested.trim() === '' ? '.' : requested);

  const lexical = relativeInside(rootAbs, abs);
  if (lexical === undefined) throw outside(shown);
  if (inMemoryFolder(lexical)) throw memoryFolder(shown);

  const realRoot = realpathOrSelf(rootAbs);
  const real = realpathAllowingMissing(abs, 0, shown);
  const realRel = relativeInside(realRoot, real);
  if (realRel === undefined) throw new ToolError(`path "${shown}" leads outside the workspace (through a symbolic link)`);
  if (inMemoryFolder(realRel)) throw memoryFolder(shown);
  return abs;
}

/** `abs` relative to `root` with forward slashes, "." for the root itself: how paths are shown to the model. */
export function toWorkspaceRelative(root: string, abs: string): string {
  const rel = path.relative(path.resolve(root), path.resolve(abs));
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/** `child` relative to `parent`, or undefined when it is not inside (or is on another drive). */
function relativeInside(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child);
  if (rel === '') return '';
  if (path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`)) return undefined;
  return rel;
}

function inMemoryFolder(rel: string): boolean {
  // Compared case-insensitively: on macOS and Windows `.MEMCODE` is the same folder.
  return rel.split(path.sep)[0].toLowerCase() === MEMORY_FOLDER;
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * The real path of `p`, which need not exist yet: the real path of the nearest existing ancestor plus the
 * missing rest. A dangling symlink is followed to where it points, since writing through it would create
 * its target.
 */
function realpathAllowingMissing(p: string, hops: number, shown: string): string {
  if (hops > MAX_LINK_HOPS) throw new ToolError(`path "${shown}" goes through too many symbolic links`);
  try {
    return fs.realpathSync.native(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new ToolError(`cannot resolve path "${shown}": ${(err as Error).message}`);
  }
  let link: string | undefined;
  try {
    if (fs.lstatSync(p).isSymbolicLink()) link = fs.readlinkSync(p);
  } catch {
    // Does not exist at all: resolve the parent below.
  }
  if (link !== undefined) return realpathAllowingMissing(path.resolve(path.dirname(p), link), hops + 1, shown);
  const parent = path.dirname(p);
  if (parent === p) return p;
  return path.join(realpathAllowingMissing(parent, hops, shown), path.basename(p));
}

function outside(shown: string): ToolError {
  return new ToolError(`path "${shown}" is outside the workspace`);
}

function memoryFolder(shown: string): ToolError {
  return new ToolError(
    `path "${shown}" is inside ${MEMORY_FOLDER}/, the memory folder: use the working_context_* tools to change memory`,
  );
}
