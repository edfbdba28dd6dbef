// `memcode memory share on|off` and `chat --share-with-team`: the CLI's side of memcode.memory.shareWithTeam
// (memory/teamSharing.ts writes the memory folder's .gitignore).
import { MemoryStore } from '../memory/store';
import { applyTeamSharing, describeSharing } from '../memory/teamSharing';
import { UsageError } from './config';

export function shareMemory(root: string, setting: string): string {
  if (setting !== 'on' && setting !== 'off') throw new UsageError(`memcode memory share takes on or off, got "${setting}"`);
  // Opening creates the folder's layout (and its first .gitignore) when the project has none yet.
  const store = MemoryStore.open(root, { warn: (m) => process.stderr.write(`[warning] ${m}\n`) });
  const result = applyTeamSharing(store.paths.root, setting === 'on');
  if (result === 'custom') return `${store.paths.root}/.gitignore was written by hand: left as it is. ${describeSharing(store.paths.root)}\n`;
  return `${describeSharing(store.paths.root)}\n`;
}
