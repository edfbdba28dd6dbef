// Replays a timeline once per memory mode, in-process (EVAL.md "Harness"): a fresh temp workspace,
// a new agent from disk at every session boundary (as a new `memcode chat` process would build it),
// `.memcode` snapshotted after planting and restored before each question so questions cannot
// contaminate each other. Every model request goes to the trace, one JSON line each.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAgent, type AgentSettings } from '../../src/app/openAgent';
import { createTokenCounter } from '../../src/llm/tokens';
import type { TokenCounter } from '../../src/llm/types';
import { MemoryStore, memoryRoot } from '../../src/memory/store';
import { archivalParts } from '../../src/app/lazyArchival';
import type { FakeReply, RecordedRequest } from '../helpers/fakeLlm';
import type { Timeline } from './generator';
import { isSummarizerRequest, oracleReply } from './oracle';
import { messageTimeHeader, todayLine } from '../../src/core/promptSections';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON */

export type MemoryMode = 'none' | 'summary' | 'full';

export interface ModelRequest {
  body: any;
  /** What the model answered, when the backend records it (the oracle does). */
  reply?: FakeReply;
}

export interface QuestionRun {
  id: string;
  /** A memory mode, or 'ceiling' / 'self-test'. */
  mode: string;
  timeline: string;
  reply: string;
  requests: ModelRequest[];
  toolCalls: number;
  error?: string;
}

export interface ModeRun {
  mode: string;
  timeline: string;
  questions: QuestionRun[];
  /** The working-context Markdown files right after planting. */
  blocks: string;
  plantRequests: number;
  plantMs: number;
}

/** The model server as the runner sees it: a URL, and the requests made so far with their replies. */
export interface Backend {
  url: string;
  model: string;
  requests: RecordedRequest[];
  /** Keyed by the request body object, which the recorded request and the policy share. */
  replies: Map<unknown, FakeReply>;
}

export interface RunOptions {
  backend: Backend;
  contextWindow: number;
  trace?: fs.WriteStream;
  tokens?: TokenCounter;
  /** Only these question ids (the self-test asks everything; the smoke subset fewer). */
  only?: Set<string>;
  /** Skip planting: the empty-memory self-test. */
  empty?: boolean;
  log?: (line: string) => void;
  /** Names the run in the trace and results instead of the mode (e.g. 'self-test'). */
  label?: string;
}

const TURN_MINUTES = 3;
const supportsMemoryMode = () => fs.readFileSync(path.join(__dirname, '../../src/app/openAgent.ts'), 'utf8').includes('memoryMode');

export function availableModes(): MemoryMode[] {
  return supportsMemoryMode() ? ['none', 'summary', 'full'] : ['full'];
}

class SimulatedClock {
  now = 0;
  readonly clock = () => new Date(this.now);
}

export async function runTimeline(timeline: Timeline, mode: MemoryMode, options: RunOptions): Promise<ModeRun> {
  const workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `memcode-eval-${mode}-`)));
  const memoryDir = path.join(workspace, '.memcode');
  const snapshot = `${workspace}.snapshot`;
  const time = new SimulatedClock();
  const tokens = options.tokens ?? createTokenCounter();
  const settings = (): AgentSettings =>
    ({
      workspaceRoot: workspace,
      baseUrl: options.backend.url,
      model: options.backend.model,
      contextWindow: options.contextWindow,
      approvals: { request: async () => ({ approved: false }) },
      clock: time.clock,
      tokens,
      maxRetries: 0,
      memoryMode: mode,
      // Memory tools only: the model has no way around memory (no read_file of the KV files).
      tools: 'memory',
    }) as AgentSettings;
  const label = options.label ?? mode;
  const trace = (phase: string, from: number, extra: Record<string, unknown>, withBody: boolean) => {
    for (const r of options.backend.requests.slice(from)) {
      if (!options.trace) break;
      const summary = r.path.endsWith('/embeddings') ? 'embedding' : isSummarizerRequest(r.body) ? 'summary' : 'agent';
      options.trace.write(
        `${JSON.stringify({ timeline: timeline.name, mode: label, phase, ...extra, kind: summary, path: r.path, promptChars: JSON.stringify(r.body?.messages ?? r.body?.input ?? '').length, tools: r.body?.tools?.length ?? 0, reply: options.backend.replies.get(r.body), ...(withBody && summary !== 'embedding' ? { messages: r.body?.messages } : {}) })}\n`,
      );
    }
  };

  try {
    for (const [rel, text] of Object.entries(timeline.files)) {
      fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(workspace, rel), text);
    }
    const started = Date.now();
    const plantFrom = options.backend.requests.length;
    if (!options.empty) {
      const pasted = timeline.pasteFiles && mode !== 'full';
      if (timeline.pasteFiles && mode === 'full' && Object.keys(timeline.files).length) {
        time.now = Date.parse(timeline.sessions[0].start) - 60_000;
        await indexWorkspace(workspace, time.clock);
      }
      for (const [si, session] of timeline.sessions.entries()) {
        const turns = si === 0 && pasted ? [...pastedTurns(timeline.files), ...session.turns.map((t) => t.text)] : session.turns.map((t) => t.text);
        const agent = openAgent(settings());
        for (const [ti, text] of turns.entries()) {
          time.now = Date.parse(session.start) + ti * TURN_MINUTES * 60_000;
          await agent.send(text);
        }
        time.now += TURN_MINUTES * 60_000;
        await agent.newSession();
      }
    }
    trace('plant', plantFrom, {}, false);
    const plantRequests = options.backend.requests.length - plantFrom;
    const plantMs = Date.now() - started;
    const blocks = readBlocks(memoryDir);
    if (fs.existsSync(memoryDir)) fs.cpSync(memoryDir, snapshot, { recursive: true });
    options.log?.(`  ${timeline.name}/${mode}: planted ${timeline.sessions.length} sessions in ${(plantMs / 1000).toFixed(1)} s (${plantRequests} requests)`);

    const questions: QuestionRun[] = [];
    for (const q of timeline.questions) {
      if (options.only && !options.only.has(q.id)) continue;
      fs.rmSync(memoryDir, { recursive: true, force: true });
      if (fs.existsSync(snapshot)) fs.cpSync(snapshot, memoryDir, { recursive: true });
      time.now = Date.parse(timeline.askedAt);
      const from = options.backend.requests.length;
      const run: QuestionRun = { id: q.id, mode: label, timeline: timeline.name, reply: '', requests: [], toolCalls: 0 };
      try {
        const result = await openAgent(settings()).send(q.text);
        run.reply = result.reply;
        run.toolCalls = result.toolCalls;
      } catch (err) {
        run.error = err instanceof Error ? err.message : String(err);
      }
      run.requests = options.backend.requests
        .slice(from)
        .filter((r) => r.path.endsWith('/chat/completions'))
        .map((r) => ({ body: r.body, reply: options.backend.replies.get(r.body) }));
      trace('question', from, { question: q.id }, true);
      questions.push(run);
    }
    return { mode: label, timeline: timeline.name, questions, blocks, plantRequests, plantMs };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(snapshot, { recursive: true, force: true });
  }
}

/** `memcode index` in-process: the workspace files into archival memory with the local embedder. */
async function indexWorkspace(workspace: string, clock: () => Date): Promise<void> {
  const store = MemoryStore.open(memoryRoot(workspace), { clock });
  const { openArchivalStore, createIndexer } = archivalParts();
  const archival = await openArchivalStore(store.paths, { provider: 'local' });
  const indexer = await createIndexer(workspace, store.paths, archival, {});
  await indexer.run({});
}

/** Characters of a file one pasted turn holds: a large document arrives in parts, each well inside the window. */
export const PASTE_CHARS = 6000;

/** The workspace files as the person would paste them in `none` and `summary`: whole, or in parts of whole lines. */
export function pastedTurns(files: Record<string, string>): string[] {
  const fence = (rel: string) => (rel.endsWith('.md') ? 'md' : 'json');
  return Object.entries(files).flatMap(([rel, text]) => {
    if (text.length <= PASTE_CHARS) return [`Here is ${rel}:\n\`\`\`${fence(rel)}\n${text}\`\`\``];
    const parts: string[] = [];
    let part = '';
    for (const line of text.split('\n')) {
      if (part && part.length + line.length + 1 > PASTE_CHARS) (parts.push(part), (part = ''));
      part += `${line}\n`;
    }
    if (part.trim()) parts.push(part);
    return parts.map((p, i) => `Here is ${rel} (part ${i + 1} of ${parts.length}):\n\`\`\`${fence(rel)}\n${p}\`\`\``);
  });
}

function readBlocks(memoryDir: string): string {
  const dir = path.join(memoryDir, 'memory');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/**
 * The ceiling, in-process: the oracle reads the whole transcript (every turn with its time, pasted
 * files included) in one request with no window limit. It is also the generator self-check: anything
 * short of 100% is a bug in the grammar, the generator or the oracle, not in MemCode.
 */
export function ceilingRun(timeline: Timeline, contextWindow: number): ModeRun {
  const transcript: Array<{ role: string; content: string }> = [];
  for (const [si, session] of timeline.sessions.entries()) {
    const pasted = si === 0 ? pastedTurns(timeline.files) : [];
    [...pasted, ...session.turns.map((t) => t.text)].forEach((text, ti) => {
      const time = new Date(Date.parse(session.start) + ti * TURN_MINUTES * 60_000).toISOString();
      transcript.push({ role: 'user', content: `${messageTimeHeader(time)}${text}` }, { role: 'assistant', content: 'Noted.' });
    });
  }
  const system = { role: 'system', content: `Ceiling: the whole transcript.\n\n<memory_metadata>\n${todayLine(timeline.askedAt.slice(0, 10))}\n</memory_metadata>` };
  const questions: QuestionRun[] = timeline.questions.map((q) => {
    const body = { messages: [system, ...transcript, { role: 'user', content: `${messageTimeHeader(timeline.askedAt)}${q.text}` }] };
    const reply = oracleReply(body, { contextWindow });
    return { id: q.id, mode: 'ceiling', timeline: timeline.name, reply: 'text' in reply ? (reply.text ?? '') : '', requests: [{ body, reply }], toolCalls: 0 };
  });
  return { mode: 'ceiling', timeline: timeline.name, questions, blocks: '', plantRequests: 0, plantMs: 0 };
}
