// Checkpoints per turn: the text every file had before the agent first changed it, so the person can undo
// one edit or put the workspace back as it was before any turn. Kept in the memory folder
// (`checkpoints/`), never in the person's git: texts are stored once by their SHA-256 (`blobs/`), the
// turns and their edits in `checkpoints.json` (written atomically), and a `.gitignore` of `*` keeps the
// folder out of a repository that tracks the memory folder. Only edits that go through the edit tools
// (or a code block's Apply) are covered: what a shell command changes is not.
// Writing the files back is the caller's (`CheckpointFiles`): VS Code as undoable editor changes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../memory/atomicFile';
import { isPlainObject } from '../common/json';
import { countLineChanges } from './lineChanges';

export interface CheckpointEdit {
  /** The tool call that made it; absent for a code block's Apply. */
  callId?: string;
  /** Workspace-relative, forward slashes. */
  path: string;
  /** SHA-256 of the text before; null when the edit created the file. */
  before: string | null;
  after: string;
  added: number;
  removed: number;
  time: string;
  undone?: boolean;
}

export interface CheckpointTurn {
  id: string;
  started: string;
  edits: CheckpointEdit[];
  /** Put back by a restore to this turn or an earlier one. */
  restored?: boolean;
  /** The person chose Keep all on its summary. */
  kept?: boolean;
}

/** One file a turn changed: its first text before the turn against its last text in it. */
export interface TurnFileChange {
  path: string;
  added: number;
  removed: number;
  created: boolean;
  undone: boolean;
}

/** How a restore reads and writes workspace files (paths workspace-relative). */
export interface CheckpointFiles {
  /** The file's text, or null when it does not exist. */
  read(rel: string): Promise<string | null>;
  write(rel: string, content: string): Promise<void>;
  remove(rel: string): Promise<void>;
}

interface Index {
  version: 1;
  turns: CheckpointTurn[];
}

/** Turns kept; older ones (and the texts only they held) are dropped as new ones come. */
export const MAX_CHECKPOINT_TURNS = 50;

export class CheckpointConflictError extends Error {
  constructor(readonly paths: string[]) {
    super(`${paths.join(', ')} changed since MemCode edited ${paths.length === 1 ? 'it' : 'them'}`);
    this.name = 'CheckpointConflictError';
  }
}

export class Checkpoints {
  private readonly indexFile: string;
  private readonly blobDir: string;

  /** `dir`: the checkpoints folder inside the memory folder. */
  constructor(
    readonly dir: string,
    private readonly opts: { maxTurns?: number; clock?: () => Date; warn?: (message: string) => void } = {},
  ) {
    this.indexFile = path.join(dir, 'checkpoints.json');
    this.blobDir = path.join(dir, 'blobs');
  }

  /** Keeps a text (before it is overwritten); returns its hash. Safe to call again with the same text. */
  keep(text: string): string {
    const hash = sha256(text);
    const file = path.join(this.blobDir, hash);
    if (!fs.existsSync(file)) {
      this.ensureFolder();
      writeFileAtomic(file, text);
    }
    return hash;
  }

  /** Records an applied edit in `turnId` (the turn is created on its first edit). */
  record(turnId: string, edit: { path: string; before: string | null; after: string; callId?: string }): CheckpointEdit {
    const index = this.read();
    let turn = index.turns.find((t) => t.id === turnId);
    if (!turn) {
      turn = { id: turnId, started: this.now(), edits: [] };
      index.turns.push(turn);
    }
    const { added, removed } = countLineChanges(edit.before ?? '', edit.after);
    const recorded: CheckpointEdit = {
      ...(edit.callId ? { callId: edit.callId } : {}),
      path: edit.path,
      before: edit.before === null ? null : this.keep(edit.before),
      after: this.keep(edit.after),
      added,
      removed,
      time: this.now(),
    };
    turn.edits.push(recorded);
    this.write(this.pruned(index));
    return recorded;
  }

  turns(): CheckpointTurn[] {
    return this.read().turns;
  }

  /** The files a turn changed, each counted from its text before the turn to its last text in it. */
  changes(turnId: string): TurnFileChange[] {
    const turn = this.read().turns.find((t) => t.id === turnId);
    if (!turn) return [];
    const out: TurnFileChange[] = [];
    for (const p of uniquePaths(turn.edits)) {
      const edits = turn.edits.filter((e) => e.path === p);
      const first = edits[0];
      const last = edits[edits.length - 1];
      const undone = turn.restored === true || edits.every((e) => e.undone);
      const { added, removed } = edits.length === 1 ? first : countLineChanges(this.text(first.before) ?? '', this.text(last.after) ?? '');
      out.push({ path: p, added, removed, created: first.before === null, undone });
    }
    return out;
  }

  /** The edit a tool call made, with its turn. */
  findEdit(callId: string): { turn: CheckpointTurn; edit: CheckpointEdit } | undefined {
    for (const turn of this.read().turns) {
      const edit = turn.edits.find((e) => e.callId === callId);
      if (edit) return { turn, edit };
    }
    return undefined;
  }

  /**
   * Puts back the text the file had before one edit. Refused (CheckpointConflictError) when the file no
   * longer holds what the edit wrote: a later edit or the person changed it, and their work would be lost.
   */
  async undoEdit(callId: string, files: CheckpointFiles): Promise<CheckpointEdit> {
    const found = this.findEdit(callId);
    if (!found) throw new Error('MemCode kept no checkpoint of that edit (it is older than the last 50 turns, or was never applied)');
    const { edit } = found;
    if (edit.undone || found.turn.restored) throw new Error(`the edit to ${edit.path} was already undone`);
    const current = await files.read(edit.path);
    if (current === null || sha256(current) !== edit.after) throw new CheckpointConflictError([edit.path]);
    await this.put(edit.path, edit.before, files);
    const index = this.read();
    for (const t of index.turns) for (const e of t.edits) if (e.callId === callId) e.undone = true;
    this.write(index);
    return edit;
  }

  /**
   * Puts every file back as it was before `turnId`, undoing that turn and every later one. Files changed
   * since MemCode's last edit to them are conflicts: without `force` nothing is written and they are
   * thrown (CheckpointConflictError), so the caller can ask the person. Returns the paths put back.
   */
  async restore(turnId: string, files: CheckpointFiles, opts: { force?: boolean } = {}): Promise<string[]> {
    const index = this.read();
    const at = index.turns.findIndex((t) => t.id === turnId);
    if (at < 0) throw new Error('MemCode kept no checkpoint of that turn (it changed no files, or is older than the last 50 turns)');
    const later = index.turns.slice(at).filter((t) => !t.restored);
    const edits = later.flatMap((t) => t.edits).filter((e) => !e.undone);
    const plan = uniquePaths(edits).map((p) => {
      const mine = edits.filter((e) => e.path === p);
      return { path: p, before: mine[0].before, after: mine[mine.length - 1].after };
    });
    const conflicts: string[] = [];
    for (const step of plan) {
      const current = await files.read(step.path);
      if (current === null || sha256(current) !== step.after) conflicts.push(step.path);
    }
    if (conflicts.length && !opts.force) throw new CheckpointConflictError(conflicts);
    // Every text must be readable before anything is written: a half-restored workspace is worse than none.
    const texts = plan.map((step) => ({ ...step, text: step.before === null ? null : this.requireText(step.before, step.path) }));
    for (const step of texts) {
      if (step.text === null) await files.remove(step.path);
      else await files.write(step.path, step.text);
    }
    for (const t of index.turns.slice(at)) t.restored = true;
    this.write(index);
    return plan.map((s) => s.path);
  }

  /** Keep all: only remembered (the checkpoint stays, so an earlier turn can still be restored past it). */
  markKept(turnId: string): void {
    const index = this.read();
    const turn = index.turns.find((t) => t.id === turnId);
    if (!turn || turn.kept) return;
    turn.kept = true;
    this.write(index);
  }

  /** A kept text by its hash; undefined when it is missing. */
  text(hash: string | null): string | undefined {
    if (hash === null) return undefined;
    try {
      return fs.readFileSync(path.join(this.blobDir, hash), 'utf8');
    } catch {
      return undefined;
    }
  }

  private requireText(hash: string, rel: string): string {
    const text = this.text(hash);
    if (text === undefined) throw new Error(`the checkpoint's copy of ${rel} is missing from ${this.blobDir}`);
    return text;
  }

  private async put(rel: string, hash: string | null, files: CheckpointFiles): Promise<void> {
    if (hash === null) await files.remove(rel);
    else await files.write(rel, this.requireText(hash, rel));
  }

  private read(): Index {
    return readJsonFile<Index>(this.indexFile, { fallback: () => ({ version: 1, turns: [] }), validate: isIndex, warn: this.opts.warn });
  }

  private write(index: Index): void {
    this.ensureFolder();
    writeJsonAtomic(this.indexFile, index);
  }

  private pruned(index: Index): Index {
    const max = this.opts.maxTurns ?? MAX_CHECKPOINT_TURNS;
    if (index.turns.length <= max) return index;
    const kept: Index = { version: 1, turns: index.turns.slice(-max) };
    const used = new Set(kept.turns.flatMap((t) => t.edits.flatMap((e) => [e.before, e.after])));
    for (const name of fs.readdirSync(this.blobDir)) if (!used.has(name)) fs.rmSync(path.join(this.blobDir, name), { force: true });
    return kept;
  }

  private ensureFolder(): void {
    if (fs.existsSync(this.blobDir)) return;
    fs.mkdirSync(this.blobDir, { recursive: true });
    // Old copies of the person's files must never be committed with a memory folder that is.
    fs.writeFileSync(path.join(this.dir, '.gitignore'), '*\n');
  }

  private now(): string {
    return (this.opts.clock?.() ?? new Date()).toISOString();
  }
}

/** Reads and writes workspace files straight on disk (the CLI and the tests; VS Code uses editor changes). */
export function diskCheckpointFiles(workspaceRoot: string, write: (abs: string, content: string) => void): CheckpointFiles {
  const abs = (rel: string) => path.join(workspaceRoot, ...rel.split('/'));
  return {
    read: async (rel) => {
      try {
        return fs.readFileSync(abs(rel), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write: async (rel, content) => write(abs(rel), content),
    remove: async (rel) => fs.rmSync(abs(rel), { force: true }),
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function uniquePaths(edits: readonly CheckpointEdit[]): string[] {
  return [...new Set(edits.map((e) => e.path))];
}

function isIndex(value: unknown): value is Index {
  return isPlainObject(value) && value.version === 1 && Array.isArray(value.turns) && value.turns.every((t) => isPlainObject(t) && typeof t.id === 'string' && Array.isArray(t.edits));
}
