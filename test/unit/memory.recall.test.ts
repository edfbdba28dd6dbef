import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Runs a TypeScript snippet that gets `log`, a RecallLog on `paths`, in another Node process. */
function runChild(dir: string, paths: MemoryPaths, body: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const script = path.join(dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(
    script,
    `import { RecallLog } from ${JSON.stringify(path.join(repoRoot, 'src', 'memory', 'recall'))};\n` +
      `const log = RecallLog.open(${JSON.stringify(paths)});\n${body}\n`,
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('recall log', function () {
  this.timeout(20_000);
  let dir: string;
  let paths: MemoryPaths;
  let warnings: string[];
  let now: number;
  const clock = () => new Date(now);
  const open = () => RecallLog.open(paths, { clock, warn: (m) => warnings.push(m) });
  const say = (log: RecallLog, content: string, role: 'user' | 'assistant' = 'user') => log.append({ session: 's-1', role, content, tokens: 3 });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-recall-'));
    paths = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} }).paths;
    warnings = [];
    now = Date.parse('2026-03-02T09:00:00Z');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends messages with increasing ids and clock times, and finds them again after reopening', () => {
    const log = open();
    assert.equal(log.lastId(), 0);
    const first = say(log, 'hello');
    now += 60_000;
    const second = log.append({
      session: 's-1',
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' }],
      tokens: 9,
    });
    const third = log.append({ session: 's-1', role: 'tool', kind: 'tool_result', name: 'read_file', toolCallId: 'c1', content: 'file text', tokens: 2, time: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual([first.id, second.id, third.id], [1, 2, 3]);
    assert.equal(first.time, '2026-03-02T09:00:00.000Z');
    assert.equal(second.time, '2026-03-02T09:01:00.000Z');
    assert.equal(third.time, '2026-01-01T00:00:00.000Z', 'an explicit time is kept');

    const reopened = open();
    assert.equal(reopened.count(), 3);
    assert.equal(reopened.lastId(), 3);
    assert.deepEqual(reopened.all(), [first, second, third]);
    assert.deepEqual(reopened.get(2)?.toolCalls, [{ id: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' }]);
    assert.equal(reopened.get(4), undefined);
    assert.deepEqual(reopened.since(2).map((r) => r.id), [2, 3]);
    assert.deepEqual(reopened.since(1).length, 3);
    assert.deepEqual(reopened.since(9), []);
    const lines = fs.readFileSync(paths.messagesFile, 'utf8').split('\n');
    assert.equal(lines.length, 4, 'one line per message, newline-terminated');
    assert.deepEqual(JSON.parse(lines[0]), first);
  });

  it('keeps imported history out of the conversation queue, where searches still find it by its older date', () => {
    const log = open();
    say(log, 'the queue starts here');
    log.append({ session: 's-old', role: 'user', content: 'imported: the ledger rename', importedFrom: 'claude-code', time: '2024-06-10T16:00:00.000Z', tokens: 5 });
    // A damaged marker still marks the message imported: history must never leak into the queue.
    fs.appendFileSync(paths.messagesFile, `${JSON.stringify({ id: 3, session: 's-old', role: 'assistant', content: 'imported: renamed the ledger', importedFrom: 7, time: '2024-06-10T16:00:30.000Z', tokens: 5 })}\n`);
    now += 60_000;
    say(log, 'and goes on here', 'assistant');
    const reopened = open();
    assert.deepEqual(reopened.since(1).map((r) => r.content), ['the queue starts here', 'and goes on here']);
    assert.equal(reopened.get(3)?.importedFrom, 'unknown');
    assert.deepEqual(reopened.all().map((r) => r.id), [1, 2, 3, 4], 'ids keep increasing while times go back');
    assert.deepEqual(reopened.search('ledger').results.map((r) => r.id).sort(), [2, 3]);
    assert.deepEqual(reopened.searchByDate('2024-06-10', '2024-06-10').results.map((r) => r.id), [2, 3]);
    assert.deepEqual(reopened.searchByDate('2024-01-01', '2026-12-31').results.map((r) => r.id), [2, 3, 1, 4], 'oldest first');
  });

  it('keeps attachments and tool outcomes through a reopen, and drops malformed ones rather than trusting them', () => {
    const log = open();
    log.append({ session: 's-1', role: 'user', content: 'look', tokens: 3, attachments: [{ path: 'src/a.ts', startLine: 2, endLine: 4, text: 'code' }] });
    log.append({ session: 's-1', role: 'tool', content: 'appended', tokens: 3, name: 'working_context_append', toolCallId: 'c1', ok: true, editsMemory: true, block: 'project' });
    fs.appendFileSync(paths.messagesFile, `${JSON.stringify({ id: 3, session: 's-1', role: 'user', content: 'odd', time: '', tokens: 1, attachments: [{ path: 7 }, 'x', { path: 'b.md', text: 'B' }], ok: 'yes', block: 3 })}\n`);
    const reopened = open();
    assert.deepEqual(reopened.get(1)?.attachments, [{ path: 'src/a.ts', startLine: 2, endLine: 4, text: 'code' }]);
    const tool = reopened.get(2)!;
    assert.deepEqual([tool.ok, tool.editsMemory, tool.block], [true, true, 'project']);
    const odd = reopened.get(3)!;
    assert.deepEqual([odd.attachments, odd.ok, odd.block], [[{ path: 'b.md', text: 'B' }], undefined, undefined]);
    assert.equal(reopened.search('code').results[0]?.id, 1, 'attached text is found by a search');
  });

  it('keeps a message that was appended just before the process was killed', async () => {
    const run = await runChild(
      dir,
      paths,
      `log.append({ session: 's-1', role: 'user', content: 'remember: deploy with make ship', tokens: 5 });\nprocess.kill(process.pid, 'SIGKILL');`,
    );
    assert.equal(run.signal, 'SIGKILL', run.stderr);
    assert.equal(open().get(1)?.content, 'remember: deploy with make ship');
  });

  it('ignores a last line cut off mid-write, and starts the next message on a fresh line', () => {
    const log = open();
    say(log, 'one');
    say(log, 'two');
    fs.appendFileSync(paths.messagesFile, '{"id":3,"session":"s-1","role":"user","cont');
    const afterCrash = open();
    assert.equal(afterCrash.count(), 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ends with an incomplete line \(\d+ bytes.*\); ignoring it/);

    const next = say(afterCrash, 'three');
    assert.equal(next.id, 3);
    assert.equal(warnings.length, 1, 'the cut-off line is reported once');
    const text = fs.readFileSync(paths.messagesFile, 'utf8');
    assert.match(text, /"cont\n\{[^\n]*"id":3[^\n]*\}\n$/, 'earlier bytes untouched, new line on its own');
    assert.ok(text.endsWith('\n'));

    warnings = [];
    const reopened = open();
    assert.deepEqual(reopened.all().map((r) => r.content), ['one', 'two', 'three']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /line 3 is not a message record; skipping it \(left in the file\)/);
  });

  it('skips a corrupt line in the middle with a warning and never deletes it', () => {
    const log = open();
    say(log, 'one');
    fs.appendFileSync(paths.messagesFile, 'this is not json\n{"id":"x","role":"user"}\n');
    say(log, 'two');
    const bytes = fs.readFileSync(paths.messagesFile, 'utf8');
    warnings = [];
    const reopened = open();
    assert.deepEqual(reopened.all().map((r) => [r.id, r.content]), [[1, 'one'], [2, 'two']]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /line 2 is not a message record/);
    assert.match(warnings[1], /line 3 is not a message record/);
    assert.equal(fs.readFileSync(paths.messagesFile, 'utf8'), bytes);
  });

  it('sees the lines another process appended, and numbers its own after them', async () => {
    const log = open();
    say(log, 'mine');
    const run = await runChild(
      dir,
      paths,
      `log.append({ session: 's-2', role: 'user', content: 'from the CLI', tokens: 1 });\nlog.append({ session: 's-2', role: 'assistant', content: 'done', tokens: 1 });`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(log.refresh(), 2);
    assert.equal(log.refresh(), 0);
    assert.deepEqual(log.since(2).map((r) => r.content), ['from the CLI', 'done']);
    assert.equal(say(log, 'after').id, 4);
  });

  it('numbers correctly even when another writer appended since the last refresh', () => {
    const a = open();
    const b = open();
    say(a, 'a1');
    say(b, 'b1');
    assert.equal(say(a, 'a2').id, 3);
    assert.deepEqual(open().all().map((r) => `${r.id}:${r.content}`), ['1:a1', '2:b1', '3:a2']);
  });

  it('keeps recall state with defaults, patches and atomic saves', () => {
    const log = open();
    assert.deepEqual(log.state(), { summary: '', firstInContextId: 1, pressureAlerted: false, updated: '2026-03-02T09:00:00.000Z' });
    now += 1000;
    const saved = log.saveState({ summary: 'Fixed the login bug.', firstInContextId: 12 });
    assert.deepEqual(saved, { summary: 'Fixed the login bug.', firstInContextId: 12, pressureAlerted: false, updated: '2026-03-02T09:00:01.000Z' });
    log.saveState({ pressureAlerted: true });
    assert.deepEqual(open().state(), { ...saved, pressureAlerted: true });
    assert.deepEqual(fs.readdirSync(paths.recallDir).sort(), ['state.json']);
  });

  it('moves a corrupted state.json aside with a warning and starts fresh', () => {
    fs.writeFileSync(paths.stateFile, '{"summary": "half');
    const log = open();
    assert.equal(log.state().summary, '');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /state\.json was corrupted .*; moved aside to .*state\.json\.corrupt-\d{8}T\d{6} and started fresh/);
    const aside = fs.readdirSync(paths.recallDir).filter((n) => n.startsWith('state.json.corrupt-'));
    assert.equal(fs.readFileSync(path.join(paths.recallDir, aside[0]), 'utf8'), '{"summary": "half');
  });
});
