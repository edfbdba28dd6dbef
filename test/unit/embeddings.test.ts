import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmbedder, LocalEmbedder, OpenAiEmbedder } from '../../src/indexing/embeddings';
import { LlmError } from '../../src/llm/types';
import { codeTerms, splitIdentifier } from '../../src/memory/codeTokens';
import { startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * A real HTTP server in front of the fake LLM that can fail a request or rewrite its body, for the
 * failures the fake's embeddings route does not stage by itself.
 */
async function startProxy(
  target: string,
  handle: (body: Record<string, unknown>, index: number) => { status: number; body?: unknown } | { forward: Record<string, unknown> },
): Promise<{ url: string; close: () => Promise<void> }> {
  let index = 0;
  const server = http.createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on('data', (p: Buffer) => pieces.push(p));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(pieces).toString('utf8')) as Record<string, unknown>;
      const decision = handle(body, index++);
      if ('status' in decision) {
        res.writeHead(decision.status, { 'content-type': 'application/json', 'retry-after-ms': '1' });
        res.end(JSON.stringify(decision.body ?? { error: { message: 'slow down', type: 'rate_limit' } }));
        return;
      }
      const upstream = await fetch(`${target}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(decision.forward),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('code-aware tokens', () => {
  it('splits camelCase, acronyms, snake_case and digits', () => {
    const parts: string[] = [];
    splitIdentifier('parseHTTPResponse2_fast', parts);
    assert.deepEqual(parts, ['parse', 'http', 'response', '2', 'fast']);
  });

  it('keeps a compound identifier whole next to its stemmed parts', () => {
    const terms = codeTerms('parseConfigFileTextToJson(fileName)');
    assert.ok(terms.includes('parseconfigfiletexttojson'));
    assert.ok(terms.includes('config'));
    assert.ok(terms.includes('nam') && terms.includes('filename'), `stemmed parts expected, got ${terms.join(' ')}`);
  });

  it('makes plural and -ing forms meet their stem', () => {
    assert.deepEqual(codeTerms('files'), codeTerms('file'));
    assert.deepEqual(codeTerms('creating'), codeTerms('create'));
  });
});

describe('local embedder', () => {
  const embedder = new LocalEmbedder();

  it('is deterministic and returns unit-length vectors of its dimensions', async () => {
    const [a, b] = await embedder.embed(['function loadConfig(path) {}', 'function loadConfig(path) {}']);
    assert.equal(a.length, 384);
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-5);
    const [empty] = await embedder.embed(['']);
    assert.ok(Math.abs(cosine(empty, empty) - 1) < 1e-5, 'empty text still gets a unit vector');
  });

  it('puts similar code closer than unrelated code', async () => {
    const [query, near, far] = await embedder.embed([
      'delete the user account',
      'function removeUserAccount(userId: string) { db.accounts.remove(userId); }',
      'const gradient = ctx.createLinearGradient(0, 0, width, 0);',
    ]);
    assert.ok(cosine(query, near) > cosine(query, far) + 0.1, `${cosine(query, near)} vs ${cosine(query, far)}`);
  });

  it('finds an identifier from its words in another casing', async () => {
    const [query, target, other] = await embedder.embed([
      'read file text',
      'export function readFileText(p) { return fs.readFileSync(p, "utf8"); }',
      'export function writeJsonAtomic(p, v) { rename(tmp, p); }',
    ]);
    assert.ok(cosine(query, target) > cosine(query, other));
  });

  it('lets a rare word outweigh common ones', async () => {
    const [query, near, far] = await embedder.embed([
      'returns the string value of the tooltip',
      'tooltip?: Tooltip;',
      'toString(): string; valueOf(): string; returns: string;',
    ]);
    assert.ok(cosine(query, near) > cosine(query, far), `${cosine(query, near)} vs ${cosine(query, far)}`);
  });

  it('treats a `code span` in prose as the name the text is about', async () => {
    const [marked, plain, member] = await embedder.embed([
      'The read-only `pending` property of the Animation interface tells whether the animation waits.',
      'The read-only pending property of the Animation interface tells whether the animation waits.',
      'readonly pending: boolean;',
    ]);
    assert.ok(cosine(marked, member) > cosine(plain, member) + 0.05, `${cosine(marked, member)} vs ${cosine(plain, member)}`);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(embedder.embed(['x'], controller.signal), { name: 'AbortError' });
  });

  it('is what createEmbedder gives for the local provider', () => {
    const made = createEmbedder({ provider: 'local', dimensions: 256 });
    assert.ok(made instanceof LocalEmbedder);
    assert.equal(made.dimensions, 256);
    assert.equal(made.id, 'local-hash-v2');
  });
});

describe('OpenAI-compatible embedder', () => {
  let fake: FakeLlm;
  beforeEach(async () => {
    fake = await startFakeLlm();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends 64 inputs a request, asks for floats, and keeps input order', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: fake.url, model: 'embed-test', dimensions: 32 });
    const texts = Array.from({ length: 130 }, (_, i) => `text number ${i}`);
    const vectors = await embedder.embed(texts);
    const calls = fake.requests.filter((r) => r.path === '/v1/embeddings');
    assert.equal(calls.length, 3);
    assert.deepEqual(calls.map((c) => c.body.input.length), [64, 64, 2]);
    assert.ok(calls.every((c) => c.body.encoding_format === 'float' && c.body.dimensions === 32));
    assert.equal(vectors.length, 130);
    const [again] = await embedder.embed(['text number 129']);
    assert.deepEqual(Array.from(vectors[129]), Array.from(again));
    assert.equal(embedder.id, `openai:embed-test@${new URL(fake.url).host}`);
  });

  it('learns its dimensions from the first response when none were asked', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: fake.url, model: 'embed-test' });
    assert.equal(embedder.dimensions, 0);
    const [v] = await embedder.embed(['hello']);
    assert.equal(v.length, 256);
    assert.equal(embedder.dimensions, 256);
    assert.equal(fake.requests[0].body.dimensions, undefined);
  });

  it('decodes base64 vectors from a server that sends them anyway', async () => {
    const proxy = await startProxy(fake.url, (body) => ({ forward: { ...body, encoding_format: 'base64' } }));
    try {
      const viaBase64 = await new OpenAiEmbedder({ baseUrl: proxy.url, model: 'm', dimensions: 16 }).embed(['same text']);
      const viaFloat = await new OpenAiEmbedder({ baseUrl: fake.url, model: 'm', dimensions: 16 }).embed(['same text']);
      assert.deepEqual(Array.from(viaBase64[0]), Array.from(viaFloat[0]));
    } finally {
      await proxy.close();
    }
  });

  it('retries a 429 and then succeeds', async () => {
    const proxy = await startProxy(fake.url, (body, index) => (index === 0 ? { status: 429 } : { forward: body }));
    const slept: number[] = [];
    try {
      const embedder = new OpenAiEmbedder({
        baseUrl: proxy.url,
        model: 'm',
        sleep: async (ms) => {
          slept.push(ms);
        },
      });
      const vectors = await embedder.embed(['a', 'b']);
      assert.equal(vectors.length, 2);
      assert.equal(slept.length, 1);
      assert.equal(fake.requests.length, 1, 'the retried request reached the server once');
    } finally {
      await proxy.close();
    }
  });

  it('refuses vectors of the wrong dimensions with a clear error', async () => {
    // The proxy drops `dimensions`, as some servers silently do: 256 come back instead of 100.
    const proxy = await startProxy(fake.url, (body) => ({ forward: { ...body, dimensions: undefined } }));
    try {
      const embedder = new OpenAiEmbedder({ baseUrl: proxy.url, model: 'm', dimensions: 100 });
      await assert.rejects(embedder.embed(['x']), (err: unknown) => {
        assert.ok(err instanceof LlmError);
        assert.equal(err.kind, 'bad_response');
        assert.match(err.message, /256 dimensions but 100 were expected/);
        return true;
      });
    } finally {
      await proxy.close();
    }
  });

  it('names the server when it cannot be reached', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', maxRetries: 0 });
    await assert.rejects(embedder.embed(['x']), (err: unknown) => err instanceof LlmError && err.kind === 'network' && /127\.0\.0\.1:9/.test(err.message));
  });
});
