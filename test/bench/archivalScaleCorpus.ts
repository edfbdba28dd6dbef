// The synthetic-but-real corpus of the archival scale bench: chunk k is a 12-line window of the
// `typescript` package's lib/*.d.ts (real vocabulary for BM25) with a deterministic synthetic unit
// vector (embedding a million chunks would measure the embedder, not the store). Chunks are made one
// batch at a time, so building a million never holds more than a batch.
// A real repository's vocabulary grows with it: over 88k windows of the code in node_modules, 1.3–1.65
// new terms a window. The lib windows alone repeat the same 15k terms at any size, which hid what a
// term costs, so each chunk also names things only it and its neighbour name: 1.5 new terms a chunk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArchivalRecord } from '../../src/memory/archivalMemory';

export const LIB_DIR = path.join(__dirname, '../../node_modules/typescript/lib');

/** Chunks per file in the corpus: chunk k belongs to `corpus/f<k / 10>.ts`. */
export const CHUNKS_PER_FILE = 10;

export type CorpusItem = { record: Omit<ArchivalRecord, 'id' | 'time'>; vector: Float32Array };

/** Windows of `lines` lines over every lib/*.d.ts, in a fixed order. */
export function libWindows(lines = 12): string[] {
  const out: string[] = [];
  for (const file of fs.readdirSync(LIB_DIR).filter((f) => f.endsWith('.d.ts')).sort()) {
    const all = fs.readFileSync(path.join(LIB_DIR, file), 'utf8').split('\n');
    for (let i = 0; i < all.length; i += lines) out.push(all.slice(i, i + lines).join('\n'));
  }
  return out;
}

/** A deterministic synthetic unit vector (xorshift): the benches store these instead of embedding. */
export function randomUnit(d: number, seed: number): Float32Array {
  let x = seed * 2654435761 + 1;
  const v = new Float32Array(d);
  let norm = 0;
  for (let i = 0; i < d; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = ((x >>> 0) / 4294967296) * 2 - 1;
    norm += v[i] * v[i];
  }
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < d; i++) v[i] *= s;
  return v;
}

export function corpusPath(file: number): string {
  return `corpus/f${file}.ts`;
}

const SYLLABLES = ['load', 'cache', 'widget', 'parse', 'token', 'node', 'scope', 'frame', 'queue', 'batch', 'entry', 'store', 'range', 'state', 'event', 'model'];
const OTHER_SYLLABLES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Sigma', 'Omega', 'Kappa', 'Theta', 'Lambda', 'Zeta', 'Iota', 'Rho', 'Tau', 'Phi', 'Chi', 'Psi'];

/** A camelCase name spelling `n` in base 16 with `syllables`: unique to `n`, its parts shared. */
function nameOf(n: number, syllables: string[]): string {
  let name = '';
  do {
    name += syllables[n % 16].replace(/^./, (c) => (name ? c.toUpperCase() : c.toLowerCase()));
    n = Math.floor(n / 16);
  } while (n > 0);
  return name;
}

/** Chunk k's text: its lib window, and a line with a name only it uses and one it shares with its neighbour. */
export function corpusText(texts: string[], k: number): string {
  return `${texts[k % texts.length]}
// see ${nameOf(k, SYLLABLES)} and ${nameOf(k >> 1, OTHER_SYLLABLES)}`;
}

/** Chunks `from` .. `to - 1` of the corpus. */
export function corpusBatch(texts: string[], d: number, from: number, to: number): CorpusItem[] {
  return Array.from({ length: to - from }, (_, i) => {
    const k = from + i;
    return {
      record: { text: corpusText(texts, k), source: 'file' as const, path: corpusPath(Math.floor(k / CHUNKS_PER_FILE)), startLine: 1, endLine: 12, language: 'typescript', kind: 'lines' },
      vector: randomUnit(d, k + 1),
    };
  });
}
