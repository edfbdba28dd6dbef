import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { createEmbedder } from '../../src/indexing/embeddings';
import { Indexer, type IndexerOptions } from '../../src/indexing/indexer';
import { readFileRecords as readRecordsFile, type FileRecords } from '../../src/indexing/fileRecords';
import type { IndexProgress } from '../../src/indexing/types';
import { ArchivalStore } from '../../src/memory/archival';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';

const embedder = createEmbedder({ provider: 'local' });

/** A TypeScript file with one function; every file mentions `alpha` so one keyword search lists them all. */
function source(name: string, extra = ''): string {
  return [`/** ${name} does alpha work. */`, `export function ${name}(x: number): number {`, `  return x + 1; ${extra}`, '}', ''].join('\n');
}

interface Setup {
  root: string;
  archivalDir: string;
  fileRecordsPath: string;
  archival: ArchivalStore;
  indexer: Indexer;
  warnings: string[];
}

describe('Indexer', function () {
  let chunker: CodeChunker;
  const roots: string[] = [];

  before(async function () {
    chunker = await CodeChunker.create({ languages: ['typescript'] });
  });

  afterEach(function () {
    for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
  });

  async function setup(files: Record<string, string | Buffer>, opts: Partial<IndexerOptions> = {}): Promise<Setup> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-index-'));
    roots.push(root);
    for (const [rel, content] of Object.entries(files)) write(root, rel, content);
    const archivalDir = path.join(root, '.memcode', 'archival');
    const archival = await ArchivalStore.open(archivalDir, embedder);
    const fileRecordsPath = path.join(archivalDir, 'files.json');
    const warnings: string[] = [];
    const indexer = new Indexer({ workspaceRoot: root, archival, fileRecordsPath, chunker, warn: (m) => warnings.push(m), ...opts });
    return { root, archivalDir, fileRecordsPath, archival, indexer, warnings };
  }

  function write(root: string, rel: string, content: string | Buffer): void {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }

  /** files.json and files.log together, as the indexer reads them. */
  function readFileRecords(s: Setup): FileRecords {
    return readRecordsFile(s.fileRecordsPath, s.archival.embedderId);
  }

  /** Chunk ids by path, from a keyword search that every test file matches. */
  async function idsByPath(archival: ArchivalStore): Promise<Map<string, string[]>> {
    const page = await archival.search('alpha', { mode: 'keyword', pageSize: 100 });
    assert.ok(page.total <= 100, 'test workspaces stay under one page of candidates');
    const out = new Map<string, string[]>();
    for (const hit of page.results) out.set(hit.path!, [...(out.get(hit.path!) ?? []), hit.id].sort());
    return out;
  }

  /** The manifest and the store agree: the same files, and exactly as many chunks as recorded (no duplicates). */
  function assertConsistent(archival: ArchivalStore, manifest: FileRecords): void {
    const recorded = Object.entries(manifest.files);
    assert.deepEqual(archival.paths(), recorded.filter(([, e]) => e.chunks > 0).map(([p]) => p).sort());
    assert.equal(archival.countBySource().file, recorded.reduce((n, [, e]) => n + e.chunks, 0));
  }

  it('indexes the workspace into searchable chunks and records each file', async function () {
    const s = await setup({ 'src/parse.ts': source('parseConfig'), 'src/render.ts': source('renderPage'), 'README.md': '# Demo\nalpha notes\n' });
    const progress: IndexProgress[] = [];
    const report = await s.indexer.run({ onProgress: (p) => progress.push(p) });
    assert.deepEqual([report.filesScanned, report.filesIndexed, report.filesUnchanged, report.cancelled], [3, 3, 0, false]);
    assert.equal(report.chunks, s.archival.count());
    assert.ok(report.bytes > 0);
    assert.deepEqual(s.archival.paths(), ['README.md', 'src/parse.ts', 'src/render.ts']);
    const hit = (await s.archival.search('parseConfig')).results[0];
    assert.deepEqual([hit.path, hit.startLine, hit.endLine, hit.symbol, hit.language], ['src/parse.ts', 1, 4, 'parseConfig', 'typescript']);
    const manifest = readFileRecords(s);
    assert.equal(manifest.embedderId, s.archival.embedderId);
    assert.match(manifest.files['src/parse.ts'].hash, /^[0-9a-f]{40}$/);
    assertConsistent(s.archival, manifest);
    assert.equal(progress[progress.length - 1].phase, 'done');
    assert.ok(progress.some((p) => p.phase === 'indexing' && p.filesDone === 3 && p.filesTotal === 3));
    // A progress bar learns the total before the first (possibly slow) batch is stored.
    const first = progress.find((p) => p.phase === 'indexing');
    assert.deepEqual([first?.filesDone, first?.filesTotal, first?.chunks], [0, 3, 0]);
  });

  it('indexes nothing on a rerun when nothing changed, and does not re-embed a touched but unchanged file', async function () {
    const s = await setup({ 'a.ts': source('alphaOne'), 'b.ts': source('alphaTwo') });
    await s.indexer.run();
    const before = await idsByPath(s.archival);
    const again = await s.indexer.run();
    assert.deepEqual([again.filesIndexed, again.filesUnchanged, again.chunks], [0, 2, 0]);
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(s.root, 'a.ts'), later, later);
    const touched = await s.indexer.run();
    assert.deepEqual([touched.filesIndexed, touched.filesUnchanged], [0, 2]);
    assert.deepEqual(await idsByPath(s.archival), before);
    assert.equal(readFileRecords(s).files['a.ts'].mtimeMs, fs.statSync(path.join(s.root, 'a.ts')).mtimeMs);
  });

  it('respects .gitignore, secrets, binaries and the size cap, reporting why a file was skipped', async function () {
    const s = await setup(
      {
        '.gitignore': 'generated/\n',
        'generated/out.ts': source('generatedAlpha'),
        'pkg/.gitignore': 'local.ts\n',
        'pkg/local.ts': source('localAlpha'),
        'pkg/kept.ts': source('keptAlpha'),
        '.env': 'ZEBRASECRET=1\n',
        'keys/server.pem': 'quokkakey\n',
        'data.txt': Buffer.concat([Buffer.from('alpha'), Buffer.from([0, 1, 2])]),
        'huge.ts': `// alpha\n${'x'.repeat(5000)}\n`,
      },
      { maxFileSize: 4000 },
    );
    const report = await s.indexer.run();
    assert.deepEqual(s.archival.paths(), ['pkg/kept.ts']);
    const reasons = Object.fromEntries(report.skipped.map((k) => [k.path, k.reason]));
    assert.deepEqual(reasons, { '.env': 'secret', 'keys/server.pem': 'secret', 'data.txt': 'binary', 'huge.ts': 'too_large' });
    const secretHits = await s.archival.search('zebrasecret quokkakey', { mode: 'keyword' });
    assert.equal(secretHits.total, 0);
  });

  it('never indexes a secret or git data, also through a link with an innocent name (issue 15, items 6 and 7)', async function () {
    const s = await setup({
      '.env.production': 'ZEBRASECRET=1\n',
      '.git/config': 'url = https://me:quokkatoken@example.com/repo.git\n',
      'modules/sub/.git': 'gitdir: ../../.git/modules/sub\n',
      'backup.git/HEAD': 'ref: refs/heads/main\n',
      'backup.git/refs/heads/main': '0000\n',
      'backup.git/objects/info/packs': '\n',
      'backup.git/config': 'url = https://me:quokkatoken@example.com/repo.git\n',
      'src/a.ts': source('alphaA'),
    });
    fs.symlinkSync('../.env.production', path.join(s.root, 'src', 'settings.txt'));
    fs.symlinkSync('.git/config', path.join(s.root, 'notes.txt'));
    const report = await s.indexer.run();
    assert.deepEqual(s.archival.paths(), ['src/a.ts']);
    assert.deepEqual(report.skipped.map((k) => `${k.path}:${k.reason}`).sort(), ['.env.production:secret', 'src/settings.txt:secret']);
    assert.equal((await s.archival.search('zebrasecret quokkatoken gitdir', { mode: 'keyword' })).total, 0);
    // The editor reports saves one by one: the same answer without the walk.
    const saved = await s.indexer.updateFiles(['src/settings.txt', 'notes.txt', 'modules/sub/.git', 'backup.git/config', '.git/config']);
    assert.equal(saved.filesIndexed, 0);
    assert.deepEqual(s.archival.paths(), ['src/a.ts']);
  });

  it('indexes .env.example and the secrets-looking paths the person allowed', async function () {
    const s = await setup({ '.env.example': 'ALPHA_KEY=your-alpha-key\n', 'certs/dev.pem': 'alpha dev cert\n', '.env': 'ALPHA=real\n' });
    const indexer = new Indexer({
      workspaceRoot: s.root,
      archival: s.archival,
      fileRecordsPath: s.fileRecordsPath,
      chunker,
      workspace: new WorkspaceFiles({ root: s.root, allow: ['certs/dev.pem'] }),
    });
    const report = await indexer.run();
    assert.deepEqual(s.archival.paths(), ['.env.example', 'certs/dev.pem']);
    assert.deepEqual(report.skipped, [{ path: '.env', reason: 'secret' }]);
  });

  it('indexes a minified bundle and a generated file as one summary chunk each, reported by reason', async function () {
    const bundle = Array.from({ length: 600 }, (_, i) => `function q${i}(a){return a.alpha+${i}}`).join(';');
    const generated = ['// Code generated by protoc-gen-go. DO NOT EDIT.', ...Array.from({ length: 200 }, (_, i) => `export const alphaField${i} = ${i};`)].join('\n');
    const s = await setup({ 'dist/app.js': bundle, 'src/api.pb.ts': generated, 'src/kept.ts': source('keptAlpha') });
    const report = await s.indexer.run();
    const reasons = Object.fromEntries(report.skipped.map((k) => [k.path, k.reason]));
    assert.deepEqual(reasons, { 'dist/app.js': 'minified', 'src/api.pb.ts': 'generated' });
    assert.equal(report.filesIndexed, 1, 'summarised files are reported as skipped, not as indexed');
    assert.equal(report.chunks, 3);
    const summary = await s.archival.search('dist/app.js', { mode: 'keyword' });
    assert.equal(summary.results[0].path, 'dist/app.js');
    assert.equal(summary.results[0].kind, 'summary');
    assert.match(summary.results[0].text, /^dist\/app\.js: minified javascript, \d+ KB in 1 lines/);
    assert.ok(summary.results[0].text.length < 1200);
    assert.equal(readFileRecords(s).files['dist/app.js'].chunks, 1);
    // Recorded like any file: a rerun reads neither again.
    const again = await s.indexer.run();
    assert.deepEqual([again.filesIndexed, again.filesUnchanged, again.skipped.length], [0, 3, 0]);
  });

  it('re-indexes only the edited file: the other files keep their chunk ids', async function () {
    const s = await setup({ 'a.ts': source('alphaA'), 'b.ts': source('alphaB'), 'c.ts': source('alphaC') });
    await s.indexer.run();
    const before = await idsByPath(s.archival);
    write(s.root, 'b.ts', source('alphaB', '// edited') + source('alphaB2'));
    const report = await s.indexer.run();
    assert.deepEqual([report.filesIndexed, report.filesUnchanged], [1, 2]);
    const after = await idsByPath(s.archival);
    assert.deepEqual(after.get('a.ts'), before.get('a.ts'));
    assert.deepEqual(after.get('c.ts'), before.get('c.ts'));
    assert.equal(after.get('b.ts')!.length, 2);
    assert.ok(after.get('b.ts')!.every((id) => !before.get('b.ts')!.includes(id)));
    assert.equal((await s.archival.search('alphaB2')).results[0].path, 'b.ts');
    assertConsistent(s.archival, readFileRecords(s));
  });

  it('removes the chunks of deleted, renamed and newly ignored files', async function () {
    const s = await setup({ 'a.ts': source('alphaA'), 'b.ts': source('alphaB'), 'c.ts': source('alphaC'), 'd.ts': source('alphaD') });
    await s.indexer.run();
    fs.rmSync(path.join(s.root, 'a.ts'));
    fs.renameSync(path.join(s.root, 'b.ts'), path.join(s.root, 'moved.ts'));
    write(s.root, '.gitignore', 'c.ts\n');
    const report = await s.indexer.run();
    assert.equal(report.filesRemoved, 3);
    assert.deepEqual(s.archival.paths(), ['d.ts', 'moved.ts']);
    assert.equal((await s.archival.search('alphaB', { pathPrefix: 'moved.ts' })).results[0].symbol, 'alphaB');
    const manifest = readFileRecords(s);
    assert.deepEqual(Object.keys(manifest.files).sort(), ['d.ts', 'moved.ts']);
    assertConsistent(s.archival, manifest);
  });

  it('updates single files, folders and renames incrementally, as the editor reports them', async function () {
    const s = await setup({ 'src/a.ts': source('alphaA'), 'src/lib/b.ts': source('alphaB'), 'src/lib/c.ts': source('alphaC') });
    await s.indexer.run();
    const before = await idsByPath(s.archival);

    write(s.root, 'src/a.ts', source('alphaA', '// saved'));
    write(s.root, 'src/new.ts', source('alphaNew'));
    write(s.root, '.env.local', 'ALPHA=1');
    const saved = await s.indexer.updateFiles(['src/a.ts', 'src/new.ts', '.env.local']);
    assert.deepEqual([saved.filesIndexed, saved.skipped], [2, [{ path: '.env.local', reason: 'secret' }]]);
    assert.deepEqual((await idsByPath(s.archival)).get('src/lib/b.ts'), before.get('src/lib/b.ts'));

    fs.renameSync(path.join(s.root, 'src/new.ts'), path.join(s.root, 'src/renamed.ts'));
    const renamed = await s.indexer.renameFile('src/new.ts', 'src/renamed.ts');
    assert.deepEqual([renamed.filesRemoved, renamed.filesIndexed], [1, 1]);

    fs.rmSync(path.join(s.root, 'src/lib'), { recursive: true });
    const removedChunks = await s.indexer.removeFiles(['src/lib']);
    assert.equal(removedChunks, 2);
    assert.deepEqual(s.archival.paths(), ['src/a.ts', 'src/renamed.ts']);

    write(s.root, 'pkg/x.ts', source('alphaX'));
    write(s.root, 'pkg/y.ts', source('alphaY'));
    const folder = await s.indexer.updateFiles(['pkg']);
    assert.equal(folder.filesIndexed, 2);

    fs.rmSync(path.join(s.root, 'src/a.ts'));
    const deleted = await s.indexer.updateFiles(['src/a.ts']);
    assert.equal(deleted.filesRemoved, 1);
    assert.deepEqual(s.archival.paths(), ['pkg/x.ts', 'pkg/y.ts', 'src/renamed.ts']);
    assertConsistent(s.archival, readFileRecords(s));
    const rerun = await s.indexer.run();
    assert.deepEqual([rerun.filesIndexed, rerun.filesRemoved], [0, 0]);
  });

  it('stops cleanly when cancelled: the manifest lists only stored files and the next run completes', async function () {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.ts`] = source(`alpha${i}`);
    const s = await setup(files, { batchFiles: 4 });
    const controller = new AbortController();
    const report = await s.indexer.run({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'indexing' && p.filesDone >= 8) controller.abort();
      },
    });
    assert.equal(report.cancelled, true);
    assert.ok(report.filesIndexed >= 8 && report.filesIndexed < 30, `${report.filesIndexed} indexed`);
    const partial = readFileRecords(s);
    assert.equal(Object.keys(partial.files).length, report.filesIndexed);
    assertConsistent(s.archival, partial);

    const next = await s.indexer.run();
    assert.deepEqual([next.cancelled, next.filesIndexed, next.filesUnchanged], [false, 30 - report.filesIndexed, report.filesIndexed]);
    assert.equal(s.archival.paths().length, 30);
    assertConsistent(s.archival, readFileRecords(s));
  });

  it('recovers from a kill -9 mid-run: the next run completes and the index is consistent', async function () {
    this.timeout(60_000);
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`src/m${String(i).padStart(3, '0')}.ts`] = source(`alphaKill${i}`) + source(`betaKill${i}`);
    const s = await setup(files);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'indexing', 'indexChild.ts'), s.root, s.archivalDir], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killedAt = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const batches = out.split('\n').filter((l) => l.startsWith('batch'));
        if (batches.length >= 3 && !child.killed) {
          child.kill('SIGKILL');
          resolve(Number(batches[batches.length - 1].split(' ')[1]));
        }
        if (out.includes('done')) reject(new Error('the child finished before it could be killed'));
      });
      child.on('exit', (code, sig) => sig !== 'SIGKILL' && reject(new Error(`child exited ${code}: ${stderr}`)));
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.ok(killedAt < 200);

    const archival = await ArchivalStore.open(s.archivalDir, embedder);
    const afterCrash = readRecordsFile(s.fileRecordsPath, archival.embedderId);
    for (const p of Object.keys(afterCrash.files)) assert.ok(archival.paths().includes(p), `${p} is recorded but not stored`);

    const indexer = new Indexer({ workspaceRoot: s.root, archival, fileRecordsPath: s.fileRecordsPath, chunker });
    const report = await indexer.run();
    assert.equal(report.cancelled, false);
    assert.equal(report.filesIndexed + report.filesUnchanged, 200);
    const manifest = readRecordsFile(s.fileRecordsPath, archival.embedderId);
    assert.equal(Object.keys(manifest.files).length, 200);
    assertConsistent(archival, manifest);
    assert.equal((await archival.search('betaKill150')).results[0].path, 'src/m150.ts');
  });

  it('starts over from a corrupted manifest without duplicating chunks', async function () {
    const s = await setup({ 'a.ts': source('alphaA'), 'b.ts': source('alphaB') });
    await s.indexer.run();
    fs.writeFileSync(s.fileRecordsPath, '{ not json');
    const report = await s.indexer.run();
    assert.equal(report.filesIndexed, 2);
    assert.ok(s.warnings.some((w) => w.includes('corrupted')));
    assert.ok(fs.readdirSync(s.archivalDir).some((f) => f.startsWith('files.json.corrupt-')));
    assertConsistent(s.archival, readFileRecords(s));
  });

  it('re-indexes everything on rebuild and keeps the agent\'s own notes', async function () {
    const s = await setup({ 'a.ts': source('alphaA'), 'b.ts': source('alphaB') });
    await s.indexer.run();
    await s.archival.addNote('alpha: remember to rebuild');
    const before = await idsByPath(s.archival);
    const report = await s.indexer.run({ rebuild: true });
    assert.equal(report.filesIndexed, 2);
    const after = await idsByPath(s.archival);
    assert.notDeepEqual(after.get('a.ts'), before.get('a.ts'));
    assert.equal(s.archival.countBySource().note, 1);
    assertConsistent(s.archival, readFileRecords(s));
  });

  it('redoes a recorded file whose chunks the store lost', async function () {
    const s = await setup({ 'a.ts': source('alphaA'), 'b.ts': source('alphaB') });
    await s.indexer.run();
    await s.archival.deleteByPath(['a.ts']);
    const report = await s.indexer.run();
    assert.deepEqual([report.filesIndexed, report.filesUnchanged], [1, 1]);
    assertConsistent(s.archival, readFileRecords(s));
  });
});
