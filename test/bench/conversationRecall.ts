// Conversational retrieval benchmark (issue 11 part 5): generated multi-session conversations
// (conversationGen.ts) are replayed into recall memory through RecallLog.append, one session per
// session with each turn's own time, and every question is asked of:
//   - conversation_search (RecallLog.search, the tool's ranking): recall@5 / recall@10;
//   - automatic recall (gatherAutoRecall + RecallRetriever, 3 hits, the agent's token budget): how often
//     its block holds the evidence, how often a block is injected without any, and its tokens;
//   - plain BM25 (Bm25Index, whole turns as documents): recall@5 / recall@10, the baseline.
// Recall@k is the share of a question's evidence turns in the first k hits (LoCoMo's measure), so a
// multi-hop question with one of its two turns found counts 0.5.
// With a model embedder (--model: the fake server's embeddings, test/helpers/fakeLlm.ts) the same
// questions go through hybrid recall search (recallHybrid.ts): every turn embedded into the message
// vector cache first, then keyword and vector rankings fused, for conversation_search and automatic recall.
//
//   node --import tsx test/bench/conversationRecall.ts [--seed 1] [--seed 2] [--conversations 8] [--model] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gatherAutoRecall } from '../../src/core/autoRecall';
import { RecallRetriever } from '../../src/core/recallRetriever';
import { approximateTokenCounter } from '../../src/llm/tokens';
import { Bm25Index } from '../../src/memory/bm25';
import type { Embedder } from '../../src/memory/archivalMemory';
import { MessageVectors } from '../../src/memory/messageVectors';
import { RecallLog } from '../../src/memory/recall';
import { hybridRecallSearch } from '../../src/memory/recallHybrid';
import { OpenAiEmbedder } from '../../src/indexing/openaiEmbedder';
import { startFakeLlm } from '../helpers/fakeLlm';
import { memoryPaths } from '../../src/memory/store';
import { RECALL_PAGE_SIZE, recallPageContext } from '../../src/tools/memoryTools';
import { CATEGORIES, type Category, type Conversation, generateConversations } from './conversationGen';

export const AUTO_RECALL_HITS = 3;
/** The agent's default automatic-recall budget (agent.ts). */
export const AUTO_RECALL_TOKENS = 1_000;

export interface CategoryScore {
  questions: number;
  searchAt5: number;
  searchAt10: number;
  /** Evidence among what the tool's first two pages show: the 10 hits and the turns beside them. */
  shownAt10: number;
  bm25At5: number;
  bm25At10: number;
  /** Share of questions whose automatic-recall block holds evidence. */
  autoRecall: number;
  /** Share of questions that got a block at all. */
  autoInjected: number;
}

export interface SeedResult {
  seed: number;
  /** 'offline' (keywords and the lexicon) or the model embedder's id (hybrid). */
  embedder: string;
  conversations: number;
  turns: number;
  questions: number;
  byCategory: Partial<Record<Category, CategoryScore>>;
  /** Over all answerable questions. */
  answerable: CategoryScore;
  /** Share of injected blocks (answerable questions) that hold no evidence. */
  autoNoise: number;
  autoMeanTokens: number;
  /** Share of unanswerable questions for which automatic recall injected a block (should be rare). */
  unanswerableInjected: number;
  ms: number;
}

interface Tally {
  n: number;
  s5: number;
  s10: number;
  shown10: number;
  b5: number;
  b10: number;
  auto: number;
  injected: number;
}

const emptyTally = (): Tally => ({ n: 0, s5: 0, s10: 0, shown10: 0, b5: 0, b10: 0, auto: 0, injected: 0 });

function score(t: Tally): CategoryScore {
  const r = (x: number) => (t.n ? +(x / t.n).toFixed(3) : 0);
  return { questions: t.n, searchAt5: r(t.s5), searchAt10: r(t.s10), shownAt10: r(t.shown10), bm25At5: r(t.b5), bm25At10: r(t.b10), autoRecall: r(t.auto), autoInjected: r(t.injected) };
}

function found(evidence: readonly number[], hits: readonly number[], k: number): number {
  if (!evidence.length) return 0;
  const top = new Set(hits.slice(0, k));
  return evidence.filter((e) => top.has(e)).length / evidence.length;
}

/** Replays one conversation into a fresh memory folder; returns the log and each turn's record id. */
/** The time the question is asked: the recall log's clock, which relative dates ("yesterday") are read against. */
let askedAt = new Date();

function replay(conv: Conversation, dir: string): { log: RecallLog; ids: number[][] } {
  const paths = memoryPaths(dir);
  fs.mkdirSync(paths.recallDir, { recursive: true });
  const log = RecallLog.open(paths, { warn: () => {}, clock: () => askedAt });
  const tokens = approximateTokenCounter();
  const ids = conv.sessions.map((session, si) =>
    session.turns.map((turn) => {
      const content = `${turn.speaker}: ${turn.text}`;
      // The first person plays the user, the other the assistant, as a replayed chat log would.
      const role = turn.speaker === conv.people[0] ? 'user' : 'assistant';
      return log.append({ session: `s${si + 1}`, role, content, time: turn.time, tokens: tokens.count(content) }).id;
    }),
  );
  return { log, ids };
}

export async function runConversationRecall(seed: number, opts: { conversations?: number; sessions?: number; embedder?: Embedder } = {}): Promise<SeedResult> {
  const started = performance.now();
  const convs = generateConversations({ seed, conversations: opts.conversations ?? 8, sessions: opts.sessions ?? 16 });
  const tokens = approximateTokenCounter();
  const tallies = new Map<Category, Tally>();
  const all = emptyTally();
  let turns = 0;
  let questions = 0;
  let injectedAnswerable = 0;
  let noiseBlocks = 0;
  let blockTokens = 0;
  let blocks = 0;
  let unanswerable = 0;
  let unanswerableInjected = 0;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-conv-'));
  try {
    for (const [ci, conv] of convs.entries()) {
      const { log, ids } = replay(conv, path.join(root, String(ci)));
      const bm25 = new Bm25Index();
      for (const r of log.all()) bm25.add(r.id, r.content);
      turns += log.count();
      const vectors = opts.embedder ? new MessageVectors(memoryPaths(path.join(root, String(ci))).recallDir, opts.embedder, log) : undefined;
      vectors?.catchUp();
      await vectors?.idle();
      // Questions come in a new session: nothing of the conversation is in the queue.
      const retriever = new RecallRetriever(log, () => log.lastId() + 1, vectors);
      for (const q of conv.questions) {
        questions++;
        askedAt = new Date(q.askedAt);
        const evidence = q.evidence.map(([s, t]) => ids[s][t]);
        const block = await gatherAutoRecall([retriever], q.text, tokens, AUTO_RECALL_TOKENS, AUTO_RECALL_HITS);
        const shown = block ? [...block.matchAll(/recall #(\d+) \(/g)].map((m) => Number(m[1])) : [];
        if (block) {
          blocks++;
          blockTokens += tokens.count(block);
        }
        if (q.category === 'unanswerable') {
          unanswerable++;
          if (block) unanswerableInjected++;
          continue;
        }
        const options = { pageSize: 10, reference: askedAt };
        const results = (vectors ? await hybridRecallSearch(log, vectors, q.text, options) : log.search(q.text, options)).results;
        const search = results.map((r) => r.id);
        // What the tool's two pages of 5 show: their hits and the turns beside them.
        const seen = new Set(search);
        for (const page of [results.slice(0, RECALL_PAGE_SIZE), results.slice(RECALL_PAGE_SIZE, 2 * RECALL_PAGE_SIZE)]) {
          for (const around of recallPageContext(log, page).values()) for (const n of around) seen.add(n.id);
        }
        const base = bm25.search(q.text, 10).hits.map((h) => h.id);
        const holds = shown.some((id) => evidence.includes(id));
        const t = tallies.get(q.category) ?? emptyTally();
        tallies.set(q.category, t);
        for (const x of [t, all]) {
          x.n++;
          x.s5 += found(evidence, search, 5);
          x.s10 += found(evidence, search, 10);
          x.shown10 += found(evidence, [...seen], seen.size);
          x.b5 += found(evidence, base, 5);
          x.b10 += found(evidence, base, 10);
          x.auto += holds ? 1 : 0;
          x.injected += block ? 1 : 0;
        }
        if (block) {
          injectedAnswerable++;
          if (!holds) noiseBlocks++;
        }
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const byCategory: Partial<Record<Category, CategoryScore>> = {};
  for (const c of CATEGORIES) {
    const t = tallies.get(c);
    if (t) byCategory[c] = score(t);
  }
  return {
    seed,
    embedder: opts.embedder ? opts.embedder.id.replace(/@.*/, '') : 'offline',
    conversations: convs.length,
    turns,
    questions,
    byCategory,
    answerable: score(all),
    autoNoise: injectedAnswerable ? +(noiseBlocks / injectedAnswerable).toFixed(3) : 0,
    autoMeanTokens: blocks ? Math.round(blockTokens / blocks) : 0,
    unanswerableInjected: unanswerable ? +(unanswerableInjected / unanswerable).toFixed(3) : 0,
    ms: Math.round(performance.now() - started),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The table `npm run bench` and the script print: one block per seed, a row per question category. */
export function formatConversationRecall(results: readonly SeedResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`seed ${r.seed}, ${r.embedder === 'offline' ? 'offline default' : `model embedder ${r.embedder} (hybrid)`}: ${r.conversations} conversations, ${r.turns} turns, ${r.questions} questions (${(r.ms / 1000).toFixed(1)} s)`);
    // "+beside": evidence in the 10 hits or the turns shown beside them; "auto": the block holds evidence; "given": a block was injected at all (given − auto is noise).
    lines.push(`  ${'category'.padEnd(14)} ${'n'.padStart(4)}  ${'search@5'.padStart(8)} ${'search@10'.padStart(9)} ${'+beside'.padStart(8)}  ${'bm25@5'.padStart(7)} ${'bm25@10'.padStart(7)}  ${'auto'.padStart(6)} ${'given'.padStart(6)}`);
    const row = (name: string, s: CategoryScore) =>
      lines.push(
        `  ${name.padEnd(14)} ${String(s.questions).padStart(4)}  ${pct(s.searchAt5).padStart(8)} ${pct(s.searchAt10).padStart(9)} ${pct(s.shownAt10).padStart(8)}  ${pct(s.bm25At5).padStart(7)} ${pct(s.bm25At10).padStart(7)}  ${pct(s.autoRecall).padStart(6)} ${pct(s.autoInjected).padStart(6)}`,
      );
    for (const c of CATEGORIES) if (r.byCategory[c]) row(c, r.byCategory[c]!);
    row('all answerable', r.answerable);
    lines.push(
      `  automatic recall: holds evidence ${pct(r.answerable.autoRecall)}, noise ${pct(r.autoNoise)} of injected blocks, ${r.autoMeanTokens} tokens a block; ` +
        `unanswerable questions given a block ${pct(r.unanswerableInjected)}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seeds = argv.flatMap((a, i) => (a === '--seed' ? [Number(argv[i + 1])] : []));
  const convAt = argv.indexOf('--conversations');
  const conversations = convAt >= 0 ? Number(argv[convAt + 1]) : undefined;
  const results: SeedResult[] = [];
  for (const seed of seeds.length ? seeds : [1, 2]) results.push(await runConversationRecall(seed, { conversations }));
  if (argv.includes('--model')) results.push(...(await runWithModelEmbedder(seeds.length ? seeds : [1, 2], { conversations })));
  console.log(argv.includes('--json') ? JSON.stringify(results, null, 2) : formatConversationRecall(results));
}

/** The same seeds through hybrid recall search, with the fake server's embeddings as the model embedder. */
export async function runWithModelEmbedder(seeds: readonly number[], opts: { conversations?: number } = {}): Promise<SeedResult[]> {
  const fake = await startFakeLlm();
  try {
    const embedder = new OpenAiEmbedder({ baseUrl: fake.url, model: 'fake-embed', apiKey: 'bench' });
    const results: SeedResult[] = [];
    for (const seed of seeds) results.push(await runConversationRecall(seed, { ...opts, embedder }));
    return results;
  } finally {
    await fake.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
