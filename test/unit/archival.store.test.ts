import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import type { Chunk } from '../../src/indexing/types';
import type { Embedder } from '../../src/memory/archivalMemory';
import { ArchivalStore } from '../../src/memory/archival';
import { parseShardCache } from '../../src/memory/archivalCache';
import { Bm25Index } from '../../src/memory/bm25';
import { quantizeInt8 } from '../../src/memory/int8Scan';
import { SKETCH_DIMENSIONS, sketchOf } from '../../src/memory/vectorSearch';
import { definedNames, fuseHybrid, properNames } from '../../src/memory/hybridRanking';
import { MemoryError } from '../../src/memory/types';

const repoRoot = path.resolve(__dirname, '..', '..');

function chunk(p: string, startLine: number, text: string, extra: Partial<Chunk> = {}): Chunk {
  return { path: p, startLine, endLine: startLine + text.split('\n').length - 1, language: 'typescript', kind: 'function', text, ...extra };
}

/**
 * An embedder that sees words but not identifiers (as a plain-prose model would): every name is
 * split into its lowercase words first. The local embedder itself ranks an exact name first.
 */
class WordsOnlyEmbedder implements Embedder {
  private readonly inner: LocalEmbedder;
  constructor(dimensions: number) {
    this.inner = new LocalEmbedder({ dimensions });
  }
  get id(): string {
    return this.inner.id;
  }
  get dimensions(): number {
    return this.inner.dimensions;
  }
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.inner.embed(texts.map((t) => t.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()), signal);
  }
}

const CORPUS: Chunk[] = [
  chunk('src/config/load.ts', 1, 'export function loadSettings(file: string): Settings {\n  return JSON.parse(fs.readFileSync(file, "utf8"));\n}', { symbol: 'loadSettings' }),
  chunk('src/config/load.ts', 5, 'export function parseConfigFileTextToJson(fileName: string, text: string) {\n  return jsonParse(text);\n}', { symbol: 'parseConfigFileTextToJson' }),
  chunk('src/users/remove.ts', 1, 'export async function deleteUserAccount(id: string) {\n  await db.users.remove(id);\n}', { symbol: 'deleteUserAccount' }),
  chunk('src/net/retry.ts', 1, 'export function backoffDelay(attempt: number) {\n  return Math.min(30000, 500 * 2 ** attempt);\n}', { symbol: 'backoffDelay' }),
  chunk('lib/render.py', 1, 'def draw_gradient(ctx, width):\n    return ctx.create_linear_gradient(0, 0, width, 0)', { language: 'python', symbol: 'draw_gradient' }),
  chunk('lib/render.py', 4, 'def load_texture(path):\n    return Image.open(path)', { language: 'python', symbol: 'load_texture' }),
];

describe('archival store', function () {
  this.timeout(20_000);
  let dir: string;
  let archivalDir: string;
  const embedder = new LocalEmbedder({ dimensions: 128 });
  const clock = () => new Date('2025-03-01T10:00:00Z');
  const open = (e: Embedder = embedder) => ArchivalStore.open(archivalDir, e, { clock });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-archival-'));
    archivalDir = path.join(dir, '.memcode', 'archival');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores chunks and finds them by meaning, with path, lines, symbol and score', async () => {
    const store = await open();
    const ids = await store.addChunks(CORPUS);
    assert.equal(ids.length, CORPUS.length);
    assert.equal(store.count(), CORPUS.length);
    const page = await store.search('remove a user account');
    const top = page.results[0];
    assert.equal(top.path, 'src/users/remove.ts');
    assert.equal(top.symbol, 'deleteUserAccount');
    assert.equal(top.startLine, 1);
    assert.equal(top.endLine, 3);
    assert.equal(top.source, 'file');
    assert.equal(top.time, '2025-03-01T10:00:00.000Z');
    assert.ok(top.score > 0 && top.score <= 1);
    assert.deepEqual(store.paths(), ['lib/render.py', 'src/config/load.ts', 'src/net/retry.ts', 'src/users/remove.ts']);
  });

  it('finds an exact identifier through hybrid search even when its vector ranks it low', async () => {
    // Many chunks about configuration files crowd the vector ranking; the identifier is in one only.
    const crowd = Array.from({ length: 40 }, (_, i) =>
      chunk(`src/crowd/c${i}.ts`, 1, `// parse the config file text and convert it to json, variant ${i}\nexport const configFileText${i} = parse(config, file, text, json);`),
    );
    const target = chunk('src/tsc/tsconfig.ts', 10, 'export function parseConfigFileTextToJson(name: string, body: string) { return run(name, body); }', {
      symbol: 'parseConfigFileTextToJson',
    });
    const store = await open(new WordsOnlyEmbedder(128));
    await store.addChunks([...crowd, target]);
    const vectorOnly = await store.search('parseConfigFileTextToJson', { mode: 'vector', pageSize: 100 });
    const vectorRank = vectorOnly.results.findIndex((h) => h.symbol === 'parseConfigFileTextToJson');
    assert.ok(vectorRank === -1 || vectorRank > 0, `vector rank ${vectorRank} should not be first for this test to mean anything`);
    const hybrid = await store.search('parseConfigFileTextToJson');
    assert.equal(hybrid.results[0].symbol, 'parseConfigFileTextToJson');
    const keyword = await store.search('parseConfigFileTextToJson', { mode: 'keyword' });
    assert.equal(keyword.results[0].path, 'src/tsc/tsconfig.ts');
  });

  it('ranks the chunk that defines an identifier above chunks that use it or a longer name holding it', async () => {
    // The case: `StringEdit` came 9th behind chunks about `StringEditWithReason`.
    const longer = Array.from({ length: 8 }, (_, i) =>
      chunk(`src/edits/reason${i}.ts`, 1, `export function withReason${i}(edit: StringEditWithReason): StringEditWithReason {\n  return new StringEditWithReason(edit.replacements, "reason ${i}");\n}`, {
        symbol: `withReason${i}`,
      }),
    );
    const users = Array.from({ length: 4 }, (_, i) =>
      chunk(`src/edits/use${i}.ts`, 1, `export function apply${i}(text: string, edit: StringEdit): string {\n  return StringEdit.compose([edit]).apply(text);\n}`, { symbol: `apply${i}` }),
    );
    const body = Array.from({ length: 30 }, (_, i) => `  replace${i}(offset: number, length: number, text: string): void { this.parts.push({ offset, length, text }); }`);
    const definition = chunk('src/core/stringEdit.ts', 1, ['/** A list of replacements in one string, applied together. */', 'export class StringEdit {', ...body, '}'].join('\n'), {
      kind: 'class',
      symbol: 'StringEdit',
    });
    const store = await open(new WordsOnlyEmbedder(128));
    await store.addChunks([...longer, ...users, definition]);
    const hits = await store.search('StringEdit', { pageSize: 20 });
    assert.equal(hits.results[0].path, 'src/core/stringEdit.ts', hits.results.map((h) => h.path).join(', '));
    // Next, the chunks using the name itself; the longer name only after them.
    const order = hits.results.slice(1).map((h) => (h.path!.includes('use') ? 'use' : 'longer'));
    assert.deepEqual(order.slice(0, 4), ['use', 'use', 'use', 'use'], order.join(', '));
  });

  it('gives the exact-name boost to whole names, routes included, and not to names inside longer ones', () => {
    const texts = ['const r = new StringEditWithReason(e);', 'const s: StringEdit = e;', 'router.post("/api/v2/refunds", refund);'];
    const tie = { vector: [1, 0, 2].map((id) => ({ id, score: 1 })), keyword: [0, 1, 2].map((id) => ({ id, score: 1 })) };
    const order = (query: string) => fuseHybrid(query, tie.vector, tie.keyword, (docs) => docs.map((doc) => texts[doc]), () => undefined).map((h) => h.id);
    // Tied in the other two rankings: holding the whole name decides.
    assert.deepEqual(order('StringEdit').slice(0, 2), [1, 0]);
    assert.equal(order('/v2/refunds')[0], 2);
    assert.deepEqual(definedNames('ts.server.CodeEdit'), ['ts.server.codeedit', 'codeedit']);
    assert.deepEqual(definedNames('StringEdit: compose, apply, …'), ['stringedit', 'compose', 'apply']);
  });

  it('ranks the passage naming the person a question names above ones merely close in wording', () => {
    // Large-document case: the offline embedder knows no names, so its ranking puts on-call passages
    // about other people first; the passage that names "Zegaleb Ratamib" is what was asked about.
    const texts = [
      'The on-call channel for the payments team is #pay-oncall; escalate there first.',
      'On-call rotation: the channel is #infra-pager, staffed around the clock.',
      'Zegaleb\nRatamib carries the pager this week; reach them in #search-oncall.',
    ];
    const vector = [0, 1, 2].map((id, rank) => ({ id, score: 1 - rank / 10 }));
    const keyword = [1, 0, 2].map((id, rank) => ({ id, score: 1 - rank / 10 }));
    const order = (query: string) => fuseHybrid(query, vector, keyword, (docs) => docs.map((doc) => texts[doc]), () => undefined).map((h) => h.id);
    assert.equal(order("What is Zegaleb Ratamib's on-call channel?")[0], 2, 'the name, even wrapped over a line, decides');
    assert.notEqual(order('What is the on-call channel?')[0], 2, 'without a name the other rankings decide');
    assert.deepEqual(properNames("What is Zegaleb Ratamib's channel, and Ann's?"), ['zegaleb ratamib', 'ann']);
    // A capitalised word for its place, common words, and code references are not names.
    assert.deepEqual(properNames('Explain the indexer'), []);
    assert.deepEqual(properNames('Returns the value of the Date object as a Promise'), []);
    assert.deepEqual(properNames('The `Intl.RelativeTimeFormat` constructor of Animation.pending'), []);
    assert.deepEqual(properNames('Ratamib owns it'), [], 'one word opening the sentence');
    assert.deepEqual(properNames('Who owns it? Ask Ratamib.'), ['ratamib']);
  });

  it('reads only the texts that can hold the name, as the keyword index\'s postings say (none for a name that is a term), and ranks the same', () => {
    const texts = [
      'const r = new StringEditWithReason(e);',
      'const s: StringEdit = e;',
      'router.post("/api/v2/refunds", refund);',
      'nothing about it here',
      'a stringedit written as one word',
      'const v = stringedit_value + STRINGEDIT_KIND;',
      'class StringeditFoo {}',
      'const n = max_retries + 1;',
      'const m = max_retries_total;',
    ];
    const index = new Bm25Index();
    texts.forEach((text, doc) => index.add(doc, text));
    const ids = texts.map((_, doc) => ({ id: doc, score: 1 }));
    for (const query of ['StringEdit', '/v2/refunds', 'src/StringEdit.ts', 'max_retries']) {
      const read: number[] = [];
      const textsOf = (docs: number[]) => {
        read.push(...docs);
        return docs.map((doc) => texts[doc]);
      };
      const pruned = fuseHybrid(query, ids, ids, textsOf, () => undefined, (doc, term) => index.has(doc, term), (doc, term) => index.hasWhole(doc, term));
      const whole = fuseHybrid(query, ids, ids, (docs) => docs.map((doc) => texts[doc]), () => undefined);
      assert.deepEqual(pruned, whole, query);
      // A name the index keeps as a term: its postings say which passages have a word that is the name
      // itself (StringEdit, "stringedit"), not a longer one with it as a part (stringedit_value, StringeditFoo).
      if (query === 'StringEdit' || query === 'max_retries') assert.deepEqual(read, [], `no text read for ${query}`);
      if (query === 'StringEdit') assert.deepEqual(pruned.slice(0, 2).map((h) => h.id).sort(), [1, 4]);
      if (query === 'max_retries') assert.equal(pruned[0].id, 7, 'the whole name first, not max_retries_total');
      if (query === '/v2/refunds') assert.deepEqual(read.sort(), [2]);
    }
  });

  it('filters by path prefix, language and source before ranking', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    await store.addNote('The user prefers loading settings lazily.');
    const py = await store.search('load', { language: 'python', pageSize: 10 });
    assert.ok(py.total > 0);
    assert.ok(py.results.every((h) => h.language === 'python'));
    const config = await store.search('load settings', { pathPrefix: 'src/config/', pageSize: 10 });
    assert.ok(config.results.length > 0);
    assert.ok(config.results.every((h) => h.path!.startsWith('src/config/')));
    const notes = await store.search('settings', { source: 'note' });
    assert.equal(notes.total, 1);
    assert.equal(notes.results[0].source, 'note');
    const files = await store.search('settings', { source: 'file', pageSize: 10 });
    assert.ok(files.results.every((h) => h.source === 'file'));
  });

  it('pages through results: page 2 differs from page 1 and totals agree', async () => {
    const many = Array.from({ length: 12 }, (_, i) => chunk(`src/m${i}.ts`, 1, `export function handler${i}() { return fetchUser(${i}); }`));
    const store = await open();
    await store.addChunks(many);
    const first = await store.search('fetch user handler', { pageSize: 5 });
    const second = await store.search('fetch user handler', { pageSize: 5, page: 2 });
    assert.equal(first.total, 12);
    assert.equal(first.pages, 3);
    assert.equal(second.page, 2);
    assert.equal(second.results.length, 5);
    const firstIds = new Set(first.results.map((h) => h.id));
    assert.ok(second.results.every((h) => !firstIds.has(h.id)));
    const third = await store.search('fetch user handler', { pageSize: 5, page: 3 });
    assert.equal(third.results.length, 2);
    await assert.rejects(store.search('x', { page: 0 }), (err: unknown) => err instanceof MemoryError && err.kind === 'invalid');
  });

  it('deletes every chunk of a file and nothing else', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    assert.equal(await store.deleteByPath(['lib/render.py', 'no/such/file.ts']), 2);
    assert.equal(store.count(), CORPUS.length - 2);
    assert.ok(!store.paths().includes('lib/render.py'));
    const page = await store.search('draw gradient texture', { pageSize: 10 });
    assert.ok(page.results.every((h) => h.path !== 'lib/render.py'));
    const reopened = await open();
    assert.equal(reopened.count(), CORPUS.length - 2);
    assert.ok(!reopened.paths().includes('lib/render.py'));
  });

  it('keeps notes apart from files and counts them', async () => {
    const store = await open();
    await store.addChunks(CORPUS.slice(0, 2));
    const note = await store.addNote('Decision: retries use exponential backoff capped at 30 s.');
    assert.equal(note.source, 'note');
    assert.equal(note.path, undefined);
    assert.deepEqual(store.countBySource(), { file: 2, note: 1 });
    const page = await store.search('backoff decision');
    assert.equal(page.results[0].id, note.id);
  });

  it('catches up with another process\'s writes on sync, reloading only what changed', async () => {
    const writer = await open();
    await writer.addChunks(CORPUS);
    const reader = await open();
    assert.equal(reader.count(), CORPUS.length);
    await writer.deleteByPath(['src/users/remove.ts']);
    await writer.addChunks([chunk('src/billing/refund.ts', 1, 'export function issueRefund(order: Order) {\n  return payments.refund(order.id);\n}', { symbol: 'issueRefund' })]);
    await writer.addNote('Refunds go through the payments service, never the database directly.');
    assert.equal(reader.count(), CORPUS.length, 'nothing changes before sync');
    await reader.sync();
    assert.equal(reader.count(), writer.count());
    assert.deepEqual(reader.paths(), writer.paths());
    assert.deepEqual(reader.countBySource(), { file: CORPUS.length, note: 1 });
    const hit = (await reader.search('issueRefund', { pageSize: 1 })).results[0];
    assert.equal(hit.path, 'src/billing/refund.ts');
    assert.equal((await reader.search('deleteUserAccount', { mode: 'keyword' })).total, 0, 'the deleted file is gone from the keyword index too');
    const before = reader.count();
    await reader.sync();
    assert.equal(reader.count(), before, 'a sync with nothing new changes nothing');
  });

  it('sees a rebuild by another process as an empty store, and a wiped folder too', async () => {
    const holder = await open();
    await holder.addChunks(CORPUS);
    const rebuilt = await ArchivalStore.rebuild(archivalDir, embedder, { clock });
    await rebuilt.addChunks(CORPUS.slice(0, 1));
    await holder.sync();
    assert.deepEqual(holder.paths(), ['src/config/load.ts']);
    assert.equal(holder.count(), 1, 'a rebuilt store with the same generation number is still a different store');
    fs.rmSync(archivalDir, { recursive: true, force: true });
    await holder.sync();
    assert.equal(holder.count(), 0);
    assert.equal((await holder.search('loadSettings')).total, 0);
  });

  it('refuses to sync with a store another process rebuilt for a different embedder', async () => {
    const holder = await open();
    await holder.addChunks(CORPUS);
    await ArchivalStore.rebuild(archivalDir, new LocalEmbedder({ dimensions: 64 }), { clock });
    await assert.rejects(holder.sync(), (err: unknown) => err instanceof MemoryError && /rebuild/.test(err.message));
  });

  it('persists across reopen with the same results', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    await store.addNote('remember: the gradient code is slow');
    const before = await store.search('linear gradient');
    const reopened = await open();
    assert.equal(reopened.count(), CORPUS.length + 1);
    assert.deepEqual(reopened.countBySource(), { file: CORPUS.length, note: 1 });
    const after = await reopened.search('linear gradient');
    assert.deepEqual(
      after.results.map((h) => [h.id, h.path, h.startLine, h.symbol, h.text]),
      before.results.map((h) => [h.id, h.path, h.startLine, h.symbol, h.text]),
    );
    assert.equal(reopened.embedderId, 'local-hash-v2');
  });

  it('opens from the Vectra index alone when its binary cache is missing or damaged, and restores the cache', async () => {
    const store = await open();
    // Enough items for several shards, so one can lose its cache and another have it damaged.
    await store.addEmbedded(
      Array.from({ length: 2500 }, (_, i) => {
        const vector = new Float32Array(128);
        vector[i % 128] = 1;
        vector[(i * 7) % 128] += 0.5;
        return { record: { text: `export const item${i} = ${i}; // bucket ${i % 13}`, source: 'file' as const, path: `gen/f${i % 50}.ts` }, vector };
      }),
    );
    await store.addChunks(CORPUS);
    const probe = async (s: ArchivalStore) =>
      Promise.all(
        (['hybrid', 'keyword', 'vector'] as const).map(async (mode) =>
          (await s.search('item1234 bucket load settings', { mode, pageSize: 20 })).results.map((h) => [h.id, h.path, h.text, h.score.toFixed(6)]),
        ),
      );
    const before = await probe(store);
    const shardsDir = path.join(archivalDir, 'shards');
    const folders = fs.readdirSync(shardsDir).sort();
    assert.ok(folders.length >= 3, `${folders.length} shards`);
    assert.ok(folders.every((f) => fs.existsSync(path.join(shardsDir, f, 'cache.bin'))), 'every shard has its cache');
    fs.rmSync(path.join(shardsDir, folders[0], 'cache.bin'));
    const damaged = path.join(shardsDir, folders[1], 'cache.bin');
    fs.writeFileSync(damaged, fs.readFileSync(damaged).subarray(0, 1000));
    const reopened = await open();
    assert.equal(reopened.count(), store.count());
    assert.deepEqual(await probe(reopened), before);
    assert.ok(fs.statSync(damaged).size > 1000 && fs.existsSync(path.join(shardsDir, folders[0], 'cache.bin')), 'caches rewritten');
    assert.deepEqual(await probe(await open()), before);
  });

  it('refuses an index made by another embedder and rebuild starts it afresh', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    fs.writeFileSync(path.join(archivalDir, 'files.json'), '{}');
    await assert.rejects(open(new LocalEmbedder({ dimensions: 256 })), (err: unknown) => {
      assert.ok(err instanceof MemoryError);
      assert.equal(err.kind, 'invalid');
      assert.match(err.message, /built with local-hash-v2 \(128 dimensions\) but the current embedder is local-hash-v2 \(256\)/);
      assert.match(err.message, /memcode index --rebuild/);
      return true;
    });
    const rebuilt = await ArchivalStore.rebuild(archivalDir, new LocalEmbedder({ dimensions: 256 }));
    assert.equal(rebuilt.count(), 0);
    assert.ok(!fs.existsSync(path.join(archivalDir, 'files.json')), 'rebuild wipes the folder content');
    assert.ok(fs.existsSync(archivalDir));
    await rebuilt.addChunks(CORPUS.slice(0, 1));
    const reopened = await ArchivalStore.open(archivalDir, new LocalEmbedder({ dimensions: 256 }));
    assert.equal(reopened.count(), 1);
  });

  it('reports a corrupted shard as MemoryError(corrupt) naming the file, and rebuild recovers', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    const shardsDir = path.join(archivalDir, 'shards');
    const victim = path.join(shardsDir, fs.readdirSync(shardsDir)[0], 'index.json');
    fs.writeFileSync(victim, fs.readFileSync(victim, 'utf8').slice(0, 50));
    await assert.rejects(open(), (err: unknown) => {
      assert.ok(err instanceof MemoryError);
      assert.equal(err.kind, 'corrupt');
      assert.ok(err.message.includes(victim), err.message);
      assert.match(err.message, /memcode doctor/);
      return true;
    });
    // Nothing outside the archival folder is touched.
    assert.deepEqual(fs.readdirSync(path.join(dir, '.memcode')), ['archival']);
    const rebuilt = await ArchivalStore.rebuild(archivalDir, embedder);
    await rebuilt.addChunks(CORPUS);
    assert.equal((await open()).count(), CORPUS.length);
  });

  it('reports a corrupted manifest as MemoryError(corrupt)', async () => {
    const store = await open();
    await store.addChunks(CORPUS);
    fs.writeFileSync(path.join(archivalDir, 'manifest.json'), '{"format": 1, "embedder": ');
    await assert.rejects(open(), (err: unknown) => err instanceof MemoryError && err.kind === 'corrupt' && err.message.includes('manifest.json'));
  });

  it('serializes concurrent writes so none is lost', async () => {
    const store = await open();
    await Promise.all([
      store.addChunks(CORPUS.slice(0, 3)),
      store.addChunks(CORPUS.slice(3)),
      store.addNote('a'),
      store.addNote('b'),
      store.deleteByPath(['src/net/retry.ts']),
    ]);
    const reopened = await open();
    assert.equal(reopened.count(), store.count());
    assert.deepEqual(reopened.countBySource(), store.countBySource());
    assert.equal(store.countBySource().note, 2);
  });

  it('accepts pre-computed vectors and refuses ones of the wrong size', async () => {
    const store = await open();
    const vector = new Float32Array(128);
    vector[3] = 1;
    const ids = await store.addEmbedded([{ record: { text: 'synthetic', source: 'file', path: 'gen/a.ts', language: 'typescript' }, vector }]);
    assert.equal(ids.length, 1);
    assert.equal(store.count(), 1);
    await assert.rejects(
      store.addEmbedded([{ record: { text: 'bad', source: 'file', path: 'gen/b.ts' }, vector: new Float32Array(3) }]),
      (err: unknown) => err instanceof MemoryError && err.kind === 'invalid',
    );
  });

  it('survives kill -9 in the middle of writes: every file is whole, old or new', async () => {
    const store = await open();
    await store.addChunks(Array.from({ length: 10 }, (_, i) => chunk('keep/a.ts', i * 3 + 1, `export const keepThis${i} = ${i};`)));
    const script = path.join(dir, 'writer.ts');
    fs.writeFileSync(
      script,
      `import { ArchivalStore } from ${JSON.stringify(path.join(repoRoot, 'src', 'memory', 'archival'))};\n` +
        `import { LocalEmbedder } from ${JSON.stringify(path.join(repoRoot, 'src', 'indexing', 'localEmbedder'))};\n` +
        `(async () => {\n` +
        `  const store = await ArchivalStore.open(${JSON.stringify(archivalDir)}, new LocalEmbedder({ dimensions: 128 }));\n` +
        `  for (let round = 0; ; round++) {\n` +
        `    await store.deleteByPath(['churn/b.ts']);\n` +
        `    await store.addChunks(Array.from({ length: 8 }, (_, i) => ({ path: 'churn/b.ts', startLine: i + 1, endLine: i + 1, language: 'typescript', kind: 'lines', text: 'round ' + round + ' line ' + i })));\n` +
        `    if (round === 2) process.stderr.write('ready\\n');\n` +
        `  }\n` +
        `})();\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.on('exit', () => reject(new Error('writer exited early')));
    });
    await new Promise((r) => setTimeout(r, 30 + Math.random() * 60));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = await open();
    const keep = await after.search('keepThis', { pathPrefix: 'keep/', pageSize: 50, mode: 'keyword' });
    assert.equal(keep.total, 10);
    const churn = await after.search('round line', { pathPrefix: 'churn/', pageSize: 50, mode: 'keyword' });
    assert.ok(churn.total === 0 || churn.total === 8, `churn/b.ts has ${churn.total} chunks`);
    if (churn.total === 8) assert.equal(new Set(churn.results.map((h) => h.text.split(' ')[1])).size, 1, 'all from one round');
    // The killed writer's half-written folder is removed once it is too old to be a live writer's.
    const shardsDir = path.join(archivalDir, 'shards');
    const anHourAgo = Date.now() / 1000 - 3600;
    for (const name of fs.readdirSync(shardsDir)) fs.utimesSync(path.join(shardsDir, name), anHourAgo, anHourAgo);
    await open();
    const shardFolders = fs.readdirSync(shardsDir);
    const manifest = JSON.parse(fs.readFileSync(path.join(archivalDir, 'manifest.json'), 'utf8')) as { shards: Record<string, string> };
    assert.deepEqual(shardFolders.sort(), Object.values(manifest.shards).sort(), 'stray folders are cleaned up on open');
  });

  it('keeps every passage whole through shard rewrites, tombstones and compaction, in a file Vectra itself reads', async () => {
    const store = await open();
    const vectorOf = (i: number) => {
      const v = new Float32Array(128);
      v[i % 128] = 0.8;
      v[(i * 5 + 3) % 128] = -0.6;
      return v;
    };
    // Batches of 300 fill shards of 1000 across batches: the open shard is written again with its rows copied.
    for (let batch = 0; batch < 8; batch++) {
      await store.addEmbedded(
        Array.from({ length: 300 }, (_, k) => {
          const i = batch * 300 + k;
          return { record: { text: `export const value${i} = "é${i}";`, source: 'file' as const, path: `gen/f${i % 40}.ts`, startLine: i, endLine: i }, vector: vectorOf(i) };
        }),
      );
    }
    await store.addNote('the note survives compaction');
    const manifestFile = path.join(archivalDir, 'manifest.json');
    const manifest = () => JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { shards: Record<string, string>; deleted?: Record<string, number[]>; rows?: Record<string, number> };
    const before = manifest();
    // A few files out of a full shard: listed as removed, the shard's folder unchanged.
    await store.deleteByPath(['gen/f1.ts', 'gen/f2.ts']);
    const after = manifest();
    assert.equal(after.shards.s0001, before.shards.s0001, 'a full shard losing a few rows is not rewritten');
    assert.ok((after.deleted?.s0001 ?? []).length > 0, 'its removed rows are listed');
    // Half of it gone: written again without them.
    await store.deleteByPath(Array.from({ length: 20 }, (_, i) => `gen/f${i + 3}.ts`));
    assert.notEqual(manifest().shards.s0001, before.shards.s0001, 'compacted once half of it is gone');
    assert.equal(manifest().deleted?.s0001, undefined);
    const expected = 2400 - 22 * 60 + 1;
    assert.equal(store.count(), expected);
    for (const reader of [store, await open()]) {
      assert.equal(reader.count(), expected);
      for (const i of [0, 299, 300, 1000, 1777, 2399]) {
        const hits = await reader.search(`value${i}`, { mode: 'keyword', pageSize: 1 });
        const gone = [1, 2, ...Array.from({ length: 20 }, (_, k) => k + 3)].includes(i % 40);
        if (gone) assert.equal(hits.total === 0 || hits.results[0].text !== `export const value${i} = "é${i}";`, true);
        else {
          assert.equal(hits.results[0].text, `export const value${i} = "é${i}";`);
          assert.equal(hits.results[0].startLine, i);
          const byVector = await reader.search(`value${i}`, { mode: 'hybrid', pageSize: 1 });
          assert.equal(byVector.results[0].path, `gen/f${i % 40}.ts`);
        }
      }
      assert.equal((await reader.search('note survives compaction', { source: 'note' })).results[0]?.text, 'the note survives compaction');
    }
    // Vectra reads every shard this store wrote, vectors and all.
    const { LocalIndex } = await import('vectra');
    let items = 0;
    for (const folder of Object.values(manifest().shards)) {
      const listed = await new LocalIndex(path.join(archivalDir, 'shards', folder)).listItems();
      items += listed.length;
      assert.ok(listed.every((item) => item.vector.length === 128 && typeof item.metadata.text === 'string'));
    }
    const deleted = Object.values(manifest().deleted ?? {}).reduce((n, rows) => n + rows.length, 0);
    assert.equal(items - deleted, expected);
    // A store this small keeps no sketches in memory, yet the rows a rewrite keeps are written with theirs.
    const sketchOfVector = new Map<string, string>();
    for (let i = 0; i < 2400; i++) {
      const ints = new Int8Array(128);
      quantizeInt8(vectorOf(i), ints, 0);
      const sketch = new Int8Array(SKETCH_DIMENSIONS);
      quantizeInt8(sketchOf(vectorOf(i), 128), sketch, 0);
      sketchOfVector.set(ints.join(), sketch.join());
    }
    const rewritten = path.join(archivalDir, 'shards', manifest().shards.s0001);
    const cache = parseShardCache(rewritten, new Uint8Array(fs.readFileSync(path.join(rewritten, 'cache.bin'))), 128);
    assert.ok(cache && cache.rows > 0);
    for (let row = 0; row < cache.rows; row++) {
      const sketch = cache.sketches.subarray(row * SKETCH_DIMENSIONS, (row + 1) * SKETCH_DIMENSIONS).join();
      assert.equal(sketch, sketchOfVector.get(cache.vectors.subarray(row * 128, (row + 1) * 128).join()), `row ${row}'s sketch`);
    }
  });

  it('starts keeping sketches once it grows past their threshold while open, reading those of the shards it holds from their caches', async () => {
    // 21k passages of 128 numbers: past the sketch threshold set here (10k), and past the size from which a search goes through sketches (20k).
    const sketchFromBytes = 10_000 * 128;
    const store = await ArchivalStore.open(archivalDir, embedder, { clock, sketchFromBytes });
    const vectorOf = (i: number) => {
      const v = new Float32Array(128);
      v[i % 128] = 1;
      v[(i * 7 + 1) % 128] = i % 2 ? 0.5 : -0.5;
      return v;
    };
    for (let batch = 0; batch < 21; batch++) {
      await store.addEmbedded(
        Array.from({ length: 1000 }, (_, k) => {
          const i = batch * 1000 + k;
          return { record: { text: `export const grown${i} = ${i};`, source: 'file' as const, path: `grown/f${i}.ts` }, vector: vectorOf(i) };
        }),
      );
    }
    assert.equal(store.vectorSketches, 'none', 'opened empty: no sketches kept yet');
    const before = await store.search('grown 12345', { mode: 'vector', pageSize: 5 });
    assert.notEqual(store.vectorSketches, 'none', 'the first search past the threshold starts them');
    await store.whenSketched();
    assert.equal(store.vectorSketches, 'ready');
    const after = await store.search('grown 12345', { mode: 'vector', pageSize: 5 });
    assert.equal(before.results.length, 5);
    assert.equal(after.results.length, 5, 'through the sketches');
    assert.equal((await store.search('grown12345', { mode: 'hybrid', pageSize: 1 })).results[0]?.path, 'grown/f12345.ts');
    // A shard written now brings its own sketches; a reopened store keeps them from the start.
    await store.deleteByPath(Array.from({ length: 600 }, (_, i) => `grown/f${i}.ts`));
    assert.equal(store.vectorSketches, 'ready');
    const reopened = await ArchivalStore.open(archivalDir, embedder, { clock, sketchFromBytes });
    await reopened.whenLoaded();
    assert.equal(reopened.vectorSketches, 'ready');
    assert.equal((await reopened.search('grown20999', { mode: 'hybrid', pageSize: 1 })).results[0]?.path, 'grown/f20999.ts');
  });

  it('opens a big store lazily: open returns before every shard is in memory, searches see what has loaded, writes wait for the rest', async () => {
    const writer = await open();
    for (let batch = 0; batch < 6; batch++) {
      await writer.addEmbedded(
        Array.from({ length: 1000 }, (_, k) => {
          const i = batch * 1000 + k;
          const vector = new Float32Array(128);
          vector[i % 128] = 1;
          return { record: { text: `export const lazy${i} = ${i};`, source: 'file' as const, path: `lazy/f${i}.ts` }, vector };
        }),
      );
    }
    const lazy = await ArchivalStore.open(archivalDir, embedder, { clock, loadInBackgroundAbove: 100 });
    assert.equal(lazy.countBySource().file, 0, 'nothing is in memory yet when open returns');
    assert.equal(lazy.count(), 6000, 'the manifest says how many there are');
    const early = await lazy.search('lazy', { mode: 'keyword', pageSize: 100 });
    assert.ok(early.results.every((h) => h.path?.startsWith('lazy/')), 'a search meanwhile answers from what has loaded');
    await lazy.deleteByPath(['lazy/f5999.ts']);
    assert.equal(lazy.countBySource().file, 5999, 'the write waited for the whole store');
    await lazy.whenLoaded();
    assert.equal(lazy.count(), 5999);
    assert.equal(lazy.paths().length, 5999);
    assert.ok(!(await lazy.search('lazy5999', { mode: 'keyword', pageSize: 100 })).results.some((h) => h.path === 'lazy/f5999.ts'));
    assert.equal((await lazy.search('lazy5998', { mode: 'keyword', pageSize: 1 })).results[0].path, 'lazy/f5998.ts');
  });

  it('leaves a fresh shard folder alone on open: it may be the next generation of a writer in another process', async () => {
    const first = await open();
    await first.addChunks([chunk('src/a.ts', 1, 'export const alpha = 1;')]);
    const shardsDir = path.join(archivalDir, 'shards');
    const inProgress = path.join(shardsDir, 's0001.99');
    fs.mkdirSync(inProgress);
    fs.writeFileSync(path.join(inProgress, 'index.json'), '{"version":1,"items":[]}');
    await open(); // a reader, without the lock
    assert.ok(fs.existsSync(inProgress), 'a writer would find its new generation deleted under it');
  });
});
