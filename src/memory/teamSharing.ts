// Sharing the project's memory with the team (issue 12, item 6; `memcode.memory.shareWithTeam`,
// `memcode memory share on|off`): the memory folder's `.gitignore` decides what git sees. Off, it ignores
// everything (`*`, as store.ts first writes it). On, it lets through the project block and its journal
// only: recall (every message), the task scratchpad, archival, the lock and this machine's state stay
// private, and the user block is not in the project at all (userStore.ts). A .gitignore the person wrote
// themselves is left alone and reported, never overwritten.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';

const HEADER = '# Managed by MemCode (memcode.memory.shareWithTeam): edit that setting, not this file.';
const PRIVATE = '*\n';
const SHARED = [
  HEADER,
  '# Shared with the team: memory/project.md and its history (memory/journal.jsonl). Everything else is private.',
  '*',
  '!.gitignore',
  '!memory/',
  'memory/*',
  '!memory/project.md',
  '!memory/journal.jsonl',
  '',
].join('\n');

export type SharingResult = 'shared' | 'private' | 'custom';

/** What the memory folder's .gitignore should say for `share`. */
export function teamGitignore(share: boolean): string {
  return share ? SHARED : PRIVATE;
}

/**
 * Writes the memory folder's .gitignore for `share` when it is missing or one MemCode wrote; 'custom'
 * (nothing written) when the person wrote their own.
 */
export function applyTeamSharing(memoryRoot: string, share: boolean): SharingResult {
  const file = path.join(memoryRoot, '.gitignore');
  let current: string | undefined;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== undefined && current !== PRIVATE && !current.startsWith(HEADER)) return 'custom';
  const wanted = teamGitignore(share);
  if (current !== wanted) {
    fs.mkdirSync(memoryRoot, { recursive: true });
    writeFileAtomic(file, wanted);
  }
  return share ? 'shared' : 'private';
}

/** The memory folder's sharing as its .gitignore says, for the inspector's one line. */
export function describeSharing(memoryRoot: string): string {
  let current = '';
  try {
    current = fs.readFileSync(path.join(memoryRoot, '.gitignore'), 'utf8');
  } catch {
    // No .gitignore: git sees the whole folder.
    return 'Nothing here is ignored by git: the whole memory folder, conversations included, can be committed.';
  }
  if (current === SHARED) return 'Shared with the team through git: the project block and its history. Conversations, the task block and the index stay on this machine; your user block is in your own store.';
  if (current === PRIVATE) return 'Private: nothing in the memory folder is committed (turn on memcode.memory.shareWithTeam to commit the project block).';
  return 'The memory folder has its own .gitignore: what git shares is what it says.';
}
