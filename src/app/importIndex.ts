// recall/imported.jsonl: what `memcode import` already brought into recall memory, so importing a file
// again adds nothing. Append-only, one line per imported session batch: {source session → MemCode
// session, hashes of the messages added}. Appending costs only what is new, however long the history
// (a full Claude Code history is thousands of sessions); a line cut off by a crash is ignored, at the
// price of importing those messages again.
import * as fs from 'node:fs';
import { isPlainObject } from '../common/json';
import { appendDurably } from '../memory/atomicFile';
import { MemoryError } from '../memory/types';

interface IndexLine {
  /** `<source>:<the tool's session id>`. */
  key: string;
  /** The MemCode session its messages went to. */
  session: string;
  messages: string[];
}

const NEWLINE = 0x0a;

export class ImportIndex {
  private readonly sessions = new Map<string, string>();
  private readonly messages = new Set<string>();
  /** Bytes of whole lines read so far. */
  private offset = 0;
  /** The file ends in a partial line: the next append starts on a fresh one. */
  private hasTail = false;

  constructor(private readonly file: string) {}

  /** Reads what another process appended since (call it under the memory folder's lock). */
  refresh(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new MemoryError('io', `could not read ${this.file}: ${(err as Error).message}`);
    }
    if (size < this.offset) {
      // Replaced or cut short by hand: read it again from the start.
      this.sessions.clear();
      this.messages.clear();
      this.offset = 0;
    }
    if (size === this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    let bytes: Buffer;
    try {
      bytes = Buffer.alloc(size - this.offset);
      fs.readSync(fd, bytes, 0, bytes.length, this.offset);
    } finally {
      fs.closeSync(fd);
    }
    const end = bytes.lastIndexOf(NEWLINE) + 1;
    for (const text of bytes.toString('utf8', 0, end).split('\n')) this.add(text);
    this.offset += end;
    this.hasTail = end < bytes.length;
  }

  has(hash: string): boolean {
    return this.messages.has(hash);
  }

  sessionFor(key: string): string | undefined {
    return this.sessions.get(key);
  }

  /** Records messages as imported into `session`; on disk (fsync) when this returns. */
  record(key: string, session: string, hashes: readonly string[]): void {
    this.refresh();
    const line = { key, session, messages: [...hashes] } satisfies IndexLine;
    const text = `${this.hasTail ? '\n' : ''}${JSON.stringify(line)}\n`;
    appendDurably(this.file, text);
    this.refresh();
  }

  private add(text: string): void {
    if (!text.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return;
    }
    if (!isPlainObject(v) || typeof v.key !== 'string' || typeof v.session !== 'string' || !Array.isArray(v.messages)) return;
    this.sessions.set(v.key, v.session);
    for (const h of v.messages) if (typeof h === 'string') this.messages.add(h);
  }
}
