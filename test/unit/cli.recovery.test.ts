// Issue 15 items 8-10, as the hostile review found them: through the real `memcode` CLI on real files.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryFolder } from '../../src/app/memoryFolder';
import { RecallLog } from '../../src/memory/recall';
import { memoryPaths } from '../../src/memory/store';
import { runCli, startCli } from '../helpers/cli';
import { tempWorkspace, removeTempWorkspaces, writeFile } from '../helpers/workspace';

const NOTE = 'The staging database password rotates every Tuesday; ask Priya in ops for the new one.';

function makeProject(root: string, filler: number): void {
  const write = (rel: string, text: string) => writeFile(root, rel, text);
  write(
    'src/billing/invoice.ts',
    '/** Computes the total of an invoice including VAT, rounding half-up to cents. */\nexport function computeInvoiceTotal(lines: number[], vatRate: number): number {\n  const net = lines.reduce((a, b) => a + b, 0);\n  return Math.round(net * (1 + vatRate) * 100) / 100;\n}\n',
  );
  for (let i = 0; i < filler; i++) {
    write(`src/filler/module${i}.ts`, `export function helper${i}(x: number): number {\n  return x * ${i} + ${i % 7};\n}\n\nexport class Widget${i} {\n  size = ${i};\n}\n`);
  }
}

/** Saves a note the way the agent's archival_memory_insert does, in this process. */
async function addNote(workspace: string, text: string): Promise<void> {
  const folder = new MemoryFolder({ workspaceRoot: workspace, memoryRoot: path.join(workspace, '.memcode'), embeddings: () => ({ provider: 'local' }), warn: () => {} });
  await folder.addNote(text);
  folder.dispose();
}

function addMessages(workspace: string): void {
  const recall = RecallLog.open(memoryPaths(path.join(workspace, '.memcode')), { warn: () => {} });
  recall.append({ role: 'user', session: 's1', content: 'where does the staging password come from?', tokens: 9 });
  recall.append({ role: 'assistant', session: 's1', content: 'Priya rotates the staging password weekly.', tokens: 8 });
}

function cacheFiles(workspace: string): string[] {
  const shards = path.join(workspace, '.memcode', 'archival', 'shards');
  return fs.readdirSync(shards).map((f) => path.join(shards, f, 'cache.bin')).filter((f) => fs.existsSync(f));
}

describe('memcode recovery (issue 15 items 8-10)', function () {
  this.timeout(120_000);
  let workspace: string;

  beforeEach(() => {
    workspace = tempWorkspace('memcode-recovery-');
    makeProject(workspace, 5);
  });
  afterEach(() => removeTempWorkspaces());

  it('index --rebuild keeps the agent\'s archival notes', async () => {
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    await addNote(workspace, NOTE);
    const rebuilt = await runCli(['index', '-C', workspace, '--rebuild']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    const search = await runCli(['memory', 'search', 'staging database password Priya', '-C', workspace]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /note \d{4}-\d\d-\d\d .*staging database password rotates every Tuesday/);
    const files = await runCli(['memory', 'search', 'computeInvoiceTotal', '-C', workspace]);
    assert.match(files.stdout, /src\/billing\/invoice\.ts:1-5/);
  });

  it('a damaged manifest: memory search still prints recall results and says what is wrong; doctor rebuilds the manifest, and --rebuild keeps the notes', async () => {
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    await addNote(workspace, NOTE);
    addMessages(workspace);
    const manifest = path.join(workspace, '.memcode', 'archival', 'manifest.json');
    fs.writeFileSync(manifest, '{"format": 1, "embedder": {"id": "loc');

    const search = await runCli(['memory', 'search', 'staging password', '-C', workspace]);
    assert.match(search.stdout, /## recall memory[\s\S]*#1 .*user: where does the staging password come from/);
    assert.match(search.stdout, /## archival memory[\s\S]*manifest\.json is corrupted[\s\S]*memcode doctor/);
    assert.doesNotMatch(search.stdout + search.stderr, /rebuild it with/);
    assert.equal(search.code, 1);

    const rebuilt = await runCli(['index', '-C', workspace, '--rebuild']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    const after = await runCli(['memory', 'search', 'staging database password Priya', '-C', workspace]);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /note .*staging database password rotates every Tuesday/);
  });

  it('memcode doctor rebuilds a damaged manifest from the shards, losing no note and no chunk', async () => {
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    await addNote(workspace, NOTE);
    const manifest = path.join(workspace, '.memcode', 'archival', 'manifest.json');
    fs.writeFileSync(manifest, 'garbage');

    const doctor = await runCli(['doctor', '-C', workspace]);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /manifest\.json.*corrupted/);
    assert.match(doctor.stdout, /rebuilt .*manifest.* from \d+ shard/);
    assert.ok(fs.readdirSync(path.dirname(manifest)).some((f) => f.startsWith('manifest.json.corrupt-')), 'the damaged manifest is kept aside');
    const search = await runCli(['memory', 'search', 'staging database password Priya computeInvoiceTotal', '-C', workspace]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /note .*staging database password/);
    assert.match(search.stdout, /src\/billing\/invoice\.ts/);
    const again = await runCli(['doctor', '-C', workspace]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /healthy/i);
  });

  it('a garbled cache.bin is not trusted: search warns, reads index.json, and rewrites the cache', async () => {
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    let garbled = 0;
    for (const file of cacheFiles(workspace)) {
      const bytes = fs.readFileSync(file);
      const at = bytes.indexOf('computeInvoiceTotal');
      if (at < 0) continue;
      bytes.fill('X'.charCodeAt(0), at, at + 24);
      fs.writeFileSync(file, bytes);
      garbled++;
    }
    assert.equal(garbled, 1);
    const search = await runCli(['memory', 'search', 'computeInvoiceTotal', '-C', workspace]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /computeInvoiceTotal\(lines/);
    assert.doesNotMatch(search.stdout, /XXXX/);
    assert.match(search.stderr, /cache\.bin.*checksum.*index\.json/);
    const again = await runCli(['memory', 'search', 'computeInvoiceTotal', '-C', workspace]);
    assert.doesNotMatch(again.stderr, /checksum/, 'the cache was rewritten');
    assert.match(again.stdout, /computeInvoiceTotal\(lines/);
  });

  it('memory search during an index run never reports corruption', async () => {
    makeProject(workspace, 1500);
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    // A rebuild rewrites every shard generation after generation while the searches read.
    const { child, done } = startCli(['index', '-C', workspace, '--rebuild']);
    let finished = false;
    void done.then(() => (finished = true));
    let searches = 0;
    try {
      while (!finished || searches < 4) {
        const runs = await Promise.all([0, 1].map(() => runCli(['memory', 'search', 'helper42 Widget', '-C', workspace])));
        for (const run of runs) {
          searches++;
          const output = run.stdout + run.stderr;
          assert.doesNotMatch(output, /corrupt/i, `search ${searches} during the index run:\n${output}`);
          assert.equal(run.code, 0, output);
        }
        if (searches > 60) break;
      }
    } finally {
      if (!finished) child.kill('SIGKILL');
      await done;
    }
    const index = await done;
    assert.equal(index.code, 0, index.stderr);
    assert.equal(child.exitCode, 0);
    assert.ok(searches >= 4);
  });
});
