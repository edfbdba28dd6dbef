// In-editor checks, inside a real desktop VS Code: the extension activates, its commands are
// registered, the chat view can be focused, and its settings are read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'memcode.memcode';

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function registerExtensionTests(): void {
  describe('MemCode in desktop VS Code', () => {
    let extension: vscode.Extension<unknown>;

    before(async () => {
      const found = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(found, `extension ${EXTENSION_ID} is not installed in the development host`);
      extension = found;
    });

    it('activates', async () => {
      await extension.activate();
      assert.equal(extension.isActive, true);
    });

    it('registers every contributed command', async () => {
      const contributed = (extension.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
      assert.ok(contributed.length >= 5);
      const all = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !all.has(c));
      assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
    });

    it('focuses the chat view', async () => {
      await vscode.commands.executeCommand('memcode.chat.focus');
      await vscode.commands.executeCommand('memcode.openChat');
    });

    it('reads its settings: the contributed defaults, and memcode.storagePath decides where memory goes', async () => {
      const config = vscode.workspace.getConfiguration('memcode');
      assert.equal(config.get('contextWindow'), null, 'unset: the window is found from the server');
      assert.equal(config.get('approval.edits'), 'ask');
      const workspace = process.env.MEMCODE_ELECTRON_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(workspace, 'no workspace folder is open');
      await config.update('storagePath', 'custom-memory', vscode.ConfigurationTarget.Workspace);
      try {
        await vscode.commands.executeCommand('memcode.showMemory');
        const block = path.join(workspace, 'custom-memory', 'memory', 'project.md');
        await waitFor(`${block} (memory in the configured storagePath)`, () => fs.existsSync(block));
        assert.equal(fs.existsSync(path.join(workspace, '.memcode', 'memory', 'project.md')), false, 'memory went to the default folder, not memcode.storagePath');
      } finally {
        await config.update('storagePath', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });
  });
}
