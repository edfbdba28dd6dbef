// Where the `user` block lives (issue 12, item 6): the person's preferences follow them across projects, so
// the block is one file per person, not per workspace. The extension and the CLI must read and write the
// SAME file, or a preference told to one would be unknown to the other: VS Code's globalStorageUri is a
// path only the extension knows (and differs between VS Code, Insiders and code-server), so both use
// `~/.memcode/user.md`, which the CLI reaches too; `memcode.memory.userStorePath` / MEMCODE_USER_STORE
// move it. It is a per-process choice, like the home folder it defaults to: the entry points (the CLI's
// main, the extension's activation) set it once; left unset (library use, unit tests) the block stays in
// the project's memory folder as before.
import * as os from 'node:os';
import * as path from 'node:path';

export const USER_BLOCK = 'user';

let configured: string | undefined;

/** The default: `~/.memcode/user.md`. */
export function defaultUserStoreFile(): string {
  return path.join(os.homedir(), '.memcode', 'user.md');
}

/** `~` and `~/…` are the home folder; a relative path is taken from the home folder too (there is no workspace for a per-user file). */
export function resolveUserStorePath(raw: string | undefined): string {
  const text = raw?.trim();
  if (!text) return defaultUserStoreFile();
  if (text === '~') return os.homedir();
  const expanded = text.startsWith('~/') || text.startsWith('~\\') ? path.join(os.homedir(), text.slice(2)) : text;
  return path.resolve(os.homedir(), expanded);
}

/** Set by the CLI and the extension at start; undefined keeps the `user` block in the project (the old layout). */
export function setUserStoreFile(file: string | undefined): void {
  configured = file === undefined ? undefined : path.resolve(file);
}

export function userStoreFile(): string | undefined {
  return configured;
}

/** The user store's journal, beside it (every project's agent writes the same block, so one journal). */
export function userJournalFile(storeFile: string): string {
  return path.join(path.dirname(storeFile), `${path.basename(storeFile, '.md')}.journal.jsonl`);
}
