import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBlockFile, parseBlockFile } from '../../src/memory/frontMatter';
import { MemoryError } from '../../src/memory/types';
import { DEFAULT_BLOCK_LIMIT, DEFAULT_BLOCKS, WorkingContext } from '../../src/memory/workingContext';

const memoryErr = (kind: string, message: string | RegExp) => (e: unknown) =>
  e instanceof MemoryError && e.kind === kind && (typeof message === 'string' ? e.message === message : message.test(e.message));

describe('working context', () => {
  let dir: string;
  let memoryDir: string;
  let warnings: string[];
  let wc: WorkingContext;
  const file = (label: string) => path.join(memoryDir, `${label}.md`);
  const reopen = () => {
    const next = new WorkingContext(memoryDir, { warn: (m) => warnings.push(m) });
    next.load();
    return next;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-wc-'));
    memoryDir = path.join(dir, 'memory');
    warnings = [];
    wc = reopen();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the default blocks as Markdown files with front matter', () => {
    assert.deepEqual(fs.readdirSync(memoryDir).sort(), ['project.md', 'task.md', 'user.md']);
    assert.equal(
      fs.readFileSync(file('project'), 'utf8'),
      '---\ndescription: The project: architecture, conventions, build and test commands, decisions.\nlimit: 5000\n---\n\n',
    );
    assert.deepEqual(
      wc.blocks().map((b) => [b.label, b.limit, b.value]),
      [['project', 5000, ''], ['user', 5000, ''], ['task', 5000, '']],
    );
    for (const d of DEFAULT_BLOCKS) assert.ok(d.description.length > 20, `${d.label} has a useful description`);
    assert.deepEqual(warnings, []);
  });

  it('lists the default blocks first, then the others alphabetically', () => {
    fs.writeFileSync(file('zeta'), formatBlockFile({ description: 'z', limit: 100, value: 'z' }));
    fs.writeFileSync(file('api'), formatBlockFile({ description: 'a', limit: 100, value: 'a' }));
    assert.deepEqual(reopen().blocks().map((b) => b.label), ['project', 'user', 'task', 'api', 'zeta']);
  });

  it('appends on a new line and writes the file at once', () => {
    wc.append('project', 'Build: `npm run build`');
    const after = wc.append('project', 'Test: `npm test`');
    assert.equal(after.value, 'Build: `npm run build`\nTest: `npm test`');
    assert.equal(reopen().get('project').value, 'Build: `npm run build`\nTest: `npm test`');
    assert.ok(!fs.readdirSync(memoryDir).some((n) => n.endsWith('.tmp')), 'no temp files left');
  });

  it('replaces text that occurs exactly once', () => {
    wc.rewrite('task', 'Goal: fix login\nStatus: investigating\nNext: read auth.ts');
    const after = wc.replace('task', 'Status: investigating', 'Status: fixed in auth.ts:42');
    assert.equal(after.value, 'Goal: fix login\nStatus: fixed in auth.ts:42\nNext: read auth.ts');
    assert.equal(reopen().get('task').value, after.value);
  });

  it('refuses a replace whose old text matches no times or several times, saying how many', () => {
    wc.rewrite('task', '- a\n- b\n- a');
    assert.throws(() => wc.replace('task', '- c', 'x'), memoryErr('invalid', /^"- c" matched 0 times in block "task"; /));
    assert.throws(
      () => wc.replace('task', '- a', 'x'),
      memoryErr('invalid', /^"- a" matched 2 times in block "task"; .*give more surrounding text$/),
    );
    assert.equal(wc.get('task').value, '- a\n- b\n- a', 'nothing changed');
  });

  it('deletes with an empty replacement, without leaving an empty line', () => {
    wc.rewrite('user', 'Prefers tabs\nWants short answers\nUses pnpm');
    assert.equal(wc.replace('user', 'Wants short answers', '').value, 'Prefers tabs\nUses pnpm');
    assert.equal(wc.replace('user', 'Uses pnpm', '').value, 'Prefers tabs');
    assert.equal(wc.replace('user', 'tabs', '').value, 'Prefers ');
  });

  it('refuses an edit past the limit with the exact overshoot, and changes nothing', () => {
    const base = `${'x'.repeat(4890)}UNIQUEMARK`;
    wc.rewrite('project', base);
    const before = fs.readFileSync(file('project'), 'utf8');
    // 4,900 + newline + 411 = 5,312 characters.
    assert.throws(
      () => wc.append('project', 'y'.repeat(411)),
      memoryErr('limit', 'block "project" would be 5,312 characters, 312 over its limit of 5,000: consolidate it with working_context_rewrite first'),
    );
    assert.throws(() => wc.replace('project', 'UNIQUEMARK', 'z'.repeat(111)), memoryErr('limit', /^block "project" would be 5,001 characters, 1 over its limit of 5,000/));
    assert.throws(() => wc.rewrite('project', 'r'.repeat(6000)), memoryErr('limit', /would be 6,000 characters, 1,000 over its limit of 5,000/));
    assert.throws(() => wc.setValue('project', 's'.repeat(5001)), memoryErr('limit', /1 over its limit of 5,000/));
    assert.equal(wc.get('project').value, base);
    assert.equal(fs.readFileSync(file('project'), 'utf8'), before);
    assert.equal(wc.rewrite('project', 'w'.repeat(DEFAULT_BLOCK_LIMIT)).value.length, 5000, 'exactly at the limit is fine');
  });

  it('honours a per-block limit from the front matter', () => {
    fs.writeFileSync(file('notes'), formatBlockFile({ description: 'Notes', limit: 10, value: '' }));
    wc.refresh();
    assert.throws(() => wc.append('notes', 'eleven char'), memoryErr('limit', 'block "notes" would be 11 characters, 1 over its limit of 10: consolidate it with working_context_rewrite first'));
  });

  it('names the blocks that exist when asked for one that does not', () => {
    assert.throws(() => wc.get('todo'), memoryErr('not_found', 'no block "todo"; the blocks are: project, user, task'));
    assert.throws(() => wc.append('../secrets', 'x'), memoryErr('not_found', /^no block "\.\.\/secrets"/));
  });

  it('picks up a person editing the Markdown file', () => {
    wc.append('user', 'Prefers tabs');
    assert.equal(wc.refresh(), false, 'our own write is not a change');
    fs.writeFileSync(file('user'), fs.readFileSync(file('user'), 'utf8').replace('Prefers tabs', 'Prefers two spaces, never tabs'));
    assert.equal(wc.refresh(), true);
    assert.equal(wc.get('user').value, 'Prefers two spaces, never tabs');
    assert.equal(wc.refresh(), false);
  });

  it('picks up blocks a person adds or removes, and recreates a deleted default block', () => {
    fs.writeFileSync(file('decisions'), '---\ndescription: Decisions\nlimit: 2000\n---\nUse Postgres\n');
    fs.unlinkSync(file('task'));
    assert.equal(wc.refresh(), true);
    assert.deepEqual(wc.get('decisions'), { label: 'decisions', description: 'Decisions', limit: 2000, value: 'Use Postgres' });
    assert.equal(wc.get('task').value, '');
    fs.unlinkSync(file('decisions'));
    assert.equal(wc.refresh(), true);
    assert.deepEqual(wc.blocks().map((b) => b.label), ['project', 'user', 'task']);
  });

  it('never overwrites a person\'s edit made since the last refresh', () => {
    wc.append('project', 'one');
    fs.writeFileSync(file('project'), formatBlockFile({ description: 'Edited by hand', limit: 5000, value: 'one\nadded by hand' }));
    const after = wc.append('project', 'two');
    assert.equal(after.value, 'one\nadded by hand\ntwo');
    assert.equal(after.description, 'Edited by hand');
  });

  it('round-trips values exactly, whatever their newlines and dashes', () => {
    const values = ['', 'one line', 'trailing newline\n', '\n\nleading blank lines', 'ends with two\n\n', '---\nnot front matter\n---', '  indented\r\nwindows line'];
    for (const v of values) {
      wc.rewrite('task', v);
      assert.equal(reopen().get('task').value, v, JSON.stringify(v));
      assert.deepEqual(parseBlockFile(formatBlockFile({ description: 'd', limit: 7, value: v })), { description: 'd', limit: 7, value: v });
    }
  });

  it('reads a file without front matter as the whole value, with defaults and a warning', () => {
    fs.writeFileSync(file('project'), '# Notes\nUse pnpm\n');
    const reread = reopen();
    assert.deepEqual(reread.get('project'), { ...DEFAULT_BLOCKS[0], value: '# Notes\nUse pnpm' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /project\.md: it has no front matter/);
    reread.append('project', 'Node 20');
    assert.match(fs.readFileSync(file('project'), 'utf8'), /^---\ndescription: The project: .*\nlimit: 5000\n---\n# Notes\nUse pnpm\nNode 20\n$/);
  });

  it('tolerates hand-written front matter: quotes, comments, a bad limit', () => {
    fs.writeFileSync(file('user'), '---\r\n# mine\r\ndescription: "Me: my habits"\r\nlimit: lots\r\n---\r\nvalue\r\n');
    const reread = reopen();
    assert.deepEqual(reread.get('user'), { label: 'user', description: 'Me: my habits', limit: 5000, value: 'value' });
    assert.match(warnings.join('\n'), /limit "lots" is not a positive whole number/);
  });
});
