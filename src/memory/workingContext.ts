// Working context (DESIGN.md §2): the bounded blocks the agent edits and always sees. Each block is a
// Markdown file in memory/ that a person may edit too; their edits are picked up by refresh().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';
import { formatBlockFile, parseBlockFile } from './frontMatter';
import { type ChangeOrigin, MemoryJournal } from './journal';
import { type EntryMarker, reattachMarkers, visibleText } from './provenance';
import { blockFile } from './store';
import { type BlockRecord, MemoryError } from './types';
import { USER_BLOCK, userJournalFile, userStoreFile } from './userStore';

export const DEFAULT_BLOCK_LIMIT = 5000;

export const DEFAULT_BLOCKS: ReadonlyArray<Omit<BlockRecord, 'value'>> = [
  {
    label: 'project',
    description: 'The project: architecture, conventions, build and test commands, decisions.',
    limit: DEFAULT_BLOCK_LIMIT,
  },
  {
    label: 'user',
    description: "The person you work with: their preferences, habits and how they like answers and code.",
    limit: DEFAULT_BLOCK_LIMIT,
  },
  {
    label: 'task',
    description: 'Scratchpad for the task at hand: goal, plan, progress, next step. Clean it when the task ends.',
    limit: DEFAULT_BLOCK_LIMIT,
  },
];

const DEFAULT_ORDER = DEFAULT_BLOCKS.map((b) => b.label);

/** Who makes an edit (for the journal) and the markers its new lines get (provenance.ts). */
export interface BlockEdit {
  origin?: ChangeOrigin;
  mark?: (line: string) => EntryMarker | undefined;
  /** Computes and checks the edit (limit included) without writing it: what review mode `ask` shows. */
  dryRun?: boolean;
}

/** What the file looked like when we last read or wrote it, to notice a person's edit cheaply. */
interface FileStamp {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

export class WorkingContext {
  private readonly memoryDir: string;
  private readonly warn: (msg: string) => void;
  private readonly byLabel = new Map<string, BlockRecord>();
  private readonly stamps = new Map<string, FileStamp>();
  /** Every change goes into it, a person's edit of a file too (noticed when the file is read). */
  readonly journal?: MemoryJournal;
  /** The `user` block's file outside the project (userStore.ts) and its own journal; absent: in memory/ like the others. */
  private readonly userStore?: { file: string; journal?: MemoryJournal };

  constructor(
    memoryDir: string,
    opts: { warn?: (msg: string) => void; journal?: MemoryJournal; userStore?: string | null } = {},
  ) {
    this.memoryDir = memoryDir;
    this.warn = opts.warn ?? ((msg) => console.warn(`[memcode] ${msg}`));
    this.journal = opts.journal;
    // null: this process's choice ignored (the block stays in memory/); undefined: the process's choice.
    const file = opts.userStore === null ? undefined : (opts.userStore ?? userStoreFile());
    if (file) this.userStore = { file, journal: opts.journal ? new MemoryJournal(userJournalFile(file), opts.journal.clock) : undefined };
  }

  /** The journal that records `label`'s changes: the user store's own for the `user` block when it lives there. */
  journalOf(label: string): MemoryJournal | undefined {
    return label === USER_BLOCK && this.userStore ? this.userStore.journal : this.journal;
  }

  /** Where the `user` block is read and written: the per-user store, or memory/user.md. */
  get userBlockFile(): string {
    return this.fileOf(USER_BLOCK);
  }

  /** Creates the missing default block files, then reads every `*.md` in the folder as a block. */
  load(): void {
    fs.mkdirSync(this.memoryDir, { recursive: true });
    this.migrateUserBlock();
    this.createMissingDefaults();
    this.byLabel.clear();
    this.stamps.clear();
    for (const label of this.labelsOnDisk()) this.readBlock(label);
  }

  /** Re-reads blocks whose files changed since we last saw them; true if anything changed. */
  refresh(): boolean {
    this.createMissingDefaults();
    let changed = false;
    const onDisk = new Set(this.labelsOnDisk());
    for (const label of [...this.byLabel.keys()]) {
      if (!onDisk.has(label)) {
        this.byLabel.delete(label);
        this.stamps.delete(label);
        changed = true;
      }
    }
    for (const label of onDisk) {
      if (this.refreshOne(label)) changed = true;
    }
    return changed;
  }

  /** In prompt order: project, user, task, then other labels alphabetically. Copies. */
  blocks(): BlockRecord[] {
    const rank = (label: string) => {
      const i = DEFAULT_ORDER.indexOf(label);
      return i < 0 ? DEFAULT_ORDER.length : i;
    };
    return [...this.byLabel.values()]
      .sort((a, b) => rank(a.label) - rank(b.label) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
      .map((b) => ({ ...b }));
  }

  get(label: string): BlockRecord {
    return { ...this.block(label) };
  }

  /** Adds `content` at the end of the block, on a new line. */
  append(label: string, content: string, edit: BlockEdit = {}): BlockRecord {
    const block = this.freshBlock(label);
    const joiner = block.value === '' || block.value.endsWith('\n') ? '' : '\n';
    return this.write(block, block.value + joiner + reattachMarkers('', content, edit.mark), 'consolidate it with working_context_rewrite first', edit.origin, edit.dryRun);
  }

  /**
   * Replaces the one occurrence of `oldContent` in the block's text as the model sees it (markers off);
   * an empty `newContent` deletes it. Lines the edit leaves alone keep their markers.
   */
  replace(label: string, oldContent: string, newContent: string, edit: BlockEdit = {}): BlockRecord {
    const block = this.freshBlock(label);
    if (oldContent === '') {
      throw new MemoryError('invalid', `old_content is empty; copy the exact text to replace from block "${label}"`);
    }
    const visible = visibleText(block.value);
    // Text copied with its marker (from the file itself) is matched in the file's text.
    const raw = countOf(visible, oldContent) === 0 && countOf(block.value, oldContent) === 1;
    const source = raw ? block.value : visible;
    const count = countOf(source, oldContent);
    if (count !== 1) {
      const hint =
        count === 0
          ? 'copy it exactly from the block, including spaces, punctuation and line breaks'
          : 'it must match exactly once: give more surrounding text';
      throw new MemoryError('invalid', `"${preview(oldContent)}" matched ${count} times in block "${label}"; ${hint}`);
    }
    let start = source.indexOf(oldContent);
    let end = start + oldContent.length;
    if (newContent === '') [start, end] = widenToWholeLines(source, start, end);
    const next = source.slice(0, start) + newContent + source.slice(end);
    return this.write(block, raw ? next : reattachMarkers(block.value, next, edit.mark), 'consolidate it with working_context_rewrite first', edit.origin, edit.dryRun);
  }

  /** Replaces the whole block: how the agent consolidates it. Lines kept word for word keep their markers. */
  rewrite(label: string, content: string, edit: BlockEdit = {}): BlockRecord {
    const block = this.freshBlock(label);
    return this.write(block, reattachMarkers(block.value, content, edit.mark), 'write a shorter version', edit.origin, edit.dryRun);
  }

  /** A person's edit from the UI, markers and all: the same limit applies. */
  setValue(label: string, value: string, origin: ChangeOrigin = { actor: 'person', via: 'inspector' }): BlockRecord {
    return this.write(this.freshBlock(label), value, 'shorten it', origin);
  }

  private block(label: string): BlockRecord {
    const block = this.byLabel.get(label);
    if (!block) {
      const labels = this.blocks().map((b) => b.label).join(', ');
      throw new MemoryError('not_found', `no block "${label}"; the blocks are: ${labels}`);
    }
    return block;
  }

  /** The block as it is on disk now, so an edit never overwrites a person's edit made since the last refresh. */
  private freshBlock(label: string): BlockRecord {
    if (this.byLabel.has(label)) this.refreshOne(label);
    return this.block(label);
  }

  private write(block: BlockRecord, value: string, advice: string, origin: ChangeOrigin = { actor: 'agent' }, dryRun = false): BlockRecord {
    // Markers do not count: the limit is on what the model reads.
    const size = visibleText(value).length;
    if (size > block.limit) {
      const over = size - block.limit;
      throw new MemoryError(
        'limit',
        `block "${block.label}" would be ${fmt(size)} characters, ${fmt(over)} over its limit of ${fmt(block.limit)}: ${advice}`,
      );
    }
    const next: BlockRecord = { ...block, value };
    if (dryRun) return { ...next };
    const file = this.fileOf(block.label);
    // The journal first: a crash between the two then shows as a person's edit back, never as a lost change.
    this.journalOf(block.label)?.record(block.label, block.value, value, origin);
    writeFileAtomic(file, formatBlockFile(next));
    this.byLabel.set(block.label, next);
    this.remember(block.label);
    return { ...next };
  }

  private createMissingDefaults(): void {
    for (const d of DEFAULT_BLOCKS) {
      const file = this.fileOf(d.label);
      if (fs.existsSync(file)) continue;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, formatBlockFile({ ...d, value: '' }));
    }
  }

  /**
   * A project's memory/user.md from before the user store, moved there once: copied when the store is
   * missing or empty (the project file then renamed `user.md.migrated`, so nothing is deleted); left where
   * it is, with a warning, when the store already holds a different text — never is either text lost.
   */
  private migrateUserBlock(): void {
    if (!this.userStore) return;
    const projectFile = blockFile(this.memoryDir, USER_BLOCK);
    if (path.resolve(projectFile) === path.resolve(this.userStore.file)) return;
    let projectText: string;
    try {
      projectText = fs.readFileSync(projectFile, 'utf8');
    } catch {
      return;
    }
    const projectValue = parseBlockFile(projectText).value;
    let storeValue = '';
    try {
      storeValue = parseBlockFile(fs.readFileSync(this.userStore.file, 'utf8')).value;
    } catch {
      // No store yet: the project's text starts it.
    }
    const moved = `${projectFile}.migrated`;
    if (projectValue.trim() === '' || projectValue === storeValue) {
      fs.renameSync(projectFile, moved);
      return;
    }
    if (storeValue.trim() !== '') {
      this.warn(
        `${projectFile} (the user block from before it moved to ${this.userStore.file}) differs from the one there: ` +
          `it was left in place and is not read; merge what you want to keep into ${this.userStore.file}, then delete it`,
      );
      return;
    }
    fs.mkdirSync(path.dirname(this.userStore.file), { recursive: true });
    // The journal first (as in write()), so the copied text is in the store's history.
    this.userStore.journal?.record(USER_BLOCK, storeValue, projectValue, { actor: 'person', via: `moved from ${projectFile}` });
    writeFileAtomic(this.userStore.file, projectText);
    fs.renameSync(projectFile, moved);
  }

  private labelsOnDisk(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.memoryDir);
    } catch (err) {
      throw new MemoryError('io', `could not list ${this.memoryDir}: ${(err as Error).message}`);
    }
    // Dot files are our temp files (and editors' swap files), never blocks.
    const labels = names.filter((n) => n.endsWith('.md') && !n.startsWith('.') && n.length > 3).map((n) => n.slice(0, -3));
    if (!this.userStore) return labels;
    // The user block is read from the store; a memory/user.md left from before is not it.
    const others = labels.filter((l) => l !== USER_BLOCK);
    return fs.existsSync(this.userStore.file) ? [...others, USER_BLOCK] : others;
  }

  private refreshOne(label: string): boolean {
    const stamp = this.statOf(label);
    if (!stamp) {
      if (!this.byLabel.has(label)) return false;
      this.byLabel.delete(label);
      this.stamps.delete(label);
      return true;
    }
    const known = this.stamps.get(label);
    if (known && sameStamp(known, stamp)) return false;
    const before = this.byLabel.get(label);
    this.readBlock(label);
    const after = this.byLabel.get(label);
    return !before || !after || before.value !== after.value || before.description !== after.description || before.limit !== after.limit;
  }

  private readBlock(label: string): void {
    const file = this.fileOf(label);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new MemoryError('io', `could not read ${file}: ${(err as Error).message}`);
    }
    const parsed = parseBlockFile(text);
    const defaults = DEFAULT_BLOCKS.find((b) => b.label === label);
    if (parsed.problem) this.warn(`${file}: ${parsed.problem}; using the whole text as the block's value with default settings where missing`);
    const block: BlockRecord = {
      label,
      description: parsed.description ?? defaults?.description ?? '',
      limit: parsed.limit ?? defaults?.limit ?? DEFAULT_BLOCK_LIMIT,
      value: parsed.value,
    };
    this.journalHandEdit(label, block.value);
    const size = visibleText(block.value).length;
    if (size > block.limit) {
      this.warn(`block "${label}" is ${fmt(size)} characters, over its limit of ${fmt(block.limit)}; the agent will have to consolidate it before adding to it`);
    }
    this.byLabel.set(label, block);
    this.remember(label);
  }

  /** A text the journal did not write is a person's edit (or one from before the journal): journal it. */
  private journalHandEdit(label: string, value: string): void {
    const journal = this.journalOf(label);
    if (!journal) return;
    try {
      journal.recordIfNew(label, value, { actor: 'person', via: 'file' });
    } catch (err) {
      this.warn(`could not record the edit of block "${label}" in the memory journal: ${(err as Error).message}`);
    }
  }

  private remember(label: string): void {
    const stamp = this.statOf(label);
    if (stamp) this.stamps.set(label, stamp);
  }

  private statOf(label: string): FileStamp | undefined {
    try {
      const s = fs.statSync(this.fileOf(label));
      return { mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size, ino: s.ino };
    } catch {
      return undefined;
    }
  }

  private fileOf(label: string): string {
    if (label === USER_BLOCK && this.userStore) return this.userStore.file;
    return blockFile(this.memoryDir, label);
  }
}

function countOf(text: string, piece: string): number {
  return text.split(piece).length - 1;
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}

/** Deleting a whole line should not leave an empty line behind. */
function widenToWholeLines(value: string, start: number, end: number): [number, number] {
  if (start === end || value[start] === '\n' || value[end - 1] === '\n') return [start, end];
  const startsLine = start === 0 || value[start - 1] === '\n';
  const endsLine = end === value.length || value[end] === '\n';
  if (!startsLine || !endsLine) return [start, end];
  if (end < value.length) return [start, end + 1];
  if (start > 0) return [start - 1, end];
  return [start, end];
}

function preview(s: string): string {
  const oneLine = s.replace(/\n/g, '\\n');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
