import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAttachment } from '../../src/app/attachContent';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { writeFile } from '../helpers/workspace';

describe('@file and @folder content', () => {
  let root: string;
  let files: WorkspaceFiles;
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-attach-'));
    writeFile(root, 'src/store.ts', 'export class TodoStore {}\n');
    writeFile(root, 'src/util/format.ts', 'export const f = 1;\n');
    writeFile(root, 'src/logo.png', '\u0000\u0001binary');
    writeFile(root, '.env', 'API_KEY=hunter2\n');
    writeFile(root, 'big.txt', 'x'.repeat(5_000));
    files = new WorkspaceFiles({ root, memoryDir: path.join(root, '.memcode') });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("attaches a file's content with its token count", () => {
    const [one, ...rest] = readAttachment(files, 'src/store.ts', words);
    assert.deepEqual(rest, []);
    assert.deepEqual(one.attachment, { path: 'src/store.ts', text: 'export class TodoStore {}\n' });
    assert.equal(one.tokens, 4);
  });

  it("attaches a folder's readable files, leaving binaries out", () => {
    const got = readAttachment(files, 'src/', words).map((f) => f.attachment.path);
    assert.deepEqual(got, ['src/store.ts', 'src/util/format.ts']);
  });

  it('refuses secrets and paths outside the workspace, and caps a long file', () => {
    assert.throws(() => readAttachment(files, '.env', words), /secrets file/);
    assert.throws(() => readAttachment(files, '../outside.txt', words), /outside|workspace/);
    assert.throws(() => readAttachment(files, 'missing.ts', words), /does not exist/);
    const [cut] = readAttachment(files, 'big.txt', words, { maxFileChars: 100 });
    assert.match(cut.attachment.text, /^x{100}\n… \(cut: the file has 5,000 characters/);
  });
});
