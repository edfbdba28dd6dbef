// One status-bar item: the index state and how full the context is; clicking it opens the chat.
import * as vscode from 'vscode';
import type { IndexState } from '../protocol/shapes';
import type { AgentHost } from './agentHost';
import { contextLabel } from './statusBarText';

export function createStatusBar(host: AgentHost): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('memcode.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'MemCode';
  item.command = 'memcode.openChat';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    const folderAgent = host.activeFolderIfOpen();
    if (!folderAgent) {
      item.hide();
      return;
    }
    const index = folderAgent.memory.state;
    const usage = folderAgent.usageIfOpen();
    const context = contextLabel(usage);
    const icon = folderAgent.running ? '$(sync~spin)' : index.status === 'indexing' ? '$(loading~spin)' : '$(database)';
    item.text = `${icon} MemCode${context ? ` ${context.text}` : ''}`;
    item.accessibilityInformation = { label: `MemCode${context ? `, ${context.accessible}` : ''}${folderAgent.running ? ', working' : ''}` };
    item.tooltip = [
      `MemCode (${folderAgent.folder.name})`,
      `Index: ${describe(index)}`,
      context ? context.tooltip : 'Context: no turn yet',
      folderAgent.running ? 'The agent is working' : '',
      'Click to open the chat',
    ]
      .filter(Boolean)
      .join('\n');
    item.backgroundColor = index.status === 'error' || index.status === 'needs_rebuild' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  update();
  const subscription = host.onDidChange(schedule);
  return new vscode.Disposable(() => {
    if (timer) clearTimeout(timer);
    subscription.dispose();
    item.dispose();
  });
}

function describe(index: IndexState): string {
  switch (index.status) {
    case 'not_indexed':
      return 'not indexed (run MemCode: Index Workspace)';
    case 'indexing':
      return index.total !== undefined ? `indexing ${index.done ?? 0}/${index.total} files` : 'finding files to index…';
    case 'ready':
      return index.chunks !== undefined ? `${index.chunks.toLocaleString()} chunks${index.files !== undefined ? ` from ${index.files} files` : ''}` : 'ready';
    case 'needs_rebuild':
      return `needs a rebuild (MemCode: Rebuild Index)${index.message ? `: ${index.message}` : ''}`;
    case 'error':
      return `error: ${index.message ?? 'unknown'}`;
  }
}
