// The memory journal (issue 12, item 3): every change to a working-context block — by the agent, by a
// person editing the file (noticed when the block is read and differs from the last journaled text), by
// a revert — as one JSON line: who, when, through what (tool call, message), the diff and the text after.
// Append-only like the recall log: each line is fsynced before the write returns, earlier bytes are never
// rewritten, and a line torn by a kill -9 is skipped when read (the next append starts a fresh line).
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { appendDurably } from './atomicFile';
import { lineDiff, type DiffLine } from './lineDiff';
import { MemoryError, type Clock } from './types';

export type JournalActor = 'agent' | 'person' | 'consolidation' | 'revert';

/** Who made a change, and through what; the journal adds the rest. */
export interface ChangeOrigin {
  actor: JournalActor;
  /** The tool ('working_context_append'), or where a person made it ('file', 'inspector', 'cli'). */
  via?: string;
  session?: string;
  /** The recall id of the message the change was made in. */
  message?: number;
  callId?: string;
  /** For a revert: the entry it undoes. */
  revertOf?: string;
}

export interface JournalEntry extends ChangeOrigin {
  id: string;
  time: string;
  block: string;
  /** The changed lines: '-' removed, '+' added (unchanged lines left out). */
  diff: string[];
  /** The block's whole text after the change. */
  after: string;
}

export class MemoryJournal {
  private entries: JournalEntry[] = [];
  private readSize = -1;
  private endsWithNewline = true;

  constructor(
    readonly file: string,
    readonly clock: Clock = () => new Date(),
  ) {}

  /** Every entry, oldest first (the file as it is now, torn lines skipped). */
  all(): JournalEntry[] {
    this.refresh();
    return [...this.entries];
  }

  /** The entries of one block (or all), newest first. */
  log(block?: string): JournalEntry[] {
    return this.all().filter((e) => block === undefined || e.block === block).reverse();
  }

  get(id: string): JournalEntry | undefined {
    return this.all().find((e) => e.id === id);
  }

  /** The block's text as last journaled; undefined when the journal never saw it. */
  lastText(block: string): string | undefined {
    this.refresh();
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].block === block) return this.entries[i].after;
    return undefined;
  }

  /** The text before `entry`: the previous entry of its block, or '' (a new block starts empty). */
  textBefore(entry: JournalEntry): string {
    this.refresh();
    const at = this.entries.findIndex((e) => e.id === entry.id);
    for (let i = at - 1; i >= 0; i--) if (this.entries[i].block === entry.block) return this.entries[i].after;
    return '';
  }

  /** Records a change from `before` to `after`; nothing when the text did not change. */
  record(block: string, before: string, after: string, origin: ChangeOrigin): JournalEntry | undefined {
    if (before === after) return undefined;
    this.refresh();
    const entry: JournalEntry = {
      id: newJournalId(),
      time: this.clock().toISOString(),
      block,
      ...withoutUndefined(origin),
      diff: changedLines(lineDiff(before, after)),
      after,
    };
    // A torn last line must not swallow ours: start on a fresh line, never rewrite earlier bytes.
    appendDurably(this.file, `${this.endsWithNewline ? '' : '\n'}${JSON.stringify(entry)}\n`);
    this.refresh();
    return entry;
  }

  /**
   * A person's edit noticed when a block is read: recorded unless the journal (read again just now, so an
   * entry another process wrote meanwhile counts) already ends with this text.
   */
  recordIfNew(block: string, text: string, origin: ChangeOrigin): JournalEntry | undefined {
    this.refresh();
    return this.record(block, this.lastText(block) ?? '', text, origin);
  }

  /** Reads the lines appended since the last read; the whole file again when it got shorter (replaced). */
  private refresh(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.entries = [];
        this.readSize = 0;
        this.endsWithNewline = true;
        return;
      }
      throw new MemoryError('io', `could not read ${this.file}: ${(err as Error).message}`);
    }
    if (size === this.readSize) return;
    if (size < this.readSize || this.readSize < 0) {
      this.entries = [];
      this.readSize = 0;
    }
    const fd = fs.openSync(this.file, 'r');
    let bytes: Buffer;
    try {
      bytes = Buffer.alloc(size - this.readSize);
      fs.readSync(fd, bytes, 0, bytes.length, this.readSize);
    } finally {
      fs.closeSync(fd);
    }
    // Only whole lines: a last line without its newline is torn (a crash) or still being written; it is
    // read again next time, and skipped for good once a newer line follows it.
    const end = bytes.lastIndexOf(0x0a) + 1;
    for (const line of bytes.toString('utf8', 0, end).split('\n')) {
      if (!line.trim()) continue;
      const entry = parseEntry(line);
      if (entry) this.entries.push(entry);
    }
    this.readSize += end;
    this.endsWithNewline = end === bytes.length;
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const v = JSON.parse(line) as Partial<JournalEntry> | null;
    if (!v || typeof v.id !== 'string' || typeof v.block !== 'string' || typeof v.after !== 'string' || typeof v.time !== 'string') return undefined;
    return { ...v, diff: Array.isArray(v.diff) ? v.diff : [], actor: v.actor ?? 'person' } as JournalEntry;
  } catch {
    return undefined; // a line torn by a crash
  }
}

function changedLines(diff: DiffLine[]): string[] {
  return diff.filter((d) => d.op !== ' ').map((d) => `${d.op}${d.text}`);
}

function newJournalId(): string {
  return `j${[...randomBytes(7)].map((b) => (b % 36).toString(36)).join('')}`;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * `current` with the change from `before` to `after` undone: the lines it added are taken out (where they
 * still are), the lines it removed put back after the line that preceded them (or where they were). When
 * nothing changed since, that is exactly `before`; later changes to other lines are kept.
 */
export function revertChange(current: string, before: string, after: string): string {
  if (current === after) return before;
  const out = current.split('\n');
  const diff = lineDiff(before, after);
  for (const d of diff) {
    if (d.op !== '+') continue;
    const at = out.indexOf(d.text);
    if (at >= 0) out.splice(at, 1);
  }
  let previous: string | undefined;
  for (const d of diff) {
    if (d.op === '-') {
      const anchor = previous === undefined ? -1 : out.lastIndexOf(previous);
      const at = previous === undefined ? 0 : anchor >= 0 ? anchor + 1 : out.length;
      out.splice(at, 0, d.text);
    }
    if (d.op !== '+') previous = d.text;
  }
  return out.join('\n');
}
