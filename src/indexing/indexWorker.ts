// The memory folder's index worker, seen from the extension host's thread: chunking and local embedding
// are sent to a worker_thread (indexWorkerMain.ts) and their results come back to be stored here, by
// the folder's one owner. Started on first use, ended by close(); if it dies, what it was doing fails
// and the work is done on this thread instead (with a warning), as it would be without a worker; a
// worker that cannot start at all is not tried again.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Embedder } from '../memory/archivalMemory';
import type { EmbedderSettings } from './embeddings';
import type { PreparedFile } from './preparePassages';
import type { WorkerReply, WorkerRequest } from './indexWorkerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };

/** The worker could not do the request (it would not start, or it died): do the work here. */
export class WorkerStopped extends Error {}

export class IndexWorker {
  private worker?: Worker;
  /** Set when the worker died before answering anything: it will not start either next time. */
  private broken = false;
  private answered = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests answered by the worker, for tests and the bench. */
  served = 0;

  constructor(
    private readonly warn?: (message: string) => void,
    /** The worker's script; by default dist/indexWorker.js beside the bundle (tests name another). */
    private readonly entry?: string,
  ) {}

  /** Chunks these files' texts in the worker, in order; with `here` when the worker cannot. */
  async prepare(files: Array<{ path: string; text: string }>, here: (path: string, text: string) => PreparedFile): Promise<PreparedFile[]> {
    if (files.length === 0) return [];
    try {
      const reply = await this.request({ type: 'prepare', id: 0, files });
      if (reply.type !== 'prepared') throw new Error('the index worker answered a chunking request with something else');
      return reply.files;
    } catch (err) {
      if (!(err instanceof WorkerStopped)) throw err;
      return files.map((f) => here(f.path, f.text));
    }
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
        try {
          const reply = await this.request({ type: 'embed', id: 0, settings, texts });
          if (reply.type !== 'embedded') throw new Error('the index worker answered an embedding request with something else');
          return reply.vectors;
        } catch (err) {
          if (!(err instanceof WorkerStopped)) throw err;
          return embedder.embed(texts, signal);
        }
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private request(request: WorkerRequest): Promise<WorkerReply> {
    if (this.broken) return Promise.reject(new WorkerStopped('the index worker is not running'));
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
    const worker = spawnWorker(this.entry);
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
      this.answered = true;
      if (reply.type === 'failed') waiting.reject(new Error(reply.message));
      else waiting.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return; // closed on purpose, or already replaced
      this.worker = undefined;
      if (!this.answered) this.broken = true;
      this.warn?.(`the index worker stopped (${err.message}); indexing runs on the editor's thread${this.broken ? '' : ' until it restarts'}`);
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(new WorkerStopped(err.message));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** dist/indexWorker.js beside the bundle; from the sources (tests), the TypeScript entry through tsx. */
function spawnWorker(entry?: string): Worker {
  if (entry) return new Worker(entry);
  if (__filename.endsWith('.ts')) {
    // tsx's require hook, registered in the worker itself (a loader flag does not reach worker threads here).
    const entry = JSON.stringify(path.join(__dirname, 'indexWorkerMain.ts'));
    return new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true });
  }
  return new Worker(path.join(__dirname, 'indexWorker.js'));
}
