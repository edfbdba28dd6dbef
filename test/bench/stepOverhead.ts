// Per-step overhead of the agent (assembling main context and counting tokens) with a conversation
// queue of ~128k tokens.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { createTokenCounter } from '../../src/llm/tokens';
import { MemoryStore } from '../../src/memory/store';
import { RecallLog } from '../../src/memory/recall';

const QUEUE_TARGET_TOKENS = 120_000;
const CONTEXT_WINDOW = 131_072;
const STEPS = 200;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A varied, code-flavoured message so tokenization is realistic. */
function message(i: number): string {
  return [
    `Step ${i}: in src/services/orderService${i % 17}.ts the function reconcileLedger${i} throws`,
    '`TypeError: Cannot read properties of undefined (reading "amountCents")` when a refund arrives before its charge.',
    'We agreed to guard with `if (!charge) return queueForRetry(event)` and add a test in test/ledger.spec.ts.',
    `Build with \`pnpm -w build\`, run \`pnpm test --filter ledger\`; CI job #${1000 + i} is red on node 20.`,
  ].join(' ');
}

export interface StepOverheadResults {
  queueMessages: number;
  queueTokens: number;
  contextWindow: number;
  firstStepMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export async function runStepOverhead(log: (m: string) => void = console.log): Promise<StepOverheadResults> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-'));
  const tokens = createTokenCounter();
  try {
    const store = MemoryStore.open(path.join(workspace, '.memcode'));
    const recall = RecallLog.open(store.paths);
    let queued = 0;
    for (let i = 0; queued < QUEUE_TARGET_TOKENS; i++) {
      const content = message(i);
      const n = tokens.countMessage({ role: i % 2 ? 'assistant' : 'user', content });
      recall.append({ session: 's-bench', role: i % 2 ? 'assistant' : 'user', kind: 'message', content, tokens: n });
      queued += n;
    }
    const agent = openAgent({
      workspaceRoot: workspace,
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'bench',
      contextWindow: CONTEXT_WINDOW,
      approvals: { request: async () => ({ approved: false }) },
      tokens,
    });

    let t = performance.now();
    const first = agent.contextUsage();
    const firstMs = performance.now() - t;

    const times: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      t = performance.now();
      agent.workingContext.refresh();
      agent.contextUsage();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const result = {
      queueMessages: agent.recall.count(),
      queueTokens: first.queue,
      contextWindow: CONTEXT_WINDOW,
      firstStepMs: +firstMs.toFixed(2),
      p50Ms: +percentile(times, 50).toFixed(3),
      p95Ms: +percentile(times, 95).toFixed(3),
      maxMs: +times[times.length - 1].toFixed(3),
    };
    log(`step overhead with ${result.queueMessages} messages, ${result.queueTokens} tokens queued: first ${result.firstStepMs} ms, then p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    return result;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

