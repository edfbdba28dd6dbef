import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { ChangeBatcher, type BatchFolder, type Timers } from '../../src/host/changeBatcher';
import { archivalWorkspace } from '../helpers/archivalWorkspace';
import { removeTempWorkspaces } from '../helpers/workspace';

/** Timers the test runs by hand: `elapse(ms)` fires what is due. */
class ManualTimers implements Timers {
  private now = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; callback: () => void }>();
  set(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.due.set(id, { at: this.now + ms, callback });
    return id;
  }
  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }
  get pending(): number {
    return this.due.size;
  }
  elapse(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.due]) {
      if (t.at > this.now) continue;
      this.due.delete(id);
      t.callback();
    }
  }
}

/** A folder whose archival `update` is recorded; `hold()` keeps the next update running until released. */
class FakeFolder implements BatchFolder {
  readonly updates: Array<{ changed: string[]; removed: string[] }> = [];
  autoUpdateOn = true;
  running = 0;
  maxRunning = 0;
  fail?: Error;
  private gate?: Promise<void>;
  private open?: () => void;

  constructor(
    readonly root: string,
    readonly key = root,
    readonly memoryRoot = path.join(root, '.memcode'),
  ) {}

  autoUpdate(): boolean {
    return this.autoUpdateOn;
  }
  async update(changed: string[], removed: string[]): Promise<void> {
    this.updates.push({ changed: [...changed].sort(), removed: [...removed].sort() });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.gate) await this.gate;
      if (this.fail) throw this.fail;
    } finally {
      this.running--;
    }
  }
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.gate = undefined;
    this.open?.();
  }
  file(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }
}

const QUIET = 1500;
const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const timers = new ManualTimers();
  const log: string[] = [];
  let memoryChanges = 0;
  const batcher = new ChangeBatcher({ quietMs: QUIET, timers, onMemoryChanged: () => memoryChanges++, log: (m) => log.push(m) });
  const folder = new FakeFolder(path.resolve('/ws/project'));
  return { timers, batcher, folder, log, memoryChanges: () => memoryChanges };
}

describe('host change batcher', () => {
  it('applies a burst of saves as one update after a quiet moment, never while they keep coming', async () => {
    const { timers, batcher, folder } = setup();
    batcher.changed(folder, folder.file('src/a.ts'));
    timers.elapse(1000);
    batcher.changed(folder, folder.file('src/b.ts'));
    timers.elapse(1000);
    batcher.changed(folder, folder.file('src/a.ts'));
    timers.elapse(QUIET - 1);
    assert.equal(folder.updates.length, 0, 'each event restarts the quiet period');
    assert.equal(timers.pending, 1, 'one timer at a time');
    timers.elapse(1);
    await batcher.idle();
    assert.deepEqual(folder.updates, [{ changed: ['src/a.ts', 'src/b.ts'], removed: [] }]);
  });

  it('really waits with real timers too', async () => {
    const folder = new FakeFolder(path.resolve('/ws/project'));
    const batcher = new ChangeBatcher({ quietMs: 20, onMemoryChanged: () => {} });
    batcher.changed(folder, folder.file('a.ts'));
    assert.equal(folder.updates.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await batcher.idle();
    assert.deepEqual(folder.updates, [{ changed: ['a.ts'], removed: [] }]);
    batcher.dispose();
  });

  it('drops a file created or saved and then deleted from the changes, and removes it', async () => {
    const { batcher, folder } = setup();
    batcher.changed(folder, folder.file('tmp.ts'));
    batcher.deleted(folder, folder.file('tmp.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: [], removed: ['tmp.ts'] }]);
  });

  it('re-adds a file deleted and then created again (an editor that saves by replacing the file)', async () => {
    const { batcher, folder } = setup();
    batcher.deleted(folder, folder.file('src/a.ts'));
    batcher.changed(folder, folder.file('src/a.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: ['src/a.ts'], removed: [] }]);
  });

  it('turns a rename (a delete and a create) into removing the old path and indexing the new one', async () => {
    const { batcher, folder } = setup();
    batcher.deleted(folder, folder.file('src/old.ts'));
    batcher.changed(folder, folder.file('src/new.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: ['src/new.ts'], removed: ['src/old.ts'] }]);
  });

  it('ends with the right paths when a file is renamed away and back before the batch runs', async () => {
    const { batcher, folder } = setup();
    batcher.deleted(folder, folder.file('a.ts'));
    batcher.changed(folder, folder.file('b.ts'));
    batcher.deleted(folder, folder.file('b.ts'));
    batcher.changed(folder, folder.file('a.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: ['a.ts'], removed: ['b.ts'] }]);
  });

  it('renames a folder as one removed and one changed folder, dropping pending changes under the old one', async () => {
    const { batcher, folder } = setup();
    batcher.changed(folder, folder.file('lib/util.ts'));
    batcher.deleted(folder, folder.file('lib'));
    batcher.changed(folder, folder.file('src/lib'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: ['src/lib'], removed: ['lib'] }]);
  });

  it('ignores .git, node_modules, the folder itself and paths outside it', async () => {
    const { batcher, folder } = setup();
    batcher.changed(folder, folder.file('.git/index'));
    batcher.changed(folder, folder.file('node_modules/x/index.js'));
    batcher.changed(folder, folder.file('packages/a/node_modules/y.js'));
    batcher.deleted(folder, folder.root);
    batcher.changed(folder, path.resolve('/ws/elsewhere/a.ts'));
    batcher.changed(folder, folder.file('.gitignore'));
    await batcher.flush();
    assert.deepEqual(folder.updates, [{ changed: ['.gitignore'], removed: [] }]);
  });

  it('refreshes memory instead of indexing when a block file in the memory folder changes', async () => {
    const { batcher, folder, timers, memoryChanges } = setup();
    batcher.changed(folder, path.join(folder.memoryRoot, 'memory', 'project.md'));
    batcher.deleted(folder, path.join(folder.memoryRoot, 'memory', 'task.md'));
    assert.equal(memoryChanges(), 2);
    batcher.changed(folder, path.join(folder.memoryRoot, 'recall', 'messages.jsonl'));
    batcher.changed(folder, path.join(folder.memoryRoot, 'archival', 'files.json'));
    assert.equal(memoryChanges(), 2, 'the agent’s own writes elsewhere in the memory folder are not block edits');
    assert.equal(timers.pending, 0, 'nothing to index');
    await batcher.flush();
    assert.deepEqual(folder.updates, []);
  });

  it('follows memcode.storagePath: block edits in the moved memory folder refresh memory, .memcode is then a plain folder', async () => {
    let changes = 0;
    const batcher = new ChangeBatcher({ quietMs: QUIET, timers: new ManualTimers(), onMemoryChanged: () => changes++ });
    const folder = new FakeFolder(path.resolve('/ws/project'), 'k', path.resolve('/ws/project/notes/mem'));
    batcher.changed(folder, path.resolve('/ws/project/notes/mem/memory/project.md'));
    batcher.changed(folder, path.resolve('/ws/project/.memcode/memory/project.md'));
    await batcher.flush();
    assert.equal(changes, 1 + 1, 'one block edit, then one refresh after the update');
    assert.deepEqual(folder.updates, [{ changed: ['.memcode/memory/project.md'], removed: [] }]);
  });

  it('refreshes memory after each applied batch', async () => {
    const { batcher, folder, memoryChanges } = setup();
    batcher.changed(folder, folder.file('a.ts'));
    await batcher.flush();
    assert.equal(memoryChanges(), 1);
  });

  it('drops batches while memcode.index.autoUpdate is off, reading it when a batch is due', async () => {
    const { batcher, folder, timers } = setup();
    folder.autoUpdateOn = false;
    batcher.changed(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    await batcher.idle();
    assert.deepEqual(folder.updates, []);
    folder.autoUpdateOn = true;
    batcher.changed(folder, folder.file('b.ts'));
    timers.elapse(QUIET);
    await batcher.idle();
    assert.deepEqual(folder.updates, [{ changed: ['b.ts'], removed: [] }], 'a.ts was dropped, not kept for later');
  });

  it('keeps one batch per folder and updates each folder with its own paths', async () => {
    const { batcher, folder, timers } = setup();
    const other = new FakeFolder(path.resolve('/ws/other'));
    batcher.changed(folder, folder.file('a.ts'));
    batcher.changed(other, other.file('a.ts'));
    batcher.deleted(other, other.file('b.ts'));
    timers.elapse(QUIET);
    await batcher.idle();
    assert.deepEqual(folder.updates, [{ changed: ['a.ts'], removed: [] }]);
    assert.deepEqual(other.updates, [{ changed: ['a.ts'], removed: ['b.ts'] }]);
  });

  it('runs in the background: the event that ends the quiet period does not wait for the update', async () => {
    const { batcher, folder, timers } = setup();
    folder.hold();
    batcher.changed(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    assert.equal(folder.running, 1, 'started');
    batcher.changed(folder, folder.file('b.ts')); // returns at once while the update runs
    folder.release();
    await batcher.idle();
  });

  it('never overlaps two updates of one folder: what arrives meanwhile waits and goes next', async () => {
    const { batcher, folder, timers } = setup();
    folder.hold();
    batcher.changed(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    batcher.changed(folder, folder.file('b.ts'));
    batcher.deleted(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    await tick();
    assert.equal(folder.updates.length, 1, 'the second batch waits for the first');
    folder.release();
    await batcher.idle();
    assert.equal(folder.maxRunning, 1);
    assert.deepEqual(folder.updates, [
      { changed: ['a.ts'], removed: [] },
      { changed: ['b.ts'], removed: ['a.ts'] },
    ]);
  });

  it('starts the queued batch as soon as the running one ends when the quiet period has already passed', async () => {
    const { batcher, folder, timers } = setup();
    folder.hold();
    batcher.changed(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    batcher.changed(folder, folder.file('b.ts'));
    timers.elapse(QUIET); // due, but the first is still running
    assert.equal(timers.pending, 0);
    folder.release();
    await batcher.idle();
    assert.equal(folder.updates.length, 2);
  });

  it('lets the quiet period finish when more arrives while an update runs', async () => {
    const { batcher, folder, timers } = setup();
    folder.hold();
    batcher.changed(folder, folder.file('a.ts'));
    timers.elapse(QUIET);
    batcher.changed(folder, folder.file('b.ts'));
    folder.release();
    await batcher.idle();
    assert.equal(folder.updates.length, 1, 'b.ts waits for its quiet period');
    timers.elapse(QUIET);
    await batcher.idle();
    assert.deepEqual(folder.updates[1], { changed: ['b.ts'], removed: [] });
  });

  it('logs a failed update and goes on with the next batch', async () => {
    const { batcher, folder, log } = setup();
    folder.fail = new Error('disk full');
    batcher.changed(folder, folder.file('a.ts'));
    await batcher.flush();
    assert.match(log.join('\n'), /archival update of .* failed: disk full/);
    folder.fail = undefined;
    batcher.changed(folder, folder.file('b.ts'));
    await batcher.flush();
    assert.equal(folder.updates.length, 2);
  });

  it('uses the newest object the host gives for a folder (the folder was restarted)', async () => {
    const { batcher, folder } = setup();
    const restarted = new FakeFolder(folder.root, folder.key);
    batcher.changed(folder, folder.file('a.ts'));
    batcher.changed(restarted, folder.file('b.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, []);
    assert.deepEqual(restarted.updates, [{ changed: ['a.ts', 'b.ts'], removed: [] }]);
  });

  it('drops what has not started when disposed', async () => {
    const { batcher, folder, timers } = setup();
    batcher.changed(folder, folder.file('a.ts'));
    batcher.dispose();
    assert.equal(timers.pending, 0);
    batcher.changed(folder, folder.file('b.ts'));
    await batcher.flush();
    assert.deepEqual(folder.updates, []);
  });

  describe('with the real archival memory', () => {
    after(removeTempWorkspaces);

    /** A workspace indexed into archival memory, and a batcher feeding it as the watcher would. */
    async function indexedWorkspace(files: Record<string, string>) {
      const { root, memoryRoot, folder: memory, indexed, warnings } = archivalWorkspace(files);
      await memory.index({});
      const folder: BatchFolder = { key: root, root, memoryRoot, autoUpdate: () => true, update: (c, r) => memory.update(c, r) };
      const batcher = new ChangeBatcher({ quietMs: QUIET, timers: new ManualTimers(), onMemoryChanged: () => {}, log: (m) => warnings.push(m) });
      /** Renames on disk and reports it as VS Code does: a delete of the old path, a create of the new one. */
      const rename = (from: string, to: string) => {
        fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
        fs.renameSync(path.join(root, from), path.join(root, to));
        batcher.deleted(folder, path.join(root, from));
        batcher.changed(folder, path.join(root, to));
      };
      return { root, memory, batcher, folder, indexed, rename, warnings };
    }

    it('moves a renamed file in archival memory', async () => {
      const ws = await indexedWorkspace({ 'src/old.ts': 'export function parseConfig() {\n  return 1;\n}\n', 'src/keep.ts': 'export const keep = 1;\n' });
      assert.deepEqual(await ws.indexed(), ['src/keep.ts', 'src/old.ts']);
      ws.rename('src/old.ts', 'src/new.ts');
      await ws.batcher.flush();
      assert.deepEqual(await ws.indexed(), ['src/keep.ts', 'src/new.ts']);
      assert.deepEqual(ws.warnings, []);
    });

    it('moves everything under a renamed folder, reported as just the folder', async () => {
      const ws = await indexedWorkspace({ 'lib/a.ts': 'export const a = 1;\n', 'lib/deep/b.ts': 'export const b = 2;\n', 'main.ts': 'import { a } from "./lib/a";\n' });
      ws.rename('lib', 'src/lib');
      await ws.batcher.flush();
      assert.deepEqual(await ws.indexed(), ['main.ts', 'src/lib/a.ts', 'src/lib/deep/b.ts']);
    });

    it('keeps a file renamed away and back, and forgets a deleted one', async () => {
      const ws = await indexedWorkspace({ 'a.ts': 'export const a = 1;\n', 'gone.ts': 'export const gone = 1;\n' });
      ws.rename('a.ts', 'b.ts');
      ws.rename('b.ts', 'a.ts');
      fs.rmSync(path.join(ws.root, 'gone.ts'));
      ws.batcher.deleted(ws.folder, path.join(ws.root, 'gone.ts'));
      await ws.batcher.flush();
      assert.deepEqual(await ws.indexed(), ['a.ts']);
    });
  });
});
