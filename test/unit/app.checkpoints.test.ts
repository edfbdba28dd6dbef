import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointConflictError, Checkpoints, diskCheckpointFiles, sha256 } from '../../src/app/checkpoints';
import { countLineChanges } from '../../src/app/lineChanges';
import { memoryPaths } from '../../src/memory/store';
import { writeWorkspaceFile } from '../../src/tools/editTools';
import { removeTempWorkspaces, tempWorkspace, writeFile } from '../helpers/workspace';

/** A workspace on disk and its memory folder's checkpoints; `edit` writes a file the way an applied edit does and records it. */
function setup(maxTurns?: number) {
  const root = tempWorkspace('memcode-checkpoints-');
  const checkpoints = new Checkpoints(memoryPaths(path.join(root, '.memcode')).checkpointsDir, maxTurns ? { maxTurns } : {});
  const files = diskCheckpointFiles(root, writeWorkspaceFile);
  const read = (rel: string) => (fs.existsSync(path.join(root, rel)) ? fs.readFileSync(path.join(root, rel), 'utf8') : null);
  const edit = (turnId: string, rel: string, after: string, callId?: string) => {
    const before = read(rel);
    if (before !== null) checkpoints.keep(before);
    writeWorkspaceFile(path.join(root, rel), after);
    return checkpoints.record(turnId, { path: rel, before, after, ...(callId ? { callId } : {}) });
  };
  return { root, checkpoints, files, read, edit };
}

describe('checkpoints per turn', () => {
  after(removeTempWorkspaces);

  it('keeps the text before a turn in the memory folder, content-addressed and out of git', () => {
    const { root, checkpoints, edit } = setup();
    writeFile(root, 'src/a.ts', 'one\ntwo\n');
    edit('t1', 'src/a.ts', 'one\nTWO\nthree\n', 'call_1');
    const dir = path.join(root, '.memcode', 'checkpoints');
    assert.equal(fs.readFileSync(path.join(dir, 'blobs', sha256('one\ntwo\n')), 'utf8'), 'one\ntwo\n');
    assert.equal(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), '*\n', 'never committed with the memory folder');
    const [turn] = checkpoints.turns();
    assert.equal(turn.id, 't1');
    assert.deepEqual(
      turn.edits.map(({ path: p, callId, added, removed, before }) => ({ p, callId, added, removed, before })),
      [{ p: 'src/a.ts', callId: 'call_1', added: 2, removed: 1, before: sha256('one\ntwo\n') }],
    );
    assert.ok(!fs.existsSync(path.join(root, '.git')), 'nothing was done in git');
  });

  it('sums a turn per file: first text before the turn against its last text in it, new files marked', () => {
    const { root, checkpoints, edit } = setup();
    writeFile(root, 'a.txt', 'a\nb\nc\n');
    edit('t1', 'a.txt', 'a\nB\nc\n');
    edit('t1', 'a.txt', 'a\nB\nc\nd\n');
    edit('t1', 'new.txt', 'x\ny\n');
    assert.deepEqual(checkpoints.changes('t1'), [
      { path: 'a.txt', added: 2, removed: 1, created: false, undone: false },
      { path: 'new.txt', added: 2, removed: 0, created: true, undone: false },
    ]);
    assert.deepEqual(checkpoints.changes('no-such-turn'), []);
  });

  it('undoes one edit when the file still holds what it wrote, and refuses when it changed since', async () => {
    const { root, checkpoints, files, read, edit } = setup();
    writeFile(root, 'a.txt', 'first\n');
    edit('t1', 'a.txt', 'second\n', 'call_1');
    edit('t1', 'a.txt', 'third\n', 'call_2');
    await assert.rejects(checkpoints.undoEdit('call_1', files), (e: unknown) => e instanceof CheckpointConflictError && e.paths[0] === 'a.txt');
    assert.equal(read('a.txt'), 'third\n', 'nothing written on a conflict');
    await checkpoints.undoEdit('call_2', files);
    assert.equal(read('a.txt'), 'second\n');
    await checkpoints.undoEdit('call_1', files);
    assert.equal(read('a.txt'), 'first\n');
    await assert.rejects(checkpoints.undoEdit('call_1', files), /already undone/);
    assert.deepEqual(checkpoints.changes('t1'), [{ path: 'a.txt', added: 1, removed: 1, created: false, undone: true }]);
  });

  it('undoing an edit that created a file deletes it', async () => {
    const { checkpoints, files, read, edit } = setup();
    edit('t1', 'made/by/agent.txt', 'hello\n', 'call_1');
    await checkpoints.undoEdit('call_1', files);
    assert.equal(read('made/by/agent.txt'), null);
  });

  it('restores the workspace as it was before any turn, undoing that turn and the later ones', async () => {
    const { root, checkpoints, files, read, edit } = setup();
    writeFile(root, 'a.txt', 'a0\n');
    writeFile(root, 'b.txt', 'b0\n');
    edit('t1', 'a.txt', 'a1\n');
    edit('t2', 'a.txt', 'a2\n');
    edit('t2', 'b.txt', 'b2\n');
    edit('t3', 'c.txt', 'c3\n');
    edit('t3', 'a.txt', 'a3\n');

    assert.deepEqual((await checkpoints.restore('t2', files)).sort(), ['a.txt', 'b.txt', 'c.txt']);
    assert.deepEqual([read('a.txt'), read('b.txt'), read('c.txt')], ['a1\n', 'b0\n', null], 'as before t2: t1 kept, t2 and t3 undone');
    assert.deepEqual(checkpoints.turns().map((t) => [t.id, t.restored ?? false]), [['t1', false], ['t2', true], ['t3', true]]);
    assert.equal(checkpoints.changes('t3')[0].undone, true);

    assert.deepEqual(await checkpoints.restore('t1', files), ['a.txt'], 'turns already restored are skipped');
    assert.equal(read('a.txt'), 'a0\n');
  });

  it('writes nothing when a file changed since MemCode last edited it, unless forced', async () => {
    const { root, checkpoints, files, read, edit } = setup();
    writeFile(root, 'a.txt', 'a0\n');
    writeFile(root, 'b.txt', 'b0\n');
    edit('t1', 'a.txt', 'a1\n');
    edit('t1', 'b.txt', 'b1\n');
    writeFile(root, 'b.txt', 'b1 and the person typed here\n');
    await assert.rejects(checkpoints.restore('t1', files), (e: unknown) => e instanceof CheckpointConflictError && e.paths.join() === 'b.txt');
    assert.deepEqual([read('a.txt'), read('b.txt')], ['a1\n', 'b1 and the person typed here\n'], 'all or nothing');
    await checkpoints.restore('t1', files, { force: true });
    assert.deepEqual([read('a.txt'), read('b.txt')], ['a0\n', 'b0\n']);
  });

  it('says so when a turn has no checkpoint', async () => {
    const { checkpoints, files } = setup();
    await assert.rejects(checkpoints.restore('t9', files), /no checkpoint of that turn/);
    await assert.rejects(checkpoints.undoEdit('call_9', files), /no checkpoint of that edit/);
  });

  it('keeps the last turns only, and drops the texts only they held', () => {
    const { root, checkpoints, edit } = setup(2);
    writeFile(root, 'a.txt', 'v0\n');
    edit('t1', 'a.txt', 'v1\n');
    edit('t2', 'a.txt', 'v2\n');
    edit('t3', 'a.txt', 'v3\n');
    assert.deepEqual(checkpoints.turns().map((t) => t.id), ['t2', 't3']);
    const blobs = fs.readdirSync(path.join(root, '.memcode', 'checkpoints', 'blobs')).sort();
    assert.deepEqual(blobs, [sha256('v1\n'), sha256('v2\n'), sha256('v3\n')].sort(), 'v0 is gone with t1');
  });

  it('moves a damaged index aside and starts fresh instead of failing the edit', () => {
    const { root, checkpoints, edit } = setup();
    writeFile(root, '.memcode/checkpoints/checkpoints.json', '{ not json');
    const warnings: string[] = [];
    const fresh = new Checkpoints(checkpoints.dir, { warn: (m) => warnings.push(m) });
    writeFile(root, 'a.txt', 'x\n');
    assert.deepEqual(fresh.turns(), []);
    assert.match(warnings.join('\n'), /moved aside/);
    edit('t1', 'a.txt', 'y\n');
    assert.equal(checkpoints.turns().length, 1);
  });
});

describe('line changes', () => {
  it('counts added and removed lines as a diff view does', () => {
    assert.deepEqual(countLineChanges('a\nb\nc\n', 'a\nB\nc\n'), { added: 1, removed: 1 });
    assert.deepEqual(countLineChanges('', 'x\ny\n'), { added: 2, removed: 0 });
    assert.deepEqual(countLineChanges('x\ny\n', ''), { added: 0, removed: 2 });
    assert.deepEqual(countLineChanges('a\nb\n', 'a\nb\n'), { added: 0, removed: 0 });
    assert.deepEqual(countLineChanges('a\nb\nc\nd\n', 'a\nc\nd\ne\n'), { added: 1, removed: 1 });
    assert.deepEqual(countLineChanges('a\r\nb\r\n', 'a\nb\n'), { added: 0, removed: 0 }, 'line endings alone are no change');
  });

  it('stays fast on a large file with a small change', () => {
    const big = Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\n');
    assert.deepEqual(countLineChanges(big, big.replace('line 25000', 'changed')), { added: 1, removed: 1 });
  });
});
