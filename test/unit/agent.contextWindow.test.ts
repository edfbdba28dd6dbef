import { strict as assert } from 'node:assert';
import { openAgent, type AgentSettings } from '../../src/app/openAgent';
import type { ContextWindow } from '../../src/core/events';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { detectContextWindow, forgetContextWindows } from '../../src/llm/contextWindow';
import { createTokenCounter } from '../../src/llm/tokens';
import { memorySnapshot } from '../../src/protocol/shapes';
import * as v from 'valibot';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../helpers/fakeLlm';
import { systemPrompt, tempWorkspace, removeTempWorkspaces } from '../helpers/workspace';

const tokens = createTokenCounter();

describe("agent's context window", () => {
  let llm: FakeLlm | undefined;
  let workspace: string;
  const warnings: string[] = [];
  const windows: ContextWindow[] = [];

  const agent = async (server: FakeLlmOptions, settings: Partial<AgentSettings> = {}) => {
    llm = await startFakeLlm(server);
    return openAgent({
      workspaceRoot: workspace,
      baseUrl: llm.url,
      model: 'fake-model',
      approvals: { request: async () => ({ approved: true }) },
      tokens,
      maxRetries: 0,
      autoRecall: false,
      observer: { onWarning: (w) => warnings.push(w), onContextWindow: (w) => windows.push(w) },
      ...settings,
    });
  };

  beforeEach(() => {
    forgetContextWindows();
    workspace = tempWorkspace();
    warnings.length = 0;
    windows.length = 0;
  });
  afterEach(async () => {
    await llm?.close();
    llm = undefined;
    removeTempWorkspaces();
  });

  it("uses the server's window when the setting is unset, found on the first turn and shown in the usage", async () => {
    const a = await agent({ serverKind: 'ollama', contextLength: 32_768 });
    assert.equal(llm!.requests.length, 0, 'opening the agent asks the server nothing');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 8_192, contextWindowSource: 'default' }, 'the fallback stands in until then');
    await a.send('hello');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 32_768, contextWindowSource: 'server:ollama' });
    assert.deepEqual(windows, [{ tokens: 32_768, source: 'server:ollama' }]);
    assert.equal(a.budget, 32_768 - 4_096, 'the answer keeps its 4,096 tokens of a window this size');
    assert.equal(llm!.chatRequests()[0].body.max_tokens, 4_096);
    await a.send('again');
    assert.equal(llm!.requests.filter((r) => r.path === '/api/show').length, 1, 'asked once');
  });

  it('keeps the setting when it is set, and asks the server nothing', async () => {
    const a = await agent({ serverKind: 'ollama', contextLength: 32_768 }, { contextWindow: 16_384 });
    await a.send('hello');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 16_384, contextWindowSource: 'setting' });
    assert.deepEqual(llm!.requests.map((r) => r.path), ['/v1/chat/completions']);
    assert.deepEqual(windows, []);
  });

  it('uses the known window of a hosted model the server does not describe', async () => {
    const a = await agent({}, { model: 'gpt-4o-mini' });
    await a.send('hello');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 128_000, contextWindowSource: 'known model' });
  });

  it('falls back to 8,192 tokens when nothing answers, and says it is a guess', async () => {
    const a = await agent({}, { model: 'my-finetune' });
    await a.send('hello');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 8_192, contextWindowSource: 'default' });
  });

  it('shrinks the window to the limit a context-length error names, says so, and retries the turn within it', async () => {
    const a = await agent({}, { contextWindow: 16_384 });
    llm!.setPolicy(({ body }) => ({ text: systemPrompt(body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40)) ? 'Earlier: talk about the ledger.' : 'ok' }));
    // About 10k tokens of conversation: inside a 16k window, far over an 8k one.
    for (let i = 0; i < 5; i++) await a.send(`Note ${i}: ${'the ledger reconciles nightly and reports drift to the team. '.repeat(150)}`);
    assert.ok(a.contextUsage().total > 8_192, `the queue holds ${a.contextUsage().total} tokens`);
    llm!.script({ contextLengthError: true, limit: 8_192 });
    const before = llm!.chatRequests().length;
    const result = await a.send('and what next?');
    assert.equal(result.reply, 'ok', 'the turn went through after the correction');
    assert.ok(warnings.includes("the server says the model's window is 8,192 tokens, not 16,384: using 8,192"), warnings.join('\n'));
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 8_192, contextWindowSource: 'server error' });
    assert.ok(a.contextUsage().total <= a.budget, `${a.contextUsage().total} tokens within the budget of ${a.budget}`);
    const retried = llm!.chatRequests().slice(before).filter((r) => !systemPrompt(r.body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40))).at(-1)!;
    assert.equal(retried.body.max_tokens, 1_024, 'the answer keeps an eighth of the smaller window');
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: 'fake-model' }), { tokens: 8_192, source: 'server error' }, 'a later agent starts from it');
  });

  it('keeps its window when the error names a larger one (our count and the server’s differ): evicts and retries once', async () => {
    const a = await agent({}, { contextWindow: 16_384 });
    llm!.script({ contextLengthError: true }, { text: 'ok' });
    assert.equal((await a.send('hello')).reply, 'ok');
    assert.deepEqual(pick(a.contextUsage()), { contextWindow: 16_384, contextWindowSource: 'setting' });
    assert.ok(warnings.some((w) => /evicting older messages and retrying once/.test(w)), warnings.join('\n'));
  });

  it('sends where the window came from to the inspector in the memory snapshot', async () => {
    const a = await agent({ serverKind: 'vllm', contextLength: 40_960 });
    assert.deepEqual(await a.findContextWindow(), { tokens: 40_960, source: 'server:vllm' });
    const usage = a.contextUsage();
    const snapshot = v.parse(memorySnapshot, { blocks: [], recallCount: 0, archivalCount: 0, indexState: { status: 'not_indexed' }, usage });
    assert.equal(snapshot.usage?.contextWindowSource, 'server:vllm');
    assert.throws(() => v.parse(memorySnapshot, { blocks: [], recallCount: 0, archivalCount: 0, indexState: { status: 'not_indexed' }, usage: { ...usage, contextWindowSource: 'a rumour' } }));
  });
});

function pick(usage: { contextWindow: number; contextWindowSource?: string }) {
  return { contextWindow: usage.contextWindow, contextWindowSource: usage.contextWindowSource };
}
