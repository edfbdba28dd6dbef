// The archival store's recovery paths (issue 15 items 8-10) on real folders: a rebuild keeps the
// agent's notes whatever state the store is in; a damaged cache is never trusted; a reader racing a
// writer's generation swap reads the new generation instead of reporting damage.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import { parseShardCache } from '../../src/memory/archivalCache';
import { NOTES_RESCUE } from '../../src/memory/archivalNotes';
import type { FilePassage } from '../../src/memory/archivalMemory';

const passage = (p: string, text: string): FilePassage => ({ path: p, startLine: 1, endLine: 1, language: 'typescript', kind: 'function', text });

describe('archival store recovery', function () {
  this.timeout(20_000);
  let dir: string;
  const embedder = new LocalEmbedder({ dimensions: 64 });
  const clock = () => new Date('2025-03-01T10:00:00Z');

  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-archival-recovery-')), 'archival');
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  async function storeWithNotes(): Promise<string[]> {
    const store = await ArchivalStore.open(dir, embedder, { clock });
    await store.addChunks([passage('src/a.ts', 'export function parseInvoice() {}'), passage('src/b.ts', 'export function renderChart() {}')]);
    const a = await store.addNote('The deploy key lives in the team vault under "ci-deploy".');
    const b = await store.addNote('Never run the migration on Fridays: the backup runs then.');
    return [a.id, b.id];
  }

  /** Makes a cache as MemCode before format 5 wrote it: counts without the whole-word bit, format 4. */
  function asFormat4(cacheFile: string): void {
    const bytes = fs.readFileSync(cacheFile);
    const header = new DataView(bytes.buffer, bytes.byteOffset, 48);
    const total = header.getUint32(16, true);
    const jsonBytes = header.getUint32(20, true);
    const countsAt = bytes.length - jsonBytes - ((total * 4 + 3) & ~3);
    const counts = new Uint32Array(bytes.buffer, bytes.byteOffset + countsAt, total);
    for (let i = 0; i < total; i++) counts[i] &= ~128;
    header.setUint32(4, 4, true);
    header.setUint32(28, zlib.crc32(bytes.subarray(48)) >>> 0, true);
    fs.writeFileSync(cacheFile, bytes);
  }

  it('reads a cache an older MemCode wrote (format 4) as it is, tells whole names from the texts, and marks them once it rewrites the shard', async () => {
    const store = await ArchivalStore.open(dir, embedder, { clock });
    await store.addChunks([
      passage('src/a.ts', 'export class StringEdit { apply() {} }'),
      passage('src/b.ts', 'const v = stringedit_value + 1;'),
      passage('src/c.ts', 'class StringeditFoo {}'),
    ]);
    const before = (await store.search('StringEdit', { pageSize: 3 })).results.map((h) => h.path);
    const shards = path.join(dir, 'shards');
    const folder = fs.readdirSync(shards)[0];
    const cacheFile = path.join(shards, folder, 'cache.bin');
    asFormat4(cacheFile);
    const old = fs.readFileSync(cacheFile);
    assert.equal(parseShardCache(path.dirname(cacheFile), new Uint8Array(old), 64)?.wholeMarked, false, 'read, and known not to mark whole words');
    const reopened = await ArchivalStore.open(dir, embedder, { clock });
    assert.deepEqual((await reopened.search('StringEdit', { pageSize: 3 })).results.map((h) => h.path), before, 'the same ranking, from the texts');
    assert.deepEqual(fs.readFileSync(cacheFile), old, 'the older cache is used, not rebuilt');
    // A write rewrites the shard: its cache is format 5 again, its rows' counts made from their texts.
    await reopened.addChunks([passage('src/d.ts', 'export function other() {}')]);
    const current = fs.readdirSync(shards).map((f) => fs.readFileSync(path.join(shards, f, 'cache.bin')));
    assert.ok(current.every((bytes) => bytes.readUint32LE(4) === 5), 'every cache is format 5 after the write');
    const again = await ArchivalStore.open(dir, embedder, { clock });
    assert.deepEqual((await again.search('StringEdit', { pageSize: 3 })).results.map((h) => h.path), before);
    assert.equal(before[0], 'src/a.ts');
  });

  it('keeps notes (ids, times and texts) through a rebuild with another embedder, re-embedded for it', async () => {
    const ids = await storeWithNotes();
    const other = new LocalEmbedder({ dimensions: 32 });
    const rebuilt = await ArchivalStore.rebuild(dir, other, { clock });
    assert.deepEqual(rebuilt.countBySource(), { file: 0, note: 2 });
    const hits = await rebuilt.search('migration Fridays backup', { source: 'note' });
    assert.equal(hits.results[0].id, ids[1]);
    assert.equal(hits.results[0].time, '2025-03-01T10:00:00.000Z');
    const reopened = await ArchivalStore.open(dir, other);
    assert.deepEqual(reopened.countBySource(), { file: 0, note: 2 });
    assert.ok(!fs.existsSync(path.join(dir, NOTES_RESCUE)), 'the rescue file goes once the notes are in');
  });

  it('keeps notes through a rebuild when the manifest is damaged, reading them from the shards', async () => {
    await storeWithNotes();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"format":1,');
    await assert.rejects(ArchivalStore.open(dir, embedder), /manifest\.json is corrupted.*memcode doctor/s);
    const rebuilt = await ArchivalStore.rebuild(dir, embedder);
    assert.deepEqual(rebuilt.countBySource(), { file: 0, note: 2 });
  });

  it('reads notes from cache.bin when a shard\'s index.json is damaged too', async () => {
    await storeWithNotes();
    fs.writeFileSync(path.join(dir, 'manifest.json'), 'garbage');
    const shards = path.join(dir, 'shards');
    for (const folder of fs.readdirSync(shards)) fs.writeFileSync(path.join(shards, folder, 'index.json'), '{"items": [');
    const rebuilt = await ArchivalStore.rebuild(dir, embedder);
    assert.equal(rebuilt.countBySource().note, 2);
  });

  it('finds notes left in the rescue file by a rebuild that crashed before they were back in', async () => {
    await storeWithNotes();
    const notes = [{ id: 'n-1', text: 'Rescued: the staging host is db-7.', source: 'note', time: '2025-01-01T00:00:00.000Z' }];
    fs.writeFileSync(path.join(dir, NOTES_RESCUE), JSON.stringify(notes));
    const rebuilt = await ArchivalStore.rebuild(dir, embedder);
    assert.equal(rebuilt.countBySource().note, 3);
    assert.equal((await rebuilt.search('staging host', { source: 'note' })).results[0].id, 'n-1');
  });

  it('leaves the store as it was when the new embedder fails', async () => {
    await storeWithNotes();
    const failing = { id: 'broken', dimensions: 16, embed: () => Promise.reject(new Error('embedder down')) };
    await assert.rejects(ArchivalStore.rebuild(dir, failing), /embedder down/);
    assert.deepEqual((await ArchivalStore.open(dir, embedder)).countBySource(), { file: 2, note: 2 });
  });

  it('trusts a copied folder’s caches after one read of index.json, and not a cache whose index.json changed at the same size', async () => {
    await storeWithNotes();
    // Copied without its times, as `cp -r` or a restore does: every index.json has a new mtime.
    const copy = path.join(path.dirname(dir), 'copy');
    fs.cpSync(dir, copy, { recursive: true });
    const shards = path.join(copy, 'shards');
    const [folder] = fs.readdirSync(shards);
    const index = path.join(shards, folder, 'index.json');
    const cache = path.join(shards, folder, 'cache.bin');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(index, later, later);
    const inode = fs.statSync(cache).ino;
    const payload = fs.readFileSync(cache).subarray(48);
    const store = await ArchivalStore.open(copy, embedder, { clock });
    assert.equal((await store.search('parseInvoice', { pageSize: 1 })).results[0]?.path, 'src/a.ts');
    assert.equal(fs.statSync(cache).ino, inode, 'the cache is kept, not written again');
    assert.deepEqual(fs.readFileSync(cache).subarray(48), payload);
    assert.equal(fs.readFileSync(cache).readDoubleLE(40), fs.statSync(index).mtimeMs, 'and stamped with index.json’s new time');
    // index.json changed in place, same size: its CRC-32 differs, so the cache is made again from it.
    const text = fs.readFileSync(index, 'utf8');
    fs.writeFileSync(index, text.replace('parseInvoice', 'parseReceipt'));
    const even = new Date(Date.now() + 120_000);
    fs.utimesSync(index, even, even);
    const changed = await ArchivalStore.open(copy, embedder, { clock });
    assert.equal((await changed.search('parseReceipt', { pageSize: 1, mode: 'keyword' })).results[0]?.path, 'src/a.ts');
    assert.notEqual(fs.statSync(cache).ino, inode, 'rebuilt');
  });

  it('does not trust a garbled cache: warns, reads index.json and writes the cache again', async () => {
    await storeWithNotes();
    const shards = path.join(dir, 'shards');
    const [folder] = fs.readdirSync(shards);
    const cache = path.join(shards, folder, 'cache.bin');
    const bytes = fs.readFileSync(cache);
    const at = bytes.indexOf('deploy key');
    bytes.fill(0x58, at, at + 24);
    fs.writeFileSync(cache, bytes);
    const warnings: string[] = [];
    const store = await ArchivalStore.open(dir, embedder, { warn: (m) => warnings.push(m) });
    assert.match((await store.search('deploy key vault', { source: 'note' })).results[0].text, /^The deploy key lives/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cache\.bin is damaged \(its checksum does not match/);
    const again: string[] = [];
    await ArchivalStore.open(dir, embedder, { warn: (m) => again.push(m) });
    assert.deepEqual(again, []);
  });

  it('a reader that loses the race with a generation swap reads the new generation', async () => {
    const writer = await ArchivalStore.open(dir, embedder);
    await writer.addChunks([passage('src/a.ts', 'export const one = 1;')]);
    const reader = await ArchivalStore.open(dir, embedder);
    // Many swaps in a row while the reader syncs: every sync must see a whole generation.
    const writes = (async () => {
      for (let i = 0; i < 30; i++) await writer.replaceChunks(['src/a.ts'], [passage('src/a.ts', `export const n = ${i};`)]);
    })();
    let syncs = 0;
    let done = false;
    void writes.then(() => (done = true));
    while (!done) {
      await reader.sync();
      syncs++;
      await new Promise((r) => setImmediate(r));
    }
    await writes;
    await reader.sync();
    assert.ok(syncs > 0);
    assert.equal(reader.count(), 1);
  });

  it('calls a shard file missing while the manifest stays put damage, after a short wait', async () => {
    const store = await ArchivalStore.open(dir, embedder);
    await store.addChunks([passage('src/a.ts', 'export const one = 1;')]);
    const shards = path.join(dir, 'shards');
    const [folder] = fs.readdirSync(shards);
    fs.rmSync(path.join(shards, folder, 'index.json'));
    fs.rmSync(path.join(shards, folder, 'cache.bin'));
    const started = Date.now();
    await assert.rejects(ArchivalStore.open(dir, embedder), /index\.json is corrupted \(the file is missing\); run `memcode doctor`/);
    assert.ok(Date.now() - started < 5000);
  });
});
