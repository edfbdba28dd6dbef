// MemCode: Import Conversations, the editor's `memcode import`: pick another tool's history (offered
// where it lives on this machine, or chosen with a dialog) and import it into the active folder's
// recall memory, with progress and a way to stop between files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { importConversations, SOURCE_NAMES, type ImportReport } from '../app/importConversations';
import type { AgentHost } from './agentHost';

interface SourcePick extends vscode.QuickPickItem {
  paths: () => Promise<string[] | undefined>;
}

export async function importConversationsCommand(host: AgentHost, context: vscode.ExtensionContext): Promise<void> {
  const folderAgent = host.activeFolder();
  const picked = await vscode.window.showQuickPick(sourcePicks(folderAgent.root, context), {
    title: `MemCode: Import Conversations into ${folderAgent.folder.name}`,
    placeHolder: 'Past conversations to import into recall memory (imported twice, nothing is added twice)',
  });
  const paths = await picked?.paths();
  if (!paths?.length) return;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'MemCode: importing conversations', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      return importConversations({
        memoryRoot: folderAgent.memoryRoot,
        paths,
        signal: controller.signal,
        warn: (m) => host.log.warn(m),
        onLockWait: (m) => progress.report({ message: m }),
        onProgress: (p) => {
          const pct = p.filesTotal ? (p.filesDone / p.filesTotal) * 100 : 100;
          progress.report({ increment: pct - reported, message: p.file ? `${p.filesDone + 1}/${p.filesTotal} ${path.basename(p.file)}` : undefined });
          reported = pct;
        },
      });
    },
  );
  logReport(host, report);
  host.memoryChanged();
  const line = summary(report);
  if (report.failed.length) void vscode.window.showWarningMessage(`MemCode: ${line} ${report.failed.length} could not be read (see the MemCode output).`);
  else void vscode.window.showInformationMessage(`MemCode: ${line}`);
}

function sourcePicks(root: string, context: vscode.ExtensionContext): SourcePick[] {
  const picks: SourcePick[] = [];
  const offer = (label: string, dir: string, detail: string) => {
    if (fs.existsSync(dir)) picks.push({ label, description: tilde(dir), detail, paths: async () => [dir] });
  };
  // Claude Code keeps each project's sessions under its path with every character but letters and digits made `-`.
  offer('$(history) Claude Code: this folder\'s sessions', path.join(os.homedir(), '.claude', 'projects', root.replace(/[^a-zA-Z0-9]/g, '-')), 'Claude Code session logs of this workspace folder');
  offer('$(history) Codex: all sessions', path.join(os.homedir(), '.codex', 'sessions'), 'every Codex CLI session on this machine');
  // Cline's tasks live in its own global storage, beside ours.
  offer('$(history) Cline: all tasks', path.join(path.dirname(context.globalStorageUri.fsPath), 'saoudrizwan.claude-dev', 'tasks'), 'every Cline task in this editor');
  picks.push(
    { label: '$(file) Choose files…', detail: 'Claude Code, Codex or Cline files, or JSONL lines of {session, role, content, time}', paths: () => choose(false) },
    { label: '$(folder) Choose a folder…', detail: 'every conversation file inside it', paths: () => choose(true) },
  );
  return picks;
}

async function choose(folders: boolean): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: 'MemCode: Import Conversations',
    canSelectFiles: !folders,
    canSelectFolders: folders,
    canSelectMany: true,
    openLabel: 'Import',
    ...(folders ? {} : { filters: { Conversations: ['jsonl', 'json'], 'All files': ['*'] } }),
  });
  return uris?.map((u) => u.fsPath);
}

function logReport(host: AgentHost, report: ImportReport): void {
  for (const f of report.files) host.log.info(`import ${SOURCE_NAMES[f.source]} ${f.path}: ${f.added} messages added, ${f.duplicates} already imported`);
  for (const s of report.skipped) host.log.info(`import skipped ${s.path}: ${s.reason}`);
  for (const s of report.failed) host.log.warn(`import could not read ${s.path}: ${s.reason}`);
}

function summary(report: ImportReport): string {
  if (!report.files.length) return 'no conversation files found there.';
  const again = report.duplicates ? ` (${report.duplicates} were already in memory)` : '';
  return `${report.cancelled ? 'stopped: ' : ''}imported ${report.added} messages in ${report.newSessions} new sessions${again}.`;
}

function tilde(p: string): string {
  const home = os.homedir();
  return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}
