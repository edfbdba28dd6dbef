// The extension's side of the memory scopes (issue 12, item 6), applied at activation and again when the
// settings change: `memcode.memory.userStorePath` (a machine setting; '' = ~/.memcode/user.md, the file the
// CLI uses too, memory/userStore.ts) so the agent's next turn reads the user block from there, and
// `memcode.memory.shareWithTeam`, which writes each folder's memory .gitignore (memory/teamSharing.ts).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { memoryRoot } from '../memory/store';
import { applyTeamSharing } from '../memory/teamSharing';
import { resolveUserStorePath, setUserStoreFile } from '../memory/userStore';
import { readSettings } from './settings';

export function trackUserStoreSetting(): vscode.Disposable {
  const apply = () => setUserStoreFile(resolveUserStorePath(vscode.workspace.getConfiguration('memcode').get<string>('memory.userStorePath')));
  apply();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('memcode.memory.userStorePath')) apply();
  });
}

export function trackTeamSharing(warn: (message: string) => void): vscode.Disposable {
  const apply = () => {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const settings = readSettings(folder.uri);
      const root = memoryRoot(folder.uri.fsPath, settings.storagePath || undefined);
      // A folder MemCode never opened gets no memory folder just for this; its first open writes the private one.
      if (!fs.existsSync(root) && !settings.memory.shareWithTeam) continue;
      try {
        if (applyTeamSharing(root, settings.memory.shareWithTeam) === 'custom') {
          warn(`${root}/.gitignore was written by hand, so memcode.memory.shareWithTeam left it as it is`);
        }
      } catch (err) {
        warn(`could not write ${root}/.gitignore: ${(err as Error).message}`);
      }
    }
  };
  apply();
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('memcode.memory.shareWithTeam') || e.affectsConfiguration('memcode.storagePath')) apply();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(apply),
  );
}
