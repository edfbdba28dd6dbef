import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diskCheckpointFiles } from '../../src/app/checkpoints';
import { ApprovalBoard, type ApprovalAnswer } from '../../src/host/approvalBoard';
import { registerCardHandlers, type CardEditor } from '../../src/host/cardHandlers';
import { FolderReview } from '../../src/host/editReview';
import type { HostToWebview } from '../../src/protocol/messages';
import type { TranscriptItem } from '../../src/protocol/shapes';
import { createHostMessenger, createWebviewMessenger } from '../../src/protocol/messenger';
import { writeWorkspaceFile } from '../../src/tools/editTools';
import { createTransportPair } from '../helpers/transportPair';
import { removeTempWorkspaces, tempWorkspace, writeFile } from '../helpers/workspace';

/** Both ends of the real messenger, a FolderReview over a temp workspace, and an editor that records. */
function setup() {
  const root = tempWorkspace('memcode-cards-');
  const events: Array<{ name: string; data: unknown }> = [];
  const review = new FolderReview(root, () => path.join(root, '.memcode'), ((name: string, data: unknown) => events.push({ name, data })) as never);
  const board = new ApprovalBoard();
  const calls: string[] = [];
  let overwrite = false;
  const editor: CardEditor = {
    review: () => ({ review, files: diskCheckpointFiles(root, writeWorkspaceFile) }),
    openFile: async (rel, line) => void calls.push(`open ${rel}${line ? `:${line}` : ''}`),
    confirmOverwrite: async (paths) => (calls.push(`confirm ${paths.join(',')}`), overwrite),
    applyCode: async (code) => void calls.push(`apply ${code}`),
    runCode: async (code) => void calls.push(`run ${code}`),
  };
  const [a, b] = createTransportPair();
  const host = createHostMessenger(a);
  registerCardHandlers(host, board, editor);
  const webview = createWebviewMessenger(b);
  const read = (rel: string) => (fs.existsSync(path.join(root, rel)) ? fs.readFileSync(path.join(root, rel), 'utf8') : null);
  /** What the agent's edit tool does through VsCodeApprovals.applyEdit: checkpoint, write, record. */
  const applyEdit = (rel: string, after: string, callId: string) => {
    const before = read(rel);
    const change = { path: rel, before: before ?? '', created: before === null, callId };
    review.beforeApply(path.join(root, rel), change);
    writeWorkspaceFile(path.join(root, rel), after);
    review.applied(path.join(root, rel), after, change);
  };
  return { root, review, board, webview, calls, events, read, applyEdit, setOverwrite: (v: boolean) => (overwrite = v) };
}

describe('tool card requests', () => {
  after(removeTempWorkspaces);

  it('answers a question from its card once; a second answer is too late', async () => {
    const { board, webview } = setup();
    const asked = board.ask({ kind: 'command', callId: 'call_1', title: 'Run `npm test`', command: 'npm test' });
    assert.deepEqual((await webview.request('approval/list')).map((a) => a.id), [asked.id]);
    assert.deepEqual(await webview.request('approval/answer', { id: asked.id, answer: 'reject', reason: '  use pnpm ' }), { ok: true });
    assert.deepEqual(await asked.answer, { kind: 'reject', reason: 'use pnpm' } satisfies ApprovalAnswer);
    assert.deepEqual(await webview.request('approval/answer', { id: asked.id, answer: 'accept' }), { ok: false });
    assert.deepEqual(await webview.request('approval/list'), []);
  });

  it('a turn that changed files ends with its summary; each edit reports its file and lines to its card', async () => {
    const { root, review, events, applyEdit } = setup();
    writeFile(root, 'src/a.ts', 'a\nb\n');
    const turn = review.beginTurn();
    applyEdit('src/a.ts', 'a\nB\nc\n', 'call_1');
    applyEdit('notes.md', '# new\n', 'call_2');
    const item = review.endTurn();
    assert.deepEqual(item && { ...item, time: 'T' }, {
      type: 'files',
      id: `files-${turn}`,
      turnId: turn,
      files: [
        { path: 'src/a.ts', added: 2, removed: 1 },
        { path: 'notes.md', added: 1, removed: 0, created: true },
      ],
      time: 'T',
    });
    assert.deepEqual(events[0], { name: 'edit/applied', data: { callId: 'call_1', change: { path: 'src/a.ts', added: 2, removed: 1, turnId: turn } } satisfies HostToWebview['edit/applied'][0] });
    review.beginTurn();
    assert.equal(review.endTurn(), undefined, 'a turn without edits has no summary');
  });

  it('Undo on an edit card puts the file back; review/state tells a reloaded view which edits are undone', async () => {
    const { root, review, webview, read, applyEdit } = setup();
    writeFile(root, 'a.txt', 'before\n');
    const turn = review.beginTurn();
    applyEdit('a.txt', 'after\n', 'call_1');
    review.endTurn();
    assert.deepEqual(await webview.request('edit/undo', { callId: 'call_1' }), { path: 'a.txt' });
    assert.equal(read('a.txt'), 'before\n');
    assert.deepEqual(await webview.request('review/state'), { edits: [{ callId: 'call_1', change: { path: 'a.txt', added: 1, removed: 1, undone: true, turnId: turn } }] });
  });

  it('refuses to undo an edit the person changed since, saying what to do', async () => {
    const { root, review, webview, read, applyEdit } = setup();
    writeFile(root, 'a.txt', 'before\n');
    review.beginTurn();
    applyEdit('a.txt', 'after\n', 'call_1');
    writeFile(root, 'a.txt', 'after, then the person typed\n');
    await assert.rejects(webview.request('edit/undo', { callId: 'call_1' }), /a\.txt changed after this edit/);
    assert.equal(read('a.txt'), 'after, then the person typed\n');
  });

  it('Undo all restores the turn, asking first when files changed since, and writes nothing on No', async () => {
    const { root, review, webview, read, applyEdit, calls, setOverwrite } = setup();
    writeFile(root, 'a.txt', 'a0\n');
    const turn = review.beginTurn();
    applyEdit('a.txt', 'a1\n', 'call_1');
    applyEdit('b.txt', 'b1\n', 'call_2');
    review.endTurn();
    writeFile(root, 'b.txt', 'b1 edited by hand\n');
    await assert.rejects(webview.request('turn/restore', { turnId: turn }), /nothing was restored: b\.txt changed/);
    assert.deepEqual(calls, ['confirm b.txt']);
    assert.deepEqual([read('a.txt'), read('b.txt')], ['a1\n', 'b1 edited by hand\n']);
    setOverwrite(true);
    assert.deepEqual(await webview.request('turn/restore', { turnId: turn }), { restored: ['a.txt', 'b.txt'] });
    assert.deepEqual([read('a.txt'), read('b.txt')], ['a0\n', null], 'b.txt did not exist before the turn');
  });

  it('puts each turn\'s summary back into a transcript read from recall, after its replies and before the next message', async () => {
    const { root, review, webview, applyEdit } = setup();
    writeFile(root, 'a.txt', 'a0\n');
    const turn = review.beginTurn();
    applyEdit('a.txt', 'a1\n', 'call_1');
    review.endTurn();
    const T = '2026-01-01T00:00:00Z';
    const card = (callId: string) => ({ callId, name: 'edit_file', args: '{}', status: 'ok' as const, editsMemory: false });
    const items: TranscriptItem[] = [
      { type: 'user', id: 'm1', text: 'edit a', time: T },
      { type: 'tool', id: 'tcall_1', card: card('call_1') },
      { type: 'assistant', id: 'm3', text: 'done', time: T },
      { type: 'user', id: 'm4', text: 'thanks', time: T },
      { type: 'tool', id: 'tcall_other', card: card('call_other') },
    ];
    const shown = review.withSummaries(items);
    assert.deepEqual(shown.map((i) => i.id), ['m1', 'tcall_1', 'm3', `files-${turn}`, 'm4', 'tcall_other']);
    assert.deepEqual(review.withSummaries(shown).map((i) => i.id), shown.map((i) => i.id), 'added once');
    assert.deepEqual(review.withSummaries(items.slice(3)).map((i) => i.id), ['m4', 'tcall_other'], 'a transcript without the turn\'s cards gets no summary');
    await webview.request('turn/keep', { turnId: turn });
    const kept = review.withSummaries(items).find((i) => i.type === 'files');
    assert.equal(kept?.type === 'files' && kept.state, 'kept', 'Keep all is remembered');
    await webview.request('turn/restore', { turnId: turn });
    const after = review.withSummaries(items).find((i) => i.type === 'files');
    assert.equal(after?.type === 'files' && after.state, 'undone');
  });

  it('opens files and passes code blocks on to the editor', async () => {
    const { webview, calls } = setup();
    await webview.request('file/open', { path: 'src/a.ts', line: 12 });
    await webview.request('code/apply', { code: 'x = 1', language: 'python' });
    await webview.request('code/run', { code: 'npm test' });
    assert.deepEqual(calls, ['open src/a.ts:12', 'apply x = 1', 'run npm test']);
    await assert.rejects(webview.request('file/open', { path: '' }), /path must not be empty/);
  });
});
