// What a walk over the workspace passes over: the folders never entered, `.gitignore` files at every
// level (and `.git/info/exclude`), and the person's exclude patterns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { MEMORY_FOLDER_NAME } from '../common/defaults';

/**
 * Folders never walked, at any depth, whatever the ignore files say. `.memcode` is the memory folder's
 * default name: skipped even when `storagePath` puts this workspace's memory elsewhere, since a nested
 * project may keep its own.
 */
export const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', MEMORY_FOLDER_NAME]);

/**
 * Files that are text but say nothing archival memory should hold: version-control plumbing and lock
 * files (machine-written, often megabytes). Only the indexer passes over them: the file tools still list
 * and search them, since a lock file answers "which version is installed".
 */
export const NOISE_FILES: ReadonlySet<string> = new Set([
  '.gitignore',
  '.gitattributes',
  '.gitmodules',
  '.gitkeep',
  '.keep',
  '.DS_Store',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'composer.lock',
  'Gemfile.lock',
  'go.sum',
]);

/** One ignore file's rules, matched relative to the folder that holds it. */
export interface Matcher {
  /** Folder of the ignore file, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

export class IgnoreRules {
  private readonly exclude?: Ignore;

  constructor(exclude: readonly string[] = []) {
    const patterns = exclude.filter((p) => p.trim() !== '');
    if (patterns.length) this.exclude = ignore().add(patterns);
  }

  /** Matchers for a folder: its parent's plus its own `.gitignore`, if it has one. */
  matchersFor(parent: Matcher[], dirAbs: string, dirRel: string, hasIgnoreFile: boolean): Matcher[] {
    const own: Matcher[] = [];
    if (hasIgnoreFile) {
      const text = readTextOr(path.join(dirAbs, '.gitignore'));
      if (text) own.push({ base: dirRel, rules: ignore().add(text) });
    }
    if (dirRel === '') {
      // Per-clone excludes live in .git/info/exclude and act like a root .gitignore.
      const text = readTextOr(path.join(dirAbs, '.git', 'info', 'exclude'));
      if (text) own.unshift({ base: '', rules: ignore().add(text) });
    }
    return own.length ? [...parent, ...own] : parent;
  }

  /** Always-skipped folders, ignore files (deepest wins, `!` re-includes) and the exclude list. */
  isIgnored(rel: string, isDir: boolean, matchers: Matcher[]): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (isDir && ALWAYS_SKIPPED_DIRS.has(name)) return true;
    const probe = isDir ? `${rel}/` : rel;
    if (this.exclude?.ignores(probe)) return true;
    let ignored = false;
    for (const m of matchers) {
      const local = m.base ? probe.slice(m.base.length + 1) : probe;
      const result = m.rules.test(local);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  /**
   * The matchers in force inside the folder `dirRel` (reading the `.gitignore` of each folder on the
   * way down), and whether that folder or one above it is itself ignored.
   */
  chainTo(root: string, dirRel: string): { matchers: Matcher[]; ignored: boolean } {
    const parts = dirRel ? dirRel.split('/') : [];
    let matchers = this.matchersFor([], root, '', fs.existsSync(path.join(root, '.gitignore')));
    let rel = '';
    let ignored = false;
    for (const part of parts) {
      rel = rel ? `${rel}/${part}` : part;
      if (!ignored && this.isIgnored(rel, true, matchers)) ignored = true;
      const abs = path.join(root, rel);
      matchers = this.matchersFor(matchers, abs, rel, fs.existsSync(path.join(abs, '.gitignore')));
    }
    return { matchers, ignored };
  }
}

function readTextOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
