// Vectors of recall memory's messages from a model embedder, for hybrid recall search (issue 11 part
// 2). Messages are embedded in the background as they are appended, never while a turn waits; search
// uses what is embedded so far. The vectors are cached in the memory folder, one append-only file per
// embedder (recall/vectors-<embedder>.jsonl, one `{"id":12,"v":"<base64 float32>"}` a line), so a
// restart embeds only what is new and a kill mid-write loses at most the line being written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder } from './archivalMemory';
import { appendDurably } from './atomicFile';
import { contentForModel } from './messageContent';
import type { RecallLog } from './recall';
import { DEFAULT_SEARCH_ROLES } from './recallSearch';
import type { MessageRecord } from './types';

/** Messages sent to the embedder per request. */
const BATCH = 32;
/** A message's text is embedded up to this long: its start says what it is about. */
const MAX_TEXT = 2_000;
/** How long a search waits for the query's own vector before going on with keywords alone. */
export const QUERY_TIMEOUT_MS = 3_000;

export interface MessageVectorsOptions {
  warn?: (message: string) => void;
}

/** The cache file of one embedder: its id made safe for a file name. */
export function vectorsFile(recallDir: string, embedderId: string): string {
  return path.join(recallDir, `vectors-${embedderId.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '')}.jsonl`);
}

/** Whether a message is one recall search finds, and so worth a vector. */
export function embeddable(r: MessageRecord): boolean {
  return DEFAULT_SEARCH_ROLES.includes(r.role) && r.kind !== 'auto_recall' && contentForModel(r).trim().length > 0;
}

export class MessageVectors {
  readonly file: string;
  private readonly vectors = new Map<number, Float32Array>();
  /** The file's last line was cut off (a kill mid-write): the next line starts on a fresh one. */
  private tornTail = false;
  private running: Promise<void> | undefined;
  private again = false;
  private failed = false;
  private readonly warn: (message: string) => void;

  constructor(
    recallDir: string,
    private readonly embedder: Embedder,
    private readonly log: RecallLog,
    options: MessageVectorsOptions = {},
  ) {
    this.file = vectorsFile(recallDir, embedder.id);
    this.warn = options.warn ?? (() => {});
    this.load();
    log.onAppend(() => this.catchUp());
  }

  get size(): number {
    return this.vectors.size;
  }

  has(id: number): boolean {
    return this.vectors.has(id);
  }

  /**
   * Embeds the messages that have no vector yet, in the background: returns at once. Called after each
   * append; a call while a run is going makes that run look again when it ends.
   */
  catchUp(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once the background work started so far is done (for tests and the benchmark). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The query's vector, or undefined when the embedder fails or is slower than `timeoutMs`. */
  async embedQuery(query: string, timeoutMs = QUERY_TIMEOUT_MS): Promise<Float32Array | undefined> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const [v] = await this.embedder.embed([query], abort.signal);
      return v;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ids of the embedded messages `allowed` lets through, most similar to `query` first (cosine). */
  ranking(query: Float32Array, allowed: (id: number) => boolean, limit: number): Array<{ id: number; score: number }> {
    const qn = norm(query);
    if (qn === 0) return [];
    const scored: Array<{ id: number; score: number }> = [];
    for (const [id, v] of this.vectors) {
      if (v.length !== query.length || !allowed(id)) continue;
      const vn = norm(v);
      if (vn === 0) continue;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * query[i];
      scored.push({ id, score: dot / (qn * vn) });
    }
    scored.sort((a, b) => b.score - a.score || b.id - a.id);
    return scored.slice(0, limit);
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      const pending = this.log.all().filter((r) => embeddable(r) && !this.vectors.has(r.id));
      for (let i = 0; i < pending.length; i += BATCH) {
        const batch = pending.slice(i, i + BATCH);
        let vectors: Float32Array[];
        try {
          vectors = await this.embedder.embed(batch.map((r) => contentForModel(r).slice(0, MAX_TEXT)));
        } catch (err) {
          // Search goes on with keywords alone; the next append tries again. Said once, not every turn.
          if (!this.failed) this.warn(`recall search: could not embed messages (${(err as Error).message}); keyword search only until it works`);
          this.failed = true;
          return;
        }
        this.failed = false;
        const lines = batch.map((r, k) => JSON.stringify({ id: r.id, v: Buffer.from(vectors[k].buffer, vectors[k].byteOffset, vectors[k].byteLength).toString('base64') }));
        try {
          appendDurably(this.file, `${this.tornTail ? '\n' : ''}${lines.join('\n')}\n`);
          this.tornTail = false;
        } catch (err) {
          this.warn(`recall search: could not save message vectors: ${(err as Error).message}`);
        }
        batch.forEach((r, k) => this.vectors.set(r.id, vectors[k]));
      }
    } while (this.again);
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    this.tornTail = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { id, v } = JSON.parse(line) as { id: number; v: string };
        const bytes = Buffer.from(v, 'base64');
        if (!Number.isInteger(id) || bytes.length % 4 !== 0 || bytes.length === 0) continue;
        // Copied into its own buffer: a Float32Array needs 4-byte alignment.
        this.vectors.set(id, new Float32Array(new Uint8Array(bytes).buffer));
      } catch {
        // A line cut off by a kill: that message is embedded again.
      }
    }
  }
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
