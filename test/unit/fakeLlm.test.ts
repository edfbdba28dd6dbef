import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import OpenAI from 'openai';
import { fakeEmbedding, startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('fake LLM server', () => {
  let fake: FakeLlm;
  let client: OpenAI;

  beforeEach(async () => {
    fake = await startFakeLlm();
    client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('returns the same embedding whether the SDK asks for base64 or floats', async () => {
    const input = ['function parseConfig(path) { return readJson(path); }', 'the quick brown fox'];
    const viaBase64 = await client.embeddings.create({ model: 'fake-embed', input });
    const viaFloat = await client.embeddings.create({ model: 'fake-embed', input, encoding_format: 'float' });

    assert.equal(fake.requests[0].body.encoding_format, 'base64', 'the SDK asks for base64 by default');
    assert.equal(viaBase64.data.length, 2);
    for (let i = 0; i < input.length; i++) {
      const a = viaBase64.data[i].embedding;
      const b = viaFloat.data[i].embedding;
      assert.equal(a.length, 256);
      a.forEach((x, j) => assert.ok(Math.abs(x - b[j]) < 1e-6));
    }
  });

  it('makes similar texts closer than unrelated ones and honours dimensions', async () => {
    const res = await client.embeddings.create({
      model: 'fake-embed',
      input: ['read the config file', 'reading config files', 'banana smoothie recipe'],
      dimensions: 64,
      encoding_format: 'float',
    });
    const [a, b, c] = res.data.map((d) => d.embedding);
    assert.equal(a.length, 64);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-9, 'vectors are unit length');
    assert.ok(cosine(a, b) > cosine(a, c));
    assert.deepEqual(fakeEmbedding('read the config file', 64), a);
  });

  it('answers chat completions without streaming and lists its model', async () => {
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
    assert.equal(completion.choices[0].message.content, 'echo: ping');
    assert.equal(completion.choices[0].finish_reason, 'stop');

    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['fake-model'],
    );
  });

  it('follows the script first and the policy after, passing the chat index', async () => {
    fake.setPolicy(({ index }) => ({ text: `policy ${index}` }));
    fake.script({ text: 'scripted' });
    const ask = async () =>
      (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).choices[0].message.content;
    assert.equal(await ask(), 'scripted');
    assert.equal(await ask(), 'policy 1');
    assert.equal(fake.chatRequests().length, 2);
  });

  it('streams tool-call arguments in several fragments, as real servers do', async () => {
    fake.script({ toolCalls: [{ name: 'archival_memory_search', arguments: { query: 'how is the index sharded' } }] });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const fragments: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (call.function?.arguments) fragments.push(call.function.arguments);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(fragments.length >= 2);
    assert.deepEqual(JSON.parse(fragments.join('')), { query: 'how is the index sharded' });
    assert.equal(finish, 'tool_calls');
  });

  it('returns OpenAI-shaped error bodies for injected failures', async () => {
    fake.script({ status: 429, headers: { 'retry-after': '1' } });
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.ok(body.error.message.length > 0);
  });

  it('serves the replies of a wrong or broken server: a web page, a JSON answer to a stream, silence', async () => {
    const post = (signal?: AbortSignal) =>
      fetch(`${fake.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        signal,
      });
    fake.script({ htmlPage: '<html><title>Open WebUI</title></html>' }, { text: 'whole answer', ignoreStream: true });
    const page = await post();
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /Open WebUI/);
    const json = await post();
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await json.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content, 'whole answer');

    fake.script({ neverAnswer: true });
    const silent = await Promise.race([post(AbortSignal.timeout(300)).then(() => 'answered', () => 'gave up'), new Promise((r) => setTimeout(() => r('still waiting'), 250))]);
    assert.equal(silent, 'still waiting');

    fake.script({ stallAfterHeaders: true });
    const stalled = await post(AbortSignal.timeout(400));
    assert.equal(stalled.status, 200, 'the headers come at once');
    const body = await Promise.race([stalled.text().then(() => 'body', () => 'aborted'), new Promise((r) => setTimeout(() => r('no body yet'), 250))]);
    assert.equal(body, 'no body yet');
  });

  it('runs as a standalone process that prints its URL and can be scripted over HTTP', async function () {
    this.timeout(20_000);
    const script = path.join(__dirname, '..', 'helpers', 'fakeLlm.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (data: Buffer) => {
          out += data.toString();
          const match = /FAKE_LLM_URL=(\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`fake LLM exited early with ${code}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      await fetch(url.replace(/\/v1$/, '/__fake/script'), {
        method: 'POST',
        body: JSON.stringify({ replies: [{ text: 'from the script' }] }),
      });
      const remote = new OpenAI({ baseURL: url, apiKey: 'x', maxRetries: 0 });
      const first = await remote.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'a' }] });
      const second = await remote.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'b' }] });
      assert.equal(first.choices[0].message.content, 'from the script');
      assert.equal(second.choices[0].message.content, 'echo: b');
      const recorded = (await (await fetch(url.replace(/\/v1$/, '/__fake/requests'))).json()) as { requests: unknown[] };
      assert.equal(recorded.requests.length, 2);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
