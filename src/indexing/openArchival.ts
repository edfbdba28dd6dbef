// Puts archival memory together from settings: the embedder, the store, the chunker and the indexer.
// The CLI, the extension and the agent's tools all open it this way, so they agree on the layout.
import { ArchivalStore } from '../memory/archival';
import type { MemoryPaths } from '../memory/store';
import type { Clock } from '../memory/types';
import { CodeChunker } from './chunker';
import { createEmbedder } from './embeddings';
import { Indexer } from './indexer';

export interface EmbeddingSettings {
  provider: 'local' | 'openai';
  model?: string;
  baseUrl?: string;
  apiKey?: string;
}

export interface IndexSettings {
  exclude?: string[];
  maxFileSize?: number;
}

export function openArchival(
  paths: MemoryPaths,
  embeddings: EmbeddingSettings,
  opts: { rebuild?: boolean; warn?: (m: string) => void; clock?: Clock } = {},
): Promise<ArchivalStore> {
  const embedder = createEmbedder(embeddings);
  const open = { warn: opts.warn, clock: opts.clock };
  return opts.rebuild ? ArchivalStore.rebuild(paths.archivalDir, embedder, open) : ArchivalStore.open(paths.archivalDir, embedder, open);
}

export async function createIndexer(workspaceRoot: string, paths: MemoryPaths, archival: ArchivalStore, settings: IndexSettings & { warn?: (m: string) => void } = {}): Promise<Indexer> {
  return new Indexer({
    workspaceRoot,
    archival,
    fileRecordsPath: paths.fileRecordsFile,
    chunker: await CodeChunker.create(),
    exclude: settings.exclude,
    maxFileSize: settings.maxFileSize,
    // A memory folder kept inside the workspace under another name must not be indexed either.
    storageDir: paths.root,
    warn: settings.warn,
  });
}
