// Fingerprints of cited code: what a citation's marker records when the entry is written and what
// staleness.ts compares with later. Content hashes, not watcher events, so a change made while nothing
// was running (a git pull, another editor) is seen too, and the answer survives restarts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** The state of a cited file now. */
export interface FileState {
  hash: string;
  /** ISO time of the last change. */
  mtime: string;
}

export interface CodeFingerprints {
  /** Undefined when the file does not exist (deleted or renamed) or is not a workspace file. */
  file(rel: string): FileState | undefined;
  /**
   * The fingerprint of the code chunk(s) that define `symbol` in `rel` (the indexer's chunker, see
   * app/symbolFingerprints.ts); undefined when the symbol is not found or symbols are not known here.
   */
  symbol(rel: string, symbol: string): Promise<string | undefined>;
}

/** 8 hex characters of sha1: enough to tell a change, short enough for a marker. */
export function fingerprintOf(text: string | Uint8Array): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 8);
}

/**
 * The absolute path of a workspace file MemCode may read, or undefined: the workspace's policy (secrets,
 * git's data, the memory folder are never fingerprinted: even 8 hex characters can confirm a guessed secret).
 */
export type FileGate = (rel: string) => string | undefined;

/** Only containment: for tests and callers without a workspace policy. */
export function insideRoot(root: string): FileGate {
  return (rel) => {
    const abs = path.resolve(root, rel);
    const inside = path.relative(root, abs);
    return !inside || inside.startsWith('..') || path.isAbsolute(inside) ? undefined : abs;
  };
}

/** Files of `root` by content; no symbols (a `#Symbol` citation is then checked as its whole file). */
export function fileFingerprints(root: string, gate: FileGate = insideRoot(root)): CodeFingerprints {
  return {
    file: (rel) => readFileState(gate, rel),
    symbol: async () => undefined,
  };
}

export function readFileState(gate: FileGate, rel: string): FileState | undefined {
  const abs = gate(rel);
  if (!abs) return undefined;
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile()) return undefined;
    return { hash: fingerprintOf(fs.readFileSync(abs)), mtime: stat.mtime.toISOString() };
  } catch {
    return undefined;
  }
}
