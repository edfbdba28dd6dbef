import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { detectContextWindow, correctContextWindow, FALLBACK_CONTEXT_WINDOW, forgetContextWindows, nativeBaseUrl } from '../../src/llm/contextWindow';
import { contextLimitFromText } from '../../src/llm/errors';
import { knownModelWindow } from '../../src/llm/knownModelWindows';
import { FAKE_MODEL, startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../helpers/fakeLlm';

describe('the model context window, found from the server', () => {
  let llm: FakeLlm | undefined;
  const start = async (options: FakeLlmOptions) => (llm = await startFakeLlm(options));

  beforeEach(() => forgetContextWindows());
  afterEach(async () => {
    await llm?.close();
    llm = undefined;
  });

  it("reads Ollama's num_ctx from /api/show at the server's root, not under /v1", async () => {
    const server = await start({ serverKind: 'ollama', contextLength: 32_768, trainedContextLength: 131_072 });
    assert.deepEqual(await detectContextWindow({ baseUrl: server.url, model: FAKE_MODEL }), { tokens: 32_768, source: 'server:ollama' });
    const show = server.requests.find((r) => r.path === '/api/show');
    assert.deepEqual(show?.body, { model: FAKE_MODEL });
  });

  it("takes Ollama's smallest default for a model with no num_ctx that is not loaded, not the 128k it was trained for", async () => {
    // Ollama cuts a prompt past num_ctx without an error: the trained length would overflow silently.
    await start({ serverKind: 'ollama', trainedContextLength: 131_072 });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: FAKE_MODEL }), { tokens: 4_096, source: 'server:ollama' });
  });

  it("reads LM Studio's loaded context length from /api/v0/models/<id>", async () => {
    await start({ serverKind: 'lmstudio', contextLength: 16_000, trainedContextLength: 32_768 });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: 'qwen/qwen3-8b' }), { tokens: 16_000, source: 'server:lmstudio' });
    assert.ok(llm!.requests.some((r) => r.path === '/api/v0/models/qwen/qwen3-8b'), 'the id keeps its slash');
  });

  it("reads vLLM's max_model_len from /v1/models", async () => {
    await start({ serverKind: 'vllm', contextLength: 40_960 });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: FAKE_MODEL }), { tokens: 40_960, source: 'server:vllm' });
  });

  it("reads llama.cpp server's n_ctx from /props", async () => {
    await start({ serverKind: 'llamacpp', contextLength: 8_192 });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: FAKE_MODEL }), { tokens: 8_192, source: 'server:llamacpp' });
  });

  it('sends the API key to the probes, as to the chat', async () => {
    await start({ serverKind: 'vllm', contextLength: 40_960, requireApiKey: 'sk-local' });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: FAKE_MODEL, apiKey: 'sk-local' }), { tokens: 40_960, source: 'server:vllm' });
  });

  it('uses the known window of a hosted model when the server says nothing', async () => {
    await start({});
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: 'gpt-4o-mini' }), { tokens: 128_000, source: 'known model' });
    assert.deepEqual(await detectContextWindow({ baseUrl: llm!.url, model: 'anthropic/claude-3.5-sonnet:beta' }), { tokens: 200_000, source: 'known model' });
  });

  it('falls back to 8,192 tokens when nothing answers, and asks again next time (the server may be up by then)', async () => {
    await start({});
    const url = llm!.url;
    assert.deepEqual(await detectContextWindow({ baseUrl: url, model: 'my-finetune' }), { tokens: FALLBACK_CONTEXT_WINDOW, source: 'default' });
    assert.equal(FALLBACK_CONTEXT_WINDOW, 8_192);
    const before = llm!.requests.length;
    await detectContextWindow({ baseUrl: url, model: 'my-finetune' });
    assert.ok(llm!.requests.length > before, 'a fallback is not kept');
  });

  it('asks a server once per model for the life of the process, and keeps a correction', async () => {
    await start({ serverKind: 'vllm', contextLength: 40_960 });
    const server = { baseUrl: llm!.url, model: FAKE_MODEL };
    await detectContextWindow(server);
    const asked = llm!.requests.length;
    assert.deepEqual(await detectContextWindow(server), { tokens: 40_960, source: 'server:vllm' });
    assert.equal(llm!.requests.length, asked, 'no second round of probes');
    correctContextWindow(server, 32_000);
    assert.deepEqual(await detectContextWindow(server), { tokens: 32_000, source: 'server error' });
  });

  it('gives up on a server that does not answer within the probe timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      const found = await detectContextWindow({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x' }, { timeoutMs: 200 });
      assert.deepEqual(found, { tokens: FALLBACK_CONTEXT_WINDOW, source: 'default' });
      assert.ok(Date.now() - started < 2_000, 'the probes run side by side, each bounded');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("strips /v1 for the server's own API", () => {
    assert.equal(nativeBaseUrl('http://localhost:11434/v1'), 'http://localhost:11434');
    assert.equal(nativeBaseUrl('http://localhost:1234/v1/'), 'http://localhost:1234');
    assert.equal(nativeBaseUrl('http://gpu-box:8000/openai'), 'http://gpu-box:8000/openai');
  });
});

describe('the known hosted models', () => {
  it('knows OpenAI models by name, snapshot date and router prefix aside', () => {
    assert.equal(knownModelWindow('gpt-4o'), 128_000);
    assert.equal(knownModelWindow('gpt-4o-2024-08-06'), 128_000);
    assert.equal(knownModelWindow('openai/gpt-4o-mini'), 128_000);
    assert.equal(knownModelWindow('gpt-4.1-mini'), 1_047_576);
    assert.equal(knownModelWindow('o3-mini'), 200_000);
    assert.equal(knownModelWindow('o4-mini'), 200_000);
    assert.equal(knownModelWindow('gpt-3.5-turbo-0125'), 16_385);
    assert.equal(knownModelWindow('gpt-4-0613'), 8_192);
  });

  it('knows Anthropic models under their own and OpenRouter names', () => {
    assert.equal(knownModelWindow('claude-3-5-sonnet-20241022'), 200_000);
    assert.equal(knownModelWindow('anthropic/claude-sonnet-4'), 200_000);
  });

  it('does not guess for a local model', () => {
    assert.equal(knownModelWindow('llama3.1:8b'), undefined);
    assert.equal(knownModelWindow('qwen2.5-coder'), undefined);
  });
});

describe('the window a context-length error names', () => {
  it('reads the limit in each server’s own wording', () => {
    assert.equal(contextLimitFromText("This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."), 8192);
    assert.equal(contextLimitFromText("This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (1000 in the messages, 4000 in the completion)."), 4096);
    assert.equal(contextLimitFromText('request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it'), 8192);
    assert.equal(contextLimitFromText('Trying to keep the first 9000 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens, which is not enough.'), 4096);
    assert.equal(contextLimitFromText('prompt is too long: 210,000 tokens > 200,000 maximum'), 200_000);
  });

  it('names nothing when the error does not say', () => {
    assert.equal(contextLimitFromText('the request exceeds the available context size, try increasing it'), undefined);
    assert.equal(contextLimitFromText('context length exceeded'), undefined);
  });
});
