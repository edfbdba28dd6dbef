// git's own data: a repository's `.git` folder (or the `.git` file of a worktree or submodule, which names
// where its repository is), and a repository folder under any other name (a bare clone, where a `.git`
// file points). No file tool reads or writes it, whatever the allow list says: it holds credentials
// (tokens in remote URLs), and a hook or a config key such as core.fsmonitor is a command git runs at
// the next `git status`, past every approval MemCode asks for. The model runs git through run_command.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Compared lower-cased: on macOS and Windows `.GIT` is the same folder. */
const GIT_NAME = '.git';

/** A '/'-separated relative path with a `.git` part: in a repository's data or its `.git` link file. */
export function isGitPath(cleanRel: string): boolean {
  const lower = cleanRel.toLowerCase();
  return lower.includes(GIT_NAME) && lower.split('/').includes(GIT_NAME);
}

/** Whether the name of one folder entry is `.git`. */
export function isGitName(name: string): boolean {
  return name.length === GIT_NAME.length && name.toLowerCase() === GIT_NAME;
}

/** A folder laid out as a git repository (HEAD, objects/, refs/), whatever its name. */
export function isGitDir(absDir: string): boolean {
  return isFile(path.join(absDir, 'HEAD')) && isDir(path.join(absDir, 'objects')) && isDir(path.join(absDir, 'refs'));
}

/** Whether `realRel` (relative to the real root `rootReal`) is in a repository folder not named `.git`. */
export function isInGitDir(rootReal: string, realRel: string): boolean {
  if (realRel === '') return false;
  let abs = rootReal;
  for (const part of realRel.split('/')) {
    abs = path.join(abs, part);
    if (isGitDir(abs)) return true;
  }
  return false;
}

function isDir(abs: string): boolean {
  return statOrUndefined(abs)?.isDirectory() ?? false;
}

function isFile(abs: string): boolean {
  return statOrUndefined(abs)?.isFile() ?? false;
}

/** ENOTDIR (a path through a file) and EACCES mean "not a repository" as much as ENOENT does. */
function statOrUndefined(abs: string): fs.Stats | undefined {
  try {
    return fs.statSync(abs);
  } catch {
    return undefined;
  }
}
