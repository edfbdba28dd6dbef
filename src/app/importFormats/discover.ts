// Which files an import reads: the files named, and the conversation files inside the folders named
// (each tool's whole history folder can be given at once). Never anything inside `.git`, and never the
// memory folder being imported into (its own log reads like the generic format).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLINE_HISTORY, CLINE_UI_MESSAGES, sourceFromContent, sourceFromPath } from './detect';
import type { ImportSource } from './types';

export interface FoundFile {
  path: string;
  source: ImportSource;
}

export interface PassedOver {
  path: string;
  reason: string;
}

export interface Discovery {
  files: FoundFile[];
  /** Files looked at and left alone (not a conversation MemCode knows): worth a line, not a failure. */
  skipped: PassedOver[];
  /** Paths that could not be read at all. */
  failed: PassedOver[];
}

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

export function findConversationFiles(paths: readonly string[], from: ImportSource | undefined, memoryRoot: string): Discovery {
  const found: Discovery = { files: [], skipped: [], failed: [] };
  const seen = new Set<string>();
  const memory = path.resolve(memoryRoot);
  const consider = (file: string, named: boolean) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = from ?? sourceFromPath(file) ?? sniff(file);
    if (source) found.files.push({ path: file, source });
    else if (named) found.skipped.push({ path: file, reason: 'not a conversation file MemCode knows (name the format with --from)' });
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      found.failed.push({ path: dir, reason: (err as Error).message });
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(e.name) && !isWithin(full, memory)) walk(full);
      } else if (e.isFile() && looksLikeConversation(e.name)) consider(full, false);
    }
  };
  for (const given of paths) {
    const p = path.resolve(given);
    if (p.split(path.sep).includes('.git')) {
      found.skipped.push({ path: p, reason: 'inside .git: never imported' });
      continue;
    }
    if (isWithin(p, memory)) {
      found.skipped.push({ path: p, reason: 'inside the memory folder it would be imported into' });
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (err) {
      found.failed.push({ path: p, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message });
      continue;
    }
    if (stat.isDirectory()) walk(p);
    else if (path.basename(p) === CLINE_UI_MESSAGES) consider(path.join(path.dirname(p), CLINE_HISTORY), true);
    else consider(p, true);
  }
  return found;
}

/** In a folder, only files a tool writes its conversations to; Cline's ui_messages.json is read beside its history. */
function looksLikeConversation(name: string): boolean {
  return name.endsWith('.jsonl') || name === CLINE_HISTORY || /^rollout-.*\.json$/.test(name);
}

/** The format from the first 64 KB (enough for the first lines; a whole session can be many megabytes). */
function sniff(file: string): ImportSource | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return sourceFromContent(buf.toString('utf8', 0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function isWithin(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
