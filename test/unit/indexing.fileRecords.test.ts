import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { createEmbedder } from '../../src/indexing/embeddings';
import { FileRecordLog, fileRecordLogPath, readFileRecords, type FileRecord } from '../../src/indexing/fileRecords';
import { Indexer } from '../../src/indexing/indexer';
import { ArchivalStore } from '../../src/memory/archival';
import type { ArchivalMemory } from '../../src/memory/archivalMemory';

const EMBEDDER = 'local-test';

function record(n: number, chunks = 1): FileRecord {
  return { hash: String(n).padStart(40, '0'), size: n, mtimeMs: 1_700_000_000_000 + n, chunks };
}

describe('file records (files.json and files.log)', function () {
  let dir: string;
  let snapshot: string;
  let log: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-file-records-'));
    snapshot = path.join(dir, 'files.json');
    log = fileRecordLogPath(snapshot);
  });

  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays the changes appended since the snapshot, without rewriting the snapshot per flush', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.set('b.ts', record(2));
    book.flush();
    const first = fs.readFileSync(snapshot, 'utf8');
    book.set('c.ts', record(3));
    book.delete('a.ts');
    book.set('b.ts', record(22, 4));
    book.flush();
    book.set('d.ts', record(4));
    book.flush();
    assert.equal(fs.readFileSync(snapshot, 'utf8'), first, 'later batches only append to the log');
    assert.equal(log, path.join(dir, 'files.log'));
    assert.equal(fs.readFileSync(log, 'utf8').trim().split('\n').length, 1 + 4);

    const again = readFileRecords(snapshot, EMBEDDER);
    assert.deepEqual(again.files, { 'b.ts': record(22, 4), 'c.ts': record(3), 'd.ts': record(4) });
    assert.equal(again.embedderId, EMBEDDER);
  });

  it('ignores a line cut off by a kill -9 and appends the next batch on a fresh line', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.flush();
    book.set('b.ts', record(2));
    book.flush();
    fs.appendFileSync(log, '{"path":"c.ts","hash":"00');

    const reopened = FileRecordLog.open(snapshot, EMBEDDER);
    assert.deepEqual([...reopened.paths()].sort(), ['a.ts', 'b.ts']);
    reopened.set('d.ts', record(4));
    reopened.flush();
    assert.deepEqual(Object.keys(readFileRecords(snapshot, EMBEDDER).files).sort(), ['a.ts', 'b.ts', 'd.ts']);
  });

  it('reads a files.json written before the log and continues it without rewriting it', function () {
    const old = { version: 1, embedderId: EMBEDDER, files: { 'a.ts': record(1), 'b.ts': record(2) } };
    fs.writeFileSync(snapshot, `${JSON.stringify(old)}\n`);
    const before = fs.readFileSync(snapshot, 'utf8');

    const book = FileRecordLog.open(snapshot, EMBEDDER);
    assert.deepEqual(book.toRecords(), old);
    book.delete('a.ts');
    book.set('c.ts', record(3));
    book.flush();
    assert.equal(fs.readFileSync(snapshot, 'utf8'), before);
    assert.ok(fs.existsSync(log));
    assert.deepEqual(readFileRecords(snapshot, EMBEDDER).files, { 'b.ts': record(2), 'c.ts': record(3) });
  });

  it('ignores a log that continues another snapshot: a compaction cut short, or files.json rewritten by an older MemCode', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.flush();
    book.set('b.ts', record(2));
    book.flush();
    const staleLog = fs.readFileSync(log);

    // Crash between the new snapshot and the new log: the old log is still there.
    book.delete('b.ts');
    book.compact();
    fs.writeFileSync(log, staleLog);
    assert.deepEqual(Object.keys(readFileRecords(snapshot, EMBEDDER).files), ['a.ts']);

    // An older MemCode rewrites files.json whole (keeping whatever it read) and knows nothing of the log.
    const older = { version: 1, embedderId: EMBEDDER, files: { 'z.ts': record(26) } };
    fs.writeFileSync(snapshot, JSON.stringify(older));
    const reopened = FileRecordLog.open(snapshot, EMBEDDER);
    assert.deepEqual(Object.keys(reopened.toRecords().files), ['z.ts']);
    reopened.set('y.ts', record(25));
    reopened.flush();
    assert.deepEqual(Object.keys(readFileRecords(snapshot, EMBEDDER).files).sort(), ['y.ts', 'z.ts']);
  });

  it('compacts into one snapshot when the log outgrows the records, and after a full run', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.set('b.ts', record(2));
    book.flush();
    for (let i = 0; i < 1200; i++) {
      book.set('a.ts', record(1000 + i));
      book.flush();
      book.compactIfLarge();
    }
    assert.ok(book.logLength <= 1001, `${book.logLength} lines in the log`);
    const compacted = JSON.parse(fs.readFileSync(snapshot, 'utf8')) as { files: Record<string, FileRecord> };
    assert.ok(compacted.files['a.ts'].size >= 1000, 'the snapshot was rewritten with the later records');
    assert.deepEqual(readFileRecords(snapshot, EMBEDDER).files['a.ts'], record(2199));

    book.set('c.ts', record(3));
    book.compactIfChanged();
    assert.equal(book.logLength, 0);
    assert.equal(fs.readFileSync(log, 'utf8').trim().split('\n').length, 1, 'only the header is left');
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(snapshot, 'utf8')).files).sort(), ['a.ts', 'b.ts', 'c.ts']);
  });

  it('starts empty for another embedder, and its first flush writes a snapshot for the new one', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.flush();
    const other = FileRecordLog.open(snapshot, 'openai:text-embedding-3-small');
    assert.equal(other.size, 0);
    other.set('b.ts', record(2));
    other.flush();
    const onDisk = JSON.parse(fs.readFileSync(snapshot, 'utf8')) as { embedderId: string; files: object };
    assert.equal(onDisk.embedderId, 'openai:text-embedding-3-small');
    assert.deepEqual(Object.keys(readFileRecords(snapshot, 'openai:text-embedding-3-small').files), ['b.ts']);
    assert.equal(readFileRecords(snapshot, EMBEDDER).files['a.ts'], undefined);
  });

  it('moves a corrupted snapshot aside with a warning, and its log with it is not replayed', function () {
    const book = FileRecordLog.open(snapshot, EMBEDDER);
    book.set('a.ts', record(1));
    book.flush();
    book.set('b.ts', record(2));
    book.flush();
    fs.writeFileSync(snapshot, '{ not json');
    const warnings: string[] = [];
    const reopened = FileRecordLog.open(snapshot, EMBEDDER, (m) => warnings.push(m));
    assert.equal(reopened.size, 0);
    assert.ok(warnings.some((w) => w.includes('corrupted')));
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('files.json.corrupt-')));
  });

  describe('with the indexer', function () {
    let chunker: CodeChunker;
    const embedder = createEmbedder({ provider: 'local' });

    before(async function () {
      chunker = await CodeChunker.create({ languages: ['typescript'] });
    });

    /**
     * The real store, whose replaceChunks stores the batch and then never returns: the process as a kill -9
     * right after the store write leaves it (nothing after the write runs, no catch, no finally).
     */
    function killedAfterWrite(store: ArchivalStore, written: () => void): ArchivalMemory {
      return new Proxy(store, {
        get(target, key) {
          if (key === 'replaceChunks') {
            return async (...args: Parameters<ArchivalStore['replaceChunks']>) => {
              await target.replaceChunks(...args);
              written();
              return new Promise<never>(() => {});
            };
          }
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    }

    it('after a crash between the store write and the record append, no record claims the old content', async function () {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-file-records-ws-'));
      try {
        const fn = (name: string) => `export function ${name}(x: number): number {\n  return x + 1;\n}\n`;
        fs.writeFileSync(path.join(root, 'a.ts'), fn('alphaOne'));
        fs.writeFileSync(path.join(root, 'b.ts'), fn('betaOne'));
        const archivalDir = path.join(root, '.memcode', 'archival');
        const fileRecordsPath = path.join(archivalDir, 'files.json');
        const store = await ArchivalStore.open(archivalDir, embedder);
        await new Indexer({ workspaceRoot: root, archival: store, fileRecordsPath, chunker }).run();
        const original = readFileRecords(fileRecordsPath, store.embedderId).files['a.ts'];

        fs.writeFileSync(path.join(root, 'a.ts'), fn('alphaTwo'));
        await new Promise<void>((resolve) => {
          const killed = new Indexer({ workspaceRoot: root, archival: killedAfterWrite(store, resolve), fileRecordsPath, chunker });
          void killed.updateFiles(['a.ts']);
        });
        assert.equal((await store.search('alphaTwo', { mode: 'keyword' })).results[0]?.path, 'a.ts', 'the store holds the new chunks');
        const afterCrash = readFileRecords(fileRecordsPath, store.embedderId);
        assert.equal(afterCrash.files['a.ts'], undefined, 'the old record was dropped before the store changed');
        assert.deepEqual(Object.keys(afterCrash.files), ['b.ts']);

        // Changed back to what the old record described: still indexed again, never taken for unchanged.
        fs.writeFileSync(path.join(root, 'a.ts'), fn('alphaOne'));
        const report = await new Indexer({ workspaceRoot: root, archival: store, fileRecordsPath, chunker }).run();
        assert.deepEqual([report.filesIndexed, report.filesUnchanged], [1, 1]);
        const texts = (await store.search('alpha', { mode: 'keyword' })).results.filter((h) => h.path === 'a.ts').map((h) => h.text);
        assert.deepEqual(texts.map((t) => t.includes('alphaOne')), [true], 'a.ts holds its current content only');
        assert.equal(store.countBySource().file, 2, 'one chunk per file, none duplicated');
        assert.equal(readFileRecords(fileRecordsPath, store.embedderId).files['a.ts'].hash, original.hash);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('a full run leaves one snapshot holding every record and an empty log', async function () {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-file-records-ws-'));
      try {
        for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(root, `m${i}.ts`), `export const value${i} = ${i};\n`);
        const archivalDir = path.join(root, '.memcode', 'archival');
        const fileRecordsPath = path.join(archivalDir, 'files.json');
        const store = await ArchivalStore.open(archivalDir, embedder);
        await new Indexer({ workspaceRoot: root, archival: store, fileRecordsPath, chunker, batchFiles: 5 }).run();
        const onDisk = JSON.parse(fs.readFileSync(fileRecordsPath, 'utf8')) as { files: object };
        assert.equal(Object.keys(onDisk.files).length, 12);
        assert.equal(fs.readFileSync(fileRecordLogPath(fileRecordsPath), 'utf8').trim().split('\n').length, 1);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
