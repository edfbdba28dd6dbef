import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileFingerprints } from '../../src/memory/codeFingerprints';
import { citationsOf, stampsFor } from '../../src/memory/entryStamps';
import { readableFiles } from '../../src/core/memoryTrust';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { entriesOf, formatMarker, parseCitations, reattachMarkers, splitLine, visibleText } from '../../src/memory/provenance';
import { WorkingContext } from '../../src/memory/workingContext';
import { tempWorkspace, writeFile } from '../helpers/workspace';

describe('provenance markers', () => {
  let root: string;
  beforeEach(() => {
    root = tempWorkspace('memcode-prov-');
    writeFile(root, 'src/retry.ts', 'export const retryLimit = 3;\n');
    writeFile(root, 'README.md', '# r\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('parses citations as path, path:line and path#Symbol, with or without backticks, and not URLs', () => {
    const cites = parseCitations('Retry limit is 3, see `src/retry.ts#retryLimit`; called at src/client.ts:42 and in README.md. Docs: https://x.org/a/b.html');
    assert.deepEqual(cites, [
      { path: 'src/retry.ts', symbol: 'retryLimit' },
      { path: 'src/client.ts', line: 42 },
      { path: 'README.md' },
    ]);
    assert.deepEqual(parseCitations('see ./lib/a.py#Client.send.'), [{ path: 'lib/a.py', symbol: 'Client.send' }]);
    assert.deepEqual(parseCitations('version 1.2.3 and nothing else'), []);
  });

  it('round-trips a marker and keeps fields it does not know', () => {
    const marker = { id: 'k3f9ab', session: 's 2', message: 41, date: '2026-12-01', cites: [{ path: 'src/a b.ts', symbol: 'x', hash: '0123abcd' }], files: ['src/a b.ts'], rest: 'z=1' };
    const line = `- a fact ${formatMarker(marker)}`;
    assert.match(line, /<!-- mc:k3f9ab s=s%202 m=41 t=2026-12-01 c=src\/a%20b.ts#x@0123abcd f=src\/a%20b.ts z=1 -->$/);
    assert.deepEqual(splitLine(line), { text: '- a fact', marker });
    assert.equal(visibleText(`${line}\n## Heading\n- plain`), '- a fact\n## Heading\n- plain');
  });

  it('stamps each entry line with its own citations and fingerprints; drops citations of files that do not exist', async () => {
    const mark = await stampsFor('## Retries\n- The retry limit is 3, see src/retry.ts#retryLimit\n- Use node.js 20', { session: 's1', message: 7, date: '2026-12-01', files: ['src/retry.ts'] }, fileFingerprints(root));
    assert.equal(mark('## Retries'), undefined);
    const first = mark('- The retry limit is 3, see src/retry.ts#retryLimit')!;
    assert.equal(first.cites.length, 1);
    assert.equal(first.cites[0].path, 'src/retry.ts');
    assert.match(first.cites[0].hash!, /^[0-9a-f]{8}$/);
    assert.deepEqual(mark('- Use node.js 20')!.cites, []);
    assert.notEqual(first.id, mark('- Use node.js 20')!.id);
  });

  it('never fingerprints a secrets file, git data or the memory folder, even when an entry names them', async () => {
    writeFile(root, '.env', 'TOKEN=1234\n');
    writeFile(root, '.git/config', '[core]\n');
    writeFile(root, '.memcode/memory/project.md', '- x\n');
    writeFile(root, 'src/ok.ts', 'export {};\n');
    writeFile(root, '.eslintrc.json', '{}\n');
    assert.deepEqual(parseCitations('in .env and .eslintrc.json, not promise.then').map((c) => c.path), ['.env', '.eslintrc.json', 'promise.then']);
    const fingerprints = fileFingerprints(root, readableFiles(new WorkspaceFiles({ root })));
    const cites = await citationsOf('token in .env, hooks in .git/config, notes in .memcode/memory/project.md, code in src/ok.ts, lint in .eslintrc.json', fingerprints);
    assert.deepEqual(cites.map((c) => c.path), ['src/ok.ts', '.eslintrc.json']);
  });

  it('keeps the marker of every line an edit leaves alone, and stamps only the changed one', () => {
    const old = `- a <!-- mc:aaaaaa t=2026-01-01 -->\n- b <!-- mc:bbbbbb t=2026-01-01 -->`;
    const next = reattachMarkers(old, '- a\n- b2\n- c', (line) => ({ id: `new${line.slice(2)}`, cites: [], files: [] }));
    assert.equal(next, '- a <!-- mc:aaaaaa t=2026-01-01 -->\n- b2 <!-- mc:newb2 -->\n- c <!-- mc:newc -->');
    const fenced = reattachMarkers('', '- Build:\n```sh\nmake all\n```\n- Done', () => ({ id: 'x', cites: [], files: [] }));
    assert.equal(fenced, '- Build: <!-- mc:x -->\n```sh\nmake all\n```\n- Done <!-- mc:x -->', 'no marker inside a code fence');
  });

  it('keeps ids through a hand edit of the file and through the agent editing around it', async () => {
    const memoryDir = path.join(root, '.memcode/memory');
    const wc = new WorkingContext(memoryDir, { warn: () => {} });
    wc.load();
    const mark = await stampsFor('- Limit 3 (src/retry.ts)\n- Tests: npm test', { date: '2026-12-01', files: [] }, fileFingerprints(root));
    wc.append('project', '- Limit 3 (src/retry.ts)\n- Tests: npm test', { mark });
    const ids = entriesOf(wc.get('project').value).map((e) => e.marker?.id);
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => id && /^[a-z0-9]{6}$/.test(id)));
    // A person adds a line above and edits the text of one bullet in the file, keeping its marker.
    const file = path.join(memoryDir, 'project.md');
    const text = fs.readFileSync(file, 'utf8').replace('- Tests: npm test', '- Tests: npm run test:unit');
    fs.writeFileSync(file, text.replace('- Limit 3', '- Deploy on Fridays: never\n- Limit 3'));
    wc.refresh();
    // The agent replaces text in the visible view; lines it does not touch keep their markers.
    wc.replace('project', 'Deploy on Fridays: never', 'Deploy on Fridays: only with approval');
    const after = entriesOf(wc.get('project').value);
    assert.deepEqual(after.map((e) => e.text), ['- Deploy on Fridays: only with approval', '- Limit 3 (src/retry.ts)', '- Tests: npm run test:unit']);
    assert.deepEqual(after.slice(1).map((e) => e.marker?.id), ids);
    // The limit counts what the model reads, not the markers.
    assert.equal(visibleText(wc.get('project').value), '- Deploy on Fridays: only with approval\n- Limit 3 (src/retry.ts)\n- Tests: npm run test:unit');
  });
});
