// The one policy for workspace files (docs/ARCHITECTURE.md, `workspace/`): which paths are inside the
// workspace, which are skipped, which are protected (the memory folder, git's data, secrets), which are
// binary or too large. Created once per
// workspace from plain settings and passed to the file tools (through ToolContext) and to the indexer,
// so the two can never disagree about what the agent may see.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileLooksBinary, hasBinaryExtension, looksBinary, readHead } from './binary';
import { containPath, realpathOrSelf, relativeInside, toWorkspaceRelative, WorkspacePathError } from './containment';
import { isGitDir, isGitName, isGitPath, isInGitDir } from './gitData';
import { IgnoreRules, NOISE_FILES, type Matcher } from './ignoreRules';
import { normalizeRel, SecretRules } from './secrets';
import { MEMORY_FOLDER_NAME, SETTING_DEFAULTS } from '../common/defaults';

export const DEFAULT_MAX_FILE_SIZE = SETTING_DEFAULTS['index.maxFileSize'];

export interface WorkspacePolicyOptions {
  /** The workspace folder. */
  root: string;
  /** The memory folder (`memcode.storagePath`), absolute or relative to root; default `<root>/.memcode`. */
  memoryDir?: string;
  /** Gitignore-style patterns relative to the root (`memcode.index.exclude`, `--exclude`). */
  exclude?: string[];
  /** Bytes; larger files are not searched or indexed (default 1 MB). */
  maxFileSize?: number;
  /** More secret patterns, gitignore-style, on top of SECRET_PATTERNS. */
  secrets?: string[];
  /**
   * Gitignore-style paths the person allows although they look like secrets (`memcode.files.allow`):
   * read, searched, listed, indexed and edited like any file. They never open git's data or the memory
   * folder, which are refused for what they are, not for their names.
   */
  allow?: string[];
}

/** What a tool means to do with a path it names: protected paths are refused for both. */
export type PathAccess = 'read' | 'write';

export interface WalkEntry {
  abs: string;
  /** Relative to the workspace root, '/'-separated. */
  rel: string;
  isDir: boolean;
  /** A link whose target is inside the workspace; a linked folder is yielded but never entered. */
  isSymlink: boolean;
  /** Only when the walk was asked to report secrets rather than pass over them. */
  secret?: boolean;
}

export interface EntriesOptions {
  /** Folder to list, absolute or relative to the root; default the root. */
  from?: string;
  recursive?: boolean;
  signal?: AbortSignal;
  /** Yield secret files marked `secret: true` (the indexer counts them) instead of passing over them. */
  reportSecrets?: boolean;
  /** Pass over NOISE_FILES too (the indexer). */
  skipNoise?: boolean;
  /**
   * Told of each entry passed over because its name is not valid UTF-8 (`rel` shows it with U+FFFD).
   * Node hands such a name over with U+FFFD in it, a path that opens nothing: a tool could list it but
   * never read it, so the walk never yields it.
   */
  onUnnamable?: (rel: string) => void;
}

export type SkipReason = 'binary' | 'too_large' | 'secret' | 'unreadable';

export interface WorkspaceFile {
  /** Workspace-relative, '/'-separated. */
  path: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

/** A file the walk saw and refused, with why; files that are merely ignored are not reported. */
export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

export function isSkipped(entry: WorkspaceFile | SkippedFile): entry is SkippedFile {
  return 'reason' in entry;
}

export interface FileCheckOptions {
  signal?: AbortSignal;
  /**
   * Read each file's first 8 KB to catch binaries without a telltale extension (default true). The
   * indexer turns this off because it reads every changed file anyway and checks it then, which keeps a
   * re-run over unchanged files free of reads.
   */
  sniffContent?: boolean;
}

export type IndexableResult = { ok: true; file: WorkspaceFile } | { ok: false; reason: SkipReason | 'ignored' | 'missing' };

export class WorkspaceFiles {
  readonly root: string;
  readonly maxFileSize: number;
  private readonly rootReal: string;
  private readonly ignoreRules: IgnoreRules;
  private readonly secrets: SecretRules;
  /** The memory folder relative to the root, lexically and really, lower-cased; only those inside it. */
  private readonly memoryRels: string[];
  private readonly memoryName: string;

  constructor(opts: WorkspacePolicyOptions) {
    this.root = path.resolve(opts.root);
    this.rootReal = realpathOrSelf(this.root);
    this.maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.ignoreRules = new IgnoreRules(opts.exclude);
    this.secrets = new SecretRules({ extra: opts.secrets, allow: opts.allow });
    const memoryAbs = path.resolve(this.root, opts.memoryDir ?? MEMORY_FOLDER_NAME);
    const lexical = relativeInside(this.root, memoryAbs);
    const real = relativeInside(this.rootReal, realpathOrSelf(memoryAbs));
    // A memory folder that is the workspace itself would hide everything: only a folder below counts.
    this.memoryRels = [...new Set([lexical, real])].filter((r): r is string => !!r).map((r) => r.toLowerCase());
    this.memoryName = lexical || MEMORY_FOLDER_NAME;
  }

  // ------------------------------------------------------------------ paths named by the model

  /**
   * The absolute path of `requested` for a tool to read or write, and how to show it. Refuses what is
   * outside the workspace, in the memory folder, in git's data, or a secret, also when a symbolic link
   * leads there.
   * Gitignored and excluded files are allowed when named: the person can see the path the model asks
   * for, such files are often exactly what a task is about (build output, a local config, a log), and
   * Claude Code and Cline allow it too. Only walks (list, search, index) pass over them.
   */
  resolve(requested: string, access: PathAccess): { abs: string; rel: string } {
    const contained = containPath(this.root, requested);
    for (const rel of [contained.rel, contained.realRel]) {
      if (this.isMemory(rel)) {
        // Name the folder the path is really in: a nested `.memcode` is not where storagePath points.
        const folder = rel.toLowerCase().split('/').includes(MEMORY_FOLDER_NAME) ? MEMORY_FOLDER_NAME : this.memoryName;
        throw new WorkspacePathError(
          'memory',
          `path "${requested}" is inside ${folder}/, the memory folder: use the working_context_* tools to change memory`,
        );
      }
    }
    if (isGitPath(normalizeRel(contained.rel)) || isGitPath(contained.realRel) || isInGitDir(this.rootReal, contained.realRel)) {
      throw new WorkspacePathError(
        'git',
        `path "${requested}" is in git's own data (.git): MemCode's file tools never read or write it, since it can hold ` +
          'credentials and a changed hook or config is a command git runs; use run_command to run git',
      );
    }
    for (const rel of [contained.rel, contained.realRel]) {
      if (this.isSecret(rel)) {
        throw new WorkspacePathError(
          'secret',
          `"${requested}" is a secrets file (credentials or keys): it is never ${access === 'read' ? 'read' : 'written'} by MemCode`,
        );
      }
    }
    return { abs: contained.abs, rel: toWorkspaceRelative(this.root, contained.abs) };
  }

  relative(abs: string): string {
    return toWorkspaceRelative(this.root, abs);
  }

  /** A '/'-separated path relative to the root (or a folder above it) that holds credentials or keys. */
  isSecret(rel: string): boolean {
    const clean = normalizeRel(rel);
    return !clean.startsWith('../') && this.secrets.matches(clean);
  }

  // The walks' own paths are already clean: these skip normalizeRel, which a 10k-file re-index would feel.
  private secretClean(rel: string): boolean {
    return this.secrets.matches(rel);
  }

  private memoryClean(rel: string): boolean {
    const lower = rel.toLowerCase();
    if (lower.includes(MEMORY_FOLDER_NAME) && lower.split('/').includes(MEMORY_FOLDER_NAME)) return true;
    return this.memoryRels.some((m) => lower === m || lower.startsWith(`${m}/`));
  }

  /** In the memory folder (wherever `storagePath` puts it) or in any folder named `.memcode`. */
  isMemory(rel: string): boolean {
    const clean = normalizeRel(rel);
    // Compared case-insensitively: on macOS and Windows `.MEMCODE` is the same folder.
    return clean !== '' && this.memoryClean(clean);
  }

  /** Whether a walk passes over this folder: .gitignore, excludes, always-skipped folders, the memory folder. */
  isIgnoredFolder(rel: string): boolean {
    const clean = normalizeRel(rel);
    return clean !== '' && (this.isMemory(clean) || this.ignoreRules.chainTo(this.root, clean).ignored);
  }

  // ------------------------------------------------------------------ walks

  /**
   * Entries under a folder breadth first (so a capped listing still shows the top levels whole), each
   * folder's entries sorted by name. Passes over ignored entries, the memory folder and, unless asked,
   * secrets. Links are followed only to a target inside the workspace, and a linked folder is never
   * entered (loops). Stops quietly between folders once `signal` is aborted: the caller says so.
   */
  *entries(opts: EntriesOptions = {}): Generator<WalkEntry> {
    const startAbs = path.resolve(this.root, opts.from ?? '.');
    const startRel = relativeInside(this.root, startAbs);
    if (startRel === undefined) return;
    const queue: Array<{ abs: string; rel: string; parent: Matcher[] }> = [
      { abs: startAbs, rel: startRel, parent: startRel ? this.ignoreRules.chainTo(this.root, parentOf(startRel)).matchers : [] },
    ];
    for (let next = 0; next < queue.length; next++) {
      if (opts.signal?.aborted) return;
      const dir = queue[next];
      let dirents: fs.Dirent[];
      try {
        dirents = fs.readdirSync(dir.abs, { withFileTypes: true });
      } catch {
        continue; // a folder we may not read is skipped, not fatal
      }
      const hasIgnoreFile = dirents.some((d) => d.name === '.gitignore' && d.isFile());
      const matchers = this.ignoreRules.matchersFor(dir.parent, dir.abs, dir.rel, hasIgnoreFile);
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of dirents) {
        // A `.git` file (worktree, submodule) is git's data as much as the folder is.
        if (isGitName(d.name)) continue;
        const rel = dir.rel ? `${dir.rel}/${d.name}` : d.name;
        const abs = path.join(dir.abs, d.name);
        if (d.name.includes('\uFFFD') && !fs.existsSync(abs)) {
          opts.onUnnamable?.(rel);
          continue;
        }
        if (d.isDirectory()) {
          if (this.memoryClean(rel) || this.ignoreRules.isIgnored(rel, true, matchers) || isGitDir(abs)) continue;
          yield { abs, rel, isDir: true, isSymlink: false };
          if (opts.recursive) queue.push({ abs, rel, parent: matchers });
          continue;
        }
        if (!d.isFile() && !d.isSymbolicLink()) continue; // sockets, fifos, devices
        if (opts.skipNoise && NOISE_FILES.has(d.name)) continue;
        let isDir = false;
        let realRel = rel;
        if (d.isSymbolicLink()) {
          const target = this.linkTarget(abs);
          if (!target) continue;
          ({ isDir, realRel } = target);
          if (isGitPath(realRel) || isInGitDir(this.rootReal, realRel)) continue;
        }
        if (this.memoryClean(rel) || this.memoryClean(realRel) || this.ignoreRules.isIgnored(rel, isDir, matchers)) continue;
        const secret = !isDir && (this.secretClean(rel) || (realRel !== rel && this.secretClean(realRel)));
        if (secret && !opts.reportSecrets) continue;
        yield { abs, rel, isDir, isSymlink: d.isSymbolicLink(), ...(secret ? { secret } : {}) };
      }
    }
  }

  /**
   * Every file archival memory may hold, and every file it refused with the reason. Merely ignored
   * files and folders are passed over silently. Hands the event loop back now and then, so a walk over
   * a big tree does not freeze an editor.
   */
  async *indexableFiles(opts: FileCheckOptions = {}): AsyncGenerator<WorkspaceFile | SkippedFile> {
    let sinceBreak = 0;
    const unnamable: string[] = [];
    const walk = this.entries({ recursive: true, signal: opts.signal, reportSecrets: true, skipNoise: true, onUnnamable: (rel) => unnamable.push(rel) });
    for (const entry of walk) {
      for (const rel of unnamable.splice(0)) yield { path: rel, reason: 'unreadable' };
      if (entry.isDir) continue;
      if (entry.secret) {
        yield { path: entry.rel, reason: 'secret' };
        continue;
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(entry.abs);
      } catch {
        yield { path: entry.rel, reason: 'unreadable' };
        continue;
      }
      yield this.checkFile(entry.rel, entry.abs, stat, opts.sniffContent);
      if (++sinceBreak >= 500) {
        sinceBreak = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    for (const rel of unnamable) yield { path: rel, reason: 'unreadable' };
  }

  /**
   * Whether one file belongs in archival memory, by the same rules as indexableFiles: for the editor's
   * save/create events, without walking the whole tree.
   */
  judgeFile(relPath: string, opts: FileCheckOptions = {}): IndexableResult {
    const rel = normalizeRel(relPath);
    if (!rel || rel.startsWith('../')) return { ok: false, reason: 'ignored' };
    const { matchers, ignored } = this.ignoreRules.chainTo(this.root, parentOf(rel));
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (ignored || NOISE_FILES.has(name) || this.isMemory(rel) || isGitPath(rel) || this.ignoreRules.isIgnored(rel, false, matchers)) {
      return { ok: false, reason: 'ignored' };
    }
    const abs = path.join(this.root, rel);
    let stat: fs.Stats | undefined;
    let realRel = rel;
    try {
      const link = fs.lstatSync(abs);
      if (link.isSymbolicLink()) {
        const target = this.linkTarget(abs);
        if (target && !target.isDir) ({ stat, realRel } = target);
      } else if (link.isFile()) {
        stat = link;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
      return { ok: false, reason: 'unreadable' };
    }
    if (!stat || this.isMemory(realRel) || isGitPath(realRel) || isInGitDir(this.rootReal, realRel)) return { ok: false, reason: 'ignored' };
    if (this.isSecret(realRel)) return { ok: false, reason: 'secret' };
    const checked = this.checkFile(rel, abs, stat, opts.sniffContent);
    return isSkipped(checked) ? { ok: false, reason: checked.reason } : { ok: true, file: checked };
  }

  /** Too large or binary: what search and the indexer pass over. `stat` is of the file itself, not a link. */
  checkFile(rel: string, abs: string, stat: fs.Stats, sniffContent = true): WorkspaceFile | SkippedFile {
    if (this.secretClean(rel)) return { path: rel, reason: 'secret' };
    if (stat.size > this.maxFileSize) return { path: rel, reason: 'too_large' };
    if (hasBinaryExtension(rel)) return { path: rel, reason: 'binary' };
    if (sniffContent) {
      const head = readHead(abs);
      if (!head) return { path: rel, reason: 'unreadable' };
      if (looksBinary(head)) return { path: rel, reason: 'binary' };
    }
    return { path: rel, abs, size: stat.size, mtimeMs: stat.mtimeMs };
  }

  /** A file named explicitly (read_file, the edit tools) is judged by its content alone: see fileLooksBinary. */
  isBinaryFile(abs: string): boolean {
    return fileLooksBinary(abs);
  }

  /** Where a link leads, when that is an existing file or folder inside the workspace. */
  private linkTarget(abs: string): { realRel: string; isDir: boolean; stat: fs.Stats } | undefined {
    let target: string;
    try {
      target = fs.realpathSync(abs);
    } catch {
      return undefined; // dangling
    }
    const realRel = relativeInside(this.rootReal, target);
    if (realRel === undefined) return undefined;
    try {
      const stat = fs.statSync(target);
      if (!stat.isFile() && !stat.isDirectory()) return undefined;
      return { realRel, isDir: stat.isDirectory(), stat };
    } catch {
      return undefined;
    }
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

export { WorkspacePathError };
