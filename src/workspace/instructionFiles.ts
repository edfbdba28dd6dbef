// The project instruction files other coding agents read (AGENTS.md, CLAUDE.md, Copilot's, Cursor's,
// Cline's and Windsurf's), found and read through the one workspace policy: a file that is a secret, in
// git's data or in the memory folder (also through a symbolic link) is never read. Each file is read
// once and then only stat'ed: a changed mtime, size or inode reads it again, so a person's edit is seen
// at the next step without re-reading what did not change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksBinary } from './binary';
import { relativeInside, toPosix } from './containment';
import type { WorkspaceFiles } from './workspaceFiles';

export type InstructionKind = 'agents' | 'claude' | 'copilot' | 'cursorRule' | 'cursorrules' | 'clinerules' | 'windsurfrules';

export interface InstructionFile {
  /** Workspace-relative, '/'-separated. */
  path: string;
  kind: InstructionKind;
  /** The text, without the front matter of a Cursor rule. */
  text: string;
  /** For AGENTS.md and CLAUDE.md: the folder whose files it applies to ('' is the whole workspace). */
  folder?: string;
  /** Cursor rule front matter. */
  alwaysApply?: boolean;
  globs?: string[];
  description?: string;
}

/** Files that apply to the folder they are in, nested at any depth; the nearest takes precedence. */
const NESTED: ReadonlyArray<[string, InstructionKind]> = [
  ['AGENTS.md', 'agents'],
  ['CLAUDE.md', 'claude'],
];

/** Files read only at the workspace root. */
const AT_ROOT: ReadonlyArray<[string, InstructionKind]> = [
  ['.github/copilot-instructions.md', 'copilot'],
  ['.cursorrules', 'cursorrules'],
  ['.windsurfrules', 'windsurfrules'],
];

/** An instruction file larger than this is read only this far: the prompt could never hold more. */
const MAX_READ_BYTES = 256 * 1024;

interface Stamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

interface Cached {
  stamp: Stamp;
  /** Undefined: refused by the policy, binary or unreadable (remembered, so it is not tried every step). */
  text?: string;
}

export class InstructionFiles {
  private readonly cache = new Map<string, Cached>();
  /** Files actually read from disk, for tests and the curious: a step with nothing changed reads none. */
  reads = 0;

  constructor(private readonly workspace: WorkspaceFiles) {}

  /**
   * The instruction files that exist now: every root-level kind, and AGENTS.md / CLAUDE.md in each folder
   * from the root down to each of `paths` (workspace-relative or absolute files or folders the agent is
   * working on). Nested files come root first, the nearest last; unreadable ones are left out.
   */
  collect(paths: readonly string[] = []): InstructionFile[] {
    const folders = new Set<string>(['']);
    for (const p of paths) for (const f of this.chainTo(p)) folders.add(f);
    const out: InstructionFile[] = [];
    const byDepth = [...folders].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const folder of byDepth) {
      for (const [name, kind] of NESTED) {
        const rel = folder ? `${folder}/${name}` : name;
        const text = this.read(rel);
        if (text !== undefined) out.push({ path: rel, kind, text, folder });
      }
    }
    for (const rel of this.listFolder('.cursor/rules', (n) => n.endsWith('.mdc'))) {
      const raw = this.read(rel);
      if (raw !== undefined) out.push({ path: rel, kind: 'cursorRule', ...parseCursorRule(raw) });
    }
    for (const [rel, kind] of AT_ROOT) {
      const text = this.read(rel);
      if (text !== undefined) out.push({ path: rel, kind, text });
    }
    // Cline takes `.clinerules` as one file or as a folder of rule files.
    const cline = this.read('.clinerules');
    if (cline !== undefined) out.push({ path: '.clinerules', kind: 'clinerules', text: cline });
    for (const rel of this.listFolder('.clinerules', (n) => /\.(md|txt)$/i.test(n))) {
      const text = this.read(rel);
      if (text !== undefined) out.push({ path: rel, kind: 'clinerules', text });
    }
    return out;
  }

  /** The folders from the workspace root down to the one `p` is in (or is); none for a path outside. */
  private chainTo(p: string): string[] {
    const abs = path.resolve(this.workspace.root, p);
    const rel = relativeInside(this.workspace.root, abs);
    if (!rel) return [];
    let folder = toPosix(rel);
    if (!isDirectory(abs)) folder = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '';
    const chain: string[] = [];
    const parts = folder ? folder.split('/') : [];
    for (let i = 1; i <= parts.length; i++) chain.push(parts.slice(0, i).join('/'));
    return chain;
  }

  private listFolder(rel: string, keep: (name: string) => boolean): string[] {
    const abs = path.join(this.workspace.root, rel);
    try {
      if (!fs.statSync(abs).isDirectory() || this.refused(rel)) return [];
      return fs
        .readdirSync(abs)
        .filter((n) => keep(n) && !n.startsWith('.'))
        .sort()
        .map((n) => `${rel}/${n}`);
    } catch {
      return [];
    }
  }

  /** The file's text, from the cache when its stamp has not changed; undefined when missing or refused. */
  private read(rel: string): string | undefined {
    const abs = path.join(this.workspace.root, rel);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      this.cache.delete(rel);
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const stamp: Stamp = { mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino };
    const known = this.cache.get(rel);
    if (known && sameStamp(known.stamp, stamp)) return known.text;
    const entry: Cached = { stamp, text: this.refused(rel) ? undefined : this.readText(abs) };
    this.cache.set(rel, entry);
    return entry.text;
  }

  /** Refused by the workspace policy: outside the workspace, a secret, git's data, the memory folder (links followed). */
  private refused(rel: string): boolean {
    try {
      this.workspace.resolve(rel, 'read');
      return false;
    } catch {
      return true;
    }
  }

  private readText(abs: string): string | undefined {
    this.reads++;
    let fd: number | undefined;
    try {
      fd = fs.openSync(abs, 'r');
      const buf = Buffer.alloc(MAX_READ_BYTES);
      const n = fs.readSync(fd, buf, 0, MAX_READ_BYTES, 0);
      const bytes = buf.subarray(0, n);
      if (looksBinary(bytes.subarray(0, 8192))) return undefined;
      return bytes.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
}

/**
 * A Cursor rule (`.mdc`): YAML-ish front matter with `description`, `globs` (a comma-separated string,
 * a flow list or a block list) and `alwaysApply`, then the rule's text.
 */
export function parseCursorRule(raw: string): Pick<InstructionFile, 'text' | 'alwaysApply' | 'globs' | 'description'> {
  const match = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(raw);
  if (!match) return { text: raw };
  const out: Pick<InstructionFile, 'text' | 'alwaysApply' | 'globs' | 'description'> = { text: raw.slice(match[0].length) };
  const lines = match[1].split('\n');
  for (let i = 0; i < lines.length; i++) {
    const kv = /^(\w+):\s*(.*)$/.exec(lines[i]);
    if (!kv) continue;
    const [, key, rawValue] = kv;
    const value = unquote(rawValue.trim());
    if (key === 'alwaysApply') out.alwaysApply = value.toLowerCase() === 'true';
    else if (key === 'description' && value) out.description = value;
    else if (key === 'globs') {
      let items: string[];
      if (value.startsWith('[')) items = value.slice(1, value.lastIndexOf(']') < 0 ? undefined : value.lastIndexOf(']')).split(',');
      else if (value) items = value.split(',');
      else {
        items = [];
        while (i + 1 < lines.length && /^\s+-\s*/.test(lines[i + 1])) items.push(lines[++i].replace(/^\s+-\s*/, ''));
      }
      const globs = items.map((g) => unquote(g.trim())).filter(Boolean);
      if (globs.length) out.globs = globs;
    }
  }
  return out;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

function depth(folder: string): number {
  return folder ? folder.split('/').length : 0;
}

function isDirectory(abs: string): boolean {
  try {
    return fs.statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}
