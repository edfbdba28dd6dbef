import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { RecallRetriever } from '../../src/core/recallRetriever';
import { OpenAiEmbedder } from '../../src/indexing/openaiEmbedder';
import { MessageVectors } from '../../src/memory/messageVectors';
import { RecallLog } from '../../src/memory/recall';
import { hybridRecallSearch } from '../../src/memory/recallHybrid';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';
import { type FakeLlm, startFakeLlm } from '../helpers/fakeLlm';

// Message vectors from a model embedder: the real OpenAI client over HTTP against the fake server's
// embeddings, cached in a real memory folder.
describe('message vectors for hybrid recall search', () => {
  let dir: string;
  let paths: MemoryPaths;
  let log: RecallLog;
  let fake: FakeLlm;
  let embedder: OpenAiEmbedder;
  const embeddingRequests = () => fake.requests.filter((r) => r.path.endsWith('/embeddings')).length;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-vectors-'));
    paths = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} }).paths;
    log = RecallLog.open(paths, { warn: () => {} });
    fake = await startFakeLlm();
    embedder = new OpenAiEmbedder({ baseUrl: fake.url, model: 'fake-embed', apiKey: 'test' });
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const say = (content: string, role: 'user' | 'assistant' | 'tool' = 'user', kind?: 'auto_recall') => log.append({ session: 's-1', role, content, tokens: 1, kind });

  it('embeds messages in the background as they are appended, and caches them in the memory folder', async () => {
    const vectors = new MessageVectors(paths.recallDir, embedder, log);
    fake.setEmbeddingDelay(200);
    const a = say('We moved the kubernetes cluster to three nodes.');
    // The append returned before its vector exists: a turn never waits for the embedder.
    assert.equal(vectors.has(a.id), false);
    assert.equal(log.search('kubernetes').results[0].id, a.id, 'keyword search works meanwhile');
    const b = say('Noted, I will update the runbook.', 'assistant');
    const recalled = say('Possibly relevant memories: …', 'user', 'auto_recall');
    await vectors.idle();
    fake.setEmbeddingDelay(0);
    assert.ok(vectors.has(a.id) && vectors.has(b.id));
    assert.equal(vectors.has(recalled.id), false, 'automatic-recall blocks are not searched, so not embedded');
    assert.ok(fs.existsSync(vectors.file) && vectors.file.startsWith(paths.recallDir));
    assert.equal(fs.readFileSync(vectors.file, 'utf8').trim().split('\n').length, 2);

    const before = embeddingRequests();
    const reopened = new MessageVectors(paths.recallDir, embedder, RecallLog.open(paths, { warn: () => {} }));
    assert.equal(reopened.size, 2, 'read back from disk');
    reopened.catchUp();
    await reopened.idle();
    assert.equal(embeddingRequests(), before, 'nothing is embedded twice');
  });

  it('survives a kill mid-write: the cut-off line is skipped, embedded again, and written on a fresh line', async () => {
    const vectors = new MessageVectors(paths.recallDir, embedder, log);
    const a = say('The ledger service retries three times.');
    const b = say('The payment queue is drained nightly.');
    await vectors.idle();
    const lines = fs.readFileSync(vectors.file, 'utf8').trim().split('\n');
    // As if the process died while writing b's line: keep a's line and half of b's.
    fs.writeFileSync(vectors.file, `${lines[0]}\n${lines[1].slice(0, 40)}`);

    const restarted = new MessageVectors(paths.recallDir, embedder, RecallLog.open(paths, { warn: () => {} }));
    assert.equal(restarted.has(a.id), true);
    assert.equal(restarted.has(b.id), false);
    restarted.catchUp();
    await restarted.idle();
    assert.equal(restarted.has(b.id), true);
    const third = new MessageVectors(paths.recallDir, embedder, RecallLog.open(paths, { warn: () => {} }));
    assert.deepEqual([third.has(a.id), third.has(b.id)], [true, true], 'the torn line did not swallow the new one');
  });

  it('fuses the vector ranking with the keywords: a misspelt word still finds its message', async () => {
    const vectors = new MessageVectors(paths.recallDir, embedder, log);
    const target = say('We moved the kubernetes cluster to three nodes.');
    for (let i = 0; i < 20; i++) say(`Lunch note ${i}: soup again, and the weather is grey.`);
    await vectors.idle();
    assert.equal(log.search('kubernetse clsuter').total, 0, 'no keyword matches the misspelling');
    const page = await hybridRecallSearch(log, vectors, 'kubernetse clsuter');
    assert.equal(page.results[0].id, target.id);
    // Automatic recall uses the same fusion; its relevance floor still asks for shared words.
    const hits = await new RecallRetriever(log, () => log.lastId() + 1, vectors).retrieve('kubernetes nodes', 3);
    assert.equal(hits[0].source.startsWith(`recall #${target.id} `), true);
  });

  it('is used by the agent when the settings name a model embedder: a turn leaves its messages embedded on disk', async () => {
    const workspace = path.join(dir, 'ws');
    fs.mkdirSync(workspace);
    fake.setPolicy(() => ({ text: 'Noted: the staging cluster runs on three nodes.' }));
    const agent = openAgent({
      workspaceRoot: workspace,
      baseUrl: fake.url,
      model: 'fake-model',
      contextWindow: 16_384,
      approvals: { request: async () => ({ approved: true }) },
      maxRetries: 0,
      embeddings: { provider: 'openai', baseUrl: fake.url, model: 'fake-embed', apiKey: 'test' },
    });
    try {
      await agent.send('The staging cluster has three nodes.');
      const recallDir = path.join(workspace, '.memcode', 'recall');
      // Embedding runs in the background after the turn: wait for its file (mocha's timeout bounds this).
      const embedded = () => (fs.existsSync(recallDir) ? fs.readdirSync(recallDir).filter((f) => f.startsWith('vectors-')) : []);
      while (embedded().length === 0 || fs.readFileSync(path.join(recallDir, embedded()[0]), 'utf8').trim().split('\n').length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(fake.requests.some((r) => r.path.endsWith('/embeddings')));
    } finally {
      await agent.close();
    }
  });

  it('keeps searching by keywords when the embedder fails, and says so once', async () => {
    const warnings: string[] = [];
    await fake.close();
    const broken = new OpenAiEmbedder({ baseUrl: fake.url, model: 'fake-embed', apiKey: 'test', maxRetries: 0 });
    const vectors = new MessageVectors(paths.recallDir, broken, log, { warn: (m) => warnings.push(m) });
    const a = say('The staging database is postgres 16.');
    await vectors.idle();
    say('And production too.');
    await vectors.idle();
    assert.equal(vectors.size, 0);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const page = await hybridRecallSearch(log, vectors, 'staging database');
    assert.equal(page.results[0].id, a.id);
    fake = await startFakeLlm();
  });
});
