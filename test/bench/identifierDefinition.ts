// Identifier → definition on a corpus nobody here wrote: the `typescript` package's lib/*.d.ts (the files
// the indexer takes, up to its 1 MB cap), cut by the real chunker. Each query is a name some chunk's
// symbol says it defines, typed alone as a person looking for its definition would; a hit is the
// defining chunk in first place. Names like `Node`/`NodeArray`/`NodeFactory` crowd each other, so the
// names that begin a longer defined name (`StringEdit` beside `StringEditWithReason`) are counted apart.
//
//   npx tsx test/bench/identifierDefinition.ts [--queries 500]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import type { Chunk } from '../../src/indexing/types';
import { ArchivalStore } from '../../src/memory/archival';
import { splitIdentifier } from '../../src/memory/codeTokens';
import { definedNames } from '../../src/memory/hybridRanking';

const MAX_FILE_BYTES = 1_000_000;

export interface DefinitionSet {
  chunks: Chunk[];
  /** A defined name and the one chunk that defines it. */
  queries: Array<{ name: string; answer: number; prefixOfLonger: boolean }>;
}

export interface DefinitionScores {
  queries: number;
  top1: number;
  /** Top-1 among the names that begin a longer defined name. */
  prefixQueries: number;
  prefixTop1: number;
}

/** Names defined by exactly one chunk and made of two or more words (one word is prose as often as a name). */
export async function buildDefinitionSet(libDir: string, wanted: number): Promise<DefinitionSet> {
  const chunker = await CodeChunker.create();
  const chunks: Chunk[] = [];
  const files = fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const full = path.join(libDir, file);
    if (fs.statSync(full).size > MAX_FILE_BYTES) continue;
    chunks.push(...chunker.chunk(`lib/${file}`, fs.readFileSync(full, 'utf8')));
  }
  const definers = new Map<string, Set<number>>();
  const spelled = new Map<string, string>();
  chunks.forEach((c, i) => {
    for (const name of definedNames(c.symbol)) {
      if (!definers.has(name)) definers.set(name, new Set());
      definers.get(name)!.add(i);
    }
    // The name as written, for the query: the symbol's own spelling of it.
    for (const m of (c.symbol ?? '').matchAll(/[\p{L}\p{N}_$]+/gu)) spelled.set(m[0].toLowerCase(), m[0]);
  });
  const all = [...definers.keys()];
  const candidates = all
    .filter((name) => definers.get(name)!.size === 1 && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name) && spelled.has(name))
    .filter((name) => {
      const parts: string[] = [];
      splitIdentifier(spelled.get(name)!, parts);
      return parts.length >= 2;
    })
    .sort();
  const step = Math.max(1, Math.floor(candidates.length / wanted));
  const picked = candidates.filter((_, i) => i % step === 0).slice(0, wanted);
  const sorted = [...all].sort();
  const queries = picked.map((name) => {
    // Sorted names: a longer name beginning with this one sorts right after it.
    const at = sorted.indexOf(name);
    const prefixOfLonger = at + 1 < sorted.length && sorted[at + 1].startsWith(name);
    return { name: spelled.get(name)!, answer: [...definers.get(name)!][0], prefixOfLonger };
  });
  return { chunks, queries };
}

export async function measureDefinitions(store: ArchivalStore, set: DefinitionSet, ids: string[], mode: 'keyword' | 'hybrid'): Promise<DefinitionScores> {
  let top1 = 0;
  let prefixQueries = 0;
  let prefixTop1 = 0;
  for (const q of set.queries) {
    const page = await store.search(q.name, { mode, pageSize: 1 });
    const hit = page.results[0]?.id === ids[q.answer];
    if (hit) top1++;
    if (q.prefixOfLonger) {
      prefixQueries++;
      if (hit) prefixTop1++;
    }
  }
  const ratio = (n: number, d: number) => +(d ? n / d : 0).toFixed(3);
  return { queries: set.queries.length, top1: ratio(top1, set.queries.length), prefixQueries, prefixTop1: ratio(prefixTop1, prefixQueries) };
}

export async function runIdentifierDefinition(wanted = 500, log: (m: string) => void = console.log) {
  const set = await buildDefinitionSet(path.join(__dirname, '../../node_modules/typescript/lib'), wanted);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-definition-'));
  try {
    const store = await ArchivalStore.rebuild(dir, new LocalEmbedder());
    const ids = await store.addChunks(set.chunks);
    const keyword = await measureDefinitions(store, set, ids, 'keyword');
    const hybrid = await measureDefinitions(store, set, ids, 'hybrid');
    log(`identifier → definition: ${set.chunks.length} chunks, ${hybrid.queries} names (${hybrid.prefixQueries} begin a longer name)`);
    log(`  top-1 keyword ${keyword.top1} (prefix names ${keyword.prefixTop1}), hybrid ${hybrid.top1} (prefix names ${hybrid.prefixTop1})`);
    return { corpusChunks: set.chunks.length, keyword, hybrid };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--queries');
  runIdentifierDefinition(i >= 0 ? Number(process.argv[i + 1]) : 500).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
