// A temp workspace with files and the host's ArchivalService over its memory folder (the local embedder),
// for tests of how the editor's changes reach archival memory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArchivalService, type ArchivalServiceOptions } from '../../src/host/archivalService';
import { archivalModule } from '../../src/indexing/lazy';
import { MemoryStore } from '../../src/memory/store';
import { tempWorkspace } from './workspace';

export function archivalWorkspace(files: Record<string, string>, options: Partial<ArchivalServiceOptions> = {}) {
  const root = tempWorkspace('memcode-archival-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const memoryRoot = path.join(root, '.memcode');
  const warnings: string[] = [];
  const service = new ArchivalService({
    workspaceRoot: root,
    memoryRoot,
    embeddings: async () => ({ provider: 'local' }),
    index: () => ({ exclude: [], maxFileSize: 1_000_000 }),
    warn: (m) => warnings.push(m),
    onState: () => {},
    onWritten: () => {},
    ...options,
  });
  /** The paths archival memory holds, read fresh from disk. */
  const indexed = async () => {
    const store = MemoryStore.open(memoryRoot, { warn: () => {} });
    return (await archivalModule().openArchival(store.paths, { provider: 'local' }, { warn: () => {} })).paths();
  };
  return { root, memoryRoot, service, indexed, warnings };
}
