// `memcode doctor` and MemCode: Check Memory: checks a whole memory folder, repairs what it can without
// losing anything, moves aside what it cannot, and says exactly what it found and did. Repairs are made
// under the folder's lock, so no turn or index run writes meanwhile; when another process holds it the
// folder is only checked.
import * as fs from 'node:fs';
import { checkArchival } from '../memory/archivalCheck';
import { Checkup, type Finding } from '../memory/checkup';
import { acquireLock, inspectLock, type LockHandle, removeStaleLock } from '../memory/lock';
import { checkBlocks, checkJsonFile } from '../memory/memoryFilesCheck';
import { checkRecall } from '../memory/recallCheck';
import { isSessionList } from '../memory/sessions';
import type { MemoryPaths } from '../memory/store';
import { MemoryError } from '../memory/types';
import { isFileRecords } from '../indexing/fileRecords';

export interface DoctorOptions {
  /** Make the repairs (default); false only reports. */
  repair?: boolean;
  /** The embedder in use, for a rebuilt archival manifest when nothing on disk names one. */
  embedderId?: string;
  /** How long to wait for another process holding the folder before only checking (default 0). */
  lockWaitMs?: number;
  now?: () => Date;
}

export interface DoctorReport {
  root: string;
  findings: Finding[];
  /** Something is still broken (or, checking only, needs a repair). */
  broken: boolean;
  /** Repairs were asked for but another process held the folder. */
  lockedBy?: string;
}

export async function checkMemoryFolder(paths: MemoryPaths, opts: DoctorOptions = {}): Promise<DoctorReport> {
  if (!fs.existsSync(paths.root)) return { root: paths.root, findings: [], broken: false };
  let repair = opts.repair ?? true;
  const findings: Finding[] = [];
  const lock = inspectLock(paths.lockFile);
  if (lock.state === 'stale') {
    const who = lock.info ? `process ${lock.info.pid} (${lock.info.purpose}, since ${lock.info.since}), which is no longer running` : 'a process that died while writing it';
    const checkup = new Checkup(repair, opts.now);
    await checkup.found(paths.lockFile, `was left behind by ${who}`, 'remove it', () => {
      removeStaleLock(paths.lockFile, lock.raw);
      return 'removed it';
    });
    findings.push(...checkup.findings);
  }
  let handle: LockHandle | undefined;
  let lockedBy: string | undefined;
  if (repair) {
    try {
      handle = await acquireLock(paths.lockFile, { purpose: 'memory doctor', waitMs: opts.lockWaitMs ?? 0 });
    } catch (err) {
      if (!(err instanceof MemoryError) || err.kind !== 'locked') throw err;
      lockedBy = err.message;
      repair = false;
    }
  }
  try {
    const checkup = new Checkup(repair, opts.now);
    await checkRecall(paths, checkup);
    await checkBlocks(paths.memoryDir, checkup);
    await checkJsonFile(paths.sessionsFile, isSessionList, 'the session list starts fresh; recall memory still holds every message', checkup);
    await checkArchival(paths.archivalDir, checkup, { embedderId: opts.embedderId });
    await checkJsonFile(paths.fileRecordsFile, isFileRecords, 'the next `memcode index` checks every file again', checkup);
    findings.push(...checkup.findings);
  } finally {
    handle?.release();
  }
  return { root: paths.root, findings, broken: findings.some((f) => f.broken), ...(lockedBy ? { lockedBy } : {}) };
}

/** The report as lines of text, for the terminal and the editor's output channel alike. */
export function formatDoctorReport(report: DoctorReport): string {
  const out = [`Memory folder: ${report.root}`];
  if (report.lockedBy) out.push(`Only checked, not repaired: ${report.lockedBy}`);
  for (const f of report.findings) out.push(`${f.broken ? '✗' : '✓'} ${f.file} ${f.problem}`, `    → ${f.action}`);
  if (report.findings.length === 0) out.push('Everything is healthy: nothing to repair.');
  else if (!report.broken) out.push('Repaired: nothing was lost (whatever was replaced is kept beside it as *.corrupt-<time>).');
  else out.push('Something is still broken: see ✗ above.');
  return `${out.join('\n')}\n`;
}
