// Fingerprints of cited code with `#Symbol` precision: the symbol's chunks as the indexer cuts them
// (tree-sitter, through the lazily loaded archival parts), so an edit elsewhere in the file does not
// make an entry about this symbol stale. Files the chunker cannot parse fall back to the whole file.
import * as fs from 'node:fs';
import { type CodeFingerprints, type FileGate, fingerprintOf, readFileState } from '../memory/codeFingerprints';
import { readableFiles } from '../core/memoryTrust';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import { archivalParts } from './lazyArchival';

interface Chunked {
  hash: string;
  chunks: Array<{ symbol?: string; text: string }>;
}

/** `workspace`: the file policy (default: the workspace with its `.memcode` memory folder). */
export function symbolFingerprints(workspaceRoot: string, workspace?: WorkspaceFiles): CodeFingerprints {
  const gate: FileGate = readableFiles(workspace ?? new WorkspaceFiles({ root: workspaceRoot }));
  // One parse per file content: a block citing ten symbols of one file parses it once.
  const cache = new Map<string, Chunked>();
  return {
    file: (rel) => readFileState(gate, rel),
    async symbol(rel, symbol) {
      const state = readFileState(gate, rel);
      const abs = gate(rel);
      if (!state || !abs) return undefined;
      let chunked = cache.get(rel);
      if (chunked?.hash !== state.hash) {
        const chunker = await archivalParts().codeChunker();
        if (!chunker.parses(rel)) return undefined;
        const text = fs.readFileSync(abs, 'utf8');
        chunked = { hash: state.hash, chunks: chunker.chunk(rel, text) };
        cache.set(rel, chunked);
      }
      const mine = chunked.chunks.filter((c) => c.symbol && symbolNames(c.symbol).some((n) => sameSymbol(n, symbol)));
      return mine.length ? fingerprintOf(mine.map((c) => c.text).join('\n')) : undefined;
    },
  };
}

/** A chunk's symbol field: "retryLimit", "Client.send", "Client: send, close" or "a, b". */
function symbolNames(field: string): string[] {
  return field.split(/[,:]/).map((s) => s.trim()).filter(Boolean);
}

/** `Client.send` is cited as `send` or `Client.send`; a chunk of `Client`'s methods names `Client` too. */
function sameSymbol(name: string, cited: string): boolean {
  return name === cited || lastPart(name) === lastPart(cited);
}

function lastPart(s: string): string {
  return s.slice(s.lastIndexOf('.') + 1);
}
