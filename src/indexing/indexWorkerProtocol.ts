// The messages between the memory folder and its index worker (indexWorker.ts ↔ indexWorkerMain.ts).
import type { PreparedFile } from './preparePassages';

export type WorkerRequest =
  | { type: 'prepare'; id: number; files: Array<{ path: string; text: string }> }
  /** Local embedder settings only: a remote embedder waits on the network, not the CPU. */
  | { type: 'embed'; id: number; settings: unknown; texts: string[] };

export type WorkerReply =
  | { type: 'prepared'; id: number; files: PreparedFile[] }
  | { type: 'embedded'; id: number; vectors: Float32Array[] }
  | { type: 'failed'; id: number; message: string }
  | { type: 'warn'; message: string };
