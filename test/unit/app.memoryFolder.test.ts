import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryStore } from '../../src/memory/store';
import { archivalWorkspace } from '../helpers/archivalWorkspace';
import { archivalParts } from '../../src/app/lazyArchival';
import { removeTempWorkspaces } from '../helpers/workspace';

describe('memory folder (one archival memory per folder)', function () {
  after(removeTempWorkspaces);

  const workspace = (files: Record<string, string>) => archivalWorkspace(files, { lockWaitMs: 100, retryLockedMs: 50 });

  it('applies a file saved during an index run once the run ends, instead of dropping it', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n' });
    let late: Promise<void> | undefined;
    await ws.folder.index({
      onProgress: (p) => {
        // The walk is over when files start being stored: a file saved now is not in this run.
        if (p.phase === 'indexing' && !late) {
          fs.writeFileSync(path.join(ws.root, 'src/late.ts'), 'export const late = 3;\n');
          late = ws.folder.update(['src/late.ts'], []);
        }
      },
    });
    await late;
    await ws.folder.update([], []); // waits for the drain the end of the run started
    assert.deepEqual(await ws.indexed(), ['src/a.ts', 'src/b.ts', 'src/late.ts']);
  });

  it('keeps updates while another turn holds the memory folder, and applies them after', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.folder.index({});
    fs.writeFileSync(path.join(ws.root, 'src/b.ts'), 'export const b = 2;\n');
    let release!: () => void;
    const held = MemoryStore.open(ws.memoryRoot).withLock('a chat turn', () => new Promise<void>((resolve) => (release = resolve)), 1_000);
    while (!release) await new Promise((r) => setTimeout(r, 10));
    await ws.folder.update(['src/b.ts'], []);
    assert.deepEqual(await ws.indexed(), ['src/a.ts'], 'not applied while the folder is held');
    release();
    await held;
    const deadline = Date.now() + 20_000;
    while (!(await ws.indexed()).includes('src/b.ts')) {
      assert.ok(Date.now() < deadline, `the held-back update was never applied: ${JSON.stringify(ws.folder.state)} ${ws.warnings.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    ws.folder.dispose();
  });

  it('keeps one archival memory for the folder: a save updates it in place, and every user sees it', async () => {
    const ws = workspace({ 'src/a.ts': 'export function alphaHandler() {\n  return 1;\n}\n' });
    await ws.folder.index({});
    const first = await ws.folder.archival();
    fs.writeFileSync(path.join(ws.root, 'src/b.ts'), 'export function betaHandler() {\n  return 2;\n}\n');
    await ws.folder.update(['src/b.ts'], []);
    const after = await ws.folder.archival();
    assert.equal(after, first, 'the same store, not a re-opened copy');
    assert.equal((await after.search('betaHandler', { pageSize: 1 })).results[0]?.path, 'src/b.ts');
    assert.deepEqual(ws.folder.state, { status: 'ready', files: 2, chunks: after.count() });
  });

  it('sees what another process indexed, without re-opening', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.folder.index({});
    const mine = await ws.folder.archival();
    // Another process (the CLI) adds a file with a store of its own.
    fs.writeFileSync(path.join(ws.root, 'src/late.ts'), 'export function lateArrival() {\n  return 3;\n}\n');
    const { MemoryStore } = await import('../../src/memory/store');
    const store = MemoryStore.open(ws.memoryRoot, { warn: () => {} });
    const theirs = await archivalParts().openArchivalStore(store.paths, { provider: 'local' });
    await (await archivalParts().createIndexer(ws.root, store.paths, theirs)).updateFiles(['src/late.ts']);
    const seen = await ws.folder.archival();
    assert.equal(seen, mine);
    assert.deepEqual(seen.paths(), ['src/a.ts', 'src/late.ts']);
  });

  it('rebuilds in place: whoever asks next gets the new store', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.folder.index({});
    const old = await ws.folder.archival();
    await ws.folder.addNote('a note that a rebuild keeps (issue 15 item 8)');
    await ws.folder.index({ rebuild: true });
    const fresh = await ws.folder.archival();
    assert.deepEqual(fresh.countBySource(), { file: 1, note: 1 });
    assert.notEqual(fresh, old);
  });

  it('drops updates before the first index: the index will see the files as they are then', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.folder.update(['src/a.ts'], []);
    assert.equal(ws.folder.state.status, 'not_indexed');
    assert.equal(fs.existsSync(path.join(ws.memoryRoot, 'archival')), false);
  });
});
