// A temp workspace with files and its MemoryFolder (the one archival memory the extension and the CLI
// share; the local embedder), for tests of how the editor's changes reach archival memory.
import * as path from 'node:path';
import { MemoryFolder, type MemoryFolderOptions } from '../../src/app/memoryFolder';
import { archivalParts } from '../../src/app/lazyArchival';
import { MemoryStore } from '../../src/memory/store';
import { tempWorkspace, writeFile } from './workspace';

export function archivalWorkspace(files: Record<string, string>, options: Partial<MemoryFolderOptions> = {}) {
  const root = tempWorkspace('memcode-archival-');
  for (const [rel, text] of Object.entries(files)) writeFile(root, rel, text);
  const memoryRoot = path.join(root, '.memcode');
  const warnings: string[] = [];
  const folder = new MemoryFolder({
    workspaceRoot: root,
    memoryRoot,
    embeddings: () => ({ provider: 'local' }),
    index: () => ({ exclude: [], maxFileSize: 1_000_000 }),
    warn: (m) => warnings.push(m),
    ...options,
  });
  /** The paths archival memory holds, read fresh from disk by a store of its own (as another process would). */
  const indexed = async () => {
    const store = MemoryStore.open(memoryRoot, { warn: () => {} });
    return (await archivalParts().openArchivalStore(store.paths, { provider: 'local' }, { warn: () => {} })).paths();
  };
  return { root, memoryRoot, folder, indexed, warnings };
}
