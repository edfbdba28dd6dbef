// edit_file and write_file: changes to workspace files, each shown to the person and applied only after
// approval (DESIGN.md §4). The path is checked before anyone is asked, and again after; the file is written
// by the host when it applies edits itself (VS Code, undoable), else here, atomically.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { askApproval } from './approval';
import { type AppliedChange, type Tool, type ToolContext, ToolError } from './types';
import { resolveToolPath } from './workspaceAccess';

export interface EditFileArgs {
  path: string;
  old_text: string;
  new_text: string;
}

export interface WriteFileArgs {
  path: string;
  content: string;
}

export const editFileTool: Tool<EditFileArgs> = {
  name: 'edit_file',
  description:
    'Change an existing file by replacing one exact piece of text. old_text must match the file exactly once ' +
    '(copy it from read_file, with its indentation, and include enough surrounding lines to be unique); ' +
    'new_text replaces it (empty to delete). The person reviews the change and may reject it, with a reason. ' +
    'Prefer this over write_file for changes to existing files.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root.' },
      old_text: { type: 'string', minLength: 1, description: 'The exact text to replace; must occur exactly once in the file.' },
      new_text: { type: 'string', description: 'The text to put in its place.' },
    },
    required: ['path', 'old_text', 'new_text'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    // Refuses secrets and the memory folder before anyone is asked; gitignored files may be edited.
    const { abs, rel } = resolveToolPath(ctx, args.path, 'write');
    const before = readExistingText(ctx, abs, rel, 'edit_file changes existing files; use write_file to create one');
    const { oldText, newText } = matchLineEndings(before, args.old_text, args.new_text);
    if (oldText === newText) throw new ToolError('old_text and new_text are the same: nothing would change');

    const count = countOccurrences(before, oldText);
    if (count === 0) {
      const hint = matchesIgnoringWhitespace(before, oldText)
        ? 'it matches only if spaces and line breaks are ignored: copy the text exactly as read_file shows it'
        : 'read the file again and copy the text exactly';
      throw new ToolError(`old_text was found 0 times in "${rel}"; ${hint}`);
    }
    if (count > 1) {
      throw new ToolError(`old_text was found ${count} times in "${rel}"; include more surrounding lines so it matches exactly once`);
    }
    const at = before.indexOf(oldText);
    const after = before.slice(0, at) + newText + before.slice(at + oldText.length);
    const line = lineAt(before, at);
    const removed = lineCount(oldText);
    const added = newText === '' ? 0 : lineCount(newText);

    await askApproval(ctx, {
      kind: 'edit',
      path: rel,
      before,
      after,
      summary: `edit ${rel} at line ${line}: replace ${plural(removed, 'line')} with ${plural(added, 'line')}`,
    });
    ensureUnchanged(abs, rel, before);
    // Checked again: a symlink could have been swapped in while the person was deciding.
    resolveToolPath(ctx, args.path, 'write');
    await applyApproved(ctx, abs, rel, after, { path: rel, before, created: false });
    return { ok: true, path: rel, line, removed_lines: removed, added_lines: added, message: `edited ${rel} at line ${line}` };
  },
};

export const writeFileTool: Tool<WriteFileArgs> = {
  name: 'write_file',
  description:
    'Create a new file (parent folders are created), or replace a whole file with new content. The person ' +
    'reviews it and may reject it, with a reason. For changes to an existing file prefer edit_file.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root.' },
      content: { type: 'string', description: 'The complete content of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    const { abs, rel } = resolveToolPath(ctx, args.path, 'write');
    const exists = fs.existsSync(abs);
    const before = exists ? readExistingText(ctx, abs, rel, '') : '';
    if (exists && before === args.content) {
      return { ok: true, path: rel, created: false, unchanged: true, message: `${rel} already has exactly this content` };
    }
    const lines = lineCount(args.content);
    await askApproval(ctx, {
      kind: 'edit',
      path: rel,
      before,
      after: args.content,
      summary: exists
        ? `overwrite ${rel}: ${plural(lineCount(before), 'line')} → ${plural(lines, 'line')}`
        : `create ${rel} (${plural(lines, 'line')})`,
    });
    if (exists) ensureUnchanged(abs, rel, before);
    else if (fs.existsSync(abs)) throw new ToolError(`"${rel}" was created by someone else while waiting for approval; read it first`);
    resolveToolPath(ctx, args.path, 'write');
    await applyApproved(ctx, abs, rel, args.content, { path: rel, before, created: !exists });
    return {
      ok: true,
      path: rel,
      created: !exists,
      lines,
      chars: args.content.length,
      message: `${exists ? 'wrote' : 'created'} ${rel}`,
    };
  },
};

export const editTools = [editFileTool, writeFileTool];

function readExistingText(ctx: ToolContext, abs: string, rel: string, missingHint: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ToolError(`file "${rel}" not found${missingHint ? `; ${missingHint}` : ''}`);
  }
  if (stat.isDirectory()) throw new ToolError(`"${rel}" is a folder, not a file`);
  if (!stat.isFile()) throw new ToolError(`"${rel}" is not a regular file`);
  if (ctx.workspace.isBinaryFile(abs)) throw new ToolError(`"${rel}" is a binary file; only text files can be edited`);
  return fs.readFileSync(abs, 'utf8');
}

/** The person (or a formatter) may have saved the file while the approval was open: never overwrite that. */
function ensureUnchanged(abs: string, rel: string, before: string): void {
  let now: string | undefined;
  try {
    now = fs.readFileSync(abs, 'utf8');
  } catch {
    now = undefined;
  }
  if (now !== before) throw new ToolError(`"${rel}" changed while waiting for approval; read it again and redo the edit`);
}

async function applyApproved(ctx: ToolContext, abs: string, rel: string, content: string, change: AppliedChange): Promise<void> {
  if (!ctx.approvals.applyEdit) {
    writeWorkspaceFile(abs, content);
    return;
  }
  try {
    await ctx.approvals.applyEdit(abs, content, ctx.callId ? { ...change, callId: ctx.callId } : change);
  } catch (err) {
    throw new ToolError(`could not apply the edit to "${rel}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Writes through symlinks to the real file (a rename over a link would replace the link), in a temp file in
 * the same folder renamed over the target, keeping an existing file's permissions (an executable stays one).
 */
export function writeWorkspaceFile(abs: string, content: string): void {
  let target = abs;
  let mode: number | undefined;
  try {
    target = fs.realpathSync.native(abs);
    mode = fs.statSync(target).mode & 0o7777;
  } catch {
    // New file.
  }
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(target)}.memcode-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, content, mode === undefined ? undefined : { mode });
    if (mode !== undefined) fs.chmodSync(temp, mode);
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new ToolError(`could not write "${path.basename(abs)}": ${(err as Error).message}`);
  }
}

/**
 * Models send "\n" line endings; a file saved with "\r\n" would then never match. When the text only
 * matches with the file's own line endings, use those (and write the new text with them too).
 */
function matchLineEndings(file: string, oldText: string, newText: string): { oldText: string; newText: string } {
  if (!file.includes('\r\n') || file.includes(oldText) || !oldText.includes('\n') || oldText.includes('\r\n')) {
    return { oldText, newText };
  }
  const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
  return file.includes(crlf(oldText)) ? { oldText: crlf(oldText), newText: crlf(newText) } : { oldText, newText };
}

function countOccurrences(text: string, piece: string): number {
  return text.split(piece).length - 1;
}

function matchesIgnoringWhitespace(text: string, piece: string): boolean {
  const squash = (s: string) => s.replace(/\s+/g, '');
  const p = squash(piece);
  return p !== '' && squash(text).includes(p);
}

function lineAt(text: string, index: number): number {
  return countOccurrences(text.slice(0, index), '\n') + 1;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return countOccurrences(text.replace(/\n$/, ''), '\n') + 1;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
