import { strict as assert } from 'node:assert';
import { isModelConfigured, presetFor, PROVIDER_PRESETS } from '../../src/app/providerPresets';
import { listModels } from '../../src/llm/modelList';
import { LlmError } from '../../src/llm/types';
import { FAKE_MODEL, startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';

describe('onboarding: provider presets and the connection test', () => {
  let llm: FakeLlm | undefined;
  afterEach(async () => {
    await llm?.close();
    llm = undefined;
  });

  it('offers OpenAI, Ollama, LM Studio, vLLM, OpenRouter and any URL, knowing which need a key', () => {
    assert.deepEqual(PROVIDER_PRESETS.map((p) => p.label), ['OpenAI', 'Ollama', 'LM Studio', 'vLLM', 'OpenRouter', 'Any OpenAI-compatible URL']);
    assert.equal(presetFor('http://localhost:11434/v1/').id, 'ollama');
    assert.equal(presetFor('http://10.0.0.5:9000/v1').id, 'custom');
    assert.equal(isModelConfigured('https://api.openai.com/v1', false), false, 'OpenAI without a key is not set up');
    assert.equal(isModelConfigured('https://openrouter.ai/api/v1', true), true);
    assert.equal(isModelConfigured('http://localhost:11434/v1', false), true, 'a local server needs no key');
  });

  it("lists the server's models through models.list, sending the key", async () => {
    llm = await startFakeLlm({ requireApiKey: 'sk-test' });
    assert.deepEqual(await listModels({ baseUrl: llm.url, apiKey: 'sk-test' }), [FAKE_MODEL]);
    const asked = llm.requests.filter((r) => r.path === '/v1/models');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].headers.authorization, 'Bearer sk-test');
  });

  it('fails with a readable error: a wrong key, nothing listening, not a URL', async () => {
    llm = await startFakeLlm({ requireApiKey: 'sk-test' });
    await assert.rejects(listModels({ baseUrl: llm.url, apiKey: 'sk-wrong' }), (e: unknown) => e instanceof LlmError && e.kind === 'auth');
    const closed = llm.url;
    await llm.close();
    llm = undefined;
    await assert.rejects(listModels({ baseUrl: closed }), (e: unknown) => e instanceof LlmError && e.kind === 'network' && e.message.includes(closed));
    await assert.rejects(listModels({ baseUrl: 'localhost:11434' }), (e: unknown) => e instanceof Error && /not an http\(s\) URL|not a URL/.test(e.message));
  });
});
