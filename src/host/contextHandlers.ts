// Context for a message: `@file`/`@folder` content and the paperclip (the editor's selection, or a file
// picker when no editor is open). Files are read through the folder's WorkspaceFiles (app/attachContent.ts),
// so the chat attaches nothing the agent's own tools could not read. No vscode here.
import { readAttachment } from '../app/attachContent';
import { countTokens } from '../llm/tokens';
import type { HostMessenger } from '../protocol/messenger';
import type { AttachedContent, Attachment } from '../protocol/shapes';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';

export interface ContextHost {
  activeFolder(): { agent(): Promise<{ workspace: WorkspaceFiles }> };
}

export interface ContextEditor {
  /** The active editor's selection (or whole file); null without an editor. */
  selection(): Attachment | null;
  /** Workspace-relative paths the person picked in a file dialog; [] when cancelled. */
  pickFiles(): Promise<string[]>;
}

export function withTokens(attachment: Attachment): AttachedContent {
  return { attachment, tokens: countTokens(attachment.text) };
}

export function registerContextHandlers(messenger: HostMessenger, host: ContextHost, editor: ContextEditor): void {
  const read = async (paths: readonly string[]): Promise<AttachedContent[]> => {
    const { workspace } = await host.activeFolder().agent();
    return paths.flatMap((p) => readAttachment(workspace, p, countTokens).map(({ attachment, tokens }) => ({ attachment: { ...attachment }, tokens })));
  };
  messenger.on('workspace/attach', ({ path }) => read([path]));
  messenger.on('editor/attach', async () => {
    const selected = editor.selection();
    if (selected) return [withTokens(selected)];
    return read(await editor.pickFiles());
  });
}
