// The heavy half of archival memory: the store (Vectra), the embedders and the chunker (tree-sitter),
// megabytes of code that `memcode chat` and the extension's activation should not load. Only lazy.ts
// requires this module, on first use.
import type { Clock } from '../memory/types';
import { ArchivalStore } from '../memory/archival';
import type { MemoryPaths } from '../memory/store';
import { CodeChunker } from '../indexing/chunker';
import { createEmbedder, type EmbedderSettings } from '../indexing/embeddings';
import { Indexer } from '../indexing/indexer';
import { WorkspaceFiles } from '../workspace/workspaceFiles';

export interface IndexSettings {
  exclude?: string[];
  maxFileSize?: number;
  /** `memcode.files.allow`, as the file tools get it. */
  allow?: string[];
}

export function openArchivalStore(
  paths: MemoryPaths,
  embeddings: EmbedderSettings,
  opts: { rebuild?: boolean; warn?: (m: string) => void; clock?: Clock } = {},
): Promise<ArchivalStore> {
  const embedder = createEmbedder(embeddings);
  const open = { warn: opts.warn, clock: opts.clock };
  return opts.rebuild ? ArchivalStore.rebuild(paths.archivalDir, embedder, open) : ArchivalStore.open(paths.archivalDir, embedder, open);
}

/** The id an embedder records in archival memory (for the doctor, when nothing on disk names one). */
export function embedderIdOf(embeddings: EmbedderSettings): string {
  return createEmbedder(embeddings).id;
}

let chunker: Promise<CodeChunker> | undefined;

/** The one chunker of the process (the indexer's; staleness asks it for a symbol's chunk). */
export function codeChunker(): Promise<CodeChunker> {
  chunker ??= CodeChunker.create().catch((err: unknown) => {
    chunker = undefined;
    throw err;
  });
  return chunker;
}

/** The grammars load once per process; an indexer is cheap and made per operation, with the settings of the moment. */
export async function createIndexer(
  workspaceRoot: string,
  paths: MemoryPaths,
  archival: ArchivalStore,
  settings: IndexSettings & { warn?: (m: string) => void } = {},
): Promise<Indexer> {
  const chunks = await codeChunker();
  return new Indexer({
    workspaceRoot,
    archival,
    fileRecordsPath: paths.fileRecordsFile,
    chunker: chunks,
    // The same rules as the file tools; the memory folder is never indexed, wherever it is.
    workspace: new WorkspaceFiles({
      root: workspaceRoot,
      memoryDir: paths.root,
      exclude: settings.exclude,
      maxFileSize: settings.maxFileSize,
      allow: settings.allow,
    }),
    warn: settings.warn,
  });
}
