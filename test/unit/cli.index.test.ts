import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli, startCli } from '../helpers/cli';
import { startTestEnv, stopTestEnv, writeFile } from '../helpers/workspace';

/** A small project: a few real-looking modules and many filler files, so an index run takes a moment. */
function makeProject(root: string, filler: number): void {
  const write = (rel: string, text: string) => writeFile(root, rel, text);
  write('.gitignore', 'build/\n');
  write('build/generated.ts', 'export const generatedSecretToken = 1;\n');
  write('.env', 'API_TOKEN=supersecret\n');
  write(
    'src/billing/invoice.ts',
    '/** Computes the total of an invoice including VAT, rounding half-up to cents. */\nexport function computeInvoiceTotal(lines: number[], vatRate: number): number {\n  const net = lines.reduce((a, b) => a + b, 0);\n  return Math.round(net * (1 + vatRate) * 100) / 100;\n}\n',
  );
  write(
    'src/net/retry.py',
    'def retry_with_backoff(fn, attempts=5):\n    """Call fn again after a failure, waiting twice as long each time."""\n    for i in range(attempts):\n        try:\n            return fn()\n        except IOError:\n            time.sleep(2 ** i)\n',
  );
  for (let i = 0; i < filler; i++) {
    write(`src/filler/module${i}.ts`, `export function helper${i}(x: number): number {\n  return x * ${i} + ${i % 7};\n}\n\nexport class Widget${i} {\n  size = ${i};\n  grow(): void {\n    this.size += 1;\n  }\n}\n`);
  }
}

describe('memcode index', function () {
  this.timeout(90_000);
  let llm: FakeLlm;
  let workspace: string;

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('indexes the workspace, honours .gitignore and secrets, and re-indexes nothing when nothing changed', async () => {
    makeProject(workspace, 20);
    const first = await runCli(['index', '-C', workspace]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Indexed: 22 files indexed, 0 unchanged/);
    assert.match(first.stderr, /files · \d+ chunks/);
    const search = await runCli(['memory', 'search', 'computeInvoiceTotal', '-C', workspace]);
    assert.match(search.stdout, /src\/billing\/invoice\.ts:1-5/);
    const secret = await runCli(['memory', 'search', 'supersecret generatedSecretToken', '-C', workspace]);
    assert.doesNotMatch(secret.stdout, /\.env|generated\.ts/);
    const again = await runCli(['index', '-C', workspace]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 files indexed, 22 unchanged/);
  });

  it('lets the agent find the right file with archival_memory_search', async () => {
    makeProject(workspace, 5);
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    llm.script(
      { toolCalls: [{ name: 'archival_memory_search', arguments: { query: 'retry a failing call with exponential backoff' } }] },
      { text: 'It is in src/net/retry.py.' },
    );
    const run = await runCli(['chat', '-C', workspace, '-m', 'where do we retry failed calls?', '--base-url', llm.url, '--no-auto-recall']);
    assert.equal(run.code, 0, run.stderr);
    const tool = llm.chatRequests().at(-1)!.body.messages.find((m: any) => m.role === 'tool');
    const result = JSON.parse(tool.content);
    assert.equal(result.results[0].path, 'src/net/retry.py');
    assert.match(result.results[0].text, /def retry_with_backoff/);
  });

  it('recovers from kill -9 in the middle of an index run', async () => {
    makeProject(workspace, 1500);
    const { child, done } = startCli(['index', '-C', workspace]);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    while (!/\d+\/\d+ files/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await done;

    const next = await runCli(['index', '-C', workspace]);
    assert.equal(next.code, 0, next.stderr);
    const manifest = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/archival/files.json'), 'utf8'));
    assert.equal(Object.keys(manifest.files).length, 1502);
    const search = await runCli(['memory', 'search', 'helper1499', '-C', workspace]);
    assert.match(search.stdout, /src\/filler\/module1499\.ts/);
    const again = await runCli(['index', '-C', workspace]);
    assert.match(again.stdout, /0 files indexed, 1502 unchanged/);
  });

  it('says whom it waits for while a chat turn holds the memory folder', async () => {
    makeProject(workspace, 3);
    llm.script({ hangMs: 2_500, text: 'slow' });
    const turn = startCli(['chat', '-C', workspace, '-m', 'slow one', '--base-url', llm.url]);
    while (llm.chatRequests().length < 1) await new Promise((r) => setTimeout(r, 20));
    const index = await runCli(['index', '-C', workspace]);
    assert.equal(index.code, 0, index.stderr);
    const waits = index.stderr.match(/waiting for the memory folder: in use by chat turn \(pid (\d+)\)…/g) ?? [];
    assert.equal(waits.length, 1, index.stderr);
    assert.match(waits[0], new RegExp(`pid ${turn.child.pid}\\)`));
    assert.equal((await turn.done).code, 0);
  });

  it('stops cleanly on Ctrl-C and finishes on the next run', async () => {
    makeProject(workspace, 1500);
    // A slow embeddings server keeps the run going well past the first progress line, however fast the machine.
    llm.setEmbeddingDelay(250);
    const embedder = ['--embeddings', 'openai', '--embeddings-model', 'fake-embed', '--embeddings-base-url', llm.url];
    const { child, done } = startCli(['index', '-C', workspace, ...embedder]);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    while (!/\d+\/\d+ files/.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const stopped = await done;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stdout, /^Stopped: /);
    assert.ok(!fs.existsSync(path.join(workspace, '.memcode/lock')), 'the lock was released');
    llm.setEmbeddingDelay(0);
    const next = await runCli(['index', '-C', workspace, ...embedder]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /Indexed: \d+ files indexed, \d+ unchanged/);
  });
});

describe('memcode index with other embedders', function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    makeProject(workspace, 3);
  });
  afterEach(() => stopTestEnv(llm));

  it('indexes through an OpenAI-compatible /embeddings server and refuses to mix embedders', async () => {
    const withServer = ['--embeddings', 'openai', '--embeddings-model', 'fake-embed', '--embeddings-base-url', llm.url];
    const first = await runCli(['index', '-C', workspace, ...withServer]);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(llm.requests.some((r) => r.path === '/v1/embeddings' && r.body.model === 'fake-embed'));

    const mixed = await runCli(['index', '-C', workspace]);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /built with openai:fake-embed.*rebuild/s);

    const rebuilt = await runCli(['index', '-C', workspace, '--rebuild']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /Indexed: 5 files indexed/);
  });

  it('puts matching archival hits in front of the model automatically', async () => {
    assert.equal((await runCli(['index', '-C', workspace])).code, 0);
    llm.script({ text: 'VAT is applied in computeInvoiceTotal.' });
    const run = await runCli(['chat', '-C', workspace, '-m', 'how is the invoice total computed with VAT?', '--base-url', llm.url]);
    assert.equal(run.code, 0, run.stderr);
    const messages = llm.chatRequests().at(-1)!.body.messages;
    const recall = messages.find((m: any) => /\[system auto recall\]/.test(m.content));
    assert.ok(recall, 'an automatic recall event was sent');
    assert.match(recall.content, /src\/billing\/invoice\.ts:1-5/);
  });
});
