// Review after edits: each folder's turns and their checkpoints (app/checkpoints.ts). A turn that applied
// edits ends with a "files changed" item (Keep all / Undo all); each applied edit reports its file and
// +/− lines to its card (Open / Undo). No vscode here: files are written through CheckpointFiles.
import * as path from 'node:path';
import { Checkpoints, type CheckpointFiles } from '../app/checkpoints';
import { memoryPaths } from '../memory/store';
import type { HostToWebview } from '../protocol/messages';
import type { ToolCardChange, TranscriptItem } from '../protocol/shapes';
import type { AppliedChange } from '../tools/types';
import type { EditRecorder } from './approvals';

export type ChatEmit = <K extends keyof HostToWebview & string>(name: K, data: HostToWebview[K][0]) => void;

/** One workspace folder's review: its memory folder's checkpoints and the turn running now. */
export class FolderReview implements EditRecorder {
  private turn?: string;
  private seq = 0;

  constructor(
    private readonly workspaceRoot: string,
    /** The memory folder (it can move with memcode.storagePath, so it is asked each time). */
    private readonly memoryRoot: () => string,
    private readonly emit: ChatEmit,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  checkpoints(): Checkpoints {
    return new Checkpoints(memoryPaths(this.memoryRoot()).checkpointsDir, { warn: this.warn });
  }

  /** A turn starts: edits from now on go into its checkpoint. */
  beginTurn(): string {
    this.turn = `turn-${Date.now().toString(36)}-${this.seq++}`;
    return this.turn;
  }

  /** The turn ended: its "files changed" item, when it changed any. */
  endTurn(): TranscriptItem | undefined {
    const turnId = this.turn;
    this.turn = undefined;
    if (!turnId) return undefined;
    return this.summary(turnId);
  }

  summary(turnId: string): TranscriptItem | undefined {
    const files = this.checkpoints().changes(turnId);
    if (!files.length) return undefined;
    return {
      type: 'files',
      id: `files-${turnId}`,
      turnId,
      files: files.map((f) => ({ path: f.path, added: f.added, removed: f.removed, ...(f.created ? { created: true } : {}), ...(f.undone ? { undone: true } : {}) })),
      time: new Date().toISOString(),
    };
  }

  /**
   * A transcript read from recall, with each turn's "files changed" item where the live view had it: after
   * the turn's last edit card and the replies that follow it, before the next message of the person.
   */
  withSummaries(items: TranscriptItem[]): TranscriptItem[] {
    const turns = this.checkpoints().turns();
    if (!turns.length) return items;
    const out = [...items];
    for (const turn of turns) {
      const calls = new Set(turn.edits.map((e) => e.callId).filter((c): c is string => c !== undefined));
      if (!calls.size || out.some((i) => i.id === `files-${turn.id}`)) continue;
      let at = -1;
      out.forEach((item, i) => {
        if (item.type === 'tool' && calls.has(item.card.callId)) at = i;
      });
      if (at < 0) continue; // another session's turn
      let end = at + 1;
      while (end < out.length && out[end].type !== 'user') end++;
      const summary = this.summary(turn.id);
      if (!summary || summary.type !== 'files') continue;
      const time = turn.edits[turn.edits.length - 1].time;
      const state = turn.restored ? ('undone' as const) : turn.kept ? ('kept' as const) : undefined;
      out.splice(end, 0, { ...summary, time, ...(state ? { state } : {}) });
    }
    return out;
  }

  beforeApply(_absPath: string, change: AppliedChange): void {
    if (!change.created) this.checkpoints().keep(change.before);
  }

  applied(absPath: string, content: string, change: AppliedChange): void {
    // An edit outside a turn (a code block's Apply while the agent is idle) is a turn of its own.
    const turnId = this.turn ?? `apply-${Date.now().toString(36)}-${this.seq++}`;
    const rel = change.path || path.relative(this.workspaceRoot, absPath).split(path.sep).join('/');
    const edit = this.checkpoints().record(turnId, { path: rel, before: change.created ? null : change.before, after: content, ...(change.callId ? { callId: change.callId } : {}) });
    if (change.callId) {
      this.emit('edit/applied', {
        callId: change.callId,
        change: { path: rel, added: edit.added, removed: edit.removed, ...(change.created ? { created: true } : {}), turnId },
      });
    }
  }

  /** Every kept edit made by a tool call, as its card shows it. */
  cardChanges(): Array<{ callId: string; change: ToolCardChange }> {
    return this.checkpoints()
      .turns()
      .flatMap((turn) =>
        turn.edits.flatMap((e) =>
          e.callId
            ? [{ callId: e.callId, change: { path: e.path, added: e.added, removed: e.removed, ...(e.before === null ? { created: true } : {}), ...(e.undone || turn.restored ? { undone: true } : {}), turnId: turn.id } }]
            : [],
        ),
      );
  }

  async undoEdit(callId: string, files: CheckpointFiles): Promise<string> {
    const edit = await this.checkpoints().undoEdit(callId, files);
    return edit.path;
  }

  keepTurn(turnId: string): void {
    this.checkpoints().markKept(turnId);
  }

  async restore(turnId: string, files: CheckpointFiles, force: boolean): Promise<string[]> {
    return this.checkpoints().restore(turnId, files, { force });
  }
}
