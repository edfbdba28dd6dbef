// `memcode memory check` and the inspector's stale badges: the entries of working context and the
// archival notes whose cited code changed since they were written (memory/staleness.ts), read from disk
// without a lock and without loading the archival store (notes are read from the shard folders).
import { collectNotes } from '../memory/archivalNotes';
import { type StaleEntry, StalenessState, findStale } from '../memory/staleness';
import type { MemoryPaths } from '../memory/store';
import { WorkingContext } from '../memory/workingContext';
import { symbolFingerprints } from './symbolFingerprints';
import { WorkspaceFiles } from '../workspace/workspaceFiles';

/** `allow`: the secrets-looking paths the person opened (`--allow-path`), as the agent's tools see them. */
export async function staleMemory(workspaceRoot: string, paths: MemoryPaths, warn: (m: string) => void, allow?: string[]): Promise<StaleEntry[]> {
  const workingContext = new WorkingContext(paths.memoryDir, { warn });
  workingContext.load();
  const notes = collectNotes(paths.archivalDir, warn).map((n) => ({ label: `note:${n.id}`, value: n.text }));
  const state = new StalenessState(paths.stalenessFile, warn).begin();
  const stale = await findStale([...workingContext.blocks(), ...notes], symbolFingerprints(workspaceRoot, new WorkspaceFiles({ root: workspaceRoot, memoryDir: paths.root, allow })), state.restatements);
  state.save();
  return stale;
}
