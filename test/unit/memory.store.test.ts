import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../../src/memory/atomicFile';
import { RecallLog } from '../../src/memory/recall';
import { SessionList } from '../../src/memory/sessions';
import { blockFile, MEMORY_FOLDER_NAME, MemoryStore, memoryPaths, memoryRoot } from '../../src/memory/store';
import { MemoryError, SCHEMA_VERSION } from '../../src/memory/types';
import { WorkingContext } from '../../src/memory/workingContext';

describe('memory folder', () => {
  let dir: string;
  let root: string;
  let warnings: string[];
  const warn = (m: string) => warnings.push(m);
  const clock = () => new Date('2026-03-02T09:00:00Z');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-store-'));
    root = path.join(dir, '.memcode');
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the layout of DESIGN.md §5 exactly, with a .gitignore of *', () => {
    const store = MemoryStore.open(root, { clock, warn, model: 'gpt-test' });
    const wc = new WorkingContext(store.paths.memoryDir, { warn });
    wc.load();
    const recall = RecallLog.open(store.paths, { clock, warn });
    const sessions = SessionList.open(store.paths, { clock, warn });
    recall.append({ session: sessions.current().id, role: 'user', content: 'hi', tokens: 1 });
    recall.saveState({ summary: 'nothing yet' });
    const lock = fs.existsSync(store.paths.lockFile);

    const list = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [`${e.name}/`, ...list(path.join(d, e.name)).map((n) => `${e.name}/${n}`)] : [e.name]));
    assert.deepEqual(list(root).sort(), [
      '.gitignore',
      'agent.json',
      'archival/',
      'memory/',
      'memory/project.md',
      'memory/task.md',
      'memory/user.md',
      'recall/',
      'recall/messages.jsonl',
      'recall/state.json',
      'sessions.json',
    ]);
    assert.equal(lock, false, 'no lock is held just by opening');
    assert.equal(fs.readFileSync(path.join(root, '.gitignore'), 'utf8'), '*\n');
    const agent = JSON.parse(fs.readFileSync(store.paths.agentFile, 'utf8'));
    assert.equal(agent.schemaVersion, SCHEMA_VERSION);
    assert.equal(agent.created, '2026-03-02T09:00:00.000Z');
    assert.equal(agent.model, 'gpt-test');
    assert.match(agent.agentId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(warnings, []);
  });

  it('names every path of the layout under the root', () => {
    const p = memoryPaths(root);
    assert.equal(p.root, path.resolve(root));
    assert.equal(p.messagesFile, path.join(root, 'recall', 'messages.jsonl'));
    assert.equal(p.stateFile, path.join(root, 'recall', 'state.json'));
    assert.equal(p.sessionsFile, path.join(root, 'sessions.json'));
    assert.equal(p.lockFile, path.join(root, 'lock'));
    assert.equal(p.archivalDir, path.join(root, 'archival'));
    assert.equal(p.archivalManifestFile, path.join(root, 'archival', 'manifest.json'));
    assert.equal(p.fileRecordsFile, path.join(root, 'archival', 'files.json'));
    assert.equal(blockFile(p.memoryDir, 'project'), path.join(root, 'memory', 'project.md'));
  });

  it('puts the memory folder in <workspace>/.memcode unless a storage path is given', () => {
    assert.equal(MEMORY_FOLDER_NAME, '.memcode');
    assert.equal(memoryRoot('/ws'), path.join('/ws', '.memcode'));
    assert.equal(memoryRoot('/ws', 'mem'), path.resolve('/ws', 'mem'));
  });

  it('keeps the same agent when reopened, and records a change of model', () => {
    const first = MemoryStore.open(root, { clock, warn, model: 'a' });
    const second = MemoryStore.open(root, { warn, model: 'b' });
    assert.equal(second.agent.agentId, first.agent.agentId);
    assert.equal(second.agent.created, first.agent.created);
    assert.equal(second.agent.model, 'b');
    assert.equal(MemoryStore.open(root, { warn }).agent.model, 'b');
  });

  it('leaves an edited .gitignore alone (a team sharing memory/ edits it)', () => {
    MemoryStore.open(root, { warn });
    fs.writeFileSync(path.join(root, '.gitignore'), '*\n!memory/\n');
    MemoryStore.open(root, { warn });
    assert.equal(fs.readFileSync(path.join(root, '.gitignore'), 'utf8'), '*\n!memory/\n');
  });

  it('refuses a folder written by a newer MemCode, with a clear message, and changes nothing', () => {
    fs.mkdirSync(root, { recursive: true });
    const newer = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, agentId: 'x', created: '2030-01-01T00:00:00Z' });
    fs.writeFileSync(path.join(root, 'agent.json'), newer);
    assert.throws(
      () => MemoryStore.open(root, { warn }),
      (e: unknown) =>
        e instanceof MemoryError &&
        e.kind === 'schema_newer' &&
        e.message.includes(`schema ${SCHEMA_VERSION + 1}, this one reads up to ${SCHEMA_VERSION}`) &&
        e.message.includes('update MemCode or point memcode.storagePath elsewhere'),
    );
    assert.equal(fs.readFileSync(path.join(root, 'agent.json'), 'utf8'), newer);
    assert.deepEqual(fs.readdirSync(root), ['agent.json']);
  });

  it('moves a corrupted agent.json aside with a warning and starts a new agent', () => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'agent.json'), '{"schemaVersion": 1, "agentId": ');
    const store = MemoryStore.open(root, { warn });
    const aside = fs.readdirSync(root).filter((n) => n.startsWith('agent.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.match(aside[0], /^agent\.json\.corrupt-\d{8}T\d{6}$/);
    assert.equal(fs.readFileSync(path.join(root, aside[0]), 'utf8'), '{"schemaVersion": 1, "agentId": ');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /agent\.json was corrupted \(not valid JSON.*\); moved aside to .*agent\.json\.corrupt-\d{8}T\d{6} and started fresh/);
    assert.equal(JSON.parse(fs.readFileSync(store.paths.agentFile, 'utf8')).agentId, store.agent.agentId);
  });

  it('releases the lock after withLock, even when the work fails', async () => {
    const store = MemoryStore.open(root, { warn });
    await assert.rejects(store.withLock('test', async () => {
      assert.ok(fs.existsSync(store.paths.lockFile));
      throw new Error('boom');
    }), /boom/);
    assert.equal(fs.existsSync(store.paths.lockFile), false);
    assert.equal(await store.withLock('again', async () => 42), 42);
  });
});

describe('atomic files', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes whole files, creating parent folders, and leaves no temp files behind', () => {
    const file = path.join(dir, 'a', 'b', 'c.json');
    writeJsonAtomic(file, { n: 1 });
    writeFileAtomic(file, 'second');
    for (let i = 0; i < 20; i++) writeJsonAtomic(file, { n: i });
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { n: 19 });
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['c.json']);
  });

  it('returns the fallback for a missing file without warning', () => {
    const warnings: string[] = [];
    const v = readJsonFile(path.join(dir, 'none.json'), { fallback: () => ({ fresh: true }), warn: (m) => warnings.push(m) });
    assert.deepEqual(v, { fresh: true });
    assert.deepEqual(warnings, []);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('moves aside a file of the wrong shape, and never overwrites an earlier corrupt copy', () => {
    const file = path.join(dir, 'list.json');
    const warnings: string[] = [];
    const isList = (v: unknown): v is number[] => Array.isArray(v);
    fs.writeFileSync(file, '{"not":"a list"}');
    assert.deepEqual(readJsonFile(file, { fallback: () => [], validate: isList, warn: (m) => warnings.push(m) }), []);
    fs.writeFileSync(file, 'garbage');
    assert.deepEqual(readJsonFile(file, { fallback: () => [], validate: isList, warn: (m) => warnings.push(m) }), []);
    const aside = fs.readdirSync(dir).filter((n) => n.includes('.corrupt-')).sort();
    assert.equal(aside.length, 2);
    const contents = aside.map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).sort();
    assert.deepEqual(contents, ['garbage', '{"not":"a list"}'].sort());
    assert.match(warnings[0], /valid JSON but not the expected shape/);
    assert.equal(warnings.length, 2);
  });
});
