import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createToolRegistry } from '../../src/tools/index';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';
import { parsed, testWorkspace, toolHarness } from '../helpers/toolContext';

const registry = createToolRegistry({ commandTimeoutMs: 1_500 });

const { run, ok, error } = toolHarness(registry);

/**
 * Is `pid` still running? A killed orphan stays a zombie until init reaps it, and in some containers
 * init never does; a zombie runs nothing, so it counts as gone.
 */
function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is all we have
  }
}

describe('edit_file', () => {
  after(removeTempWorkspaces);

  it('changes the file once the person approves, after showing them before and after', async () => {
    const ws = testWorkspace();
    ws.write('src/app.ts', 'const port = 3000;\nlisten(port);\n');
    const out = await ok(ws, 'edit_file', { path: 'src/app.ts', old_text: 'port = 3000', new_text: 'port = 8080' });
    assert.equal(out.ok, true);
    assert.equal(out.path, 'src/app.ts');
    assert.equal(ws.read('src/app.ts'), 'const port = 8080;\nlisten(port);\n');
    assert.equal(ws.approvals.requests.length, 1);
    const asked = ws.approvals.requests[0];
    assert.equal(asked.kind, 'edit');
    if (asked.kind !== 'edit') return;
    assert.equal(asked.path, 'src/app.ts');
    assert.equal(asked.before, 'const port = 3000;\nlisten(port);\n');
    assert.equal(asked.after, 'const port = 8080;\nlisten(port);\n');
    assert.match(asked.summary, /src\/app\.ts/);
    assert.deepEqual(fs.readdirSync(path.join(ws.root, 'src')), ['app.ts'], 'no temp file left behind');
  });

  it('leaves the file untouched when rejected, and tells the model why', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'let x = 1;\n');
    ws.approvals.answer = { approved: false, reason: 'keep x mutable' };
    assert.equal(
      await error(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' }),
      'the person rejected the edit: keep x mutable',
    );
    assert.equal(ws.read('a.ts'), 'let x = 1;\n');
    ws.approvals.answer = { approved: false };
    assert.equal(await error(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' }), 'the person rejected the edit: no reason given');
  });

  it('refuses old_text that matches 0 or 2 times, saying how many, without asking anyone', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'foo();\nfoo();\n');
    assert.match(await error(ws, 'edit_file', { path: 'a.ts', old_text: 'bar()', new_text: 'x' }), /found 0 times in "a\.ts"/);
    assert.match(
      await error(ws, 'edit_file', { path: 'a.ts', old_text: 'foo();', new_text: 'x' }),
      /found 2 times in "a\.ts"; include more surrounding lines/,
    );
    assert.equal(ws.approvals.requests.length, 0);
    assert.equal(ws.read('a.ts'), 'foo();\nfoo();\n');
  });

  it('creates nothing when the file does not exist', async () => {
    const ws = testWorkspace();
    assert.match(await error(ws, 'edit_file', { path: 'new.ts', old_text: 'a', new_text: 'b' }), /not found; .*write_file/);
    assert.equal(fs.existsSync(path.join(ws.root, 'new.ts')), false);
  });

  it('matches text sent with \\n line endings in a file saved with \\r\\n, keeping \\r\\n', async () => {
    const ws = testWorkspace();
    ws.write('win.txt', 'one\r\ntwo\r\nthree\r\n');
    await ok(ws, 'edit_file', { path: 'win.txt', old_text: 'one\ntwo', new_text: 'uno\ndos' });
    assert.equal(ws.read('win.txt'), 'uno\r\ndos\r\nthree\r\n');
  });

  it('does not overwrite a change the person saved while the approval was open', async () => {
    const ws = testWorkspace();
    const abs = ws.write('a.ts', 'v1\n');
    ws.ctx.approvals = {
      async request() {
        fs.writeFileSync(abs, 'saved by the person\n');
        return { approved: true };
      },
    };
    assert.match(await error(ws, 'edit_file', { path: 'a.ts', old_text: 'v1', new_text: 'v2' }), /changed while waiting for approval/);
    assert.equal(ws.read('a.ts'), 'saved by the person\n');
  });

  it('gives up waiting for an approval when the signal aborts, and writes nothing', async () => {
    const controller = new AbortController();
    const ws = testWorkspace({ signal: controller.signal });
    ws.write('a.ts', 'v1\n');
    let answer: (d: { approved: boolean }) => void = () => {};
    ws.ctx.approvals = {
      request: () => {
        setImmediate(() => controller.abort());
        return new Promise((resolve) => (answer = resolve));
      },
    };
    const out = await run(ws, 'edit_file', { path: 'a.ts', old_text: 'v1', new_text: 'v2' });
    assert.equal(parsed(out.content).error, 'cancelled');
    answer({ approved: true });
    await new Promise((r) => setImmediate(r));
    assert.equal(ws.read('a.ts'), 'v1\n');
  });

  it('keeps an executable file executable', async () => {
    const ws = testWorkspace();
    const abs = ws.write('run.sh', '#!/bin/sh\necho old\n');
    fs.chmodSync(abs, 0o755);
    await ok(ws, 'edit_file', { path: 'run.sh', old_text: 'old', new_text: 'new' });
    assert.equal(fs.statSync(abs).mode & 0o777, 0o755);
  });
});

describe('write_file', () => {
  after(removeTempWorkspaces);

  it('creates a new file and its parent folders after approval', async () => {
    const ws = testWorkspace();
    const out = await ok(ws, 'write_file', { path: 'docs/guide/intro.md', content: '# Intro\n' });
    assert.equal(out.created, true);
    assert.equal(out.path, 'docs/guide/intro.md');
    assert.equal(ws.read('docs/guide/intro.md'), '# Intro\n');
    const asked = ws.approvals.requests[0];
    assert.equal(asked.kind === 'edit' && asked.before, '');
    assert.match(asked.kind === 'edit' ? asked.summary : '', /create docs\/guide\/intro\.md/);
  });

  it('replaces an existing file, showing what it was', async () => {
    const ws = testWorkspace();
    ws.write('a.txt', 'old\n');
    const out = await ok(ws, 'write_file', { path: 'a.txt', content: 'new\n' });
    assert.equal(out.created, false);
    assert.equal(ws.read('a.txt'), 'new\n');
    assert.equal(ws.approvals.requests[0].kind === 'edit' && ws.approvals.requests[0].before, 'old\n');
  });

  it('writes nothing when rejected', async () => {
    const ws = testWorkspace();
    ws.approvals.answer = { approved: false, reason: 'wrong folder' };
    assert.equal(await error(ws, 'write_file', { path: 'x/y.txt', content: 'z' }), 'the person rejected the edit: wrong folder');
    assert.equal(fs.existsSync(path.join(ws.root, 'x')), false);
  });

  it('refuses paths outside the workspace, through symlinks, or into .memcode before asking anyone', async () => {
    const ws = testWorkspace();
    const outside = tempWorkspace('memcode-outside-');
    fs.symlinkSync(outside, path.join(ws.root, 'escape'));
    fs.symlinkSync(path.join(outside, 'made.txt'), path.join(ws.root, 'dangling.txt'));
    assert.match(await error(ws, 'write_file', { path: '../evil.txt', content: 'x' }), /outside the workspace/);
    assert.match(await error(ws, 'write_file', { path: path.join(outside, 'abs.txt'), content: 'x' }), /outside the workspace/);
    assert.match(await error(ws, 'write_file', { path: 'escape/evil.txt', content: 'x' }), /leads outside the workspace/);
    assert.match(await error(ws, 'write_file', { path: 'dangling.txt', content: 'x' }), /leads outside the workspace/);
    assert.match(await error(ws, 'write_file', { path: '.memcode/memory/user.md', content: 'x' }), /memory folder/);
    assert.match(await error(ws, 'edit_file', { path: 'escape/a.txt', old_text: 'a', new_text: 'b' }), /leads outside the workspace/);
    assert.equal(ws.approvals.requests.length, 0);
    assert.deepEqual(fs.readdirSync(outside), []);
  });
});

describe('edits to secrets and the memory folder', () => {
  after(removeTempWorkspaces);

  it('refuses to write or edit a secrets file, also through a symlink, before asking anyone', async () => {
    const ws = testWorkspace();
    ws.write('.env', 'API_KEY=1\n');
    ws.write('deploy/server.key', 'KEY\n');
    fs.symlinkSync(path.join(ws.root, '.env'), path.join(ws.root, 'settings.txt'));
    assert.match(await error(ws, 'write_file', { path: '.env', content: 'API_KEY=2\n' }), /"\.env" is a secrets file \(credentials or keys\): it is never written/);
    assert.match(await error(ws, 'write_file', { path: 'config/.env.local', content: 'X=1\n' }), /secrets file/);
    assert.match(await error(ws, 'edit_file', { path: 'deploy/server.key', old_text: 'KEY', new_text: 'NEW' }), /secrets file/);
    assert.match(await error(ws, 'edit_file', { path: 'settings.txt', old_text: 'API_KEY=1', new_text: 'API_KEY=2' }), /secrets file/);
    assert.equal(ws.approvals.requests.length, 0);
    assert.equal(ws.read('.env'), 'API_KEY=1\n');
    assert.equal(fs.existsSync(path.join(ws.root, 'config')), false);
  });

  it('refuses to write into a memory folder kept under another name (storagePath "notes-mem")', async () => {
    const ws = testWorkspace({ storagePath: 'notes-mem' });
    assert.match(await error(ws, 'write_file', { path: 'notes-mem/memory/user.md', content: 'x' }), /inside notes-mem\/, the memory folder/);
    assert.match(await error(ws, 'write_file', { path: 'Notes-Mem/new.md', content: 'x' }), /memory folder/);
    assert.equal(ws.approvals.requests.length, 0);
  });

  it('edits a gitignored file when asked by name, after approval', async () => {
    const ws = testWorkspace();
    ws.write('.gitignore', 'local/\n');
    ws.write('local/config.json', '{"debug": false}\n');
    await ok(ws, 'edit_file', { path: 'local/config.json', old_text: 'false', new_text: 'true' });
    assert.equal(ws.read('local/config.json'), '{"debug": true}\n');
  });
});

describe('run_command', () => {
  after(removeTempWorkspaces);

  it('runs an approved command in the workspace root and returns its output and exit code', async () => {
    const ws = testWorkspace();
    ws.write('hello.txt', 'hi there\n');
    const out = await ok(ws, 'run_command', { command: 'cat hello.txt; echo oops >&2; exit 3' });
    assert.equal(out.exit_code, 3);
    assert.equal(out.timed_out, false);
    assert.equal(out.output, 'hi there\noops\n');
    assert.deepEqual(ws.approvals.requests, [{ kind: 'command', command: 'cat hello.txt; echo oops >&2; exit 3', cwd: ws.root }]);
  });

  it('does not run a rejected command', async () => {
    const ws = testWorkspace();
    ws.approvals.answer = { approved: false, reason: 'not now' };
    assert.equal(await error(ws, 'run_command', { command: 'touch ran.txt' }), 'the person rejected the command: not now');
    assert.equal(fs.existsSync(path.join(ws.root, 'ran.txt')), false);
  });

  it('keeps the last 8,000 characters of long output with a note', async () => {
    const ws = testWorkspace();
    const out = await ok(ws, 'run_command', { command: 'seq 1 5000; echo END' });
    assert.equal(out.exit_code, 0);
    assert.match(out.output, /^\[first \d+ characters of output cut\]\n/);
    assert.ok(out.output.endsWith('4999\n5000\nEND\n'));
    assert.ok(out.output.length < 8_100);
  });

  it('kills the whole process group on timeout', async () => {
    const ws = testWorkspace();
    // The child writes its pid, then sleeps; the shell waits on it, so both are in the group.
    const out = await ok(ws, 'run_command', { command: 'sleep 100 & echo $! > sleep.pid; wait' });
    assert.equal(out.timed_out, true);
    assert.equal(out.exit_code, null);
    assert.match(out.output, /timed out after/);
    const pid = Number(ws.read('sleep.pid').trim());
    assert.ok(pid > 0);
    // The signals are sent before the result returns; on a busy machine the kernel may take a moment to end it.
    for (let waited = 0; processRunning(pid) && waited < 2_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.equal(processRunning(pid), false, `sleep ${pid} is still running 2 s after the timeout`);
  });

  it('stops the command when the signal aborts', async () => {
    const controller = new AbortController();
    const ws = testWorkspace({ signal: controller.signal });
    const pending = run(ws, 'run_command', { command: 'echo $$ > sh.pid; sleep 100' });
    const pidFile = path.join(ws.root, 'sh.pid');
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    controller.abort();
    const out = await pending;
    assert.equal(out.ok, false);
    assert.equal(parsed(out.content).error, 'cancelled');
    assert.equal(processRunning(pid), false);
  });
});

describe('edits applied by the host (VS Code applies them as an undoable WorkspaceEdit)', () => {
  after(removeTempWorkspaces);

  /** A host that approves and records what it was asked to apply; `apply` decides what applying does. */
  function hostApplies(ws: ReturnType<typeof testWorkspace>, apply: (absPath: string, content: string) => Promise<void> = async () => {}) {
    const applied: Array<{ absPath: string; content: string }> = [];
    ws.ctx.approvals = {
      request: (r) => ws.approvals.request(r),
      async applyEdit(absPath, content) {
        applied.push({ absPath, content });
        await apply(absPath, content);
      },
    };
    return applied;
  }

  it('hands the approved edit_file result to the host and does not write the file itself', async () => {
    const ws = testWorkspace();
    ws.write('src/app.ts', 'const port = 3000;\nlisten(port);\n');
    const applied = hostApplies(ws);
    const out = await ok(ws, 'edit_file', { path: 'src/app.ts', old_text: 'port = 3000', new_text: 'port = 8080' });
    assert.equal(out.message, 'edited src/app.ts at line 1');
    assert.deepEqual(applied, [{ absPath: path.join(ws.root, 'src/app.ts'), content: 'const port = 8080;\nlisten(port);\n' }]);
    assert.equal(ws.read('src/app.ts'), 'const port = 3000;\nlisten(port);\n', 'the tool left the writing to the host');
  });

  it('hands write_file content to the host, for new files too', async () => {
    const ws = testWorkspace();
    const applied = hostApplies(ws, async (abs, content) => {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    });
    const out = await ok(ws, 'write_file', { path: 'docs/new.md', content: '# New\n' });
    assert.equal(out.created, true);
    assert.deepEqual(applied, [{ absPath: path.join(ws.root, 'docs/new.md'), content: '# New\n' }]);
    assert.equal(ws.read('docs/new.md'), '# New\n');
  });

  it('does not ask the host to apply a rejected edit', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'let x = 1;\n');
    const applied = hostApplies(ws);
    ws.approvals.answer = { approved: false, reason: 'no' };
    await error(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' });
    await error(ws, 'write_file', { path: 'b.ts', content: 'x' });
    assert.deepEqual(applied, []);
  });

  it('reports a failure to apply as the tool error the model reads', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'let x = 1;\n');
    hostApplies(ws, async () => {
      throw new Error('it has unsaved changes in the editor; save or revert them first');
    });
    assert.equal(
      await error(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' }),
      'could not apply the edit to "a.ts": it has unsaved changes in the editor; save or revert them first',
    );
    assert.equal(ws.read('a.ts'), 'let x = 1;\n');
    assert.match(await error(ws, 'write_file', { path: 'c.ts', content: 'x' }), /^could not apply the edit to "c\.ts": it has unsaved changes/);
  });

  it('still refuses to apply over a change saved while the approval was open', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'let x = 1;\n');
    const applied = hostApplies(ws);
    ws.ctx.approvals.request = async () => {
      ws.write('a.ts', 'let x = 2;\n');
      return { approved: true };
    };
    assert.match(await error(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' }), /changed while waiting for approval/);
    assert.deepEqual(applied, []);
  });

  it('names the tool call in the approval and hands the host what the edit replaces, for its card and checkpoint', async () => {
    const ws = testWorkspace();
    ws.write('a.ts', 'let x = 1;\n');
    const changes: unknown[] = [];
    ws.ctx.approvals = {
      request: (r) => ws.approvals.request(r),
      async applyEdit(_abs, _content, change) {
        changes.push(change);
      },
    };
    ws.ctx.callId = 'call_42';
    await ok(ws, 'edit_file', { path: 'a.ts', old_text: 'let', new_text: 'const' });
    await ok(ws, 'write_file', { path: 'b.ts', content: 'new\n' });
    assert.deepEqual(ws.approvals.requests.map((r) => r.callId), ['call_42', 'call_42']);
    assert.deepEqual(changes, [
      { path: 'a.ts', before: 'let x = 1;\n', created: false, callId: 'call_42' },
      { path: 'b.ts', before: '', created: true, callId: 'call_42' },
    ]);
  });
});
