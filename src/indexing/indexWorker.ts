// The memory folder's index worker, seen from the extension host's thread: chunking and local embedding
// are sent to a worker_thread (indexWorkerMain.ts) and their results come back to be stored here, by
// the folder's one owner. Started on first use, ended by close(); if it dies, what it was doing fails
// with a clear error (the caller keeps its changes pending) and the next request starts a new one.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Embedder } from '../memory/archivalMemory';
import type { EmbedderSettings } from './embeddings';
import type { PreparedFile } from './preparePassages';
import type { WorkerReply, WorkerRequest } from './indexWorkerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };

export class IndexWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests answered by the worker, for tests and the bench. */
  served = 0;

  constructor(private readonly warn?: (message: string) => void) {}

  /** Chunks these files' texts in the worker, in order. */
  async prepare(files: Array<{ path: string; text: string }>): Promise<PreparedFile[]> {
    if (files.length === 0) return [];
    const reply = await this.request({ type: 'prepare', id: 0, files });
    if (reply.type !== 'prepared') throw new Error('the index worker answered a chunking request with something else');
    return reply.files;
  }

  /**
   * `embedder`, with batches of texts embedded in the worker when it is the local (CPU-bound) one; a
   * single text (a search query) is embedded here, where the round trip would cost more than it saves.
   */
  embedderFor(embedder: Embedder, settings: EmbedderSettings): Embedder {
    if (settings.provider !== 'local') return embedder;
    return {
      id: embedder.id,
      get dimensions() {
        return embedder.dimensions;
      },
      embed: async (texts, signal) => {
        if (texts.length < 2) return embedder.embed(texts, signal);
        const reply = await this.request({ type: 'embed', id: 0, settings, texts });
        if (reply.type !== 'embedded') throw new Error('the index worker answered an embedding request with something else');
        return reply.vectors;
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private request(request: WorkerRequest): Promise<WorkerReply> {
    const worker = this.started();
    const id = this.nextId++;
    // Referenced only while it works for someone: an idle worker lets the process end.
    worker.ref();
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker();
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'warn') {
        this.warn?.(reply.message);
        return;
      }
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      this.served++;
      if (reply.type === 'failed') waiting.reject(new Error(reply.message));
      else waiting.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(new Error(`the index worker stopped: ${err.message}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** dist/indexWorker.js beside the bundle; from the sources (tests), the TypeScript entry through tsx. */
function spawnWorker(): Worker {
  if (__filename.endsWith('.ts')) {
    // tsx's require hook, registered in the worker itself (a loader flag does not reach worker threads here).
    const entry = JSON.stringify(path.join(__dirname, 'indexWorkerMain.ts'));
    return new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true });
  }
  return new Worker(path.join(__dirname, 'indexWorker.js'));
}
