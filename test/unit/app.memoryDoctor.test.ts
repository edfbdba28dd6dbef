// The memory doctor on real memory folders: each kind of damage is found, repaired without losing what
// was whole, or moved aside; a second checkup then finds the folder healthy.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkMemoryFolder, formatDoctorReport } from '../../src/app/memoryDoctor';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import { acquireLock } from '../../src/memory/lock';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';
import { WorkingContext } from '../../src/memory/workingContext';
import { archivalWorkspace } from '../helpers/archivalWorkspace';
import { removeTempWorkspaces } from '../helpers/workspace';

describe('memory doctor', function () {
  this.timeout(20_000);
  let paths: MemoryPaths;
  const embedder = new LocalEmbedder({ dimensions: 32 });
  const now = () => new Date('2025-05-01T12:00:00Z');
  const doctor = (repair = true) => checkMemoryFolder(paths, { repair, now, embedderId: embedder.id });

  beforeEach(() => {
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-doctor-')), '.memcode');
    paths = MemoryStore.open(root, { warn: () => {} }).paths;
    new WorkingContext(paths.memoryDir, { warn: () => {} }).load();
  });
  afterEach(() => fs.rmSync(path.dirname(paths.root), { recursive: true, force: true }));

  function messages(n: number, session = 's1'): void {
    const recall = RecallLog.open(paths, { warn: () => {} });
    for (let i = 0; i < n; i++) recall.append({ role: i % 2 ? 'assistant' : 'user', session, content: `message ${i + 1}`, tokens: 3 });
  }

  async function archival(): Promise<void> {
    const store = await ArchivalStore.open(paths.archivalDir, embedder);
    await store.addChunks([{ path: 'src/a.ts', startLine: 1, endLine: 1, language: 'typescript', kind: 'function', text: 'export function parseInvoice() {}' }]);
    await store.addNote('The release checklist is in docs/release.md.');
  }

  function onlyShard(): string {
    const shards = path.join(paths.archivalDir, 'shards');
    return path.join(shards, fs.readdirSync(shards)[0]);
  }

  it('finds a healthy folder healthy', async () => {
    messages(4);
    await archival();
    const report = await doctor();
    assert.deepEqual(report.findings, []);
    assert.equal(report.broken, false);
    assert.match(formatDoctorReport(report), /healthy/);
  });

  it('re-seats the queue when the log was truncated below state.firstInContextId', async () => {
    messages(6, 's1');
    messages(4, 's2');
    RecallLog.open(paths, { warn: () => {} }).saveState({ firstInContextId: 38 });
    const lines = fs.readFileSync(paths.messagesFile, 'utf8').split('\n');
    fs.writeFileSync(paths.messagesFile, `${lines.slice(0, 8).join('\n')}\n`);
    const checked = await doctor(false);
    assert.equal(checked.broken, true);
    assert.equal(RecallLog.open(paths, { warn: () => {} }).state().firstInContextId, 38, 'checking changes nothing');
    const report = await doctor();
    assert.equal(report.broken, false);
    assert.match(report.findings[0].problem, /queue starts at message 38, but the log ends at 8/);
    assert.equal(RecallLog.open(paths, { warn: () => {} }).state().firstInContextId, 7, 'the newest session in the log');
    assert.deepEqual((await doctor()).findings, []);
  });

  it('re-seats a truncated queue at the newest own session, not at imported history appended after it', async () => {
    messages(6, 's1');
    messages(2, 's2');
    const recall = RecallLog.open(paths, { warn: () => {} });
    for (const content of ['imported question', 'imported answer']) {
      recall.append({ role: 'user', session: 's-imported', content, importedFrom: 'codex', time: '2024-01-01T00:00:00.000Z', tokens: 3 });
    }
    recall.saveState({ firstInContextId: 38 });
    await doctor();
    assert.equal(RecallLog.open(paths, { warn: () => {} }).state().firstInContextId, 7, 'the start of s2, not of the imported session');
  });

  it('moves a torn last line aside and keeps a whole message glued to a torn one', async () => {
    messages(2);
    fs.appendFileSync(paths.messagesFile, '{"id":3,"role":"user","sess{"id":3,"role":"user","session":"s1","content":"kept"}\n{"id":4,"role":"assi');
    const report = await doctor();
    assert.equal(report.broken, false, formatDoctorReport(report));
    const warnings: string[] = [];
    const log = RecallLog.open(paths, { warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings, []);
    assert.deepEqual(log.all().map((m) => m.content), ['message 1', 'message 2', 'kept']);
    const aside = fs.readdirSync(paths.recallDir).find((f) => f.startsWith('messages.jsonl.corrupt-'))!;
    const kept = fs.readFileSync(path.join(paths.recallDir, aside), 'utf8');
    assert.match(kept, /"sess$/m);
    assert.match(kept, /\{"id":4,"role":"assi/);
  });

  it('removes a lock left by a dead process, and only checks while a live one holds the folder', async () => {
    fs.writeFileSync(paths.lockFile, JSON.stringify({ pid: 2 ** 22 + 17, hostname: os.hostname(), purpose: 'chat turn', since: '2025-01-01T00:00:00Z' }));
    const report = await doctor();
    assert.match(report.findings[0].problem, /left behind by process \d+ \(chat turn/);
    assert.equal(report.findings[0].action, 'removed it');
    assert.ok(!fs.existsSync(paths.lockFile));

    messages(3);
    RecallLog.open(paths, { warn: () => {} }).saveState({ firstInContextId: 50 });
    const held = await acquireLock(paths.lockFile, { purpose: 'index run' });
    try {
      const locked = await doctor();
      assert.match(locked.lockedBy ?? '', /in use/);
      assert.equal(locked.broken, true);
      assert.match(formatDoctorReport(locked), /Only checked, not repaired/);
    } finally {
      held.release();
    }
  });

  it('writes a damaged index.json again from the shard\'s cache (notes whole; file passages indexed again), and a damaged cache from index.json', async () => {
    await archival();
    const folder = onlyShard();
    fs.writeFileSync(path.join(folder, 'index.json'), '{"items": [');
    const report = await doctor();
    assert.equal(report.broken, false, formatDoctorReport(report));
    assert.match(report.findings[0].action, /wrote it again from cache\.bin \(1 note\(s\)\); its 1 file passage\(s\) are indexed again/);
    const store = await ArchivalStore.open(paths.archivalDir, embedder);
    assert.deepEqual(store.countBySource(), { file: 0, note: 1 });
    assert.deepEqual(store.paths(), [], 'the file is no longer claimed, so the next index run stores it again');

    const cache = path.join(folder, 'cache.bin');
    const bytes = fs.readFileSync(cache);
    bytes.fill(0x58, bytes.length - 40, bytes.length - 16);
    fs.writeFileSync(cache, bytes);
    const again = await doctor();
    assert.match(again.findings[0].problem, /is damaged \(its checksum does not match/);
    assert.deepEqual((await doctor()).findings, []);
  });

  it('moves aside a shard with both files damaged and drops it from the manifest', async () => {
    await archival();
    const folder = onlyShard();
    fs.writeFileSync(path.join(folder, 'index.json'), 'x');
    fs.writeFileSync(path.join(folder, 'cache.bin'), 'y');
    const report = await doctor();
    assert.equal(report.broken, false, formatDoctorReport(report));
    assert.match(report.findings[0].action, /moved it aside to .*\.corrupt-.*memcode index/);
    assert.ok(fs.readdirSync(paths.archivalDir).some((f) => f.includes('.corrupt-')));
    assert.equal((await ArchivalStore.open(paths.archivalDir, embedder)).count(), 0);
    const rebuilt = await ArchivalStore.rebuild(paths.archivalDir, embedder);
    assert.equal(rebuilt.count(), 0);
    assert.ok(fs.readdirSync(paths.archivalDir).some((f) => f.includes('.corrupt-')), 'a rebuild keeps what the doctor set aside');
  });

  it('rebuilds a missing manifest from the shard folders', async () => {
    await archival();
    fs.rmSync(paths.archivalManifestFile);
    const report = await doctor();
    assert.match(report.findings[0].problem, /is missing, but 1 shard folder/);
    assert.deepEqual((await ArchivalStore.open(paths.archivalDir, embedder)).countBySource(), { file: 1, note: 1 });
  });

  it('moves aside a damaged sessions.json and files.json, and repairs a block\'s front matter keeping its text', async () => {
    fs.writeFileSync(paths.sessionsFile, '[{"id": ');
    fs.writeFileSync(paths.fileRecordsFile, '{"version": 1}');
    const block = path.join(paths.memoryDir, 'project.md');
    fs.writeFileSync(block, 'We deploy with `make ship` on Thursdays.\n');
    const report = await doctor();
    assert.equal(report.broken, false, formatDoctorReport(report));
    assert.equal(report.findings.length, 3);
    assert.ok(!fs.existsSync(paths.sessionsFile) && !fs.existsSync(paths.fileRecordsFile));
    const wc = new WorkingContext(paths.memoryDir, { warn: (m) => assert.fail(m) });
    wc.load();
    assert.equal(wc.get('project').value, 'We deploy with `make ship` on Thursdays.');
    assert.deepEqual((await doctor()).findings, []);
  });

  it('MemCode: Check Memory repairs the folder in use, and its open store sees the repaired manifest', async () => {
    const ws = archivalWorkspace({ 'src/invoice.ts': 'export function computeInvoiceTotal() {}\n' });
    try {
      await ws.folder.index({});
      await ws.folder.addNote('Invoices are rounded half-up.');
      fs.writeFileSync(path.join(ws.memoryRoot, 'archival', 'manifest.json'), '{');
      await assert.rejects(ws.folder.search('invoice'), /manifest\.json is corrupted.*memcode doctor/s);
      const report = await ws.folder.checkup();
      assert.equal(report.broken, false, formatDoctorReport(report));
      assert.equal(ws.folder.state.status, 'ready');
      const hits = await ws.folder.search('computeInvoiceTotal rounded half-up');
      assert.equal(hits.total, 2);
    } finally {
      removeTempWorkspaces();
    }
  });
});
