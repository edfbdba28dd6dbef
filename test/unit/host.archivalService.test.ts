import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryStore } from '../../src/memory/store';
import { archivalWorkspace } from '../helpers/archivalWorkspace';
import { removeTempWorkspaces } from '../helpers/workspace';

describe('host archival service', function () {
  after(removeTempWorkspaces);

  const workspace = (files: Record<string, string>) => archivalWorkspace(files, { lockWaitMs: 100, retryLockedMs: 50 });

  it('applies a file saved during an index run once the run ends, instead of dropping it', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n' });
    let late: Promise<void> | undefined;
    await ws.service.index({
      onProgress: (p) => {
        // The walk is over when files start being stored: a file saved now is not in this run.
        if (p.phase === 'indexing' && !late) {
          fs.writeFileSync(path.join(ws.root, 'src/late.ts'), 'export const late = 3;\n');
          late = ws.service.update(['src/late.ts'], []);
        }
      },
    });
    await late;
    await ws.service.update([], []); // waits for the drain the end of the run started
    assert.deepEqual(await ws.indexed(), ['src/a.ts', 'src/b.ts', 'src/late.ts']);
  });

  it('keeps updates while another turn holds the memory folder, and applies them after', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.service.index({});
    fs.writeFileSync(path.join(ws.root, 'src/b.ts'), 'export const b = 2;\n');
    let release!: () => void;
    const held = MemoryStore.open(ws.memoryRoot).withLock('a chat turn', () => new Promise<void>((resolve) => (release = resolve)), 1_000);
    while (!release) await new Promise((r) => setTimeout(r, 10));
    await ws.service.update(['src/b.ts'], []);
    assert.deepEqual(await ws.indexed(), ['src/a.ts'], 'not applied while the folder is held');
    release();
    await held;
    const deadline = Date.now() + 20_000;
    while (!(await ws.indexed()).includes('src/b.ts')) {
      assert.ok(Date.now() < deadline, `the held-back update was never applied: ${JSON.stringify(ws.service.state)} ${ws.warnings.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    ws.service.dispose();
  });

  it('drops updates before the first index: the index will see the files as they are then', async () => {
    const ws = workspace({ 'src/a.ts': 'export const a = 1;\n' });
    await ws.service.update(['src/a.ts'], []);
    assert.equal(ws.service.state.status, 'not_indexed');
    assert.equal(fs.existsSync(path.join(ws.memoryRoot, 'archival')), false);
  });
});
