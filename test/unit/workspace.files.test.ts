import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';
import { toWorkspaceRelative, WorkspacePathError } from '../../src/workspace/containment';
import { isSecretPath } from '../../src/workspace/secrets';
import { isSkipped, WorkspaceFiles, type FileCheckOptions, type SkippedFile, type WorkspaceFile, type WorkspacePolicyOptions } from '../../src/workspace/workspaceFiles';

type WalkOptions = Omit<WorkspacePolicyOptions, 'root'> & FileCheckOptions;

/** The indexer's view of the workspace: every file it may hold, and those it refused. */
function walkWorkspace(root: string, opts: WalkOptions = {}) {
  return new WorkspaceFiles({ root, ...opts }).indexableFiles(opts);
}

function isIndexable(root: string, rel: string, opts: WalkOptions = {}) {
  return new WorkspaceFiles({ root, ...opts }).judgeFile(rel);
}

function makeWorkspace(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-walk-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return root;
}

async function walk(root: string, opts: WalkOptions = {}): Promise<{ files: string[]; skipped: SkippedFile[]; entries: WorkspaceFile[] }> {
  const entries: WorkspaceFile[] = [];
  const skipped: SkippedFile[] = [];
  for await (const e of walkWorkspace(root, opts)) {
    if (isSkipped(e)) skipped.push(e);
    else entries.push(e);
  }
  return { files: entries.map((e) => e.path).sort(), skipped, entries };
}

describe('WorkspaceFiles.indexableFiles', function () {
  const roots: string[] = [];
  afterEach(function () {
    for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
  });
  const workspace = (files: Record<string, string | Buffer>) => {
    const r = makeWorkspace(files);
    roots.push(r);
    return r;
  };

  it('honours .gitignore files at every level, each relative to its own folder', async function () {
    const root = workspace({
      '.gitignore': 'build/\n*.log\n/top-only.txt\n',
      'src/app.ts': 'export {}',
      'src/debug.log': 'x',
      'build/out.js': 'x',
      'top-only.txt': 'x',
      'pkg/top-only.txt': 'kept: the root pattern is anchored',
      'pkg/.gitignore': 'generated/\nlocal.ts\n!keep.log\n',
      'pkg/index.ts': 'x',
      'pkg/local.ts': 'x',
      'pkg/keep.log': 're-included by the deeper file',
      'pkg/generated/types.ts': 'x',
      'other/local.ts': 'not under pkg: kept',
    });
    const { files } = await walk(root);
    assert.deepEqual(files, ['other/local.ts', 'pkg/index.ts', 'pkg/keep.log', 'pkg/top-only.txt', 'src/app.ts']);
  });

  it('always skips .git, node_modules, .memcode, a custom storage folder and lock files, and applies the exclude list', async function () {
    const root = workspace({
      '.git/config': 'x',
      'node_modules/lib/index.js': 'x',
      'sub/node_modules/x.js': 'x',
      '.memcode/agent.json': '{}',
      'mem/archival/files.json': '{}',
      'src/a.ts': 'x',
      'src/a.test.ts': 'x',
      'vendor/b.ts': 'x',
      'package-lock.json': '{}',
      'sub/yarn.lock': 'x',
    });
    const { files } = await walk(root, { memoryDir: path.join(root, 'mem'), exclude: ['vendor/', '*.test.ts'] });
    assert.deepEqual(files, ['src/a.ts']);
  });

  it('never yields secrets, and reports them as skipped', async function () {
    const root = workspace({
      '.env': 'API_KEY=1',
      '.env.local': 'x',
      'config/prod.pem': 'x',
      'deploy/server.key': 'x',
      'home/.ssh/id_rsa': 'x',
      'home/.ssh/id_ed25519.pub': 'x',
      'cert.p12': 'x',
      '.npmrc': '//registry/:_authToken=x',
      'credentials-prod.json': '{}',
      'private/tokens.txt': 'user-listed',
      'src/env.ts': 'fine: not a secret',
    });
    const { files, skipped } = await walk(root, { secrets: ['private/tokens.txt'] });
    assert.deepEqual(files, ['src/env.ts']);
    assert.equal(skipped.length, 10);
    assert.ok(skipped.every((s) => s.reason === 'secret'));
  });

  it('skips binaries and files over the size cap with their reasons', async function () {
    const root = workspace({
      'logo.png': 'not even read',
      'data.bin.txt': Buffer.from([0x68, 0x69, 0x00, 0x01]),
      'big.ts': 'x'.repeat(2000),
      'ok.ts': 'export const ok = 1;',
    });
    const { files, skipped } = await walk(root, { maxFileSize: 1000 });
    assert.deepEqual(files, ['ok.ts']);
    const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    assert.deepEqual(reasons, { 'big.ts': 'too_large', 'data.bin.txt': 'binary', 'logo.png': 'binary' });
  });

  it('leaves content checks to the caller when told to, and reports size and mtime', async function () {
    const root = workspace({ 'data.txt': Buffer.from([0, 1, 2]), 'a.ts': 'abc' });
    const { entries } = await walk(root, { sniffContent: false });
    assert.deepEqual(entries.map((e) => e.path).sort(), ['a.ts', 'data.txt']);
    const a = entries.find((e) => e.path === 'a.ts')!;
    assert.equal(a.size, 3);
    assert.equal(a.abs, path.join(root, 'a.ts'));
    assert.equal(a.mtimeMs, fs.statSync(a.abs).mtimeMs);
  });

  it('follows a symlink to a file inside the workspace but never out of it or into a linked folder', async function () {
    const outside = workspace({ 'secret-notes.ts': 'outside' });
    const root = workspace({ 'src/real.ts': 'x' });
    fs.symlinkSync(path.join(root, 'src/real.ts'), path.join(root, 'alias.ts'));
    fs.symlinkSync(path.join(outside, 'secret-notes.ts'), path.join(root, 'escape.ts'));
    fs.symlinkSync(outside, path.join(root, 'linked-dir'));
    fs.symlinkSync(root, path.join(root, 'src', 'loop'));
    const { files } = await walk(root);
    assert.deepEqual(files, ['alias.ts', 'src/real.ts']);
  });

  it('reports a symlink to a secret as a secret, never as an indexable file', async function () {
    const root = workspace({ '.env': 'API_KEY=1', 'src/a.ts': 'x' });
    fs.symlinkSync(path.join(root, '.env'), path.join(root, 'settings.txt'));
    const { files, skipped } = await walk(root);
    assert.deepEqual(files, ['src/a.ts']);
    assert.deepEqual(skipped.map((s) => `${s.path}:${s.reason}`).sort(), ['.env:secret', 'settings.txt:secret']);
    assert.deepEqual(isIndexable(root, 'settings.txt'), { ok: false, reason: 'secret' });
  });

  it('reports a file whose name is not UTF-8 as unreadable (no path can open it), once', async function () {
    const root = workspace({ 'a.ts': 'x' });
    try {
      fs.writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'z')), Buffer.from([0xff]), Buffer.from('.ts')]), 'x');
    } catch {
      this.skip();
    }
    const { files, skipped } = await walk(root);
    assert.deepEqual(files, ['a.ts']);
    assert.deepEqual(skipped, [{ path: 'z\uFFFD.ts', reason: 'unreadable' }]);
  });

  it('stops when the signal is aborted', async function () {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d${i}/f.ts`] = 'x';
    const root = workspace(files);
    const controller = new AbortController();
    let seen = 0;
    for await (const _ of walkWorkspace(root, { signal: controller.signal })) {
      void _;
      if (++seen === 5) controller.abort();
    }
    assert.ok(seen < 50, `saw ${seen}`);
  });
});

describe('isSecretPath and WorkspaceFiles.judgeFile', function () {
  it('recognises secrets at any depth, plus user patterns', function () {
    for (const p of ['.env', 'a/b/.env.production', 'keys/site.pem', 'x/id_rsa', 'x/id_ed25519.pub', 'a.pfx', '.netrc', 'credentials.json']) assert.ok(isSecretPath(p), p);
    for (const p of ['src/env.ts', 'environment.md', 'keyboard.ts', 'docs/credentials.md']) assert.equal(isSecretPath(p), false, p);
    assert.ok(isSecretPath('conf/vault.yaml', ['vault.yaml']));
  });

  it('does not count the templates a project commits (.env.example, .env.sample, .env.template) as secrets', function () {
    for (const p of ['.env.example', 'app/.env.sample', '.env.template', '.env.local.example']) assert.equal(isSecretPath(p), false, p);
    for (const p of ['.env.examples.bak', '.env.local', 'example/.env']) assert.ok(isSecretPath(p), p);
  });

  it('judges one file by the same rules as the walk', function () {
    const root = makeWorkspace({
      '.gitignore': 'dist/\n',
      'pkg/.gitignore': '*.gen.ts\n',
      'pkg/a.ts': 'x',
      'pkg/b.gen.ts': 'x',
      'dist/c.js': 'x',
      'node_modules/d.js': 'x',
      '.env': 'x',
      'img.png': 'x',
      'big.txt': 'x'.repeat(50),
    });
    try {
      const a = isIndexable(root, 'pkg/a.ts');
      assert.ok(a.ok && a.file.path === 'pkg/a.ts' && a.file.size === 1);
      assert.deepEqual(isIndexable(root, 'pkg/b.gen.ts'), { ok: false, reason: 'ignored' });
      assert.deepEqual(isIndexable(root, 'dist/c.js'), { ok: false, reason: 'ignored' });
      assert.deepEqual(isIndexable(root, 'node_modules/d.js'), { ok: false, reason: 'ignored' });
      assert.deepEqual(isIndexable(root, '.env'), { ok: false, reason: 'secret' });
      assert.deepEqual(isIndexable(root, 'img.png'), { ok: false, reason: 'binary' });
      assert.deepEqual(isIndexable(root, 'big.txt', { maxFileSize: 10 }), { ok: false, reason: 'too_large' });
      assert.deepEqual(isIndexable(root, 'gone.ts'), { ok: false, reason: 'missing' });
      assert.deepEqual(isIndexable(root, '../outside.ts'), { ok: false, reason: 'ignored' });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('WorkspaceFiles.resolve: workspace confinement', () => {
  after(removeTempWorkspaces);
  const resolveInWorkspace = (root: string, requested: string) => new WorkspaceFiles({ root }).resolve(requested, 'read').abs;

  it('resolves relative paths against the root and shows them relative', () => {
    const root = tempWorkspace();
    const abs = resolveInWorkspace(root, 'src/../src/a.ts');
    assert.equal(abs, path.join(root, 'src', 'a.ts'));
    assert.equal(toWorkspaceRelative(root, abs), 'src/a.ts');
    assert.equal(toWorkspaceRelative(root, resolveInWorkspace(root, '')), '.');
    assert.equal(resolveInWorkspace(root, path.join(root, 'b.txt')), path.join(root, 'b.txt'));
  });

  it('refuses ../ that leaves the workspace, an absolute path outside it, and NUL bytes', () => {
    const root = tempWorkspace();
    assert.throws(() => resolveInWorkspace(root, '../x'), (e: Error) => e instanceof WorkspacePathError && e.kind === 'outside' && e.message === 'path "../x" is outside the workspace');
    assert.throws(() => resolveInWorkspace(root, 'a/../../x'), /outside the workspace/);
    assert.throws(() => resolveInWorkspace(root, '/etc/passwd'), /path "\/etc\/passwd" is outside the workspace/);
    assert.throws(() => resolveInWorkspace(root, `${root}-sibling/x`), /outside the workspace/);
    assert.throws(() => resolveInWorkspace(root, 'a\0b'), /NUL byte/);
  });

  it('refuses paths into .memcode/, pointing to the memory tools', () => {
    const root = tempWorkspace();
    assert.throws(() => resolveInWorkspace(root, '.memcode/memory/user.md'), /inside \.memcode\/.*working_context_/);
    assert.throws(() => resolveInWorkspace(root, './x/../.memcode'), /inside \.memcode\//);
    assert.throws(() => resolveInWorkspace(root, '.MEMCODE/agent.json'), /inside \.memcode\//);
  });

  it('refuses a symlink inside the workspace that points outside, also for files still to be created', () => {
    const root = tempWorkspace();
    const outside = tempWorkspace('memcode-outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync(path.join(outside, 'new.txt'), path.join(root, 'dangling.txt'));
    assert.throws(() => resolveInWorkspace(root, 'escape/secret.txt'), /leads outside the workspace/);
    assert.throws(() => resolveInWorkspace(root, 'escape/sub/new.txt'), /leads outside the workspace/);
    assert.throws(() => resolveInWorkspace(root, 'dangling.txt'), /leads outside the workspace/);
  });

  it("refuses git's data with its own kind, for reading and writing, and the allow list does not open it", () => {
    const root = tempWorkspace();
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, '.git', 'config'), '[core]\n');
    const files = new WorkspaceFiles({ root, allow: ['**'] });
    for (const p of ['.git', '.git/config', 'a/.git', 'deep/repo/.git/hooks/pre-commit', '.GIT/config']) {
      for (const access of ['read', 'write'] as const) {
        assert.throws(() => files.resolve(p, access), (e: Error) => e instanceof WorkspacePathError && e.kind === 'git', `${access} ${p}`);
      }
    }
    assert.equal(files.resolve('.gitignore', 'write').rel, '.gitignore');
    assert.equal(files.resolve('.github/ci.yml', 'write').rel, '.github/ci.yml');
    assert.equal(files.resolve('.env', 'read').rel, '.env', 'allowed by "**"');
  });

  it('allows a symlink that stays inside the workspace', () => {
    const root = tempWorkspace();
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    assert.equal(resolveInWorkspace(root, 'alias/x.ts'), path.join(root, 'alias', 'x.ts'));
  });
});
