// Keeps archival memory in step with the workspace: saves, creates, deletes and renames are collected
// and applied in one background batch after a quiet moment, never on the typing path. Edits to the
// block files under the memory folder refresh the inspector instead.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentHost } from './agentHost';

const QUIET_MS = 1500;
const IGNORED = /(^|\/)(\.git|node_modules)(\/|$)/;

export function watchWorkspace(host: AgentHost): vscode.Disposable {
  const changed = new Map<string, Set<string>>();
  const removed = new Map<string, Set<string>>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const note = (uri: vscode.Uri, into: Map<string, Set<string>>) => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return;
    const fa = host.forFolder(folder);
    const memoryRoot = fa.memoryRoot;
    if (isInside(uri.fsPath, memoryRoot)) {
      if (isInside(uri.fsPath, path.join(memoryRoot, 'memory'))) host.memoryChanged();
      return;
    }
    const rel = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
    if (!rel || IGNORED.test(rel)) return;
    const key = folder.uri.toString();
    let set = into.get(key);
    if (!set) into.set(key, (set = new Set()));
    set.add(rel);
    (into === changed ? removed : changed).get(key)?.delete(rel);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, QUIET_MS);
  };

  const flush = () => {
    timer = undefined;
    for (const fa of host.all()) {
      const key = fa.folder.uri.toString();
      const c = [...(changed.get(key) ?? [])];
      const r = [...(removed.get(key) ?? [])];
      changed.delete(key);
      removed.delete(key);
      if ((!c.length && !r.length) || !fa.settings().index.autoUpdate) continue;
      void fa.archival.update(c, r).then(() => host.memoryChanged());
    }
  };

  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  return vscode.Disposable.from(
    watcher,
    watcher.onDidCreate((uri) => note(uri, changed)),
    watcher.onDidChange((uri) => note(uri, changed)),
    watcher.onDidDelete((uri) => note(uri, removed)),
    new vscode.Disposable(() => timer && clearTimeout(timer)),
  );
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
