// `@file` and `@folder` in the chat: what a named path contributes to a message, read through the one
// workspace file policy (WorkspaceFiles): nothing outside the workspace, in the memory folder, in git's
// data or a secret; binaries left out; each file and the whole attachment capped so one mention cannot
// fill the model's window.
import * as fs from 'node:fs';
import type { MessageAttachment } from '../memory/types';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';

export interface AttachLimits {
  /** Characters of one file; the rest is cut with a note (default 60,000, ~15k tokens). */
  maxFileChars?: number;
  /** Characters of everything one mention attaches (default 120,000). */
  maxTotalChars?: number;
  /** Files of one folder (default 40), the shallowest first. */
  maxFolderFiles?: number;
}

export interface AttachedFile {
  attachment: MessageAttachment;
  tokens: number;
}

/** Throws with a readable reason when the path may not be read (a secret, outside the workspace) or is empty. */
export function readAttachment(files: WorkspaceFiles, requested: string, countTokens: (text: string) => number, limits: AttachLimits = {}): AttachedFile[] {
  const maxFile = limits.maxFileChars ?? 60_000;
  let budget = limits.maxTotalChars ?? 120_000;
  const { abs, rel } = files.resolve(requested.replace(/\/+$/, ''), 'read');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new Error(`"${requested}" does not exist in the workspace`);
  }
  const targets: { abs: string; rel: string }[] = [];
  if (stat.isDirectory()) {
    for (const entry of files.entries({ from: abs, recursive: true, skipNoise: true })) {
      if (entry.isDir) continue;
      targets.push({ abs: entry.abs, rel: entry.rel });
      if (targets.length >= (limits.maxFolderFiles ?? 40)) break;
    }
    if (!targets.length) throw new Error(`"${rel || '.'}" has no files MemCode may read`);
  } else {
    targets.push({ abs, rel });
  }
  const out: AttachedFile[] = [];
  for (const target of targets) {
    if (budget <= 0) break;
    let size: number;
    try {
      size = fs.statSync(target.abs).size;
    } catch {
      continue;
    }
    // A folder passes over what a single mention reports: big and binary files are simply left out.
    if (size > files.maxFileSize || files.isBinaryFile(target.abs)) {
      if (targets.length === 1) throw new Error(size > files.maxFileSize ? `"${target.rel}" is larger than ${files.maxFileSize} bytes` : `"${target.rel}" is a binary file`);
      continue;
    }
    let text = fs.readFileSync(target.abs, 'utf8');
    const cap = Math.min(maxFile, budget);
    if (text.length > cap) text = `${text.slice(0, cap)}\n… (cut: the file has ${text.length.toLocaleString('en-US')} characters; read_file reads the rest)`;
    budget -= text.length;
    out.push({ attachment: { path: target.rel, text }, tokens: countTokens(text) });
  }
  return out;
}
