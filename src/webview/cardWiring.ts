// Connects the tool cards to the host: questions put up and settled, applied edits, and the cards'
// buttons (answer, open a file, Undo, Keep all / Undo all). Questions and applied edits are kept in
// `cardState`, so a card drawn again shows them; on load the host is asked for the ones open now.
import type { WebviewMessenger } from '../protocol/messenger';
import type { PendingApproval, TranscriptItem } from '../protocol/shapes';
import { codeBlockExtras } from './markdown';
import { cardState } from './toolCards';
import type { TranscriptView } from './transcript';

/** A question from a code block's button has no tool card of its own: it gets one. */
const STANDALONE: Record<PendingApproval['kind'], string> = { edit: 'apply_to_file', command: 'run_in_terminal', mcp_tool: 'tool' };

export function wireCards(messenger: WebviewMessenger, transcript: TranscriptView, showError: (message: string) => void): void {
  const failed = (what: string) => (e: unknown) => showError(`${what}: ${e instanceof Error ? e.message : String(e)}`);

  const show = (approval: PendingApproval) => {
    if (!approval.callId) return;
    cardState.approvals.set(approval.callId, approval);
    if (transcript.updateCard(approval.callId)) return;
    if (!approval.callId.startsWith('code-')) return; // a card of another session's transcript
    const args = approval.kind === 'edit' ? { path: approval.path } : { command: approval.command };
    transcript.toolCall({ callId: approval.callId, name: STANDALONE[approval.kind], args: JSON.stringify(args), status: 'running', editsMemory: false });
  };

  cardState.actions = {
    answer: (id, answer, reason) => {
      messenger
        .request('approval/answer', { id, answer, ...(reason?.trim() ? { reason: reason.trim() } : {}) })
        .then(({ ok }) => {
          // Answered in the editor first: the host's settled event clears the card.
          if (!ok) cardState.answered.delete(id);
        })
        .catch((e: unknown) => {
          cardState.answered.delete(id);
          for (const approval of cardState.approvals.values()) if (approval.id === id && approval.callId) transcript.updateCard(approval.callId);
          failed('Could not send the answer')(e);
        });
    },
    openFile: (path, line) => void messenger.request('file/open', line ? { path, line } : { path }).catch(failed(`Could not open ${path}`)),
    undoEdit: (callId) => {
      messenger
        .request('edit/undo', { callId })
        .then(() => {
          const change = cardState.changes.get(callId);
          if (change) cardState.changes.set(callId, { ...change, undone: true });
          transcript.updateCard(callId);
        })
        .catch(failed('Could not undo the edit'));
    },
    restoreTurn: (turnId) => {
      // The host may ask the person first (files changed since), so the answer can take a while.
      messenger
        .request('turn/restore', { turnId }, { timeoutMs: 30 * 60_000 })
        .then(({ restored }) => {
          markTurn(turnId, 'undone');
          for (const [callId, change] of cardState.changes) {
            if (restored.includes(change.path) && !change.undone) {
              cardState.changes.set(callId, { ...change, undone: true });
              transcript.updateCard(callId);
            }
          }
        })
        .catch(failed('Could not undo the turn'));
    },
    keepTurn: (turnId) => {
      markTurn(turnId, 'kept');
      void messenger.request('turn/keep', { turnId }).catch(failed('Could not keep the changes'));
    },
  };

  const markTurn = (turnId: string, state: 'kept' | 'undone') => {
    const item = transcript.item(`files-${turnId}`);
    if (item?.type !== 'files') return;
    const files = state === 'undone' ? item.files.map((f) => ({ ...f, undone: true })) : item.files;
    transcript.add({ ...item, files, state } satisfies TranscriptItem);
  };

  codeBlockExtras.apply = (code, language) => void messenger.request('code/apply', language ? { code, language } : { code }).catch(failed('Could not apply the code'));
  codeBlockExtras.run = (code) => void messenger.request('code/run', { code }).catch(failed('Could not run the code'));

  messenger.on('approval/pending', ({ approval }) => show(approval));
  messenger.on('approval/settled', ({ id, callId }) => {
    cardState.answered.delete(id);
    if (!callId || cardState.approvals.get(callId)?.id !== id) return;
    cardState.approvals.delete(callId);
    transcript.updateCard(callId);
  });
  messenger.on('edit/applied', ({ callId, change }) => {
    cardState.changes.set(callId, change);
    transcript.updateCard(callId);
  });

  // Questions still open and edits already made, for a view that was hidden or reloaded.
  void messenger.request('approval/list').then((list) => list.forEach(show), () => undefined);
  void messenger.request('review/state').then(({ edits }) => {
    for (const { callId, change } of edits) {
      cardState.changes.set(callId, change);
      transcript.updateCard(callId);
    }
  }, () => undefined);
}
