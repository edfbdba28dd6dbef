// The MemCode commands (package.json contributes.commands). Each is a small function over the AgentHost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentHost } from './agentHost';
import type { FolderAgent } from './folderAgent';
import type { ApiKeyStore } from './secrets';
import { formatDoctorReport } from '../app/memoryDoctor';
import { proposeProjectBlock, writeProjectBlock } from '../app/projectDraft';
import { searchMemory as searchMemoryOf } from '../app/searchMemory';
import { hitLabel } from '../app/memoryHitLabel';
import { hitLocation } from '../memory/hitLocation';
import { blockFile, MemoryStore, memoryPaths } from '../memory/store';
import { importConversationsCommand } from './importConversationsCommand';
import { indexProgressMessage, indexProgressPercent } from './indexProgressText';
import { showMemoryHistory } from './memoryHistoryCommand';
import { consolidateMemoryCommand } from './consolidateMemoryCommand';

/** A note bigger than this is cut: one archival item is one embedding, and the model reads it in one go. */
const MAX_NOTE_CHARS = 20_000;

export function registerCommands(context: vscode.ExtensionContext, host: AgentHost, keys: ApiKeyStore, revealChat: () => void): void {
  const register = (id: string, run: (...args: never[]) => Promise<unknown> | unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await run(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          host.log.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(`MemCode: ${message}`);
          return undefined;
        }
      }),
    );

  register('memcode.indexWorkspace', () => indexWorkspace(host, false));
  register('memcode.rebuildIndex', () => indexWorkspace(host, true));
  register('memcode.newSession', async () => {
    await host.newSession();
    revealChat();
  });
  register('memcode.setApiKey', async () => {
    if (await keys.prompt()) host.invalidateAll();
  });
  register('memcode.setDatabaseUrl', async () => {
    if (await keys.promptDatabaseUrl()) host.invalidateAll();
  });
  register('memcode.showMemory', () => showMemory(host));
  register('memcode.searchMemory', () => searchMemory(host));
  register('memcode.addToMemory', (uri?: vscode.Uri) => addToMemory(host, uri));
  register('memcode.resetMemory', () => resetMemory(host));
  register('memcode.checkMemory', () => checkMemory(host));
  register('memcode.openChat', () => revealChat());
  register('memcode.initProjectMemory', () => initProjectMemory(host));
  register('memcode.importConversations', () => importConversationsCommand(host, context));
  register('memcode.showMemoryHistory', () => showMemoryHistory(host));
  register('memcode.consolidateMemory', () => consolidateMemoryCommand(host));
}

async function indexWorkspace(host: AgentHost, rebuild: boolean): Promise<void> {
  const folders = host.all();
  if (!folders.length) throw new Error('open a folder first: MemCode indexes workspace folders');
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: rebuild ? 'MemCode: rebuilding the index' : 'MemCode: indexing', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      for (const folderAgent of folders) {
        let reported = 0;
        const report = await folderAgent.memory.index({
          rebuild,
          signal: controller.signal,
          onProgress: (p) => {
            const pct = Math.max(reported, indexProgressPercent(p));
            progress.report({ increment: (pct - reported) / folders.length, message: indexProgressMessage(folderAgent.folder.name, p) });
            reported = pct;
          },
        });
        const line = `${folderAgent.folder.name}: ${report.filesIndexed} files indexed, ${report.filesUnchanged} unchanged, ${report.filesRemoved} removed in ${(report.ms / 1000).toFixed(1)} s`;
        host.log.info(line);
        if (report.cancelled) {
          void vscode.window.showInformationMessage(`MemCode: indexing stopped (${line}); run it again to finish.`);
          return;
        }
        void vscode.window.showInformationMessage(`MemCode: ${line}.`);
      }
    },
  );
  host.memoryChanged();
}

async function showMemory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  await folderAgent.agent(); // creates the memory folder and its default blocks on first use
  const file = blockFile(memoryPaths(folderAgent.memoryRoot).memoryDir, 'project');
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}

interface MemoryPick extends vscode.QuickPickItem {
  open: () => Promise<unknown>;
}

async function searchMemory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  const query = await vscode.window.showInputBox({ title: 'MemCode: Search Memory', prompt: 'Search archival memory (code and notes) and past conversations' });
  if (!query?.trim()) return;
  const agent = await folderAgent.agent();
  const found = await searchMemoryOf(folderAgent.memory, agent.recall, query, { pageSize: 20 });
  if (found.archivalError) host.log.warn(`archival search failed: ${found.archivalError}`);
  const picks: MemoryPick[] = [];
  for (const hit of found.archival?.results ?? []) {
    picks.push({
      label: `$(file-code) ${hit.symbol ?? hitLabel(hit.text)}`,
      description: hitLocation(hit),
      detail: `archival · score ${hit.score.toFixed(2)} · ${hitLabel(hit.text, 120)}`,
      open: () => (hit.path ? openAt(folderAgent, hit.path, hit.startLine) : showText(hit.text)),
    });
  }
  for (const record of found.messages.results) {
    picks.push({
      label: `$(comment-discussion) ${hitLabel(record.content)}`,
      description: `${record.role} · ${record.time.slice(0, 16).replace('T', ' ')}`,
      detail: 'recall',
      open: () => showText(`# ${record.role}, ${record.time}\n\n${record.content}`),
    });
  }
  if (!picks.length) {
    void vscode.window.showInformationMessage(`MemCode: nothing in memory matches "${query}".`);
    return;
  }
  const picked = await vscode.window.showQuickPick(picks, { title: `MemCode: memory matching "${query}"`, matchOnDescription: true, matchOnDetail: true });
  await picked?.open();
}

async function openAt(folderAgent: FolderAgent, relPath: string, line?: number): Promise<void> {
  const uri = vscode.Uri.joinPath(folderAgent.folder.uri, relPath);
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position) });
}

async function showText(text: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: true });
}

async function addToMemory(host: AgentHost, uri?: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ?? editor?.document.uri;
  if (!target) throw new Error('select a file or some text to add to memory');
  const folder = vscode.workspace.getWorkspaceFolder(target);
  if (!folder) throw new Error('only files inside a workspace folder can be added to its memory');
  const folderAgent = host.forFolder(folder);
  const rel = vscode.workspace.asRelativePath(target, false);
  let text: string;
  let where = rel;
  if (editor && editor.document.uri.toString() === target.toString() && !editor.selection.isEmpty) {
    text = editor.document.getText(editor.selection);
    where = `${rel}:${editor.selection.start.line + 1}-${editor.selection.end.line + 1}`;
  } else {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
  }
  const cut = text.length > MAX_NOTE_CHARS;
  const note = `From ${where}:\n${cut ? `${text.slice(0, MAX_NOTE_CHARS)}\n… (cut at ${MAX_NOTE_CHARS} characters)` : text}`;
  await folderAgent.memory.addNote(note);
  void vscode.window.showInformationMessage(`MemCode: added ${where} to archival memory${cut ? ' (cut to its first 20,000 characters)' : ''}.`);
  host.memoryChanged();
}

/** MemCode: Check Memory, the editor's `memcode doctor`: the report opens beside the chat. */
async function checkMemory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  if (folderAgent.running) throw new Error('the agent is working; stop it before checking its memory');
  const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'MemCode: checking memory' }, () =>
    folderAgent.memory.checkup(true),
  );
  const text = formatDoctorReport(report);
  host.log.info(text);
  await showText(text);
  const summary = report.findings.length === 0 ? 'memory is healthy.' : report.broken ? 'something is still broken; see the report.' : 'memory repaired; nothing was lost.';
  if (report.broken) void vscode.window.showWarningMessage(`MemCode: ${summary}`);
  else void vscode.window.showInformationMessage(`MemCode: ${summary}`);
  host.memoryChanged();
}

async function resetMemory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  if (folderAgent.running) throw new Error('the agent is working; stop it before resetting its memory');
  const root = folderAgent.memoryRoot;
  const answer = await vscode.window.showWarningMessage(
    'Reset MemCode memory for this folder?',
    { modal: true, detail: `Working context, conversations and the archival index in ${root} start over. The folder is kept as a backup beside it.` },
    'Reset',
  );
  if (answer !== 'Reset') return;
  if (!fs.existsSync(root)) {
    void vscode.window.showInformationMessage('MemCode: there is no memory to reset yet.');
    return;
  }
  // Taking the lock proves no other process (the CLI, another window) is mid-turn; it is released
  // before the rename because the lock file lives inside the folder being moved.
  await MemoryStore.open(root).withLock('reset memory', async () => undefined, 5_000);
  const backup = `${root}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(root, backup);
  host.restart(folderAgent);
  void vscode.window.showInformationMessage(`MemCode: memory reset; the old memory is in ${path.basename(backup)}.`);
}

/**
 * MemCode: Initialize Project Memory: the draft of the `project` block opens for review (beside the
 * current block as a diff when that has text); a modal asks before anything is written. The draft
 * document may be edited first: what is written is its text at the moment of Accept.
 */
async function initProjectMemory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  if (folderAgent.running) throw new Error('the agent is working; stop it before initializing its project memory');
  const agent = await folderAgent.agent();
  const proposal = proposeProjectBlock(agent.workspace, agent.workingContext);
  if (proposal.unchanged) {
    void vscode.window.showInformationMessage('MemCode: the project block already says what the draft would say.');
    return;
  }
  const draftDoc = await vscode.workspace.openTextDocument({ content: proposal.draft, language: 'markdown' });
  if (proposal.diff) {
    const currentDoc = await vscode.workspace.openTextDocument({ content: proposal.current, language: 'markdown' });
    await vscode.commands.executeCommand('vscode.diff', currentDoc.uri, draftDoc.uri, 'MemCode: project block ↔ draft');
  } else {
    await vscode.window.showTextDocument(draftDoc, { preview: true });
  }
  const accept = proposal.diff ? 'Replace' : 'Write';
  const answer = await vscode.window.showInformationMessage(
    proposal.diff ? 'Replace the project block with this draft?' : 'Write this draft to the project block?',
    {
      modal: true,
      detail: `${proposal.diff ? 'The difference is open in the editor (left: the block now, right: the draft).' : 'The draft is open in the editor.'} Edit the draft there first if you like; at most ${proposal.limit} characters.`,
    },
    accept,
  );
  if (answer === accept) {
    await writeProjectBlock(folderAgent.memory.store, agent.workingContext, proposal.current, draftDoc.getText().trim());
    void vscode.window.showInformationMessage('MemCode: project memory initialized.');
    host.memoryChanged();
  }
  // The draft is an untitled document: close it without a "save?" prompt.
  if (vscode.window.activeTextEditor?.document === draftDoc) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}
