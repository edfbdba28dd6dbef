// The namespace a repository's passages live under in a shared archival database. Everyone who indexes
// the same repository must arrive at the same key wherever their clone sits and however they cloned it,
// so the key is the `origin` remote's URL normalised: host and path, lowercased, without the scheme,
// the user and password (a token in an https remote must never reach the database), the port and the
// `.git` ending — `git@github.com:Org/Repo.git` and `https://token@github.com/org/repo` are both
// `github.com/org/repo`. A folder without a remote (or with another first remote) falls back to
// `folder:<its name>`: teammates then share an index only if they name the folder alike. The remote is
// read from git's config file, not by running git: no process, and nothing a config could make git run.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function repoKeyOf(workspaceRoot: string): string {
  const remote = originUrl(workspaceRoot);
  const normalised = remote ? normaliseRemote(remote) : undefined;
  return normalised ?? `folder:${path.basename(path.resolve(workspaceRoot)).toLowerCase()}`;
}

/** `git@host:org/repo.git`, `ssh://git@host:22/org/repo`, `https://user:token@host/org/repo/` → `host/org/repo`. */
export function normaliseRemote(url: string): string | undefined {
  let rest = url.trim();
  if (!rest) return undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(rest);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    rest = `${scp[1]}/${scp[2]}`;
  } else {
    try {
      const parsed = new URL(rest);
      rest = parsed.protocol === 'file:' ? parsed.pathname : `${parsed.hostname}${parsed.pathname}`;
    } catch {
      // A local path as the remote: keep it as it is.
    }
  }
  const key = rest
    .replace(/\\/g, '/')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+/g, '/')
    .toLowerCase();
  return key || undefined;
}

/** The `origin` remote's URL (or the first remote's), from the repository's config; undefined without one. */
function originUrl(workspaceRoot: string): string | undefined {
  const config = gitConfigFile(workspaceRoot);
  if (!config) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(config, 'utf8');
  } catch {
    return undefined;
  }
  const remotes = new Map<string, string>();
  let section: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*remote\s+"([^"]+)"\s*\]/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (/^\s*\[/.test(line)) {
      section = undefined;
      continue;
    }
    const url = /^\s*url\s*=\s*(.+?)\s*$/.exec(line);
    if (section && url && !remotes.has(section)) remotes.set(section, url[1].replace(/^"(.*)"$/, '$1'));
  }
  return remotes.get('origin') ?? remotes.values().next().value;
}

/** The config file of the repository the workspace is in (walking up), through a worktree's or submodule's `.git` file. */
function gitConfigFile(workspaceRoot: string): string | undefined {
  let dir = path.resolve(workspaceRoot);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dotGit);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) return path.join(dotGit, 'config');
    if (stat?.isFile()) {
      const gitdir = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (!gitdir) return undefined;
      const abs = path.resolve(dir, gitdir);
      // A worktree's own folder names the shared repository in `commondir`.
      let common = abs;
      try {
        common = path.resolve(abs, fs.readFileSync(path.join(abs, 'commondir'), 'utf8').trim());
      } catch {
        // A submodule: its config is in its own git folder.
      }
      return path.join(common, 'config');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
