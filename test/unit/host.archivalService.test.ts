import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArchivalService } from '../../src/host/archivalService';
import { archivalModule } from '../../src/indexing/lazy';
import { MemoryStore } from '../../src/memory/store';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';

describe('host archival service', function () {
  after(removeTempWorkspaces);

  function workspace(files: Record<string, string>) {
    const root = tempWorkspace('memcode-archival-service-');
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    const memoryRoot = path.join(root, '.memcode');
    const warnings: string[] = [];
    const service = new ArchivalService({
      workspaceRoot: root,
      memoryRoot,
      embeddings: async () => ({ provider: 'local' }),
      index: () => ({ exclude: [], maxFileSize: 1_000_000 }),
      warn: (m) => warnings.push(m),
      onState: () => {},
      onWritten: () => {},
      lockWaitMs: 100,
      retryLockedMs: 50,
    });
    const indexed = async () => {
      const store = MemoryStore.open(memoryRoot, { warn: () => {} });
      return (await archivalModule().openArchival(store.paths, { provider: 'local' }, { warn: () => {} })).paths();
    };
    return { root, memoryRoot, service, indexed, warnings };
  }

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
