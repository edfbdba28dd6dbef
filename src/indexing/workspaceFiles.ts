// Which workspace files archival memory may hold (DESIGN.md §6): `.gitignore` at every level, the
// person's exclude list, never dependencies, version control, our own memory folder or secrets, and
// only text files of a sane size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const DEFAULT_MAX_FILE_SIZE = 1_000_000;

/** Folders never walked, whatever the ignore files say. */
export const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.memcode']);

/**
 * Files that are text but say nothing a search should find: version-control plumbing and lock files
 * (machine-written, often megabytes). Passed over silently, like ignored files.
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

/** Credentials and keys: never read into memory, never sent to an embedding provider. */
export const SECRET_PATTERNS: readonly string[] = [
  '.env*',
  '*.pem',
  '*.key',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '*.p12',
  '*.pfx',
  '*.keystore',
  '*.jks',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.htpasswd',
  'credentials*.json',
  '.git-credentials',
  '**/.aws/credentials',
  '**/.docker/config.json',
];

/** Known binary formats, refused by name so their contents are never read. */
const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'png jpg jpeg gif bmp ico icns webp tif tiff psd ai heic avif svgz ' +
    'pdf doc docx xls xlsx ppt pptx odt ods odp epub ' +
    'zip gz tgz bz2 xz zst 7z rar tar jar war ear apk ipa deb rpm dmg iso whl egg ' +
    'exe dll so dylib o a lib obj pdb class pyc pyo pyd node wasm bin dat img ' +
    'woff woff2 ttf otf eot ' +
    'mp3 mp4 m4a wav ogg oga flac aac avi mov mkv webm wmv flv ' +
    'sqlite sqlite3 db mdb parquet arrow feather npy npz pkl pickle pt pth onnx safetensors h5 tflite'
  )
    .split(/\s+/)
    .map((e) => `.${e}`),
);

/** How much of a file's start is checked for a NUL byte, the mark of a binary file (as git does). */
export const BINARY_SNIFF_BYTES = 8192;

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

export interface WorkspaceFilterOptions {
  /** Gitignore-style patterns, relative to the workspace root (`memcode.index.exclude`, `files.exclude`). */
  exclude?: string[];
  /** Bytes; larger files are skipped as 'too_large' (default 1 MB). */
  maxFileSize?: number;
  /** More secret patterns, gitignore-style, on top of SECRET_PATTERNS. */
  secrets?: string[];
  /** A memory folder kept somewhere other than `<root>/.memcode` (`memcode.storagePath`). */
  storageDir?: string;
  /**
   * Read each file's first 8 KB to catch binaries without a telltale extension (default true). The
   * indexer turns this off because it reads every changed file anyway and checks it then, which keeps a
   * re-run over unchanged files free of reads.
   */
  sniffContent?: boolean;
}

export interface WalkOptions extends WorkspaceFilterOptions {
  signal?: AbortSignal;
}

export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

export function hasBinaryExtension(rel: string): boolean {
  return BINARY_EXTENSIONS.has(path.extname(rel).toLowerCase());
}

const defaultSecrets = ignore().add(SECRET_PATTERNS as string[]);

/** True for files that look like credentials or keys (SECRET_PATTERNS plus `extra`), at any depth. */
export function isSecretPath(rel: string, extra?: string[]): boolean {
  const clean = normalizeRel(rel);
  if (!clean) return false;
  if (defaultSecrets.ignores(clean)) return true;
  return !!extra?.length && ignore().add(extra).ignores(clean);
}

/** The ignore files met on the way down, each matched relative to the folder that holds it. */
interface Matcher {
  /** Folder of the ignore file, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

/**
 * Everything that decides whether a path is walked, built once per walk (or per isIndexable call) so
 * that the per-file work is a few string tests.
 */
class WorkspaceFilter {
  readonly rootReal: string;
  readonly maxFileSize: number;
  private readonly exclude?: Ignore;
  private readonly secrets: Ignore;
  private readonly storageRel?: string;

  constructor(
    readonly root: string,
    readonly opts: WorkspaceFilterOptions,
  ) {
    this.rootReal = realpathOr(root);
    this.maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    if (opts.exclude?.length) this.exclude = ignore().add(opts.exclude);
    this.secrets = ignore().add([...SECRET_PATTERNS, ...(opts.secrets ?? [])]);
    if (opts.storageDir) {
      const rel = path.relative(root, path.resolve(root, opts.storageDir));
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) this.storageRel = toPosix(rel);
    }
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

  /** Skipped folders, ignore files (deepest wins, `!` re-includes) and the exclude list. */
  isIgnored(rel: string, isDir: boolean, matchers: Matcher[]): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (isDir && (ALWAYS_SKIPPED_DIRS.has(name) || rel === this.storageRel)) return true;
    if (!isDir && NOISE_FILES.has(name)) return true;
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

  isSecret(rel: string): boolean {
    return this.secrets.ignores(rel);
  }

  /** The checks on a file the ignore rules let through; `stat` is of the file itself, not a link. */
  check(rel: string, abs: string, stat: fs.Stats): WorkspaceFile | SkippedFile {
    if (this.isSecret(rel)) return { path: rel, reason: 'secret' };
    if (stat.size > this.maxFileSize) return { path: rel, reason: 'too_large' };
    if (hasBinaryExtension(rel)) return { path: rel, reason: 'binary' };
    if (this.opts.sniffContent !== false) {
      const head = readHead(abs);
      if (!head) return { path: rel, reason: 'unreadable' };
      if (looksBinary(head)) return { path: rel, reason: 'binary' };
    }
    return { path: rel, abs, size: stat.size, mtimeMs: stat.mtimeMs };
  }

  /** A link is followed only to a file inside the workspace; a linked folder is never entered (loops). */
  followLink(abs: string): fs.Stats | undefined {
    let target: string;
    try {
      target = fs.realpathSync(abs);
    } catch {
      return undefined;
    }
    const rel = path.relative(this.rootReal, target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    try {
      const stat = fs.statSync(target);
      return stat.isFile() ? stat : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Yields every file archival memory may hold, and every file it refused with the reason, depth first in
 * name order. Merely ignored files and folders are passed over silently. Hands the event loop back now
 * and then, so a walk over a big tree does not freeze an editor.
 */
export async function* walkWorkspace(root: string, opts: WalkOptions = {}): AsyncGenerator<WorkspaceFile | SkippedFile> {
  const filter = new WorkspaceFilter(root, opts);
  const stack: Array<{ abs: string; rel: string; matchers: Matcher[] }> = [{ abs: root, rel: '', matchers: [] }];
  let sinceBreak = 0;
  while (stack.length > 0) {
    if (opts.signal?.aborted) return;
    const dir = stack.pop()!;
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(dir.abs, { withFileTypes: true });
    } catch {
      continue; // a folder we may not read is skipped, not fatal
    }
    const matchers = filter.matchersFor(dir.matchers, dir.abs, dir.rel, dirents.some((d) => d.name === '.gitignore' && d.isFile()));
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Array<{ abs: string; rel: string; matchers: Matcher[] }> = [];
    for (const d of dirents) {
      const rel = dir.rel ? `${dir.rel}/${d.name}` : d.name;
      const abs = path.join(dir.abs, d.name);
      if (d.isDirectory()) {
        if (!filter.isIgnored(rel, true, matchers)) subdirs.push({ abs, rel, matchers });
        continue;
      }
      if (!d.isFile() && !d.isSymbolicLink()) continue; // sockets, fifos, devices
      if (filter.isIgnored(rel, false, matchers)) continue;
      let stat: fs.Stats | undefined;
      if (d.isSymbolicLink()) {
        stat = filter.followLink(abs);
        if (!stat) continue;
      } else {
        try {
          stat = fs.statSync(abs);
        } catch {
          yield { path: rel, reason: 'unreadable' };
          continue;
        }
      }
      yield filter.check(rel, abs, stat);
      if (++sinceBreak >= 500) {
        sinceBreak = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    // Reversed onto the stack so folders come out in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

export type IndexableResult = { ok: true; file: WorkspaceFile } | { ok: false; reason: SkipReason | 'ignored' | 'missing' };

/**
 * Whether one file belongs in archival memory, by the same rules as walkWorkspace: for the editor's
 * save/create events, without walking the whole tree. Reads the `.gitignore` of every folder on the way.
 */
export function isIndexable(root: string, relPath: string, opts: WorkspaceFilterOptions = {}): IndexableResult {
  const rel = normalizeRel(relPath);
  if (!rel || rel.startsWith('../')) return { ok: false, reason: 'ignored' };
  const filter = new WorkspaceFilter(root, opts);
  const parts = rel.split('/');
  let matchers: Matcher[] = [];
  let dirRel = '';
  for (let i = 0; i < parts.length - 1; i++) {
    const dirAbs = path.join(root, dirRel);
    matchers = filter.matchersFor(matchers, dirAbs, dirRel, fs.existsSync(path.join(dirAbs, '.gitignore')));
    dirRel = dirRel ? `${dirRel}/${parts[i]}` : parts[i];
    if (filter.isIgnored(dirRel, true, matchers)) return { ok: false, reason: 'ignored' };
  }
  const dirAbs = path.join(root, dirRel);
  matchers = filter.matchersFor(matchers, dirAbs, dirRel, fs.existsSync(path.join(dirAbs, '.gitignore')));
  if (filter.isIgnored(rel, false, matchers)) return { ok: false, reason: 'ignored' };
  const abs = path.join(root, rel);
  let stat: fs.Stats | undefined;
  try {
    const link = fs.lstatSync(abs);
    if (link.isSymbolicLink()) stat = filter.followLink(abs);
    else if (link.isFile()) stat = link;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
    return { ok: false, reason: 'unreadable' };
  }
  if (!stat) return { ok: false, reason: 'ignored' };
  const checked = filter.check(rel, abs, stat);
  return isSkipped(checked) ? { ok: false, reason: checked.reason } : { ok: true, file: checked };
}

function normalizeRel(rel: string): string {
  return toPosix(path.normalize(rel)).replace(/^(\.\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function readTextOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readHead(abs: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(abs, 'r');
    const head = Buffer.alloc(BINARY_SNIFF_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
