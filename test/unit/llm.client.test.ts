import assert from 'node:assert/strict';
import net from 'node:net';
import { OpenAiChatModel, type OpenAiChatModelOptions, type RetryInfo } from '../../src/llm/client';
import { LlmError, type ChatMessage } from '../../src/llm/types';
import { startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';

const user = (content: string): ChatMessage => ({ role: 'user', content });

async function rejection(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LlmError, `expected an LlmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAiChatModel', () => {
  let fake: FakeLlm;
  let sleeps: number[];

  beforeEach(async () => {
    fake = await startFakeLlm();
    sleeps = [];
  });
  afterEach(async () => {
    await fake.close();
  });

  // Sleeps are recorded, not slept, so retry tests are fast and can check the requested delay.
  function model(options: Partial<OpenAiChatModelOptions> = {}): OpenAiChatModel {
    return new OpenAiChatModel({
      baseUrl: fake.url,
      model: 'fake-model',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
  }

  it('streams text in several deltas and returns the whole reply', async () => {
    fake.script({ text: 'The build command is npm run build.', chunkSize: 5 });
    const deltas: string[] = [];
    const result = await model().chat({ messages: [user('how do I build?')], onText: (d) => deltas.push(d) });

    assert.ok(deltas.length >= 3, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(''), 'The build command is npm run build.');
    assert.equal(result.content, 'The build command is npm run build.');
    assert.deepEqual(result.toolCalls, []);
    assert.equal(result.finishReason, 'stop');
    assert.ok(result.usage && result.usage.promptTokens > 0, 'usage is reported when the server sends it');
    const sent = fake.chatRequests()[0].body;
    assert.equal(sent.stream, true);
    assert.equal(sent.model, 'fake-model');
  });

  it('assembles two streamed tool calls from their argument fragments', async () => {
    fake.script({
      text: 'Let me look.',
      toolCalls: [
        { id: 'call_a', name: 'read_file', arguments: { path: 'src/index.ts', start_line: 1 } },
        { id: 'call_b', name: 'search_files', arguments: '{"pattern": "TODO", "glob": "**/*.ts"}' },
      ],
    });
    const result = await model().chat({ messages: [user('find TODOs')] });

    assert.equal(result.content, 'Let me look.');
    assert.equal(result.finishReason, 'tool_calls');
    assert.deepEqual(result.toolCalls, [
      { id: 'call_a', name: 'read_file', arguments: '{"path":"src/index.ts","start_line":1}' },
      { id: 'call_b', name: 'search_files', arguments: '{"pattern": "TODO", "glob": "**/*.ts"}' },
    ]);
  });

  it('sends tools as function tools and omits them when there are none', async () => {
    fake.script({ text: 'a' }, { text: 'b' });
    const tools = [
      {
        name: 'read_file',
        description: 'Read a file',
        parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    ];
    await model().chat({ messages: [user('x')], tools });
    await model().chat({ messages: [user('y')], tools: [] });

    const [withTools, withoutTools] = fake.chatRequests().map((r) => r.body);
    assert.deepEqual(withTools.tools, [{ type: 'function', function: tools[0] }]);
    assert.equal('tools' in withoutTools, false);
  });

  it('sends assistant tool calls and tool results in OpenAI format', async () => {
    fake.script({ text: 'done' });
    await model().chat({
      messages: [
        { role: 'system', content: 'You are MemCode.' },
        user('read a.ts'),
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.ts"}' }],
        },
        { role: 'tool', content: '1: export const a = 1;', toolCallId: 'call_1' },
      ],
    });

    const messages = fake.chatRequests()[0].body.messages;
    assert.deepEqual(messages, [
      { role: 'system', content: 'You are MemCode.' },
      { role: 'user', content: 'read a.ts' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '1: export const a = 1;' },
    ]);
  });

  it('repairs almost-JSON arguments of past tool calls so strict servers accept the transcript', async () => {
    fake.script({ text: 'ok' });
    await model().chat({
      messages: [
        user('go'),
        { role: 'assistant', content: 'x', toolCalls: [{ id: 'c1', name: 'list_files', arguments: "{'path': 'src',}" }] },
        { role: 'tool', content: '{"error": "bad JSON"}', toolCallId: 'c1' },
      ],
    });
    const sentCall = fake.chatRequests()[0].body.messages[1].tool_calls[0];
    assert.deepEqual(JSON.parse(sentCall.function.arguments), { path: 'src' });
  });

  it('waits as long as retry-after asks after a 429, then succeeds', async () => {
    fake.script({ status: 429, headers: { 'retry-after': '7' } }, { text: 'finally' });
    const retries: RetryInfo[] = [];
    const result = await model({ onRetry: (info) => retries.push(info) }).chat({ messages: [user('hi')] });

    assert.equal(result.content, 'finally');
    assert.deepEqual(sleeps, [7000]);
    assert.equal(retries.length, 1);
    assert.equal(retries[0].error.kind, 'rate_limit');
    assert.equal(fake.chatRequests().length, 2);
  });

  it('honours retry-after-ms and caps a long retry-after at maxDelayMs', async () => {
    fake.script(
      { status: 429, headers: { 'retry-after-ms': '1500' } },
      { status: 429, headers: { 'retry-after': '3600' } },
      { text: 'ok' },
    );
    await model({ maxDelayMs: 20_000 }).chat({ messages: [user('hi')] });
    assert.deepEqual(sleeps, [1500, 20_000]);
  });

  it('retries a 500 three times and then succeeds with maxRetries 3', async () => {
    fake.script({ status: 500 }, { status: 500 }, { status: 502 }, { text: 'recovered' });
    const result = await model({ maxRetries: 3, baseDelayMs: 100 }).chat({ messages: [user('hi')] });

    assert.equal(result.content, 'recovered');
    assert.equal(fake.chatRequests().length, 4);
    assert.equal(sleeps.length, 3);
    // Exponential with jitter: each delay lies in [base*2^n / 2, base*2^n].
    sleeps.forEach((ms, n) => {
      const step = 100 * 2 ** n;
      assert.ok(ms >= step / 2 && ms <= step, `delay ${ms} outside [${step / 2}, ${step}]`);
    });
  });

  it('gives up after four 500s with a server error that names the URL and the attempts', async () => {
    fake.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { text: 'too late' });
    const err = await rejection(model({ maxRetries: 3 }).chat({ messages: [user('hi')] }));

    assert.equal(err.kind, 'server');
    assert.equal(err.details.status, 500);
    assert.match(err.message, new RegExp(fake.url.replace(/[.]/g, '\\.')));
    assert.match(err.message, /4 attempts/);
    assert.equal(fake.chatRequests().length, 4);
  });

  it('reports a refused API key as auth without retrying', async () => {
    const strict = await startFakeLlm({ requireApiKey: 'sk-right' });
    try {
      const err = await rejection(
        new OpenAiChatModel({ baseUrl: strict.url, apiKey: 'sk-wrong-key-123456', model: 'm', sleep: async (ms) => void sleeps.push(ms) }).chat({
          messages: [user('hi')],
        }),
      );
      assert.equal(err.kind, 'auth');
      assert.equal(err.details.status, 401);
      assert.match(err.message, /refused the API key \(401\)/);
      assert.ok(err.message.includes(strict.url));
      assert.ok(!err.message.includes('sk-wrong-key-123456'), 'the key never appears in the message');
      assert.equal(strict.requests.length, 1);
      assert.deepEqual(sleeps, []);
    } finally {
      await strict.close();
    }
  });

  it('sends the API key as a bearer token and a placeholder when there is none', async () => {
    fake.script({ text: 'a' }, { text: 'b' });
    await model({ apiKey: 'sk-test' }).chat({ messages: [user('x')] });
    await model().chat({ messages: [user('y')] });
    const [withKey, withoutKey] = fake.chatRequests();
    assert.equal(withKey.headers.authorization, 'Bearer sk-test');
    assert.equal(withoutKey.headers.authorization, 'Bearer sk-no-key');
  });

  it('reports a context-length 400 as context_length without retrying', async () => {
    fake.script({ contextLengthError: true });
    const err = await rejection(model().chat({ messages: [user('a very long prompt')] }));
    assert.equal(err.kind, 'context_length');
    assert.equal(err.details.status, 400);
    assert.equal(fake.chatRequests().length, 1);
  });

  it('recognises a context-length error from servers that only say it in prose', async () => {
    fake.script({
      status: 400,
      body: { error: { message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', code: 400 } },
    });
    const err = await rejection(model().chat({ messages: [user('x')] }));
    assert.equal(err.kind, 'context_length');
  });

  it('treats other 4xx answers as bad_response without retrying', async () => {
    fake.script({ status: 404, body: { error: { message: 'model "nope" not found', type: 'invalid_request_error', code: 'model_not_found' } } });
    const err = await rejection(model().chat({ messages: [user('x')] }));
    assert.equal(err.kind, 'bad_response');
    assert.match(err.message, /model "nope" not found/);
    assert.equal(fake.chatRequests().length, 1);
  });

  it('fails with a network error and no duplicated text when a stream is cut after text was shown', async () => {
    fake.script({ cutAfterChunks: 2, text: 'First part, then the rest never comes.' }, { text: 'a retry would print this' });
    const deltas: string[] = [];
    const err = await rejection(model().chat({ messages: [user('hi')], onText: (d) => deltas.push(d) }));

    assert.equal(err.kind, 'network');
    assert.match(err.message, /interrupted/);
    assert.ok(err.message.includes(fake.url));
    assert.equal(deltas.join(''), 'First part, then');
    assert.equal(fake.chatRequests().length, 1, 'no retry once text has been shown');
  });

  it('retries a stream cut before any text was shown', async () => {
    fake.script({ cutAfterChunks: 0, text: 'lost' }, { text: 'second time lucky' });
    const deltas: string[] = [];
    const result = await model().chat({ messages: [user('hi')], onText: (d) => deltas.push(d) });
    assert.equal(result.content, 'second time lucky');
    assert.equal(deltas.join(''), 'second time lucky');
    assert.equal(fake.chatRequests().length, 2);
  });

  it('reports an unreachable server as a network error naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const retries: RetryInfo[] = [];
    const err = await rejection(
      new OpenAiChatModel({ baseUrl: url, model: 'm', maxRetries: 2, sleep: async () => {}, onRetry: (i) => retries.push(i) }).chat({
        messages: [user('hi')],
      }),
    );
    assert.equal(err.kind, 'network');
    assert.match(err.message, new RegExp(`cannot reach the model server at ${url.replace(/[.]/g, '\\.')}: connection refused`));
    assert.equal(retries.length, 2, 'network errors are retried');
  });

  it('stops with aborted when the signal fires mid-stream, without retrying', async () => {
    fake.script({ text: 'a long answer that streams slowly, piece by piece', chunkSize: 4, delayMs: 30 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const err = await rejection(
      model().chat({
        messages: [user('hi')],
        signal: controller.signal,
        onText: (d) => {
          deltas.push(d);
          if (deltas.length === 2) controller.abort();
        },
      }),
    );
    assert.equal(err.kind, 'aborted');
    assert.ok(deltas.length < 5, 'the stream stopped soon after the abort');
    assert.equal(fake.chatRequests().length, 1);
  });

  it('stops with aborted while waiting for a server that hangs', async () => {
    fake.script({ hangMs: 5_000 });
    const controller = new AbortController();
    const pending = model().chat({ messages: [user('hi')], signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(pending);
    assert.equal(err.kind, 'aborted');
  });

  it('stops with aborted during the wait before a retry', async () => {
    fake.script({ status: 503 }, { text: 'never asked' });
    const controller = new AbortController();
    const chat = new OpenAiChatModel({
      baseUrl: fake.url,
      model: 'm',
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      onRetry: () => setTimeout(() => controller.abort(), 10),
    });
    const err = await rejection(chat.chat({ messages: [user('hi')], signal: controller.signal }));
    assert.equal(err.kind, 'aborted');
    assert.equal(fake.chatRequests().length, 1);
  });

  it('treats a stream that goes silent for longer than timeoutMs as interrupted', async () => {
    fake.script({ text: 'first piece, then silence', chunkSize: 12, delayMs: 2_000 });
    const deltas: string[] = [];
    const err = await rejection(model({ timeoutMs: 200 }).chat({ messages: [user('hi')], onText: (d) => deltas.push(d) }));
    assert.equal(err.kind, 'network');
    assert.match(err.message, /interrupted: no data for/);
    assert.equal(deltas.join(''), 'first piece,');
  });

  it('calls a reply with no text and no tool calls a bad_response', async () => {
    fake.script({ text: '' });
    const err = await rejection(model().chat({ messages: [user('hi')] }));
    assert.equal(err.kind, 'bad_response');
    assert.match(err.message, /empty reply/);
  });

  it('lets an error thrown by onText through unchanged, without retrying', async () => {
    fake.script({ text: 'some streamed text' }, { text: 'never asked' });
    const mine = new Error('the view went away');
    await assert.rejects(
      model().chat({
        messages: [user('hi')],
        onText: () => {
          throw mine;
        },
      }),
      (err) => err === mine,
    );
    assert.equal(fake.chatRequests().length, 1);
  });

  it('passes temperature and maxTokens through', async () => {
    fake.script({ text: 'a' });
    await model({ temperature: 0.2 }).chat({ messages: [user('x')], maxTokens: 64 });
    const body = fake.chatRequests()[0].body;
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_tokens, 64);
  });

  describe('replies that are not a stream', () => {
    it('says an HTML page came back (a base URL without /v1), not an empty reply, and does not retry', async () => {
      fake.script({ htmlPage: '<!doctype html><html><head><title>Open WebUI</title></head><body>app</body></html>' });
      const err = await rejection(model().chat({ messages: [user('hi')] }));
      assert.equal(err.kind, 'bad_response');
      assert.match(err.message, /answered with an HTML page \(text\/html\)/);
      assert.match(err.message, /"Open WebUI"/, 'the page title says which web app answered');
      assert.match(err.message, /memcode\.baseUrl/);
      assert.match(err.message, /\/v1/);
      assert.doesNotMatch(err.message, /empty reply/);
      assert.equal(fake.chatRequests().length, 1);
    });

    it('takes a whole JSON completion sent to a streaming request as the answer (proxies that ignore stream: true)', async () => {
      fake.script({ text: 'The answer, all at once.', ignoreStream: true });
      const deltas: string[] = [];
      const result = await model().chat({ messages: [user('hi')], onText: (d) => deltas.push(d) });
      assert.equal(result.content, 'The answer, all at once.');
      assert.equal(result.finishReason, 'stop');
      assert.deepEqual(deltas, ['The answer, all at once.'], 'the person sees the text as if it had streamed');
      assert.ok(result.usage && result.usage.completionTokens > 0);
      assert.equal(fake.chatRequests()[0].body.stream, true);
    });

    it('takes tool calls from a whole JSON completion too', async () => {
      fake.script({ toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'a.ts' } }], ignoreStream: true });
      const result = await model().chat({ messages: [user('read a.ts')] });
      assert.equal(result.finishReason, 'tool_calls');
      assert.deepEqual(result.toolCalls, [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.ts"}' }]);
    });

    it('calls a JSON answer that is no completion a bad_response that says what came back', async () => {
      fake.script({ status: 200, body: { status: 'ok', version: '1.2' } });
      const err = await rejection(model().chat({ messages: [user('hi')] }));
      assert.equal(err.kind, 'bad_response');
      assert.match(err.message, /JSON that is not a chat completion/);
      assert.doesNotMatch(err.message, /empty reply/);
    });
  });

  describe('timeouts', () => {
    const elapsed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> => {
      const start = Date.now();
      const value = await fn();
      return { ms: Date.now() - start, value };
    };

    it('gives up on a server that never answers after timeoutMs, naming the timeout, without retrying past it', async () => {
      fake.script({ neverAnswer: true }, { neverAnswer: true }, { neverAnswer: true });
      const { ms, value: err } = await elapsed(() => rejection(model({ timeoutMs: 300 }).chat({ messages: [user('hi')] })));
      assert.equal(err.kind, 'network');
      assert.match(err.message, /did not answer within 0\.3 s/);
      assert.match(err.message, /memcode\.requestTimeout|--timeout/);
      assert.ok(ms < 1_500, `gave up after ${ms} ms`);
      assert.equal(fake.chatRequests().length, 1, 'the timeout bounds the whole call, retries included');
    });

    it('gives up on a server that sends its headers and then nothing', async () => {
      fake.script({ stallAfterHeaders: true }, { stallAfterHeaders: true });
      const { ms, value: err } = await elapsed(() => rejection(model({ timeoutMs: 300 }).chat({ messages: [user('hi')] })));
      assert.equal(err.kind, 'network');
      assert.match(err.message, /no data for 0\.3 s/);
      assert.ok(ms < 1_500, `gave up after ${ms} ms`);
    });

    it('does not cut a slow answer whose pieces each arrive within timeoutMs', async () => {
      fake.script({ text: 'one two three four five six', chunkSize: 4, delayMs: 150 });
      const { ms, value: result } = await elapsed(() => model({ timeoutMs: 400 }).chat({ messages: [user('hi')] }));
      assert.equal(result.content, 'one two three four five six');
      assert.ok(ms > 600, `the whole answer took ${ms} ms, longer than the timeout`);
    });

    it('retries a quick failure only while the timeout allows', async () => {
      fake.script({ status: 503, headers: { 'retry-after': '5' } }, { text: 'too late' });
      const retries: RetryInfo[] = [];
      const err = await rejection(model({ timeoutMs: 1_000, onRetry: (info) => retries.push(info) }).chat({ messages: [user('hi')] }));
      assert.equal(err.kind, 'server');
      assert.match(err.message, /503/);
      assert.match(err.message, /retry.*1 s timeout/);
      assert.deepEqual(retries, []);
      assert.deepEqual(sleeps, []);
      assert.equal(fake.chatRequests().length, 1);
    });

    it('retries a quick failure and gives the retry what is left of the timeout', async () => {
      fake.script({ status: 500 }, { neverAnswer: true });
      // A short retry delay and a timeout with room to spare, so a loaded machine still has time to retry.
      const { ms, value: err } = await elapsed(() => rejection(model({ timeoutMs: 1_500, baseDelayMs: 10 }).chat({ messages: [user('hi')] })));
      assert.equal(fake.chatRequests().length, 2);
      assert.match(err.message, /did not answer within 1\.5 s/);
      assert.ok(ms < 3_000, `gave up after ${ms} ms`);
    });

    it('says the server is slow every slowNoticeMs until it answers', async () => {
      fake.script({ hangMs: 450, text: 'finally' });
      const waited: number[] = [];
      const result = await model({ slowNoticeMs: 100, onSlow: ({ waitedMs }) => waited.push(waitedMs) }).chat({ messages: [user('hi')] });
      assert.equal(result.content, 'finally');
      assert.ok(waited.length >= 3 && waited.length <= 5, `notices at ${waited.join(', ')} ms`);
      assert.ok(waited.every((ms, i) => i === 0 || ms > waited[i - 1]), 'each notice says how long so far');
    });

    it('stays quiet about a slow server once the answer is streaming', async () => {
      fake.script({ text: 'a slow but steady answer', chunkSize: 3, delayMs: 80 });
      const waited: number[] = [];
      await model({ slowNoticeMs: 50, timeoutMs: 2_000, onSlow: ({ waitedMs }) => waited.push(waitedMs) }).chat({ messages: [user('hi')], onText: () => {} });
      assert.deepEqual(waited, []);
    });
  });
});
