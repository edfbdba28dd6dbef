// The heavy half of archival memory: the store (Vectra), the embedders and the chunker (tree-sitter),
// megabytes of code that `memcode chat` and the extension's activation should not load. Only lazy.ts
// requires this module, on first use.
import type { Clock } from '../memory/types';
import { ArchivalStore } from '../memory/archival';
import type { ArchivalMemory, Embedder } from '../memory/archivalMemory';
import { MemoryError } from '../memory/types';
import type { MemoryPaths } from '../memory/store';
import { CodeChunker } from '../indexing/chunker';
import { createEmbedder, type EmbedderSettings } from '../indexing/embeddings';
import { Indexer } from '../indexing/indexer';
import { preparePassages } from '../indexing/preparePassages';
import type { IndexWorker } from '../indexing/indexWorker';
import { WorkspaceFiles } from '../workspace/workspaceFiles';

export interface IndexSettings {
  exclude?: string[];
  maxFileSize?: number;
  /** `memcode.files.allow`, as the file tools get it. */
  allow?: string[];
}

/**
 * Where a folder's archival memory lives: the embedded store in the memory folder (default), or a shared
 * PostgreSQL + pgvector database (the agent's notes stay in the memory folder either way).
 */
export type ArchivalBackend = { kind: 'vectra' } | { kind: 'postgres'; databaseUrl: string; repoKey: string };

export function openArchivalStore(
  paths: MemoryPaths,
  embeddings: EmbedderSettings,
  opts: { rebuild?: boolean; warn?: (m: string) => void; clock?: Clock; backend?: ArchivalBackend; worker?: IndexWorker } = {},
): Promise<ArchivalMemory> {
  const backend = opts.backend ?? { kind: 'vectra' };
  // With a worker, a batch of passages is embedded on its thread; queries still here.
  const embedder = opts.worker ? opts.worker.embedderFor(createEmbedder(embeddings), embeddings) : createEmbedder(embeddings);
  if (backend.kind === 'postgres') return openPostgres(paths, embedder, backend, opts);
  const open = { warn: opts.warn, clock: opts.clock };
  return opts.rebuild ? ArchivalStore.rebuild(paths.archivalDir, embedder, open) : ArchivalStore.open(paths.archivalDir, embedder, open);
}

async function openPostgres(
  paths: MemoryPaths,
  embedder: Embedder,
  backend: { databaseUrl: string; repoKey: string },
  opts: { rebuild?: boolean; warn?: (m: string) => void; clock?: Clock },
): Promise<ArchivalMemory> {
  if (!backend.databaseUrl.trim()) {
    throw new MemoryError(
      'invalid',
      'memcode.archival.backend is postgres but no database URL is set: run MemCode: Set Database URL, or set MEMCODE_DATABASE_URL for the CLI',
    );
  }
  // pg is loaded only by those who chose the postgres backend.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresArchival } = require('../memory/postgresArchival') as typeof import('../memory/postgresArchival');
  // The query is embedded once for the database and once more by the notes' store: the second is remembered.
  const shared = rememberLastQuery(embedder);
  const open = { warn: opts.warn, clock: opts.clock };
  const notes = opts.rebuild ? await ArchivalStore.rebuild(paths.archivalDir, shared, open) : await ArchivalStore.open(paths.archivalDir, shared, open);
  return PostgresArchival.open({
    databaseUrl: backend.databaseUrl,
    repo: backend.repoKey,
    embedder: shared,
    notes,
    rebuild: opts.rebuild,
    clock: opts.clock,
    warn: opts.warn,
  });
}

/** `embedder`, answering a repeat of its last one-text call (a query) from memory. */
function rememberLastQuery(embedder: Embedder): Embedder {
  let last: { text: string; vector: Float32Array } | undefined;
  return {
    id: embedder.id,
    get dimensions() {
      return embedder.dimensions;
    },
    async embed(texts, signal) {
      if (texts.length === 1 && last?.text === texts[0]) return [last.vector];
      const vectors = await embedder.embed(texts, signal);
      if (texts.length === 1 && vectors.length === 1) last = { text: texts[0], vector: vectors[0] };
      return vectors;
    },
  };
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
  archival: ArchivalMemory,
  settings: IndexSettings & { warn?: (m: string) => void; worker?: IndexWorker } = {},
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
    ...(settings.worker ? { prepare: withWorker(settings.worker, chunks) } : {}),
  });
}

export { IndexWorker } from '../indexing/indexWorker';

/** Chunking in the worker, or here with the same chunker when the worker cannot. */
function withWorker(worker: IndexWorker, here: CodeChunker) {
  return (files: Array<{ path: string; text: string }>) => worker.prepare(files, (p, text) => preparePassages(here, p, text));
}
