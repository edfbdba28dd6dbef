import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArchivalRetriever, exactNames } from '../../src/core/archivalRetriever';
import { chooseHits } from '../../src/core/autoRecall';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';

// Automatic recall from archival memory (a real Vectra store with the offline embedder).
describe('automatic recall from archival memory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-archival-recall-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the names a message types exactly: identifiers, paths, ids of letters and digits', () => {
    assert.deepEqual(exactNames('where is parseConfig defined in src/app.ts?'), ['parseconfig', 'src/app.ts']);
    assert.ok(exactNames('Follow the nested keys from `fe8b73df-b6be-4617-a49a-f00de236a406`: what is the final value?').includes('fe8b73df-b6be-4617-a49a-f00de236a406'));
    assert.deepEqual(exactNames('what did we decide about the cache in 2024?'), []);
  });

  it('shows the passage holding a name typed exactly, though it shares no other word with the message', async () => {
    const store = await ArchivalStore.rebuild(dir, new LocalEmbedder());
    const key = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
    await store.addChunks([
      { path: 'config/keys-01.json', startLine: 1, endLine: 3, language: 'json', kind: 'lines', text: `{\n  "${key}": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"\n}` },
      { path: 'config/other.json', startLine: 1, endLine: 3, language: 'json', kind: 'lines', text: '{\n  "retries": 3\n}' },
    ]);
    const retriever = new ArchivalRetriever(async () => store);
    const hits = await retriever.retrieve(`Follow the nested keys from \`${key}\`: what is the final value?`, 3);
    const shown = chooseHits(hits, 3);
    assert.equal(shown.length, 1, JSON.stringify(hits));
    assert.match(shown[0].source, /keys-01\.json/);
    // Without an exact name, a passage sharing one word of six is still below the floor.
    assert.deepEqual(chooseHits(await retriever.retrieve('what are the final retries for the upstream value', 3), 3).length, 0);
  });
});
