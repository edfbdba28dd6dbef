// MemCode: Show Memory History, the editor's `memcode memory log` / `revert`: the memory journal of the
// active folder as a quick pick, newest first; picking a change offers to revert it (itself journaled).
import * as vscode from 'vscode';
import { describeEntry, memoryLog, revertMemoryChange } from '../app/memoryHistory';
import type { JournalEntry } from '../memory/journal';
import { visibleText } from '../memory/provenance';
import type { AgentHost } from './agentHost';

/** A quick pick with thousands of rows is slow to draw and no one scrolls that far. */
const MAX_ENTRIES = 300;

interface EntryPick extends vscode.QuickPickItem {
  entry: JournalEntry;
}

export async function showMemoryHistory(host: AgentHost): Promise<void> {
  const folderAgent = host.activeFolder();
  const store = folderAgent.memory.store;
  const entries = memoryLog(store).slice(0, MAX_ENTRIES);
  if (!entries.length) {
    void vscode.window.showInformationMessage('MemCode: no changes to working memory recorded yet.');
    return;
  }
  const picked = await vscode.window.showQuickPick<EntryPick>(
    entries.map((entry) => ({
      label: `${entry.block}: ${headline(entry)}`,
      description: describeEntry(entry),
      detail: entry.diff.slice(0, 4).map((l) => `${l[0]} ${visibleText(l.slice(1))}`).join('   '),
      entry,
    })),
    { title: `MemCode: Memory History of ${folderAgent.folder.name}`, placeHolder: 'Pick a change to revert it', matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) return;
  const { entry } = picked;
  const diff = entry.diff.map((l) => `${l[0]} ${visibleText(l.slice(1))}`).join('\n');
  const answer = await vscode.window.showWarningMessage(
    `Revert this change to the "${entry.block}" block (${describeEntry(entry)})?`,
    { modal: true, detail: `${diff}\n\nLater changes to other lines stay. The revert is recorded too, so it can be undone.` },
    'Revert',
  );
  if (answer !== 'Revert') return;
  const { entry: revert } = await revertMemoryChange(store, entry.id, 'editor');
  host.memoryChanged();
  void vscode.window.showInformationMessage(revert ? `MemCode: reverted the change to "${entry.block}".` : `MemCode: "${entry.block}" already reads as before that change.`);
}

function headline(entry: JournalEntry): string {
  const added = entry.diff.filter((l) => l.startsWith('+')).length;
  const removed = entry.diff.length - added;
  return [added && `+${added}`, removed && `-${removed}`].filter(Boolean).join(' ') + ` line${entry.diff.length === 1 ? '' : 's'}`;
}
