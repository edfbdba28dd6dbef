// Whole-file writes that a crash cannot leave half done, and JSON reads that never silently throw a
// person's data away (DESIGN.md §5: "A corrupted file is moved aside with a clear message").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MemoryError } from './types';

/** Writes `data` to a temp file in the same folder, fsyncs it and renames it over `file`. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = tempBeside(file);
  try {
    writeDurably(temp, data);
    fs.renameSync(temp, file);
  } catch (err) {
    try {
      fs.unlinkSync(temp);
    } catch {
      // Already renamed or never created.
    }
    throw new MemoryError('io', `could not write ${file}: ${(err as Error).message}`);
  }
  syncDir(dir);
}

/**
 * `writeFileAtomic` with the file system's part (writes, fsyncs, rename) off the calling thread: what
 * the extension host's thread does between two keystrokes is only to start them.
 */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temp = tempBeside(file);
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    await writeDurablyAsync(temp, data);
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true }).catch(() => {});
    throw new MemoryError('io', `could not write ${file}: ${(err as Error).message}`);
  }
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort, as in syncDir.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Where an atomic write of `file` puts its data first: the same folder, so the rename never crosses file systems; the dot keeps it out of `*.md` listings. */
function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Creates or truncates `file` with `data` and fsyncs it: for files nothing reads until a later rename or manifest names them. */
export function writeDurably(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** `writeDurably` off the calling thread. */
export async function writeDurablyAsync(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.promises.open(file, 'w');
  try {
    await handle.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename itself durable. Not possible on every platform (Windows), where it is skipped. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort: the data is already safe in the renamed file.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function writeJsonAtomicAsync(file: string, value: unknown): Promise<void> {
  return writeFileAtomicAsync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export interface ReadJsonOptions<T> {
  fallback: () => T;
  validate?: (v: unknown) => v is T;
  warn?: (msg: string) => void;
}

/**
 * Reads a JSON file. Missing → `fallback()`. Unparsable or invalid → the file is moved aside (never
 * overwritten or deleted), the person is told where it went, and `fallback()` is returned.
 */
export function readJsonFile<T>(file: string, opts: ReadJsonOptions<T>): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return opts.fallback();
    throw new MemoryError('io', `could not read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return moveAsideAndStartFresh(file, `not valid JSON: ${(err as Error).message}`, opts);
  }
  if (opts.validate && !opts.validate(value)) {
    return moveAsideAndStartFresh(file, 'valid JSON but not the expected shape', opts);
  }
  return value as T;
}

function moveAsideAndStartFresh<T>(file: string, reason: string, opts: ReadJsonOptions<T>): T {
  const aside = moveAside(file);
  (opts.warn ?? defaultWarn)(`${file} was corrupted (${reason}); moved aside to ${aside} and started fresh (\`memcode doctor\`, or MemCode: Check Memory, checks the rest)`);
  return opts.fallback();
}

/** Renames `file` to `<name>.corrupt-<YYYYMMDDTHHMMSS>` (with a counter if that exists); returns the new path. */
export function moveAside(file: string, now: Date = new Date()): string {
  const target = asidePath(file, now);
  try {
    fs.renameSync(file, target);
  } catch (err) {
    throw new MemoryError('corrupt', `${file} is corrupted and could not be moved aside to ${target}: ${(err as Error).message}; run \`memcode doctor\` (or MemCode: Check Memory)`);
  }
  return target;
}

/** A free `<name>.corrupt-<YYYYMMDDTHHMMSS>` name beside `file`, for what is moved or copied aside. */
export function asidePath(file: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  let target = `${file}.corrupt-${stamp}`;
  for (let n = 2; fs.existsSync(target); n++) target = `${file}.corrupt-${stamp}-${n}`;
  return target;
}

function defaultWarn(msg: string): void {
  console.warn(`[memcode] ${msg}`);
}

/**
 * Appends `text` to an append-only log and fsyncs it: once this returns, the bytes survive a kill -9.
 * Earlier bytes are never rewritten; the caller starts `text` on a fresh line when the last one was torn.
 */
export function appendDurably(file: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'a');
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } catch (err) {
    throw new MemoryError('io', `could not append to ${file}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
