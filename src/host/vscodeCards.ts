// The VS Code side of approvals on cards and review after edits: one ApprovalBoard for the window, each
// folder's approvals (with its allow-list, kept in workspace state) and review (checkpoints), the diff
// editor's Accept/Reject title-bar buttons, the chat's card requests (open a file, Undo, Undo all, a code
// block's Apply to file / Run in terminal), and restores written as undoable editor changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointFiles } from '../app/checkpoints';
import { MemoryStore, memoryRoot } from '../memory/store';
import { revertMemoryChange } from '../app/memoryHistory';
import type { HostMessenger } from '../protocol/messenger';
import type { TranscriptItem } from '../protocol/shapes';
import type { ApprovalProvider } from '../tools/types';
import { ApprovalBoard } from './approvalBoard';
import { PROPOSAL_SCHEME, ProposalDocuments, VsCodeApprovals } from './approvals';
import { registerCardHandlers, type CardEditor } from './cardHandlers';
import { CommandAllowList } from './commandAllowList';
import { FolderReview, type ChatEmit } from './editReview';
import { readSettings } from './settings';
import { VsCodeApprovalUi } from './vscodeApprovalUi';

/** What the cards need from the rest of the host, bound after it is built. */
export interface CardsHost {
  emit: ChatEmit;
  /** The folder the chat shows. */
  shownFolder(): vscode.WorkspaceFolder | undefined;
  chatVisible(): boolean;
  log: vscode.LogOutputChannel;
}

export class VsCodeCards implements vscode.Disposable {
  readonly board = new ApprovalBoard();
  readonly documents = new ProposalDocuments();
  private readonly ui: VsCodeApprovalUi;
  private readonly approvals = new Map<string, VsCodeApprovals>();
  private readonly reviews = new Map<string, FolderReview>();
  private host?: CardsHost;
  private codeActions = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.ui = new VsCodeApprovalUi(() => this.host?.chatVisible() ?? false);
    this.board.listen({
      pending: (approval) => this.host?.emit('approval/pending', { approval }),
      settled: (id, callId, outcome) => this.host?.emit('approval/settled', { id, ...(callId ? { callId } : {}), outcome }),
    });
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this.documents),
      vscode.commands.registerCommand('memcode.acceptProposal', (uri?: vscode.Uri) => this.answerProposal(uri, true)),
      vscode.commands.registerCommand('memcode.rejectProposal', (uri?: vscode.Uri) => this.answerProposal(uri, false)),
      vscode.commands.registerCommand('memcode.forgetAllowedCommands', () => this.forgetAllowedCommands()),
    );
  }

  connect(host: CardsHost): void {
    this.host = host;
  }

  dispose(): void {
    for (const id of this.board.list().map((a) => a.id)) this.board.withdraw(id);
    for (const d of this.disposables) d.dispose();
  }

  /** Each folder asks by its own settings (memcode.approval.* can differ per folder) and keeps its own allow-list. */
  approvalsFor = (folder: vscode.WorkspaceFolder): VsCodeApprovals => {
    const key = folder.uri.toString();
    let approvals = this.approvals.get(key);
    if (!approvals) {
      approvals = new VsCodeApprovals(this.documents, this.ui, () => readSettings(folder.uri), {
        board: this.board,
        allowList: new CommandAllowList(this.context.workspaceState, key),
        review: this.reviewFor(folder),
        // Review mode 'notify': Undo is a journal revert, journaled in turn (so it can be undone too).
        undoMemory: async (entryId) => {
          const store = MemoryStore.open(memoryRoot(folder.uri.fsPath, readSettings(folder.uri).storagePath || undefined), { warn: (m) => this.host?.log.warn(m) });
          await revertMemoryChange(store, entryId, 'notification');
        },
      });
      this.approvals.set(key, approvals);
    }
    return approvals;
  };

  reviewFor(folder: vscode.WorkspaceFolder): FolderReview {
    const key = folder.uri.toString();
    let review = this.reviews.get(key);
    if (!review) {
      review = new FolderReview(
        folder.uri.fsPath,
        () => memoryRoot(folder.uri.fsPath, readSettings(folder.uri).storagePath || undefined),
        (name, data) => this.host?.emit(name, data),
        (m) => this.host?.log.warn(m),
      );
      this.reviews.set(key, review);
    }
    return review;
  }

  /** For AgentHost: a turn's edits go into its checkpoint; its end brings the "files changed" item. */
  readonly turns = {
    begin: (folder: vscode.WorkspaceFolder): void => void this.reviewFor(folder).beginTurn(),
    end: (folder: vscode.WorkspaceFolder): TranscriptItem | undefined => {
      try {
        return this.reviewFor(folder).endTurn();
      } catch (error) {
        this.host?.log.warn(`could not read the turn's checkpoint: ${(error as Error).message}`);
        return undefined;
      }
    },
    decorate: (folder: vscode.WorkspaceFolder, items: TranscriptItem[]): TranscriptItem[] => {
      try {
        return this.reviewFor(folder).withSummaries(items);
      } catch (error) {
        this.host?.log.warn(`could not read the checkpoints: ${(error as Error).message}`);
        return items;
      }
    },
  };

  registerHandlers(messenger: HostMessenger): void {
    registerCardHandlers(messenger, this.board, this.editor);
  }

  private readonly editor: CardEditor = {
    review: () => {
      const folder = this.folder();
      return { review: this.reviewFor(folder), files: editorFiles(folder.uri.fsPath, this.ui) };
    },
    openFile: async (rel, line) => {
      const uri = vscode.Uri.file(path.join(this.folder().uri.fsPath, ...rel.split('/')));
      const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
      await vscode.window.showTextDocument(uri, { preview: true, selection: new vscode.Range(position, position) });
    },
    confirmOverwrite: async (paths) => {
      const answer = await vscode.window.showWarningMessage(
        `${paths.join(', ')} changed after MemCode's edits. Restore anyway? Those changes will be replaced (Undo in the editor brings them back).`,
        { modal: true },
        'Restore',
      );
      return answer === 'Restore';
    },
    applyCode: (code) => this.applyCode(code),
    runCode: (code) => this.runCode(code),
  };

  private folder(): vscode.WorkspaceFolder {
    const folder = this.host?.shownFolder();
    if (!folder) throw new Error('open a folder first: MemCode keeps its memory per workspace folder');
    return folder;
  }

  /** The diff editor's title-bar buttons: `uri` is the diff's modified side (the proposal). */
  private async answerProposal(uri: vscode.Uri | undefined, accept: boolean): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const id = target?.scheme === PROPOSAL_SCHEME ? this.board.byProposal(target.path) : undefined;
    if (!id) {
      void vscode.window.showInformationMessage('MemCode: this proposal was already answered.');
      return;
    }
    if (accept) {
      this.board.answer(id, { kind: 'accept' });
      return;
    }
    const reason = await vscode.window.showInputBox({ title: 'Why reject this edit?', prompt: 'Optional: the agent is told this reason', ignoreFocusOut: true });
    if (reason === undefined && !this.board.isOpen(id)) return;
    this.board.answer(id, { kind: 'reject', ...(reason?.trim() ? { reason: reason.trim() } : {}) });
  }

  private async forgetAllowedCommands(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const folder of folders) await new CommandAllowList(this.context.workspaceState, folder.uri.toString()).clear();
    void vscode.window.showInformationMessage('MemCode will ask again before every command.');
  }

  /**
   * A code block's Apply to file: the active editor's selection is replaced (the whole file when nothing
   * is selected), proposed as a diff and approved like the agent's own edits, then kept in a checkpoint.
   */
  private async applyCode(code: string): Promise<void> {
    const folder = this.folder();
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') throw new Error('open the file to apply the code to (select the part to replace), then press Apply again');
    const document = editor.document;
    const rel = path.relative(folder.uri.fsPath, document.uri.fsPath).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${document.uri.fsPath} is outside the folder the chat works in`);
    if (document.isDirty) throw new Error(`${rel} has unsaved changes: save it first`);
    const before = document.getText();
    const selection = editor.selection;
    const after = selection.isEmpty ? code : before.slice(0, document.offsetAt(selection.start)) + code + before.slice(document.offsetAt(selection.end));
    const summary = selection.isEmpty ? `replace the whole of ${rel} with the code block` : `replace lines ${selection.start.line + 1}–${selection.end.line + 1} of ${rel} with the code block`;
    const callId = `code-apply-${++this.codeActions}`;
    this.host?.emit('agent/toolCall', { card: { callId, name: 'apply_to_file', args: JSON.stringify({ path: rel }), status: 'running', editsMemory: false } });
    const approvals = this.approvalsFor(folder);
    const finish = (ok: boolean, content: unknown) => this.host?.emit('agent/toolResult', { callId, ok, content: JSON.stringify(content), editsMemory: false });
    // The request returns now: the answer may take as long as the person likes, and the card shows the rest.
    void (async () => {
      const decision = await approvals.request({ kind: 'edit', path: rel, before, after, summary, callId });
      if (!decision.approved) return finish(false, { error: `the person rejected the edit: ${decision.reason ?? 'no reason given'}` });
      if (fs.readFileSync(document.uri.fsPath, 'utf8') !== before) return finish(false, { error: `${rel} changed while waiting for approval; press Apply again` });
      await approvals.applyEdit(document.uri.fsPath, after, { path: rel, before, created: false, callId });
      finish(true, { ok: true, path: rel, message: `applied the code block to ${rel}` });
    })().catch((error: unknown) => finish(false, { error: (error as Error).message }));
  }

  /** A code block's Run in terminal: command approval (and the allow-list) first, then the MemCode terminal. */
  private async runCode(code: string): Promise<void> {
    const folder = this.folder();
    const command = code.replace(/\s+$/, '');
    if (!command.trim()) throw new Error('the code block is empty');
    const callId = `code-run-${++this.codeActions}`;
    this.host?.emit('agent/toolCall', { card: { callId, name: 'run_in_terminal', args: JSON.stringify({ command }), status: 'running', editsMemory: false } });
    const approvals: ApprovalProvider = this.approvalsFor(folder);
    const finish = (ok: boolean, content: unknown) => this.host?.emit('agent/toolResult', { callId, ok, content: JSON.stringify(content), editsMemory: false });
    void (async () => {
      const decision = await approvals.request({ kind: 'command', command, cwd: folder.uri.fsPath, callId });
      if (!decision.approved) return finish(false, { error: `the person rejected the command: ${decision.reason ?? 'no reason given'}` });
      const terminal = vscode.window.terminals.find((t) => t.name === 'MemCode') ?? vscode.window.createTerminal({ name: 'MemCode', cwd: folder.uri });
      terminal.show(true);
      terminal.sendText(command, true);
      finish(true, { ok: true, message: 'sent to the MemCode terminal' });
    })().catch((error: unknown) => finish(false, { error: (error as Error).message }));
  }
}

/** Restores as editor changes (undoable, saved), reading what the editor holds. */
function editorFiles(root: string, ui: VsCodeApprovalUi): CheckpointFiles {
  const abs = (rel: string) => path.join(root, ...rel.split('/'));
  return {
    read: async (rel) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === abs(rel));
      if (open) return open.getText();
      try {
        return fs.readFileSync(abs(rel), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write: (rel, content) => ui.applyEdit(abs(rel), content),
    remove: async (rel) => {
      const edit = new vscode.WorkspaceEdit();
      edit.deleteFile(vscode.Uri.file(abs(rel)), { ignoreIfNotExists: true });
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused to delete ${rel}`);
    },
  };
}
