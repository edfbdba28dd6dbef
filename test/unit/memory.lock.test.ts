import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, type LockInfo } from '../../src/memory/lock';
import { MemoryError } from '../../src/memory/types';

const repoRoot = path.resolve(__dirname, '..', '..');
const lockModule = path.join(repoRoot, 'src', 'memory', 'lock');

/** Runs a TypeScript snippet in another Node process; resolves once it prints its first line. */
function startChild(dir: string, body: string): Promise<{ child: ChildProcess; firstLine: string; exited: Promise<number | null> }> {
  const script = path.join(dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(script, `import { acquireLock } from ${JSON.stringify(lockModule)};\n(async () => {\n${body}\n})();\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, firstLine: out.slice(0, nl), exited });
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before reporting: ${stderr}`)));
  });
}

const isLocked = (pattern: RegExp) => (e: unknown) => e instanceof MemoryError && e.kind === 'locked' && pattern.test(e.message);

describe('memory folder lock', function () {
  this.timeout(20_000);
  let dir: string;
  let lockPath: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-lock-'));
    lockPath = path.join(dir, 'lock');
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const holdInChild = async () => {
    // Holds the lock until told to let go on stdin.
    const started = await startChild(
      dir,
      `const h = await acquireLock(${JSON.stringify(lockPath)}, { purpose: 'index run' });
       console.log(JSON.stringify(h.info));
       process.stdin.once('data', () => { h.release(); process.exit(0); });`,
    );
    children.push(started.child);
    return { ...started, info: JSON.parse(started.firstLine) as LockInfo };
  };

  it('refuses a second writer while another process holds it, naming that process and what it does', async () => {
    const { child, info } = await holdInChild();
    assert.equal(info.pid, child.pid);
    await assert.rejects(
      acquireLock(lockPath, { purpose: 'chat turn' }),
      isLocked(new RegExp(`^memory folder ${escape(dir)} is in use by process ${child.pid} \\(index run, since ${escape(info.since)}\\); try again when it finishes$`)),
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(lockPath, 'utf8')), info, 'the holder keeps its lock');
  });

  it('waits for the other process to finish, then takes the lock', async () => {
    const { child, exited } = await holdInChild();
    const waiting = acquireLock(lockPath, { purpose: 'chat turn', waitMs: 15_000, pollMs: 20 });
    child.stdin!.write('go\n');
    const handle = await waiting;
    assert.equal(await exited, 0);
    assert.equal(handle.info.pid, process.pid);
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).purpose, 'chat turn');
    handle.release();
    assert.equal(fs.existsSync(lockPath), false);
  });

  it('tells the waiter once, after waitNoticeMs, who holds the lock', async () => {
    const { child, exited, info } = await holdInChild();
    const notices: Array<{ message: string; holder?: LockInfo }> = [];
    const waiting = acquireLock(lockPath, {
      purpose: 'chat turn',
      waitMs: 15_000,
      pollMs: 20,
      waitNoticeMs: 100,
      onWait: (message, holder) => notices.push({ message, holder }),
    });
    await new Promise((r) => setTimeout(r, 400));
    child.stdin!.write('go\n');
    const handle = await waiting;
    assert.equal(await exited, 0);
    handle.release();
    assert.equal(notices.length, 1, 'one notice, not one per poll');
    assert.equal(notices[0].message, `waiting for the memory folder: in use by index run (pid ${child.pid})…`);
    assert.deepEqual(notices[0].holder, info);
  });

  it('says nothing when the lock is free or comes before waitNoticeMs', async () => {
    const notices: string[] = [];
    const handle = await acquireLock(lockPath, { purpose: 'chat turn', waitMs: 1_000, onWait: (m) => notices.push(m) });
    handle.release();
    assert.deepEqual(notices, []);
  });

  it('recovers a lock left behind by a process that was killed', async () => {
    const { child, info, exited } = await holdInChild();
    child.kill('SIGKILL');
    await exited;
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, info.pid, 'the dead holder left its lock file');
    const handle = await acquireLock(lockPath, { purpose: 'chat turn' });
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, process.pid);
    handle.release();
  });

  it('treats a lock carrying our pid that this process does not hold as stale (pids are reused)', async () => {
    const leftover: LockInfo = { pid: process.pid, hostname: os.hostname(), purpose: 'old run', since: '2020-01-01T00:00:00.000Z' };
    fs.writeFileSync(lockPath, JSON.stringify(leftover));
    const handle = await acquireLock(lockPath, { purpose: 'chat turn' });
    assert.notEqual(handle.info.since, leftover.since);
    handle.release();
    assert.equal(fs.existsSync(lockPath), false);
  });

  it('waits on an unreadable lock file while it is fresh, and recovers it once it is old', async () => {
    fs.writeFileSync(lockPath, '');
    await assert.rejects(acquireLock(lockPath, { purpose: 'chat turn' }), isLocked(/in use by another process/));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPath, old, old);
    const handle = await acquireLock(lockPath, { purpose: 'chat turn' });
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).purpose, 'chat turn');
    handle.release();
  });

  it('is not re-entrant: the same process cannot take it twice', async () => {
    const first = await acquireLock(lockPath, { purpose: 'chat turn' });
    await assert.rejects(acquireLock(lockPath, { purpose: 'index run' }), isLocked(new RegExp(`process ${process.pid} \\(this process\\) \\(chat turn`)));
    first.release();
    const second = await acquireLock(lockPath, { purpose: 'index run' });
    assert.equal(second.info.purpose, 'index run');
    second.release();
  });

  it('on release, leaves alone a lock file that is no longer its own', async () => {
    const handle = await acquireLock(lockPath, { purpose: 'chat turn' });
    const other: LockInfo = { ...handle.info, since: new Date(Date.now() + 1000).toISOString(), purpose: 'someone else' };
    fs.writeFileSync(lockPath, JSON.stringify(other));
    handle.release();
    assert.deepEqual(JSON.parse(fs.readFileSync(lockPath, 'utf8')), other);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
