// The doctor's look at recall memory, reading the files itself (recall.ts is the log's writer and stays
// so) but judging each line with the log's own parser, so what it moves aside is what the log skips:
// messages.jsonl line by line, and state.json against it. Repairs keep every byte: a torn
// last line and lines the log skips are moved to a `.corrupt-<time>` file beside it (a whole message
// glued to the end of a torn line is kept in the log), and a queue start beyond the log is re-seated.
import * as fs from 'node:fs';
import { asidePath, writeFileAtomic, writeJsonAtomic } from './atomicFile';
import type { Checkup } from './checkup';
import { parseRecord } from './recall';
import type { MemoryPaths } from './store';

interface LogLine {
  text: string;
  id?: number;
  session?: string;
  /** Imported history (`memcode import`): never where the queue starts. */
  imported?: boolean;
}

export async function checkRecall(paths: MemoryPaths, checkup: Checkup): Promise<void> {
  const file = paths.messagesFile;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') await checkup.found(file, `cannot be read (${(err as Error).message})`, 'check the file permissions');
    text = '';
  }
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const kept: LogLine[] = [];
  const aside: string[] = [];
  const problems: string[] = [];
  let lastId = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const record = parseLine(line) ?? salvage(line);
    if (!record) {
      problems.push(`line ${i + 1} is not a message record`);
      aside.push(line);
    } else if (record.id <= lastId) {
      problems.push(`line ${i + 1} repeats or goes back to id ${record.id} (the last was ${lastId})`);
      aside.push(line);
    } else {
      if (record.text !== line) aside.push(line.slice(0, line.length - record.text.length));
      kept.push(record);
      lastId = record.id;
    }
  });
  if (tail.trim()) {
    problems.push(`it ends with an incomplete line (${Buffer.byteLength(tail)} bytes, a write cut off)`);
    aside.push(tail);
  }
  if (problems.length > 0) {
    await checkup.found(file, problems.join('; '), 'move the unreadable lines to a file beside the log and keep every whole message', () => {
      const target = asidePath(file, checkup.now());
      fs.writeFileSync(target, `${aside.join('\n')}\n`);
      writeFileAtomic(file, kept.map((l) => `${l.text}\n`).join(''));
      return `moved ${aside.length} unreadable line(s) to ${target}; the log keeps ${kept.length} message(s)`;
    });
  }
  await checkState(paths, checkup, kept);
}

async function checkState(paths: MemoryPaths, checkup: Checkup, log: LogLine[]): Promise<void> {
  const file = paths.stateFile;
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return; // Missing: a fresh log starts the queue at 1.
  }
  let state: { firstInContextId?: unknown } | null;
  try {
    state = JSON.parse(raw) as { firstInContextId?: unknown } | null;
  } catch (err) {
    await checkup.found(file, `is not valid JSON (${(err as Error).message})`, 'move it aside (the queue then starts at the newest session)', () => {
      const target = asidePath(file, checkup.now());
      fs.renameSync(file, target);
      return `moved it aside to ${target} (it holds the running summary)`;
    });
    return;
  }
  const first = state?.firstInContextId;
  const lastId = log.length ? log[log.length - 1].id! : 0;
  if (typeof first !== 'number' || first <= lastId + 1) return;
  // The log lost its end (emptied, truncated): a queue starting past it would hold nothing at all.
  const seat = queueStart(log);
  await checkup.found(file, `the conversation queue starts at message ${first}, but the log ends at ${lastId}`, `re-seat the queue at message ${seat}`, () => {
    writeJsonAtomic(file, { ...state, firstInContextId: seat, updated: checkup.now().toISOString() });
    return `re-seated the queue at message ${seat} (the start of the newest session in the log)`;
  });
}

/** The first message of the newest session of the conversation in the log (imported history is not one); 1 for an empty log. */
function queueStart(log: LogLine[]): number {
  const own = log.filter((l) => !l.imported);
  if (own.length === 0) return log.length ? log[log.length - 1].id! + 1 : 1;
  const session = own[own.length - 1].session;
  let start = own.length - 1;
  while (start > 0 && own[start - 1].session === session) start--;
  return own[start].id!;
}

/** A line the log itself would load (recall.ts's parser), with what the checks need of it. */
function parseLine(line: string): (LogLine & { id: number }) | undefined {
  const r = parseRecord(line);
  return r && { text: line, id: r.id, session: r.session, imported: r.importedFrom !== undefined };
}

/** A whole record glued to the end of a torn one (an append after a crash that left no newline). */
function salvage(line: string): (LogLine & { id: number }) | undefined {
  const at = line.lastIndexOf('{"id":');
  return at > 0 ? parseLine(line.slice(at)) : undefined;
}
