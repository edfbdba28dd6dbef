// Forwards VS Code's file events to the ChangeBatcher (changeBatcher.ts), which keeps archival memory in
// step with the workspace in background batches and refreshes the inspector on memory block edits.
import * as vscode from 'vscode';
import type { AgentHost } from './agentHost';
import { ChangeBatcher, type BatchFolder } from './changeBatcher';

const QUIET_MS = 1500;

export function watchWorkspace(host: AgentHost): vscode.Disposable {
  const batcher = new ChangeBatcher({
    quietMs: QUIET_MS,
    onMemoryChanged: () => host.memoryChanged(),
    log: (message) => host.log.warn(message),
  });

  const folderOf = (uri: vscode.Uri): BatchFolder | undefined => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const folderAgent = host.forFolder(folder);
    return {
      key: folder.uri.toString(),
      root: folderAgent.root,
      memoryRoot: folderAgent.memoryRoot,
      autoUpdate: () => folderAgent.settings().index.autoUpdate,
      update: (changed, removed) => folderAgent.memory.update(changed, removed),
    };
  };
  const forward = (uri: vscode.Uri, kind: 'changed' | 'deleted') => {
    if (uri.scheme !== 'file') return;
    const folder = folderOf(uri);
    if (folder) batcher[kind](folder, uri.fsPath);
  };

  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  return vscode.Disposable.from(
    watcher,
    watcher.onDidCreate((uri) => forward(uri, 'changed')),
    watcher.onDidChange((uri) => forward(uri, 'changed')),
    watcher.onDidDelete((uri) => forward(uri, 'deleted')),
    new vscode.Disposable(() => batcher.dispose()),
  );
}
