// Indexing off the extension host's thread: the memory folder's index worker chunks and embeds, the
// folder stores what comes back. The same passages as indexing on the thread, saves and cancel as before.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { IndexWorker } from '../../src/indexing/indexWorker';
import { preparePassages } from '../../src/indexing/preparePassages';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { archivalWorkspace } from '../helpers/archivalWorkspace';
import { removeTempWorkspaces } from '../helpers/workspace';

const FILES: Record<string, string> = {
  'src/orders.ts': 'export function placeOrder(cart: Cart) {\n  return checkout(cart);\n}\n\nexport class OrderBook {\n  add(order: Order) {\n    this.orders.push(order);\n  }\n}\n',
  'src/shipping.py': 'def ship_parcel(parcel):\n    return courier.send(parcel)\n',
  'dist/app.min.js': `var a=1;${'function f(){return a+1};'.repeat(400)}`,
};

describe('indexing in a worker thread', function () {
  this.timeout(120_000);
  after(removeTempWorkspaces);

  it('stores exactly the passages indexing on the thread stores, and the worker did the work', async () => {
    const inThread = archivalWorkspace(FILES);
    const inWorker = archivalWorkspace(FILES, { indexInWorker: true });
    try {
      const a = await inThread.folder.index({});
      const b = await inWorker.folder.index({});
      assert.deepEqual({ ...b, ms: 0 }, { ...a, ms: 0 }, 'the same report');
      assert.deepEqual(b.skipped, [{ path: 'dist/app.min.js', reason: 'minified' }]);
      const passages = async (ws: typeof inThread) =>
        (await (await ws.folder.archival()).search('placeOrder OrderBook ship_parcel courier', { pageSize: 20 })).results.map((h) => [h.path, h.startLine, h.endLine, h.symbol, h.text]).sort();
      assert.deepEqual(await passages(inWorker), await passages(inThread));
      const worker = (inWorker.folder as unknown as { worker?: IndexWorker }).worker;
      assert.ok(worker && worker.served >= 2, 'chunking and embedding were answered by the worker');
    } finally {
      inThread.folder.dispose();
      inWorker.folder.dispose();
    }
  });

  it('applies a save through the worker, and stops an index run when asked', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i++) many[`src/m${i}.ts`] = `export function handler${i}(x: number) {\n  return x * ${i};\n}\n`;
    const ws = archivalWorkspace(many, { indexInWorker: true });
    try {
      const stop = new AbortController();
      const first = await ws.folder.index({ signal: stop.signal, onProgress: (p) => p.phase === 'indexing' && stop.abort() });
      assert.equal(first.cancelled, true);
      assert.ok(first.filesIndexed < 300);
      const second = await ws.folder.index({});
      assert.equal(second.cancelled, false);
      assert.equal((await ws.folder.archival()).paths().length, 300, 'the next run finishes what the stopped one left');

      fs.writeFileSync(path.join(ws.root, 'src/m7.ts'), 'export function refundInvoiceNow(id: string) {\n  return payments.refund(id);\n}\n');
      await ws.folder.update(['src/m7.ts'], []);
      assert.equal((await ws.folder.search('refundInvoiceNow', 1)).results[0]?.path, 'src/m7.ts');
    } finally {
      ws.folder.dispose();
    }
  });

  it('embeds a batch in the worker exactly as the local embedder does here; one text (a query) stays here', async () => {
    const worker = new IndexWorker();
    try {
      const local = new LocalEmbedder();
      const embedder = worker.embedderFor(local, { provider: 'local' });
      const texts = ['export function parseConfig(file: string) {}', 'def ship_parcel(parcel): pass', 'plain words about refunds'];
      assert.deepEqual(await embedder.embed(texts), await local.embed(texts));
      assert.equal(worker.served, 1);
      await embedder.embed(['a query']);
      assert.equal(worker.served, 1, 'a single text is embedded on this thread');
    } finally {
      await worker.close();
    }
  });

  it('does the work on this thread, with a warning, when the worker cannot start', async () => {
    const warnings: string[] = [];
    const worker = new IndexWorker((m) => warnings.push(m), path.join(__dirname, 'no-such-worker.js'));
    try {
      const local = new LocalEmbedder();
      const texts = ['export function a() {}', 'export function b() {}'];
      assert.deepEqual(await worker.embedderFor(local, { provider: 'local' }).embed(texts), await local.embed(texts));
      const chunker = await CodeChunker.create();
      const here = (p: string, text: string) => preparePassages(chunker, p, text);
      const files = [{ path: 'src/a.ts', text: 'export function alpha() {\n  return 1;\n}\n' }];
      assert.deepEqual(await worker.prepare(files, here), [here('src/a.ts', files[0].text)]);
      assert.equal(warnings.length, 1, warnings.join(' | '));
      assert.match(warnings[0], /the index worker stopped .*indexing runs on the editor's thread/);
    } finally {
      await worker.close();
    }
  });
});
