import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryLog, revertMemoryChange } from '../../src/app/memoryHistory';
import { MemoryJournal, revertChange } from '../../src/memory/journal';
import { MemoryStore } from '../../src/memory/store';
import { WorkingContext } from '../../src/memory/workingContext';
import { tempWorkspace, writeFile } from '../helpers/workspace';
import { MemoryFolder } from '../../src/app/memoryFolder';
import { McpMemoryTools } from '../../src/app/mcpMemoryTools';

describe('memory journal', () => {
  let root: string;
  let store: MemoryStore;
  let journal: MemoryJournal;
  const open = () => {
    const wc = new WorkingContext(store.paths.memoryDir, { warn: () => {}, journal });
    wc.load();
    return wc;
  };
  const blockFile = () => path.join(store.paths.memoryDir, 'project.md');

  beforeEach(() => {
    root = tempWorkspace('memcode-journal-');
    store = MemoryStore.open(path.join(root, '.memcode'), { warn: () => {} });
    journal = new MemoryJournal(store.paths.journalFile, store.clock);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('journals each change with who made it, through which tool call, the diff and the text after', () => {
    const wc = open();
    assert.equal(journal.all().length, 0, 'empty default blocks are no change');
    wc.append('project', '- Tests: npm test', { origin: { actor: 'agent', via: 'working_context_append', session: 's1', message: 4, callId: 'c1' } });
    wc.replace('project', 'npm test', 'npm run test:unit');
    const [second, first] = journal.log('project');
    assert.deepEqual(
      { actor: first.actor, via: first.via, session: first.session, message: first.message, callId: first.callId, diff: first.diff, after: first.after },
      { actor: 'agent', via: 'working_context_append', session: 's1', message: 4, callId: 'c1', diff: ['+- Tests: npm test'], after: '- Tests: npm test' },
    );
    assert.deepEqual(second.diff, ['-- Tests: npm test', '+- Tests: npm run test:unit']);
    assert.match(second.time, /^\d{4}-\d{2}-\d{2}T/);
  });

  it("records a person's edit of the file as theirs when the block is read, also after a restart", () => {
    open().append('project', '- a');
    fs.writeFileSync(blockFile(), fs.readFileSync(blockFile(), 'utf8').replace('- a', '- a\n- b (by hand)'));
    const entries = open() && journal.log('project');
    assert.equal(entries.length, 2);
    assert.deepEqual([entries[0].actor, entries[0].via, entries[0].diff], ['person', 'file', ['+- b (by hand)']]);
    open();
    assert.equal(journal.log('project').length, 2, 'seen once, not at every load');
  });

  it('records a hand edit once when two processes notice it, each reading only what was appended since', () => {
    open().append('project', '- a');
    const other = new MemoryJournal(store.paths.journalFile);
    assert.equal(other.all().length, 1);
    fs.writeFileSync(blockFile(), fs.readFileSync(blockFile(), 'utf8').replace('- a', '- a\n- b'));
    const first = new WorkingContext(store.paths.memoryDir, { warn: () => {}, journal });
    const second = new WorkingContext(store.paths.memoryDir, { warn: () => {}, journal: other });
    first.load();
    second.load();
    assert.deepEqual(other.all().map((e) => e.actor), ['agent', 'person']);
    assert.deepEqual(journal.all().map((e) => e.actor), ['agent', 'person']);
  });

  it('skips a line torn by a crash and starts the next entry on a fresh line', () => {
    const wc = open();
    wc.append('project', '- one');
    fs.appendFileSync(store.paths.journalFile, '{"id":"jtorn","time":"2026-');
    const reopened = new MemoryJournal(store.paths.journalFile);
    assert.equal(reopened.all().length, 1);
    const wc2 = new WorkingContext(store.paths.memoryDir, { warn: () => {}, journal: reopened });
    wc2.load();
    wc2.append('project', '- two');
    const lines = fs.readFileSync(store.paths.journalFile, 'utf8').split('\n');
    assert.equal(lines[1], '{"id":"jtorn","time":"2026-');
    assert.deepEqual(new MemoryJournal(store.paths.journalFile).all().map((e) => e.after), ['- one', '- one\n- two']);
  });

  it('reverts one change and keeps the changes made after it; the revert is journaled and can be reverted', async () => {
    const wc = open();
    wc.append('project', '- a');
    wc.append('project', '- b');
    wc.replace('project', '- a', '- a2');
    const addB = memoryLog(store, 'project')[1];
    assert.deepEqual(addB.diff, ['+- b']);
    const { entry } = await revertMemoryChange(store, addB.id, 'test');
    assert.equal(open().get('project').value, '- a2');
    assert.equal(entry!.actor, 'revert');
    assert.equal(entry!.revertOf, addB.id);
    await revertMemoryChange(store, entry!.id.slice(0, 6), 'test');
    assert.equal(open().get('project').value, '- a2\n- b');
    await assert.rejects(revertMemoryChange(store, 'jnope123', 'test'), /no journal entry "jnope123"/);
  });

  it('puts removed lines back after the line that preceded them', () => {
    assert.equal(revertChange('x\n- a\n- c\ny', '- a\n- b\n- c', '- a\n- c'), 'x\n- a\n- b\n- c\ny');
    assert.equal(revertChange('- a\n- c', '- a\n- b\n- c', '- a\n- c'), '- a\n- b\n- c');
  });
});

describe('memory written over MCP', () => {
  it("records the client's provenance and journal entry, and shows other agents the block without markers", async () => {
    const root = tempWorkspace('memcode-mcp-trust-');
    try {
      writeFile(root, 'src/retry.ts', 'export const retryLimit = 3;\n');
      const folder = new MemoryFolder({ workspaceRoot: root, memoryRoot: path.join(root, '.memcode'), embeddings: () => ({ provider: 'local' }), warn: () => {} });
      const tools = new McpMemoryTools({ folder, lockWaitMs: 1000 });
      tools.setClient('claude-code');
      const wrote = await tools.call('working_context_append', { block: 'project', content: '- Retry limit 3 (src/retry.ts#retryLimit)' });
      assert.equal(wrote.ok, true, wrote.text);
      const file = fs.readFileSync(path.join(root, '.memcode/memory/project.md'), 'utf8');
      assert.match(file, /- Retry limit 3 \(src\/retry.ts#retryLimit\) <!-- mc:[a-z0-9]{6} s=\S+ t=\S+ h=[0-9a-f]{6} c=src\/retry.ts#retryLimit@[0-9a-f]{8} -->/);
      const read = JSON.parse((await tools.call('working_context_read', { block: 'project' })).text);
      assert.equal(read.blocks[0].value, '- Retry limit 3 (src/retry.ts#retryLimit)');
      const [entry] = new MemoryJournal(path.join(root, '.memcode/memory/journal.jsonl')).log('project');
      assert.deepEqual([entry.actor, entry.via], ['agent', 'working_context_append (mcp: claude-code)']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
