// Workspace confinement: a path named by the model is resolved here, and nothing outside the workspace
// gets through, whether by `..`, by an absolute path, or through a symbolic link.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type WorkspacePathErrorKind = 'invalid' | 'outside' | 'memory' | 'git' | 'secret';

/** A path the workspace policy refuses; the message is written for the model to read. */
export class WorkspacePathError extends Error {
  constructor(
    readonly kind: WorkspacePathErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'WorkspacePathError';
  }
}

// Symlink chains longer than this are refused rather than followed forever.
const MAX_LINK_HOPS = 40;

export interface ContainedPath {
  /** Absolute, symlinks kept: the path as named. */
  abs: string;
  /** Relative to the root as named, '/'-separated, '' for the root. */
  rel: string;
  /** Relative to the real root after following every symlink, '/'-separated, '' for the root. */
  realRel: string;
}

/**
 * `requested` resolved inside `root`. Relative paths resolve against `root`; absolute ones must already be
 * inside it. The real path (symlinks followed, or for a file still to be created, its nearest existing
 * parent's) must stay inside the real root too. Throws WorkspacePathError.
 */
export function containPath(root: string, requested: string): ContainedPath {
  if (typeof requested !== 'string') throw new WorkspacePathError('invalid', 'path must be a string');
  if (requested.includes('\0')) throw new WorkspacePathError('invalid', 'path contains a NUL byte');
  const rootAbs = path.resolve(root);
  const abs = path.resolve(rootAbs, requested.trim() === '' ? '.' : requested);
  const rel = relativeInside(rootAbs, abs);
  if (rel === undefined) throw new WorkspacePathError('outside', `path "${requested}" is outside the workspace`);
  return { abs, rel, realRel: realRelative(rootAbs, abs, requested) };
}

/**
 * Where `abs` (lexically inside `rootAbs`) really leads, relative to the real root. Checked separately
 * from containPath's lexical test so that callers can refuse by the lexical path first (its message
 * names what the model asked for).
 */
function realRelative(rootAbs: string, abs: string, shown: string): string {
  const real = realpathAllowingMissing(abs, 0, shown);
  const realRel = relativeInside(realpathOrSelf(rootAbs), real);
  if (realRel === undefined) throw new WorkspacePathError('outside', `path "${shown}" leads outside the workspace (through a symbolic link)`);
  return realRel;
}

/** `abs` relative to `root` with forward slashes, "." for the root itself: how paths are shown to the model. */
export function toWorkspaceRelative(root: string, abs: string): string {
  const rel = path.relative(path.resolve(root), path.resolve(abs));
  return rel === '' ? '.' : toPosix(rel);
}

/** `child` relative to `parent` ('/'-separated), or undefined when it is not inside (or is on another drive). */
export function relativeInside(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child);
  if (rel === '') return '';
  if (path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`)) return undefined;
  return toPosix(rel);
}

export function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * The real path of `p`, which need not exist yet: the real path of the nearest existing ancestor plus the
 * missing rest. A dangling symlink is followed to where it points, since writing through it would create
 * its target.
 */
function realpathAllowingMissing(p: string, hops: number, shown: string): string {
  if (hops > MAX_LINK_HOPS) throw new WorkspacePathError('invalid', `path "${shown}" goes through too many symbolic links`);
  try {
    return fs.realpathSync.native(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new WorkspacePathError('invalid', `cannot resolve path "${shown}": ${(err as Error).message}`);
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
