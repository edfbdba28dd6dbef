// MemCode: Consolidate Memory (a progress notification with Cancel), and the same pass in the background
// when a session ends. Neither blocks the chat: the pass writes only blocks nobody changed meanwhile
// (app/consolidateMemory.ts), and a new pass on a folder cancels the one still running there.
import * as vscode from 'vscode';
import { changedSinceLastPass, consolidateAgentMemory, describeConsolidation } from '../app/consolidateMemory';
import type { FolderAgent } from './folderAgent';

/** What the pass needs of the AgentHost (not imported: agentHost.ts starts the after-session pass). */
interface AgentHost {
  readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>;
  activeFolder(): FolderAgent;
  memoryChanged(): void;
}

const running = new Map<FolderAgent, AbortController>();
/** The writes wait for a running chat turn (it holds the folder's lock) or another MemCode process. */
const LOCK_WAIT_MS = 10 * 60_000;

function underLock(folderAgent: FolderAgent) {
  return <T>(apply: () => Promise<T>) => folderAgent.memory.store.withLock('memory consolidate', apply, LOCK_WAIT_MS);
}

function start(folderAgent: FolderAgent): AbortController {
  running.get(folderAgent)?.abort();
  const controller = new AbortController();
  running.set(folderAgent, controller);
  return controller;
}

function finish(folderAgent: FolderAgent, controller: AbortController): void {
  if (running.get(folderAgent) === controller) running.delete(folderAgent);
}

export async function consolidateMemoryCommand(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  const agent = await folderAgent.agent();
  const controller = start(folderAgent);
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MemCode: consolidating the memory of ${folderAgent.folder.name}`, cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        return consolidateAgentMemory(agent, { signal: controller.signal, via: 'command', applyUnder: underLock(folderAgent) });
      },
    );
    const text = describeConsolidation(report);
    host.log.info(text);
    host.memoryChanged();
    const changed = report.blocks.filter((b) => b.entry).length;
    void vscode.window.showInformationMessage(
      changed ? `MemCode: consolidated ${changed} block${changed === 1 ? '' : 's'}; Show Memory History has the diff and reverts it.` : 'MemCode: memory needed no consolidation.',
    );
  } catch (err) {
    if (controller.signal.aborted) {
      void vscode.window.showInformationMessage('MemCode: consolidation cancelled; memory is unchanged.');
      return;
    }
    throw err;
  } finally {
    finish(folderAgent, controller);
  }
}

/** After New session: one pass in the background when working context changed since the last one; failures only logged. */
export function consolidateAfterSession(host: AgentHost, folderAgent: FolderAgent): void {
  void (async () => {
    const agent = await folderAgent.agent();
    if (!changedSinceLastPass(agent.workingContext)) return;
    const controller = start(folderAgent);
    try {
      const report = await consolidateAgentMemory(agent, { signal: controller.signal, via: 'session-end', applyUnder: underLock(folderAgent) });
      host.log.info(`consolidation after the session: ${describeConsolidation(report)}`);
      if (report.blocks.some((b) => b.entry)) host.memoryChanged();
    } catch (err) {
      if (!controller.signal.aborted) host.log.warn(`consolidation after the session failed; memory is unchanged: ${(err as Error).message}`);
    } finally {
      finish(folderAgent, controller);
    }
  })().catch((err: unknown) => host.log.warn(`consolidation after the session failed: ${(err as Error).message}`));
}
