// Commands that act on the chat view itself: Add Selection to Chat (the editor's context menu and
// Ctrl+Alt+L), Focus Chat (Ctrl+Alt+M), Set Up Model (the onboarding panel).
import * as vscode from 'vscode';
import type { ChatViewProvider } from './chatViewProvider';
import { withTokens } from './contextHandlers';
import { selectionAttachment } from './vscodeEditorBridge';

export function registerChatCommands(context: vscode.ExtensionContext, chat: ChatViewProvider): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('memcode.addSelectionToChat', async () => {
      const attachment = selectionAttachment();
      if (!attachment) {
        void vscode.window.showInformationMessage('MemCode: open a file and select the lines to add to the chat.');
        return;
      }
      await chat.tell('composer/attach', { items: [withTokens(attachment)] });
    }),
    vscode.commands.registerCommand('memcode.focusChat', () => chat.tell('composer/focus', undefined)),
    vscode.commands.registerCommand('memcode.setUpModel', () => chat.tell('onboarding/show', undefined)),
  );
}
