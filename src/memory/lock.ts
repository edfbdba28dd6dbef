// One writer at a time per memory folder (DESIGN.md §5). Held for a turn or an index run, not for a
// process's life, so the extension and the CLI take turns. A lock left by a dead process is recovered.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryError } from './types';

export interface LockInfo {
  pid: number;
  hostname: string;
  purpose: string;
  since: string;
}

export interface LockHandle {
  release(): void;
  readonly info: LockInfo;
}

export interface AcquireLockOptions {
  purpose: string;
  /** How long to wait for another holder to finish; 0 (the default) fails at once. */
  waitMs?: number;
  pollMs?: number;
  /**
   * Called once when the wait has lasted `waitNoticeMs` (default 1 s), so whoever waits can say why
   * nothing happens: `message` names the holder ("waiting for the memory folder: in use by index run (pid 4242)…").
   */
  onWait?: (message: string, holder: LockInfo | undefined) => void;
  waitNoticeMs?: number;
}

const WAIT_NOTICE_MS = 1_000;

/**
 * A lock file that cannot be parsed is normally one being written right now (created, content not
 * yet in); only once it is older than this is it taken for the leftover of a crash.
 */
const UNPARSABLE_STALE_MS = 5_000;
/** A recovery that crashed half way leaves its guard file; after this long the guard is ignored. */
const GUARD_STALE_MS = 10_000;

/**
 * Lock files held by this process. A second acquire from the same process is not re-entrant: it waits
 * (or fails) like any other holder. This also tells our own live lock from a stale one that merely
 * carries our pid (pids are reused, e.g. pid 1 in every container).
 */
const heldHere = new Map<string, LockInfo>();

export async function acquireLock(lockPath: string, opts: AcquireLockOptions): Promise<LockHandle> {
  const file = path.resolve(lockPath);
  const waitMs = opts.waitMs ?? 0;
  const pollMs = Math.max(5, opts.pollMs ?? 100);
  const started = Date.now();
  const deadline = started + waitMs;
  const noticeAt = started + (opts.waitNoticeMs ?? WAIT_NOTICE_MS);
  let noticed = false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (;;) {
    const mine = heldHere.get(file);
    if (!mine) {
      const info: LockInfo = { pid: process.pid, hostname: os.hostname(), purpose: opts.purpose, since: new Date().toISOString() };
      if (tryCreate(file, info)) {
        heldHere.set(file, info);
        return makeHandle(file, info);
      }
    }
    const holder: Holder = mine ? { state: 'live', info: mine } : readHolder(file);
    if (holder.state === 'stale') {
      recoverStale(file, holder.raw);
      continue;
    }
    if (holder.state === 'gone') continue;
    if (Date.now() >= deadline) throw lockedError(file, holder);
    if (!noticed && opts.onWait && Date.now() >= noticeAt) {
      noticed = true;
      const info = holder.state === 'live' ? holder.info : undefined;
      opts.onWait(waitMessage(info), info);
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

export type LockState = { state: 'free' } | { state: 'live'; info: LockInfo } | { state: 'stale'; raw: string; info?: LockInfo } | { state: 'being_written' };

/** Who holds the lock now, for the doctor: nobody, a live process, or a dead one that left it behind. */
export function inspectLock(lockPath: string): LockState {
  const file = path.resolve(lockPath);
  const mine = heldHere.get(file);
  if (mine) return { state: 'live', info: mine };
  const holder = readHolder(file);
  if (holder.state === 'gone') return { state: 'free' };
  if (holder.state === 'unreadable') return { state: 'being_written' };
  if (holder.state === 'stale') return { state: 'stale', raw: holder.raw, info: parseInfo(holder.raw) };
  return holder;
}

/** Removes a lock `inspectLock` found stale, unless someone took it over meanwhile. */
export function removeStaleLock(lockPath: string, raw: string): void {
  recoverStale(path.resolve(lockPath), raw);
}

function tryCreate(file: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MemoryError('io', `could not create lock ${file}: ${(err as Error).message}`);
  }
  try {
    fs.writeSync(fd, JSON.stringify(info));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function makeHandle(file: string, info: LockInfo): LockHandle {
  let released = false;
  return {
    info,
    release() {
      if (released) return;
      released = true;
      if (heldHere.get(file) === info) heldHere.delete(file);
      // Only remove the file if it is still ours: someone may have judged it stale and taken it over.
      const current = parseInfo(readRaw(file));
      if (current && current.pid === info.pid && current.since === info.since && current.hostname === info.hostname) {
        try {
          fs.unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
    },
  };
}

type Holder =
  | { state: 'gone' }
  | { state: 'stale'; raw: string }
  | { state: 'live'; info: LockInfo }
  | { state: 'unreadable'; since: Date };

function readHolder(file: string): Holder {
  const raw = readRaw(file);
  if (raw === undefined) return { state: 'gone' };
  const info = parseInfo(raw);
  if (!info) {
    let mtime: Date;
    try {
      mtime = fs.statSync(file).mtime;
    } catch {
      return { state: 'gone' };
    }
    return Date.now() - mtime.getTime() > UNPARSABLE_STALE_MS ? { state: 'stale', raw } : { state: 'unreadable', since: mtime };
  }
  if (info.hostname === os.hostname()) {
    // Our own pid on a lock this process does not hold: a previous process with our pid died holding it.
    if (info.pid === process.pid || !isAlive(info.pid)) return { state: 'stale', raw };
  }
  // On another host we cannot tell whether the holder lives, so we wait for it like any other.
  return { state: 'live', info };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock, but only if it is still the very file we judged stale: two processes that
 * both saw it stale must not end up with one deleting the fresh lock the other just created.
 */
function recoverStale(file: string, staleRaw: string): void {
  const guard = `${file}.recovering`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new MemoryError('io', `could not recover lock ${file}: ${(err as Error).message}`);
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > GUARD_STALE_MS) fs.unlinkSync(guard);
    } catch {
      // Someone else finished the recovery meanwhile.
    }
    return;
  }
  fs.closeSync(fd);
  try {
    if (readRaw(file) === staleRaw) fs.unlinkSync(file);
  } catch {
    // Gone already: the next attempt simply creates it.
  } finally {
    try {
      fs.unlinkSync(guard);
    } catch {
      // Nothing to clean.
    }
  }
}

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MemoryError('io', `could not read lock ${file}: ${(err as Error).message}`);
  }
}

function parseInfo(raw: string | undefined): LockInfo | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<LockInfo> | null;
    if (v && typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.since === 'string') {
      return { pid: v.pid, hostname: v.hostname, purpose: typeof v.purpose === 'string' ? v.purpose : 'unknown', since: v.since };
    }
  } catch {
    // Falls through: unparsable.
  }
  return undefined;
}

function lockedError(file: string, holder: Holder): MemoryError {
  const dir = path.dirname(file);
  if (holder.state === 'live') {
    const { pid, hostname, purpose, since } = holder.info;
    const where = hostname !== os.hostname() ? ` on ${hostname}` : pid === process.pid ? ' (this process)' : '';
    return new MemoryError('locked', `memory folder ${dir} is in use by process ${pid}${where} (${purpose}, since ${since}); try again when it finishes`);
  }
  const since = holder.state === 'unreadable' ? holder.since.toISOString() : 'just now';
  return new MemoryError('locked', `memory folder ${dir} is in use by another process (its lock file is being written, since ${since}); try again when it finishes`);
}

function waitMessage(holder: LockInfo | undefined): string {
  if (!holder) return 'waiting for the memory folder: another process is taking it…';
  const where = holder.hostname !== os.hostname() ? ` on ${holder.hostname}` : '';
  return `waiting for the memory folder: in use by ${holder.purpose} (pid ${holder.pid}${where})…`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
