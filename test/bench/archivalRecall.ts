// Retrieval quality of archival search on a corpus nobody here wrote: the `typescript` package's
// lib/*.d.ts. Each documented declaration becomes a chunk with every doc comment stripped out; its
// doc comment is the query. Reports recall@10 and MRR for keyword-only, vector-only and hybrid.
//
//   npx tsx test/bench/archivalRecall.ts [--queries 400] [--dimensions 384]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import type { Chunk } from '../../src/indexing/types';
import { ArchivalStore } from '../../src/memory/archival';

export interface RetrievalPair {
  query: string;
  /** Index into the corpus of the chunk that answers it. */
  answer: number;
}

export interface RetrievalSet {
  chunks: Chunk[];
  pairs: RetrievalPair[];
}

const DOC_COMMENT = /\/\*\*([\s\S]*?)\*\//g;

/** Doc comment → the declaration after it (up to the next blank line or doc comment, 30 lines at most). */
export function buildRetrievalSet(libDir: string, wanted: number): RetrievalSet {
  const chunks: Chunk[] = [];
  const candidates: Array<{ query: string; answer: number }> = [];
  const seenText = new Map<string, number>();
  const files = fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const text = fs.readFileSync(path.join(libDir, file), 'utf8');
    DOC_COMMENT.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = DOC_COMMENT.exec(text)) !== null) {
      const after = text.slice(match.index + match[0].length);
      const body = after.split(/\n\s*\n|\/\*\*/)[0].split('\n').slice(0, 30).join('\n').replace(/\/\*[\s\S]*?\*\//g, '').trim();
      if (body.length < 8) continue;
      const query = match[1]
        .split('\n')
        .map((l) => l.replace(/^\s*\*\s?/, ''))
        .filter((l) => !l.trim().startsWith('@'))
        .join(' ')
        .replace(/\{@link\s+([^}]+)\}/g, '$1')
        .replace(/\s+/g, ' ')
        .trim();
      if (query.split(' ').length < 4) continue;
      let answer = seenText.get(body);
      if (answer === undefined) {
        answer = chunks.length;
        seenText.set(body, answer);
        const startLine = text.slice(0, match.index + match[0].length).split('\n').length;
        chunks.push({ path: `lib/${file}`, startLine, endLine: startLine + body.split('\n').length - 1, language: 'typescript', kind: 'declaration', text: body });
      }
      candidates.push({ query, answer });
    }
  }
  // A query that documents several different declarations has no one right answer: keep unique ones.
  const byQuery = new Map<string, Set<number>>();
  for (const c of candidates) {
    if (!byQuery.has(c.query)) byQuery.set(c.query, new Set());
    byQuery.get(c.query)!.add(c.answer);
  }
  const unique = [...byQuery].filter(([, answers]) => answers.size === 1).map(([query, answers]) => ({ query, answer: [...answers][0] }));
  // Spread evenly over the corpus, deterministic.
  const step = Math.max(1, Math.floor(unique.length / wanted));
  const pairs = unique.filter((_, i) => i % step === 0).slice(0, wanted);
  return { chunks, pairs };
}

export interface RetrievalScores {
  recallAt10: number;
  mrr: number;
}

export async function measureRetrieval(store: ArchivalStore, set: RetrievalSet, ids: string[], mode: 'keyword' | 'vector' | 'hybrid'): Promise<RetrievalScores> {
  let found = 0;
  let reciprocal = 0;
  for (const pair of set.pairs) {
    const page = await store.search(pair.query, { mode, pageSize: 10 });
    const rank = page.results.findIndex((hit) => hit.id === ids[pair.answer]);
    if (rank >= 0) {
      found++;
      reciprocal += 1 / (rank + 1);
    }
  }
  return { recallAt10: found / set.pairs.length, mrr: reciprocal / set.pairs.length };
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const set = buildRetrievalSet(libDir, arg('--queries', 400));
  const embedder = new LocalEmbedder({ dimensions: arg('--dimensions', 384) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-recall-'));
  try {
    const store = await ArchivalStore.rebuild(dir, embedder);
    const started = performance.now();
    const ids = await store.addChunks(set.chunks);
    const seconds = (performance.now() - started) / 1000;
    console.log(`corpus: ${set.chunks.length} chunks, ${set.pairs.length} queries, embedded+stored in ${seconds.toFixed(1)} s`);
    for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
      const s = await measureRetrieval(store, set, ids, mode);
      console.log(`${mode.padEnd(8)} recall@10 ${s.recallAt10.toFixed(3)}  MRR ${s.mrr.toFixed(3)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
