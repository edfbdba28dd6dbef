import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileFingerprints } from '../../src/memory/codeFingerprints';
import { stampsFor } from '../../src/memory/entryStamps';
import { MemoryJournal } from '../../src/memory/journal';
import { WorkingContext } from '../../src/memory/workingContext';
import { runCli } from '../helpers/cli';
import { tempWorkspace, writeFile } from '../helpers/workspace';

describe('memcode memory check | log | revert', () => {
  let workspace: string;

  beforeEach(async () => {
    workspace = tempWorkspace('memcode-cli-trust-');
    writeFile(workspace, 'src/retry.ts', 'export const retryLimit = 3;\n\nexport function backoff(n: number): number {\n  return 100 * n;\n}\n');
    const memoryDir = path.join(workspace, '.memcode/memory');
    const wc = new WorkingContext(memoryDir, { warn: () => {}, journal: new MemoryJournal(path.join(memoryDir, 'journal.jsonl')) });
    wc.load();
    const text = '- The retry limit is 3, see src/retry.ts#retryLimit\n- Backoff is linear (src/retry.ts#backoff)';
    wc.append('project', text, { mark: await stampsFor(text, { session: 's1', message: 3, date: '2026-12-01', files: [] }, fileFingerprints(workspace)), origin: { actor: 'agent', via: 'working_context_append', session: 's1', message: 3 } });
  });
  afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('lists the entries whose cited code changed, as text and as JSON', async () => {
    const clean = await runCli(['memory', 'check', '-C', workspace]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /No stale entries/);
    // Whole-file fingerprints were recorded (no chunker in the writer above): any change to the file counts.
    writeFile(workspace, 'src/retry.ts', 'export const retryLimit = 5;\n');
    const text = await runCli(['memory', 'check', '-C', workspace]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /2 stale entries/);
    assert.match(text.stdout, /project \[[a-z0-9]{6}\] written 2026-12-01: - The retry limit is 3, see src\/retry.ts#retryLimit\n  src\/retry.ts#retryLimit changed on \d{4}-/);
    fs.rmSync(path.join(workspace, 'src/retry.ts'));
    const json = JSON.parse((await runCli(['memory', 'check', '--json', '-C', workspace])).stdout);
    assert.equal(json.stale.length, 2);
    assert.deepEqual(json.stale[0].cites.map((c: any) => [c.path, c.symbol, c.reason, c.description]), [['src/retry.ts', 'retryLimit', 'missing', 'src/retry.ts#retryLimit was deleted or renamed']]);
  });

  it('shows the journal and reverts a change from it', async () => {
    const file = path.join(workspace, '.memcode/memory/project.md');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8').trimEnd()}\n- Deploys need approval\n`);
    const log = await runCli(['memory', 'log', 'project', '-C', workspace]);
    assert.equal(log.code, 0, log.stderr);
    const lines = log.stdout.split('\n');
    assert.match(lines[0], /^j[a-z0-9]{7} project \d{4}-\d{2}-\d{2} \d{2}:\d{2} person \(file\)$/);
    assert.equal(lines[1], '    + - Deploys need approval');
    assert.match(log.stdout, /agent \(working_context_append, session s1, message 3\)\n {4}\+ - The retry limit is 3, see src\/retry.ts#retryLimit\n/);
    const handEdit = lines[0].split(' ')[0];
    const json = JSON.parse((await runCli(['memory', 'log', '--json', '--limit', '1', '-C', workspace])).stdout);
    assert.deepEqual(json.entries.map((e: any) => e.id), [handEdit]);

    const revert = await runCli(['memory', 'revert', handEdit, '-C', workspace]);
    assert.equal(revert.code, 0, revert.stderr);
    assert.match(revert.stdout, new RegExp(`Reverted ${handEdit} in block "project"`));
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /Deploys need approval/);
    assert.match(fs.readFileSync(file, 'utf8'), /retry limit is 3.*<!-- mc:/);
    const unknown = await runCli(['memory', 'revert', 'jzzzzzzz', '-C', workspace]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no journal entry "jzzzzzzz"/);
  });
});
