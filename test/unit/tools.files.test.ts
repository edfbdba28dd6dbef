import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globToRegExp } from '../../src/tools/glob';
import { createToolRegistry } from '../../src/tools/index';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';
import { parsed, testWorkspace, toolHarness, type TestWorkspace } from '../helpers/toolContext';

const registry = createToolRegistry({});

const { run, ok, error } = toolHarness(registry);

function numbered(n: number): string {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
}

describe('workspace confinement', () => {
  after(removeTempWorkspaces);

  it('makes read_file refuse a symlink to a file outside the workspace', async () => {
    const ws = testWorkspace();
    const outside = tempWorkspace('memcode-outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws.root, 'link.txt'));
    const err = await error(ws, 'read_file', { path: 'link.txt' });
    assert.match(err, /leads outside the workspace/);
    assert.equal(err.includes('top secret'), false);
  });
});

describe('read_file', () => {
  after(removeTempWorkspaces);

  it('reads a small file whole with its range and total', async () => {
    const ws = testWorkspace();
    ws.write('src/a.ts', 'const a = 1;\nexport { a };\n');
    assert.deepEqual(await ok(ws, 'read_file', { path: 'src/a.ts' }), {
      path: 'src/a.ts',
      start_line: 1,
      end_line: 2,
      total_lines: 2,
      content: 'const a = 1;\nexport { a };',
    });
  });

  it('pages a long file 400 lines at a time and says where to go on', async () => {
    const ws = testWorkspace();
    ws.write('long.txt', numbered(1000));
    const first = await ok(ws, 'read_file', { path: 'long.txt' });
    assert.equal(first.start_line, 1);
    assert.equal(first.end_line, 400);
    assert.equal(first.total_lines, 1000);
    assert.equal(first.next_start_line, 401);
    assert.equal(first.content.split('\n').length, 400);
    assert.match(first.note, /read on with start_line 401/);

    const last = await ok(ws, 'read_file', { path: 'long.txt', start_line: '801' });
    assert.equal(last.content.split('\n')[0], 'line 801');
    assert.equal(last.end_line, 1000);
    assert.equal(last.next_start_line, undefined);

    const asked = await ok(ws, 'read_file', { path: 'long.txt', start_line: 10, end_line: 12 });
    assert.equal(asked.content, 'line 10\nline 11\nline 12');
    assert.equal(asked.next_start_line, 13);

    assert.match(await error(ws, 'read_file', { path: 'long.txt', start_line: 1001 }), /past the end of "long.txt", which has 1000 lines/);
  });

  it('shortens a page of very long lines so it is never cut by the result limit', async () => {
    const ws = testWorkspace();
    ws.write('wide.txt', Array.from({ length: 50 }, (_, i) => `${i + 1}:${'y'.repeat(1000)}`).join('\n'));
    const out = await run(ws, 'read_file', { path: 'wide.txt' });
    const page = parsed(out.content);
    assert.ok(page.end_line < 50 && page.end_line > 1, `end_line ${page.end_line}`);
    assert.equal(page.next_start_line, page.end_line + 1);
    assert.match(page.note, /page was full/);
  });

  it('refuses a binary file and a folder, and says a missing file is not found', async () => {
    const ws = testWorkspace();
    ws.write('img.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    fs.mkdirSync(path.join(ws.root, 'dir'));
    assert.match(await error(ws, 'read_file', { path: 'img.png' }), /"img.png" is a binary file/);
    assert.match(await error(ws, 'read_file', { path: 'dir' }), /is a folder.*list_files/);
    assert.match(await error(ws, 'read_file', { path: 'nope.ts' }), /file "nope.ts" not found/);
    assert.match(await error(ws, 'read_file', { path: '../x' }), /outside the workspace/);
  });

  it('reads a range of a file too big to load whole, streaming it', async () => {
    const ws = testWorkspace();
    const lines = 120_000;
    const abs = ws.write('big.log', numbered(lines).replace(/line/g, 'entry-with-padding-to-be-longer-than-5mb'));
    assert.ok(fs.statSync(abs).size > 5 * 1024 * 1024);
    const page = await ok(ws, 'read_file', { path: 'big.log', start_line: 100_000, end_line: 100_002 });
    assert.equal(page.total_lines, lines);
    assert.equal(page.content, [100_000, 100_001, 100_002].map((n) => `entry-with-padding-to-be-longer-than-5mb ${n}`).join('\n'));
  });
});

describe('read_file on very long lines (issue 15, item 5)', () => {
  after(removeTempWorkspaces);

  it('reads a file whose one line is longer than a string can hold (600 MB), cutting it while streaming', async function () {
    this.timeout(60_000);
    // Letters first so the file is taken for text, then a sparse tail: 600 MB on disk in no time. Building
    // that line whole (as readline did) throws "RangeError: Invalid string length" past V8's 512 MB limit,
    // uncaught, and the process dies.
    const ws = testWorkspace();
    const abs = ws.write('giant.txt', 'a'.repeat(16_384));
    fs.truncateSync(abs, 600 * 1024 * 1024);
    const page = await ok(ws, 'read_file', { path: 'giant.txt' });
    assert.equal(page.total_lines, 1);
    assert.equal(page.content, `${'a'.repeat(2000)} …[line cut: ${600 * 1024 * 1024 - 2000} more characters]`);
    assert.match(page.note, /1 very long line\(s\) were cut/);
  });

  it('keeps every line around a giant one, with the right numbers', async () => {
    const ws = testWorkspace();
    const abs = ws.write('mixed.txt', 'first\n');
    fs.appendFileSync(abs, 'é'.repeat(3_000_000));
    fs.appendFileSync(abs, '\r\nlast line\r\n');
    const page = await ok(ws, 'read_file', { path: 'mixed.txt' });
    assert.equal(page.total_lines, 3);
    assert.deepEqual(page.content.split('\n'), ['first', `${'é'.repeat(2000)} …[line cut: ${3_000_000 - 2000} more characters]`, 'last line']);
    const tail = await ok(ws, 'read_file', { path: 'mixed.txt', start_line: 3 });
    assert.equal(tail.content, 'last line');
  });
});

describe('list_files', () => {
  after(removeTempWorkspaces);

  it('lists a folder sorted, folders with "/", skipping .git, node_modules and .memcode', async () => {
    const ws = testWorkspace();
    ws.write('b.txt', '');
    ws.write('a.ts', '');
    ws.write('src/index.ts', '');
    ws.write('.git/HEAD', '');
    ws.write('node_modules/x/index.js', '');
    const top = await ok(ws, 'list_files', {});
    assert.deepEqual(top.entries, ['a.ts', 'b.txt', 'src/']);
    assert.equal(top.truncated, false);
    const sub = await ok(ws, 'list_files', { path: 'src' });
    assert.deepEqual(sub.entries, ['src/index.ts']);
  });

  it('lists recursively with paths ready for read_file', async () => {
    const ws = testWorkspace();
    ws.write('src/lib/util.ts', '');
    ws.write('src/main.ts', '');
    ws.write('README.md', '');
    const all = await ok(ws, 'list_files', { recursive: 'true' });
    assert.deepEqual(all.entries, ['README.md', 'src/', 'src/lib/', 'src/lib/util.ts', 'src/main.ts']);
  });

  it('stops at 500 entries with a note', async () => {
    const ws = testWorkspace();
    for (let i = 0; i < 520; i++) ws.write(`many/f${String(i).padStart(3, '0')}.txt`, '');
    const out = await ok(ws, 'list_files', { path: 'many' });
    assert.equal(out.entries.length, 500);
    assert.equal(out.truncated, true);
    assert.match(out.note, /stopped at 500 entries/);
  });

  it('agrees with read_file about a file name that is not UTF-8: it lists only names a tool can open, and says what it left out', async function () {
    const ws = testWorkspace();
    ws.write('docs/readme.txt', 'hello\n');
    // "café.txt" in Latin-1: Node shows the name with U+FFFD, a path no tool can open.
    const latin1 = Buffer.concat([Buffer.from(path.join(ws.root, 'docs', 'caf')), Buffer.from([0xe9]), Buffer.from('.txt')]);
    try {
      fs.writeFileSync(latin1, 'bonjour\n');
    } catch {
      this.skip(); // a file system that insists on UTF-8 names (macOS) cannot have one
    }
    const listed = await ok(ws, 'list_files', { path: 'docs' });
    for (const entry of listed.entries) await ok(ws, 'read_file', { path: entry });
    assert.deepEqual(listed.entries, ['docs/readme.txt']);
    assert.match(listed.note, /1 entry left out: its name is not valid UTF-8 \("docs\/caf\uFFFD\.txt"\)/);
    assert.match(await error(ws, 'read_file', { path: 'docs/caf\uFFFD.txt' }), /not found/);
    assert.equal((await ok(ws, 'search_files', { pattern: 'bonjour' })).total, 0);
  });

  it('refuses a file, a missing folder and .memcode', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', '');
    assert.match(await error(ws, 'list_files', { path: 'a.ts' }), /is a file/);
    assert.match(await error(ws, 'list_files', { path: 'gone' }), /not found/);
    assert.match(await error(ws, 'list_files', { path: '.memcode' }), /memory folder/);
  });
});

describe('search_files', () => {
  after(removeTempWorkspaces);

  function fixture(): TestWorkspace {
    const ws = testWorkspace();
    ws.write('src/server.ts', 'const PORT = 8080;\nlisten(PORT);\n');
    ws.write('src/lib/db.ts', '// connects to the database on port 5432\n');
    ws.write('test/server.test.ts', "it('listens on the port');\n");
    ws.write('docs/notes.md', 'The port is configurable.\n');
    ws.write('node_modules/dep/index.ts', 'port\n');
    ws.write('blob.bin', Buffer.concat([Buffer.from('port'), Buffer.from([0, 1, 2])]));
    return ws;
  }

  it('finds lines case-insensitively with path and line number, skipping dependencies, binaries and memory', async () => {
    const ws = fixture();
    ws.ctx.workingContext.append('project', 'the port is 9999');
    const out = await ok(ws, 'search_files', { pattern: 'port' });
    assert.deepEqual(
      out.matches.map((m: any) => `${m.path}:${m.line}`).sort(),
      ['docs/notes.md:1', 'src/lib/db.ts:1', 'src/server.ts:1', 'src/server.ts:2', 'test/server.test.ts:1'],
    );
    assert.equal(out.total, 5);
    assert.equal(out.truncated, false);
    assert.deepEqual(out.matches.find((m: any) => m.path === 'src/server.ts'), { path: 'src/server.ts', line: 1, text: 'const PORT = 8080;' });
  });

  it('narrows by glob: *.ts at any depth, src/**/*.ts, **/test/*', async () => {
    const ws = fixture();
    const paths = async (glob: string) =>
      [...new Set((await ok(ws, 'search_files', { pattern: 'port', glob })).matches.map((m: any) => m.path))].sort();
    assert.deepEqual(await paths('*.ts'), ['src/lib/db.ts', 'src/server.ts', 'test/server.test.ts']);
    assert.deepEqual(await paths('src/**/*.ts'), ['src/lib/db.ts', 'src/server.ts']);
    assert.deepEqual(await paths('**/test/*'), ['test/server.test.ts']);
    assert.deepEqual(await paths('*.{md,txt}'), ['docs/notes.md']);
  });

  it('uses the pattern as a regex, or literally when it is not a valid regex', async () => {
    const ws = fixture();
    ws.write('src/call.ts', 'listen(PORT);\nfoo(bar\n');
    const regex = await ok(ws, 'search_files', { pattern: 'const\\s+port\\s*=' });
    assert.deepEqual(regex.matches.map((m: any) => m.path), ['src/server.ts']);
    const literal = await ok(ws, 'search_files', { pattern: 'foo(' });
    assert.deepEqual(literal.matches, [{ path: 'src/call.ts', line: 2, text: 'foo(bar' }]);
  });

  it('caps matches at 100, counts them all, and says when nothing matched', async () => {
    const ws = testWorkspace();
    ws.write('many.txt', 'hit\n'.repeat(150));
    const out = await ok(ws, 'search_files', { pattern: 'hit' });
    assert.equal(out.matches.length, 100);
    assert.equal(out.total, 150);
    assert.equal(out.truncated, true);
    const none = await ok(ws, 'search_files', { pattern: 'zebra' });
    assert.equal(none.total, 0);
    assert.match(none.note, /nothing matches "zebra"/);
  });

  it('does not read through a symlink that leads outside the workspace', async () => {
    const ws = testWorkspace();
    const outside = tempWorkspace('memcode-outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'password=hunter2\n');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws.root, 'link.txt'));
    const out = await ok(ws, 'search_files', { pattern: 'hunter2' });
    assert.equal(out.total, 0);
  });

  it('stops when the signal aborts mid-search', async () => {
    const controller = new AbortController();
    const ws = testWorkspace({ signal: controller.signal });
    for (let i = 0; i < 200; i++) ws.write(`f/${i}.txt`, 'needle\n');
    setImmediate(() => controller.abort());
    const out = await run(ws, 'search_files', { pattern: 'needle' });
    assert.deepEqual(out, { ok: false, content: '{"error":"cancelled"}', args: { pattern: 'needle' } });
  });

  it('translates globs to anchored regexes', () => {
    assert.ok(globToRegExp('src/**/*.ts').test('src/a.ts'));
    assert.ok(globToRegExp('src/**/*.ts').test('src/x/y/a.ts'));
    assert.ok(!globToRegExp('src/**/*.ts').test('lib/src/a.ts'));
    assert.ok(!globToRegExp('*.ts').test('a.tsx'));
    assert.ok(globToRegExp('src/?.ts').test('src/a.ts'));
    assert.ok(globToRegExp('src').test('src/deep/file.ts'));
  });
});

describe('secrets, .gitignore and the memory folder (the same policy as the indexer)', () => {
  after(removeTempWorkspaces);

  function leaky(opts: { storagePath?: string; exclude?: string[] } = {}): TestWorkspace {
    const ws = testWorkspace(opts);
    ws.write('.env', 'API_KEY=sk-live-hunter2\n');
    ws.write('config/.env.production', 'DB_PASSWORD=hunter2\n');
    ws.write('secrets/id_rsa', '-----BEGIN OPENSSH PRIVATE KEY----- hunter2\n');
    ws.write('.gitignore', 'build/\n*.log\n');
    ws.write('build/out.js', 'const hunter2 = 1;\n');
    ws.write('debug.log', 'hunter2 logged\n');
    ws.write('src/app.ts', 'export const name = "hunter2";\n');
    return ws;
  }

  it('read_file refuses .env and a key file, saying they are secrets, without their content', async () => {
    const ws = leaky();
    for (const p of ['.env', 'secrets/id_rsa', 'config/.env.production', './config/../.env']) {
      const err = await error(ws, 'read_file', { path: p });
      assert.match(err, /is a secrets file \(credentials or keys\): it is never read/, p);
      assert.equal(err.includes('hunter2'), false);
    }
  });

  it('read_file refuses a symlink that points at .env', async () => {
    const ws = leaky();
    fs.symlinkSync(path.join(ws.root, '.env'), path.join(ws.root, 'notes.txt'));
    fs.symlinkSync(path.join(ws.root, 'secrets'), path.join(ws.root, 'keys'));
    assert.match(await error(ws, 'read_file', { path: 'notes.txt' }), /"notes.txt" is a secrets file/);
    assert.match(await error(ws, 'read_file', { path: 'keys/id_rsa' }), /secrets file/);
    const listed = await ok(ws, 'list_files', { recursive: true });
    assert.equal(listed.entries.includes('notes.txt'), false);
    const found = await ok(ws, 'search_files', { pattern: 'API_KEY' });
    assert.equal(found.total, 0);
  });

  it('search_files finds nothing inside .env, key files or gitignored files', async () => {
    const ws = leaky();
    const out = await ok(ws, 'search_files', { pattern: 'hunter2' });
    assert.deepEqual(out.matches.map((m: any) => m.path), ['src/app.ts']);
    const narrowed = await ok(ws, 'search_files', { pattern: 'API_KEY', glob: '.env*' });
    assert.equal(narrowed.total, 0);
  });

  it('list_files leaves out .env, key files and gitignored folders and files', async () => {
    const ws = leaky();
    const all = await ok(ws, 'list_files', { recursive: true });
    assert.deepEqual(all.entries, ['.gitignore', 'config/', 'secrets/', 'src/', 'src/app.ts']);
    const ignored = await ok(ws, 'list_files', { path: 'build' });
    assert.deepEqual(ignored.entries, []);
    assert.match(ignored.note, /left out by \.gitignore/);
  });

  it('read_file still opens a gitignored file named explicitly (only secrets are never read)', async () => {
    const ws = leaky();
    assert.equal((await ok(ws, 'read_file', { path: 'build/out.js' })).content, 'const hunter2 = 1;');
    assert.equal((await ok(ws, 'read_file', { path: 'debug.log' })).content, 'hunter2 logged');
  });

  it('applies the exclude setting to list_files and search_files', async () => {
    const ws = leaky({ exclude: ['src/'] });
    assert.deepEqual((await ok(ws, 'list_files', {})).entries, ['.gitignore', 'config/', 'secrets/']);
    assert.equal((await ok(ws, 'search_files', { pattern: 'hunter2' })).total, 0);
  });

  it('hides a memory folder kept under another name (storagePath "notes-mem") from list, search and read', async () => {
    const ws = leaky({ storagePath: 'notes-mem' });
    ws.ctx.workingContext.append('project', 'the deploy password is swordfish');
    assert.ok(fs.readdirSync(path.join(ws.root, 'notes-mem')).length > 0);
    const listed = await ok(ws, 'list_files', { recursive: true });
    assert.equal(listed.entries.some((e: string) => e.startsWith('notes-mem')), false);
    assert.equal((await ok(ws, 'search_files', { pattern: 'swordfish' })).total, 0);
    const blocks = fs.readdirSync(path.join(ws.root, 'notes-mem', 'memory'));
    assert.match(await error(ws, 'read_file', { path: `notes-mem/memory/${blocks[0]}` }), /inside notes-mem\/, the memory folder/);
    assert.match(await error(ws, 'list_files', { path: 'notes-mem' }), /memory folder/);
    fs.symlinkSync(path.join(ws.root, 'notes-mem'), path.join(ws.root, 'mem-link'));
    assert.match(await error(ws, 'read_file', { path: `mem-link/memory/${blocks[0]}` }), /memory folder/);
  });
});
