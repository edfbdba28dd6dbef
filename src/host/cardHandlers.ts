// The chat's requests about tool cards: answers to approvals, opening a file, Undo on an edit, Undo all
// (restore a turn's checkpoint), and a code block's Apply to file / Run in terminal. No vscode here: the
// editor is reached through CardEditor (vscodeCards.ts), so the tests run these over a real messenger.
import { CheckpointConflictError, type CheckpointFiles } from '../app/checkpoints';
import type { HostMessenger } from '../protocol/messenger';
import type { ApprovalBoard } from './approvalBoard';
import type { FolderReview } from './editReview';

export interface CardEditor {
  /** The shown folder's review and how its files are written (undoable editor changes in VS Code). */
  review(): { review: FolderReview; files: CheckpointFiles };
  openFile(rel: string, line?: number): Promise<void>;
  /** Asks before overwriting files changed since MemCode's edits; true to go ahead. */
  confirmOverwrite(paths: string[]): Promise<boolean>;
  applyCode(code: string, language?: string): Promise<void>;
  runCode(code: string): Promise<void>;
}

export function registerCardHandlers(messenger: HostMessenger, board: ApprovalBoard, editor: CardEditor): void {
  messenger.on('approval/answer', ({ id, answer, reason }) => ({
    ok: board.answer(id, answer === 'reject' ? { kind: 'reject', ...(reason?.trim() ? { reason: reason.trim() } : {}) } : { kind: answer }),
  }));
  messenger.on('approval/list', () => board.list());
  messenger.on('file/open', ({ path, line }) => editor.openFile(path, line));
  messenger.on('edit/undo', async ({ callId }) => {
    const { review, files } = editor.review();
    try {
      return { path: await review.undoEdit(callId, files) };
    } catch (error) {
      if (error instanceof CheckpointConflictError) {
        throw new Error(`${error.paths[0]} changed after this edit (a later edit or your own): undo the later change first, or use Undo all on the turn`);
      }
      throw error;
    }
  });
  messenger.on('turn/restore', async ({ turnId }) => {
    const { review, files } = editor.review();
    try {
      return { restored: await review.restore(turnId, files, false) };
    } catch (error) {
      if (!(error instanceof CheckpointConflictError)) throw error;
      if (!(await editor.confirmOverwrite(error.paths))) throw new Error(`nothing was restored: ${error.message}`);
      return { restored: await review.restore(turnId, files, true) };
    }
  });
  messenger.on('turn/keep', ({ turnId }) => editor.review().review.keepTurn(turnId));
  messenger.on('review/state', () => ({ edits: editor.review().review.cardChanges() }));
  messenger.on('code/apply', ({ code, language }) => editor.applyCode(code, language));
  messenger.on('code/run', ({ code }) => editor.runCode(code));
}
