// Archival memory in PostgreSQL + pgvector, against a real engine: PGlite with the real pgvector
// extension, served over the wire protocol and reached with the ordinary `pg` client (helpers/pgliteServer.ts).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { MemoryFolder } from '../../src/app/memoryFolder';
import { normaliseRemote, repoKeyOf } from '../../src/app/repoKey';
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import type { Embedder, FilePassage } from '../../src/memory/archivalMemory';
import { PostgresArchival } from '../../src/memory/postgresArchival';
import { SCHEMA_VERSION } from '../../src/memory/postgresSchema';
import { MemoryError } from '../../src/memory/types';
import { runCli } from '../helpers/cli';
import { startPgliteServer, type PgliteServer } from '../helpers/pgliteServer';
import { removeTempWorkspaces, tempWorkspace, writeFile } from '../helpers/workspace';

/** The local embedder, counting the texts it is asked to embed. */
class CountingEmbedder implements Embedder {
  readonly inner: LocalEmbedder;
  texts = 0;
  constructor(dimensions?: number) {
    this.inner = new LocalEmbedder({ dimensions });
  }
  get id(): string {
    return this.inner.id;
  }
  get dimensions(): number {
    return this.inner.dimensions;
  }
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    this.texts += texts.length;
    return this.inner.embed(texts, signal);
  }
}

function passage(p: string, startLine: number, text: string, symbol?: string): FilePassage {
  return { path: p, startLine, endLine: startLine + text.split('\n').length - 1, language: 'typescript', kind: symbol ? 'function' : 'lines', text, ...(symbol ? { symbol } : {}) };
}

const FILES: FilePassage[] = [
  passage('src/config/load.ts', 1, 'export function parseConfig(file: string): Config {\n  return JSON.parse(fs.readFileSync(file, "utf8"));\n}', 'parseConfig'),
  passage('src/config/load.ts', 5, 'export function parseConfigWithDefaults(file: string) {\n  return { ...DEFAULTS, ...parseConfig(file) };\n}', 'parseConfigWithDefaults'),
  passage('src/net/retry.ts', 1, 'export async function retryWithBackoff(fn, attempts = 5) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await sleep(2 ** i * 100); }\n  }\n}', 'retryWithBackoff'),
  passage('src/billing/refund.ts', 1, 'export function refundInvoice(invoice: Invoice) {\n  // money goes back to the customer card\n  return payments.refund(invoice.chargeId);\n}', 'refundInvoice'),
];

describe('archival memory in PostgreSQL + pgvector (a real engine over the wire)', function () {
  this.timeout(120_000);
  let server: PgliteServer;
  const opened: PostgresArchival[] = [];
  let repoCount = 0;

  before(async () => {
    server = await startPgliteServer();
  });
  // Every store lets its connections go after its test: the test server takes only so many at once.
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });
  after(async () => {
    await server?.stop();
    removeTempWorkspaces();
  });

  async function open(opts: { repo?: string; embedder?: Embedder; notesDir?: string; rebuild?: boolean; commonWordsFrom?: number } = {}) {
    const embedder = opts.embedder ?? new CountingEmbedder();
    const notes = await ArchivalStore.open(opts.notesDir ?? path.join(tempWorkspace('memcode-pg-notes-'), 'archival'), embedder);
    const store = await PostgresArchival.open({ databaseUrl: server.url, repo: opts.repo ?? `repo-${++repoCount}`, embedder, notes, rebuild: opts.rebuild, commonWordsFrom: opts.commonWordsFrom });
    opened.push(store);
    return store;
  }

  async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  it('indexes passages and finds them by meaning and by name, fused as the embedded store fuses them', async () => {
    const store = await open();
    await store.replaceChunks([], FILES);
    assert.equal(store.count(), 4);
    assert.deepEqual(store.paths(), ['src/billing/refund.ts', 'src/config/load.ts', 'src/net/retry.ts']);
    const byName = await store.search('parseConfig', { pageSize: 3 });
    assert.equal(byName.results[0].symbol, 'parseConfig', 'the definition outranks the longer name that contains it');
    assert.equal(byName.results[0].path, 'src/config/load.ts');
    assert.equal(byName.results[0].startLine, 1);
    assert.ok(byName.results[0].score > 0 && byName.results[0].score <= 1);
    const byMeaning = await store.search('give the customer their money back', { pageSize: 1 });
    assert.equal(byMeaning.results[0].path, 'src/billing/refund.ts');
    const keyword = await store.search('backoff attempts', { mode: 'keyword', pageSize: 1 });
    assert.equal(keyword.results[0].path, 'src/net/retry.ts');
    const vector = await store.search('retry with backoff', { mode: 'vector', pageSize: 1 });
    assert.equal(vector.results[0].path, 'src/net/retry.ts');
    const filtered = await store.search('parseConfig', { pathPrefix: 'src/net/', pageSize: 5 });
    assert.ok(filtered.results.every((h) => h.path === 'src/net/retry.ts'));
  });

  it('finds keyword hits by the rarer words and ranks them by all, as the embedded store\'s BM25 does', async () => {
    const store = await open({ commonWordsFrom: 10 });
    const passages = Array.from({ length: 30 }, (_, i) =>
      passage(`src/p${String(i).padStart(2, '0')}.ts`, 1, `export const handler${i} = widget.render(${i});${i < 3 ? ' // zanzibar' : ''}${i === 1 ? ' widget widget' : ''}`),
    );
    await store.replaceChunks([], passages);
    const both = await store.search('zanzibar widget', { mode: 'keyword', pageSize: 10 });
    assert.deepEqual(both.results.map((h) => h.path).sort(), ['src/p00.ts', 'src/p01.ts', 'src/p02.ts'], 'the common word finds nothing on its own');
    assert.equal(both.results[0].path, 'src/p01.ts', 'and still ranks: the passage holding it most comes first');
    const common = await store.search('widget', { mode: 'keyword', pageSize: 50 });
    assert.equal(common.total, 30, 'a query of common words alone still finds them');
  });

  it('replaces a saved file and drops a removed one', async () => {
    const store = await open();
    await store.replaceChunks([], FILES);
    await store.replaceChunks(['src/net/retry.ts'], [passage('src/net/retry.ts', 1, 'export function circuitBreaker(threshold: number) {\n  return new Breaker(threshold);\n}', 'circuitBreaker')]);
    assert.equal(store.count(), 4);
    assert.equal((await store.search('circuitBreaker', { pageSize: 1 })).results[0]?.path, 'src/net/retry.ts');
    assert.ok(!(await store.search('retryWithBackoff', { pageSize: 10 })).results.some((h) => h.text.includes('retryWithBackoff(fn')), 'the old version is gone');
    assert.equal(await store.deleteByPath(['src/config/load.ts']), 2);
    assert.deepEqual(store.paths(), ['src/billing/refund.ts', 'src/net/retry.ts']);
    assert.equal(store.count(), 2);
  });

  it('reuses what a teammate indexed: unchanged files are neither embedded nor inserted again, changed ones embed only new passages', async () => {
    const first = new CountingEmbedder();
    const a = await open({ repo: 'github.com/team/shared', embedder: first });
    await a.replaceChunks([], FILES);
    assert.equal(first.texts, 4);
    const idsBefore = (await sql<{ id: string }>("SELECT id FROM memcode_chunks WHERE repo = 'github.com/team/shared' ORDER BY id")).map((r) => r.id);

    const second = new CountingEmbedder();
    const b = await open({ repo: 'github.com/team/shared', embedder: second });
    assert.deepEqual(b.paths(), a.paths(), "the teammate's files are there before any index run");
    await b.replaceChunks(b.paths(), FILES);
    assert.equal(second.texts, 0, 'nothing embedded again');
    const idsAfter = (await sql<{ id: string }>("SELECT id FROM memcode_chunks WHERE repo = 'github.com/team/shared' ORDER BY id")).map((r) => r.id);
    assert.deepEqual(idsAfter, idsBefore, 'nothing inserted again');

    // One passage of a file changes: only it is embedded; its neighbour's vector is taken from the database.
    const edited = [FILES[0], passage('src/config/load.ts', 5, 'export function parseConfigStrict(file: string) {\n  return validate(parseConfig(file));\n}', 'parseConfigStrict')];
    await b.replaceChunks(['src/config/load.ts'], edited);
    assert.equal(second.texts, 1);
    await a.sync();
    assert.equal((await a.search('parseConfigStrict', { pageSize: 1 })).results[0]?.symbol, 'parseConfigStrict', 'the first sees the second one\'s change');
  });

  it('keeps the agent\'s notes in the local store: searched with the files, never written to the shared database', async () => {
    const store = await open();
    await store.replaceChunks([], FILES);
    const note = await store.addNote('Decision: invoices are refunded through the payments gateway, never by hand (zebracorn).');
    assert.equal(note.source, 'note');
    assert.deepEqual(store.countBySource(), { file: 4, note: 1 });
    const leaked = await sql<{ n: string }>("SELECT count(*) AS n FROM memcode_chunks WHERE text LIKE '%zebracorn%'");
    assert.equal(Number(leaked[0].n), 0, 'the note is not in the database');
    const hits = await store.search('zebracorn refunded', { pageSize: 5 });
    assert.equal(hits.results[0]?.source, 'note');
    assert.ok(hits.results.some((h) => h.path === 'src/billing/refund.ts'), 'files rank in the same list');
    assert.equal((await store.search('zebracorn', { source: 'file', pageSize: 5 })).results.filter((h) => h.source === 'note').length, 0);
  });

  it('creates the schema once, versioned, and refuses a version it does not know', async () => {
    await open();
    await open();
    const versions = await sql<{ version: number }>('SELECT version FROM memcode_schema_version');
    assert.deepEqual(versions, [{ version: SCHEMA_VERSION }]);
    const hnsw = await sql<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'memcode_chunks_hnsw_%'");
    assert.equal(hnsw.length, 1, 'one HNSW index for the one dimension count in use');

    await sql('UPDATE memcode_schema_version SET version = $1', [SCHEMA_VERSION + 1]);
    try {
      await assert.rejects(open(), (err: Error) => err instanceof MemoryError && /schema version 2, newer than this MemCode knows \(1\): update MemCode/.test(err.message));
    } finally {
      await sql('UPDATE memcode_schema_version SET version = $1', [SCHEMA_VERSION]);
    }
  });

  it('refuses an embedder whose vectors differ from the ones the repository holds, and says how to rebuild', async () => {
    const repo = 'github.com/team/dims';
    const a = await open({ repo });
    await a.replaceChunks([], FILES.slice(0, 1));
    await assert.rejects(open({ repo, embedder: new CountingEmbedder(128) }), (err: Error) => {
      assert.match(err.message, /built with local-\S+ \(384 dimensions\) but the current embedder is local-\S+ \(128\)/);
      assert.match(err.message, /rebuild/);
      return true;
    });
    const rebuilt = await open({ repo, embedder: new CountingEmbedder(128), rebuild: true });
    assert.equal(rebuilt.count(), 0);
    await rebuilt.replaceChunks([], FILES);
    assert.equal((await rebuilt.search('parseConfig', { pageSize: 1 })).results[0]?.symbol, 'parseConfig');
  });

  it('says when it cannot connect, without the password', async () => {
    const port = await closedPort();
    const url = `postgres://alice:hunter2-very-secret@127.0.0.1:${port}/memcode`;
    const notes = await ArchivalStore.open(path.join(tempWorkspace('memcode-pg-notes-'), 'archival'), new CountingEmbedder());
    await assert.rejects(PostgresArchival.open({ databaseUrl: url, repo: 'r', embedder: new CountingEmbedder(), notes }), (err: Error) => {
      assert.ok(err instanceof MemoryError);
      assert.match(err.message, /cannot connect to the archival database at postgres:\/\/alice:\*\*\*@127\.0\.0\.1:\d+\/memcode: .*ECONNREFUSED/);
      assert.ok(!err.message.includes('hunter2'), err.message);
      assert.ok(!String(err.stack).includes('hunter2'));
      return true;
    });
  });

  it('says when the database has no pgvector', async () => {
    const db = await PGlite.create();
    const bare = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
    await bare.start();
    try {
      const port = (bare as unknown as { port: number }).port;
      const notes = await ArchivalStore.open(path.join(tempWorkspace('memcode-pg-notes-'), 'archival'), new CountingEmbedder());
      const url = `postgres://u:pw-secret@127.0.0.1:${port}/postgres`;
      await assert.rejects(PostgresArchival.open({ databaseUrl: url, repo: 'r', embedder: new CountingEmbedder(), notes }), (err: Error) => {
        assert.match(err.message, /the database has no pgvector extension/);
        assert.ok(!err.message.includes('pw-secret'));
        return true;
      });
    } finally {
      await bare.stop();
      await db.close();
    }
  });

  it('names a repository by its remote, the same however it was cloned, never with credentials; by its folder without one', () => {
    for (const remote of ['git@github.com:Acme/Shop.git', 'https://bob:token123@github.com/acme/shop', 'ssh://git@github.com:22/acme/shop.git', 'https://github.com/acme/shop/']) {
      assert.equal(normaliseRemote(remote), 'github.com/acme/shop', remote);
    }
    const bare = tempWorkspace('memcode-pg-Folder-');
    assert.equal(repoKeyOf(bare), `folder:${path.basename(bare).toLowerCase()}`);
    // A worktree's .git file names its own folder, whose commondir leads to the shared config.
    const main = tempWorkspace('memcode-pg-main-');
    writeFile(main, '.git/config', '[remote "upstream"]\n\turl = git@gitlab.example.com:team/api.git\n[remote "origin"]\n\turl = https://gitlab.example.com/team/API\n');
    writeFile(main, '.git/worktrees/wt/commondir', '../..\n');
    const worktree = tempWorkspace('memcode-pg-wt-');
    writeFile(worktree, '.git', `gitdir: ${path.join(main, '.git/worktrees/wt')}\n`);
    fs.mkdirSync(path.join(worktree, 'packages/app'), { recursive: true });
    assert.equal(repoKeyOf(path.join(worktree, 'packages/app')), 'gitlab.example.com/team/api', 'origin wins, found from a subfolder of a worktree');
  });

  it('says what to do when the postgres backend has no database URL', async () => {
    const root = tempWorkspace('memcode-pg-nourl-');
    writeFile(root, 'src/a.ts', 'export const a = 1;\n');
    const folder = new MemoryFolder({
      workspaceRoot: root,
      memoryRoot: path.join(root, '.memcode'),
      embeddings: () => ({ provider: 'local' }),
      archival: () => ({ backend: 'postgres' }),
      warn: () => {},
    });
    await assert.rejects(folder.index({}), /no database URL is set: run MemCode: Set Database URL, or set MEMCODE_DATABASE_URL/);
    assert.equal(folder.state.status, 'error');
  });

  it('is what `memcode index` and `memcode memory search` use with MEMCODE_ARCHIVAL_BACKEND=postgres (the built CLI)', async () => {
    const root = tempWorkspace('memcode-pg-cli-');
    writeFile(root, 'src/ledger.ts', 'export function reconcileLedger(entries: Entry[]) {\n  return entries.filter((e) => e.amount !== 0);\n}\n');
    const env = { MEMCODE_ARCHIVAL_BACKEND: 'postgres', MEMCODE_DATABASE_URL: server.url, MEMCODE_REPO_KEY: 'cli/ledger' };
    const indexed = await runCli(['index', '-C', root], env);
    assert.equal(indexed.code, 0, indexed.stderr);
    const rows = await sql<{ path: string }>("SELECT path FROM memcode_chunks WHERE repo = 'cli/ledger'");
    assert.deepEqual(rows, [{ path: 'src/ledger.ts' }]);
    const found = await runCli(['memory', 'search', 'reconcileLedger', '-C', root], env);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /src\/ledger\.ts:1-3 reconcileLedger/);
    const refused = await runCli(['memory', 'search', 'reconcileLedger', '-C', root], { ...env, MEMCODE_DATABASE_URL: `postgres://ops:pa55-word-x@127.0.0.1:${await closedPort()}/db` });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /cannot connect to the archival database at postgres:\/\/ops:\*\*\*@127\.0\.0\.1/);
    assert.ok(!(refused.stdout + refused.stderr).includes('pa55-word-x'));
  });

  describe('two memory folders pointed at one database', () => {
    function teammate(remote: string, files: Record<string, string>) {
      const root = tempWorkspace('memcode-pg-team-');
      writeFile(root, '.git/config', `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`);
      for (const [rel, text] of Object.entries(files)) writeFile(root, rel, text);
      const warnings: string[] = [];
      const folder = new MemoryFolder({
        workspaceRoot: root,
        memoryRoot: path.join(root, '.memcode'),
        embeddings: () => ({ provider: 'local' }),
        archival: () => ({ backend: 'postgres', databaseUrl: server.url }),
        index: () => ({ exclude: [], maxFileSize: 1_000_000 }),
        warn: (m) => warnings.push(m),
      });
      return { root, folder, warnings };
    }

    const SOURCES = {
      'src/orders.ts': 'export function placeOrder(cart: Cart) {\n  return checkout(cart);\n}\n',
      'src/shipping.ts': 'export function shipParcel(parcel: Parcel) {\n  return courier.send(parcel);\n}\n',
    };

    it('see each other\'s indexed files; the second reuses the first one\'s index; notes stay with their folder', async () => {
      // The same repository cloned over ssh by one and over https by the other: one namespace.
      const alice = teammate('git@github.com:Acme/Shop.git', SOURCES);
      const bob = teammate('https://bob:token123@github.com/acme/shop', SOURCES);
      try {
        const report = await alice.folder.index({});
        assert.equal(report.filesIndexed, 2);
        const repoRows = await sql<{ repo: string }>('SELECT DISTINCT repo FROM memcode_chunks WHERE path = $1', ['src/orders.ts']);
        assert.ok(repoRows.some((r) => r.repo === 'github.com/acme/shop'), JSON.stringify(repoRows));
        assert.ok(!JSON.stringify(await sql('SELECT repo FROM memcode_repos')).includes('token123'), 'no credentials in the namespace');

        assert.deepEqual((await bob.folder.archival()).paths(), ['src/orders.ts', 'src/shipping.ts'], 'bob sees alice\'s index before indexing');
        assert.equal((await bob.folder.search('shipParcel', 1)).results[0]?.path, 'src/shipping.ts');

        const before = await sql<{ id: string }>("SELECT id FROM memcode_chunks WHERE repo = 'github.com/acme/shop' ORDER BY id");
        await bob.folder.index({});
        const after = await sql<{ id: string }>("SELECT id FROM memcode_chunks WHERE repo = 'github.com/acme/shop' ORDER BY id");
        assert.deepEqual(after, before, 'bob\'s index run re-inserted nothing');

        // Bob saves a change; alice's folder sees it on its next use.
        fs.writeFileSync(path.join(bob.root, 'src/shipping.ts'), 'export function shipParcelExpress(parcel: Parcel) {\n  return courier.express(parcel);\n}\n');
        await bob.folder.update(['src/shipping.ts'], []);
        assert.equal((await alice.folder.search('shipParcelExpress', 1)).results[0]?.path, 'src/shipping.ts');

        await alice.folder.addNote('alice private note: the staging password rotates on mondays (quokka)');
        assert.equal((await alice.folder.search('quokka', 5)).results[0]?.source, 'note');
        assert.ok(!(await bob.folder.search('quokka', 5)).results.some((h) => h.source === 'note'), 'bob does not see alice\'s note');
        assert.deepEqual(alice.warnings, []);
        assert.deepEqual(bob.warnings, []);
      } finally {
        alice.folder.dispose();
        bob.folder.dispose();
      }
    });
  });
});

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
