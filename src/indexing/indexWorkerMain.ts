// The index worker's thread (bundled as dist/indexWorker.js): chunking with tree-sitter and the local
// embedder's arithmetic, the CPU-heavy half of indexing, done here so the extension host's thread stays
// free for the editor. It owns nothing: it turns texts into passages and vectors and sends them back;
// the memory folder (app/memoryFolder.ts) still decides what is stored and stores it.
import { parentPort } from 'node:worker_threads';
import { CodeChunker } from './chunker';
import { createEmbedder, type EmbedderSettings } from './embeddings';
import type { Embedder } from '../memory/archivalMemory';
import { preparePassages } from './preparePassages';
import type { WorkerReply, WorkerRequest } from './indexWorkerProtocol';

let chunker: Promise<CodeChunker> | undefined;
const embedders = new Map<string, Embedder>();

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  if (request.type === 'prepare') {
    chunker ??= CodeChunker.create({ warn: (m) => parentPort?.postMessage({ type: 'warn', message: m }) });
    const c = await chunker;
    return { type: 'prepared', id: request.id, files: request.files.map((f) => preparePassages(c, f.path, f.text)) };
  }
  const key = JSON.stringify(request.settings);
  let embedder = embedders.get(key);
  if (!embedder) embedders.set(key, (embedder = createEmbedder(request.settings as EmbedderSettings)));
  const vectors = await embedder.embed(request.texts);
  return { type: 'embedded', id: request.id, vectors };
}

parentPort?.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => {
      const transfer = reply.type === 'embedded' ? reply.vectors.map((v) => v.buffer as ArrayBuffer) : [];
      parentPort?.postMessage(reply, transfer);
    },
    (err: unknown) => parentPort?.postMessage({ type: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});
