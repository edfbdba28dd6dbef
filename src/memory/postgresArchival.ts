// Archival memory in PostgreSQL + pgvector (memcode.archival.backend = postgres), for monorepos and teams:
// several people index into one database, each repository in its own namespace (`repo`), and everyone
// searches what anyone indexed. Vectors are ranked by an HNSW index (cosine), keywords by PostgreSQL
// full text over the same code-aware terms the embedded store's BM25 uses, and the two are fused exactly
// as there (hybridRanking.ts).
//
// An index built by one teammate is reused by the others: a file whose passages hash to what the
// database holds is neither embedded nor inserted again, and a changed file's unchanged passages take
// their vectors from the rows they replace (by text hash) instead of the embedder.
//
// The agent's own notes stay private: they live in the local store beside the memory folder (`notes`),
// never in the shared database, and are searched with the files as one ranking.
//
// count(), paths() and countBySource() are synchronous in ArchivalMemory: the per-path counts are kept in
// memory and reloaded by sync() only when the repository's generation (bumped by every write, anyone's)
// moved.
import * as crypto from 'node:crypto';
import pg from 'pg';
import type { ArchivalHit, ArchivalMemory, ArchivalQuery, ArchivalRecord, Embedder, FilePassage } from './archivalMemory';
import { codeTerms } from './codeTokens';
import { redactDatabaseUrl, redactSecrets } from './databaseUrl';
import { fuseHybrid } from './hybridRanking';
import { ensureSchema, ensureVectorIndex } from './postgresSchema';
import { paginate } from './recallSearch';
import { type Clock, MemoryError, type Page } from './types';
import { CANDIDATES } from './vectorSearch';

export interface PostgresArchivalOptions {
  databaseUrl: string;
  /** The repository's namespace (app/repoKey.ts): everyone indexing the same repository uses the same key. */
  repo: string;
  embedder: Embedder;
  /** The local store that keeps the agent's notes (made with the same embedder). */
  notes: ArchivalMemory;
  /** Forget this repository's shared index (every teammate's) and start it again for `embedder`. */
  rebuild?: boolean;
  /** Connections in the pool (default 4). */
  maxConnections?: number;
  /** Passages in the repository before common words stop finding passages (default 5,000; tests lower it). */
  commonWordsFrom?: number;
  clock?: Clock;
  warn?: (m: string) => void;
}

interface ChunkRow {
  id: string;
  path: string;
  start_line: number;
  end_line: number;
  language: string;
  symbol: string | null;
  kind: string;
  text: string;
  time: Date | string;
  score: number;
}

/** Rows per INSERT: 500 vectors of 1,536 numbers as text stay under ~10 MB a statement. */
const INSERT_ROWS = 500;
const ROW_COLUMNS = 'id, path, start_line, end_line, language, symbol, kind, text, time';
/** A word in more than this share of the passages does not find passages, only ranks them (bm25.ts's rule). */
const COMMON_SHARE = 0.2;
/** About how many passages a query's finding words may reach together (the rarest one always finds). */
const FIND_BUDGET = 2000;
/** Below this many passages every word finds. */
const COMMON_MIN_PASSAGES = 5000;

export class PostgresArchival implements ArchivalMemory {
  readonly embedderId: string;
  private readonly byPath = new Map<string, number>();
  private files = 0;
  private generation = -1;
  private insertedSinceAnalyze = 0;
  private frequencies: { generation: number; counts: Map<string, number> } = { generation: -1, counts: new Map() };
  private readonly commonWordsFrom: number;
  /** Connections that ran `setup` (each runs it once, before its first query for this store). */
  private readonly ready = new WeakSet<pg.PoolClient>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresArchivalOptions,
    private readonly dimensions: number,
    private readonly setup: string,
  ) {
    this.embedderId = opts.embedder.id;
    this.commonWordsFrom = opts.commonWordsFrom ?? COMMON_MIN_PASSAGES;
  }

  static async open(opts: PostgresArchivalOptions): Promise<PostgresArchival> {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.maxConnections ?? 4,
      // An idle pool must not keep the CLI (or a test) alive.
      allowExitOnIdle: true,
      connectionTimeoutMillis: 15_000,
    });
    // A dropped idle connection is reported here; unhandled it would take the whole process down.
    pool.on('error', (err) => opts.warn?.(`archival database: ${redactSecrets(err.message, opts.databaseUrl)}`));
    try {
      const dimensions = await knownDimensions(opts.embedder);
      let setup: string;
      const client = await connect(pool, opts.databaseUrl);
      try {
        await ensureSchema(client);
        await ensureVectorIndex(client, dimensions);
        await claimRepo(client, opts.repo, opts.embedder.id, dimensions, opts.rebuild ?? false);
        setup = await searchSetup(client);
      } finally {
        client.release();
      }
      const store = new PostgresArchival(pool, opts, dimensions, setup);
      await store.reload();
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw databaseError(err, opts.databaseUrl);
    }
  }

  count(): number {
    return this.files + this.opts.notes.countBySource().note;
  }

  countBySource(): { file: number; note: number } {
    return { file: this.files, note: this.opts.notes.countBySource().note };
  }

  paths(): string[] {
    return [...this.byPath.keys()].sort();
  }

  /** Adds passages to what their files already hold (the indexer replaces whole files: replaceChunks). */
  addChunks(passages: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    return this.write([], passages, false, signal);
  }

  replaceChunks(paths: string[], passages: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    return this.write(paths, passages, true, signal);
  }

  /** Private: the local store keeps it, the shared database never sees it. */
  addNote(text: string): Promise<ArchivalRecord> {
    return this.opts.notes.addNote(text);
  }

  async deleteByPath(paths: string[]): Promise<number> {
    if (paths.length === 0) return 0;
    return this.guarded(async () => {
      const removed = await this.transaction(paths, async (client) => {
        const gone = await client.query<{ path: string; n: string }>(
          'WITH gone AS (DELETE FROM memcode_chunks WHERE repo = $1 AND path = ANY($2) RETURNING path) SELECT path, count(*) AS n FROM gone GROUP BY path',
          [this.opts.repo, paths],
        );
        await client.query('DELETE FROM memcode_files WHERE repo = $1 AND path = ANY($2)', [this.opts.repo, paths]);
        return new Map(gone.rows.map((r) => [r.path, Number(r.n)]));
      });
      return [...removed.values()].reduce((a, b) => a + b, 0);
    });
  }

  async search(query: string, opts: ArchivalQuery = {}): Promise<Page<ArchivalHit>> {
    const page = opts.page ?? 1;
    const pageSize = opts.pageSize ?? 5;
    if (opts.source === 'note') return this.opts.notes.search(query, opts);
    if (!query.trim()) return paginate([], page, pageSize);
    return this.guarded(async () => {
      const mode = opts.mode ?? 'hybrid';
      const withNotes = opts.source !== 'file' && !opts.pathPrefix && !opts.language && this.opts.notes.countBySource().note > 0;
      const q = mode === 'keyword' ? undefined : (await this.embedChecked([query]))[0];
      const [vectorRows, keywordRows] = await Promise.all([q ? this.vectorRanking(q, opts) : [], mode === 'vector' ? [] : this.keywordRanking(query, opts)]);
      // Notes rank in the same lists: by cosine among the vectors (the same embedder, comparable), by
      // place among the keyword hits (ts_rank and BM25 are not).
      const notes = withNotes ? await this.noteRankings(query, mode) : { vector: [], keyword: [] };
      const records: ArchivalRecord[] = [];
      const docOf = new Map<string, number>();
      const doc = (record: ArchivalRecord): number => {
        let id = docOf.get(record.id);
        if (id === undefined) {
          id = records.length;
          records.push(record);
          docOf.set(record.id, id);
        }
        return id;
      };
      const vector = [...vectorRows.map((r) => ({ record: recordOf(r), score: Number(r.score) })), ...notes.vector]
        .sort((a, b) => b.score - a.score)
        .slice(0, CANDIDATES)
        .map((h) => ({ id: doc(h.record), score: h.score }));
      const keyword = interleave(
        keywordRows.map((r) => ({ record: recordOf(r), score: Number(r.score) })),
        notes.keyword,
      ).map((h) => ({ id: doc(h.record), score: h.score }));
      let ranked: Array<{ id: number; score: number }>;
      if (mode === 'keyword') ranked = keyword;
      else if (mode === 'vector') ranked = vector;
      else ranked = fuseHybrid(query, vector, keyword, (ds) => ds.map((d) => records[d].text), (d) => records[d].symbol);
      const ids = paginate(ranked, page, pageSize);
      return { ...ids, results: ids.results.map(({ id, score }) => ({ ...records[id], score })) };
    });
  }

  async sync(): Promise<void> {
    await this.opts.notes.sync();
    await this.guarded(async () => {
      const row = await this.query<{ embedder: string; dimensions: number; generation: string }>(
        'SELECT embedder, dimensions, generation FROM memcode_repos WHERE repo = $1',
        [this.opts.repo],
      );
      const repo = row.rows[0];
      if (!repo) {
        // A teammate's rebuild is under way (the namespace is dropped and claimed again) or it was removed.
        this.byPath.clear();
        this.files = 0;
        this.generation = -1;
        return;
      }
      if (repo.embedder !== this.embedderId || repo.dimensions !== this.dimensions) throw mismatch(this.opts.repo, repo.embedder, repo.dimensions, this.embedderId, this.dimensions);
      if (Number(repo.generation) !== this.generation) await this.reload();
    });
  }

  /** Closes the connections (the folder is closing, or its settings changed). */
  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  // ------------------------------------------------------------------ writes

  /**
   * Drops the passages of `paths` and of every file in `passages`, then stores `passages`. With
   * `skipUnchanged`, a file whose passages hash to what is stored is left as it is: written by a
   * teammate already, or touched and not changed.
   */
  private async write(paths: string[], passages: FilePassage[], skipUnchanged: boolean, signal?: AbortSignal): Promise<string[]> {
    const byFile = new Map<string, FilePassage[]>();
    for (const p of passages) {
      if (!byFile.has(p.path)) byFile.set(p.path, []);
      byFile.get(p.path)!.push(p);
    }
    const hashes = new Map([...byFile].map(([file, list]) => [file, skipUnchanged ? passagesHash(list) : null]));
    const touched = [...new Set([...paths, ...(skipUnchanged ? byFile.keys() : [])])];
    if (touched.length === 0 && passages.length === 0) return [];
    return this.guarded(async () => {
      const unchanged = skipUnchanged ? await this.unchangedFiles(hashes) : new Set<string>();
      const fresh = passages.filter((p) => !unchanged.has(p.path));
      // Embedding happens outside the transaction: it may take seconds, and the lock holds teammates up.
      const vectors = await this.vectorsFor(fresh, signal);
      if (signal?.aborted) throw new MemoryError('io', 'stopped before archival memory was written');
      const time = this.now();
      return this.transaction([...new Set([...touched, ...byFile.keys()])], async (client) => {
        // A teammate may have stored the same files while these were embedded: check again under the lock.
        const still = skipUnchanged ? await this.unchangedFiles(hashes, client) : new Set<string>();
        const drop = touched.filter((p) => !still.has(p));
        if (drop.length > 0) {
          await client.query('DELETE FROM memcode_chunks WHERE repo = $1 AND path = ANY($2)', [this.opts.repo, drop]);
          await client.query('DELETE FROM memcode_files WHERE repo = $1 AND path = ANY($2)', [this.opts.repo, drop]);
        }
        const rows = fresh.map((p, i) => ({ passage: p, vector: vectors[i] })).filter((r) => !still.has(r.passage.path));
        const ids: string[] = [];
        for (let i = 0; i < rows.length; i += INSERT_ROWS) ids.push(...(await this.insert(client, rows.slice(i, i + INSERT_ROWS), time)));
        const counts = new Map<string, number>();
        for (const { passage } of rows) counts.set(passage.path, (counts.get(passage.path) ?? 0) + 1);
        if (counts.size > 0) {
          // addChunks adds to a file's passages: its hash no longer says what is stored (null), and its count grows.
          await client.query(
            `INSERT INTO memcode_files (repo, path, hash, chunks)
             SELECT $1, p, h, n FROM unnest($2::text[], $3::text[], $4::int[]) AS u(p, h, n)
             ON CONFLICT (repo, path) DO UPDATE SET hash = NULL, chunks = memcode_files.chunks + EXCLUDED.chunks, updated_at = now()`,
            [this.opts.repo, [...counts.keys()], [...counts.keys()].map((p) => hashes.get(p) ?? null), [...counts.values()]],
          );
        }
        return ids;
      }).then(async (ids) => {
        await this.analyzeAfterGrowth(ids.length);
        return ids;
      });
    });
  }

  /**
   * Refreshes the planner's statistics once the table has grown by a fifth: without them a freshly
   * filled table looks empty, and PostgreSQL sorts every row instead of walking the HNSW index.
   * A server's autovacuum does the same on its own schedule; PGlite has none.
   */
  private async analyzeAfterGrowth(inserted: number): Promise<void> {
    this.insertedSinceAnalyze += inserted;
    if (this.insertedSinceAnalyze < Math.max(1000, this.files / 5)) return;
    this.insertedSinceAnalyze = 0;
    // Only the table's owner may analyze it; anyone else leaves it to autovacuum.
    await this.query('ANALYZE memcode_chunks', []).catch(() => undefined);
  }

  /** The files in `hashes` whose stored passages hash the same (so need nothing). */
  private async unchangedFiles(hashes: Map<string, string | null>, client?: pg.PoolClient): Promise<Set<string>> {
    const wanted = [...hashes].filter(([, h]) => h !== null);
    if (wanted.length === 0) return new Set();
    const stored = await this.query<{ path: string; hash: string | null }>('SELECT path, hash FROM memcode_files WHERE repo = $1 AND path = ANY($2)', [
      this.opts.repo,
      wanted.map(([p]) => p),
    ], client);
    return new Set(stored.rows.filter((r) => r.hash !== null && r.hash === hashes.get(r.path)).map((r) => r.path));
  }

  /** One vector per passage: taken from a stored passage with the same text when there is one, embedded otherwise. */
  private async vectorsFor(passages: FilePassage[], signal?: AbortSignal): Promise<string[]> {
    if (passages.length === 0) return [];
    const textHashes = passages.map((p) => textHash(p.text));
    const known = new Map<string, string>();
    const unique = [...new Set(textHashes)];
    for (let i = 0; i < unique.length; i += 5000) {
      const found = await this.query<{ text_hash: string; embedding: string }>(
        'SELECT DISTINCT ON (text_hash) text_hash, embedding::text AS embedding FROM memcode_chunks WHERE repo = $1 AND text_hash = ANY($2)',
        [this.opts.repo, unique.slice(i, i + 5000)],
      );
      for (const row of found.rows) known.set(row.text_hash, row.embedding);
    }
    const missing = new Map<string, string>();
    passages.forEach((p, i) => {
      if (!known.has(textHashes[i])) missing.set(textHashes[i], p.text);
    });
    if (missing.size > 0) {
      const embedded = await this.embedChecked([...missing.values()], signal);
      [...missing.keys()].forEach((hash, i) => known.set(hash, vectorText(embedded[i])));
    }
    return textHashes.map((h) => known.get(h)!);
  }

  private async insert(client: pg.PoolClient, rows: Array<{ passage: FilePassage; vector: string }>, time: string): Promise<string[]> {
    const column = <T>(f: (p: FilePassage) => T) => rows.map((r) => f(r.passage));
    const result = await client.query<{ id: string }>(
      `INSERT INTO memcode_chunks (repo, path, start_line, end_line, language, symbol, kind, text, text_hash, time, dimensions, embedding, terms)
       SELECT $1, p, s, e, l, sy, k, t, h, $2, $3, v::vector, to_tsvector('simple', w)
       FROM unnest($4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         AS u(p, s, e, l, sy, k, t, h, v, w)
       RETURNING id`,
      [
        this.opts.repo,
        time,
        this.dimensions,
        column((p) => p.path),
        column((p) => p.startLine),
        column((p) => p.endLine),
        column((p) => p.language),
        column((p) => p.symbol ?? null),
        column((p) => p.kind),
        column((p) => p.text),
        column((p) => textHash(p.text)),
        rows.map((r) => r.vector),
        column((p) => termsOf(p.text)),
      ],
    );
    return result.rows.map((r) => String(r.id));
  }

  /**
   * Runs `fn` in a transaction holding this repository's write lock, then bumps its generation. The
   * counts of `touched` are read back; when nobody else wrote since this store last looked, that is all
   * that changed, else everything is reloaded.
   */
  private async transaction<T>(touched: string[], fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('memcode:' || $1))", [this.opts.repo]);
      const result = await fn(client);
      const bumped = await client.query<{ generation: string }>('UPDATE memcode_repos SET generation = generation + 1 WHERE repo = $1 RETURNING generation', [this.opts.repo]);
      if (bumped.rowCount === 0) throw new MemoryError('invalid', `the repository ${this.opts.repo} was removed from the archival database while this wrote; index it again`);
      const counts = await client.query<{ path: string; chunks: number }>('SELECT path, chunks FROM memcode_files WHERE repo = $1 AND path = ANY($2)', [this.opts.repo, touched]);
      await client.query('COMMIT');
      const generation = Number(bumped.rows[0].generation);
      if (generation === this.generation + 1) {
        for (const p of touched) this.setCount(p, 0);
        for (const row of counts.rows) this.setCount(row.path, row.chunks);
        this.generation = generation;
      } else {
        await this.reload(client);
      }
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private setCount(file: string, chunks: number): void {
    this.files += chunks - (this.byPath.get(file) ?? 0);
    if (chunks > 0) this.byPath.set(file, chunks);
    else this.byPath.delete(file);
  }

  /** Re-reads the per-path counts (every path of the repository: one GROUP BY over an index). */
  private async reload(client?: pg.PoolClient): Promise<void> {
    const repo = await this.query<{ generation: string }>('SELECT generation FROM memcode_repos WHERE repo = $1', [this.opts.repo], client);
    const counts = await this.query<{ path: string; chunks: number }>('SELECT path, chunks FROM memcode_files WHERE repo = $1', [this.opts.repo], client);
    this.byPath.clear();
    this.files = 0;
    for (const row of counts.rows) {
      if (row.chunks <= 0) continue;
      this.byPath.set(row.path, row.chunks);
      this.files += row.chunks;
    }
    this.generation = Number(repo.rows[0]?.generation ?? -1);
  }

  // ------------------------------------------------------------------ search

  private async vectorRanking(q: Float32Array, opts: ArchivalQuery): Promise<ChunkRow[]> {
    const d = this.dimensions;
    const { where, params } = this.filters(opts, [vectorText(q)]);
    // The cast and the dimensions condition match the partial HNSW index's expression (postgresSchema.ts).
    const rows = await this.query<ChunkRow>(
      `SELECT ${ROW_COLUMNS}, 1 - (embedding::vector(${d}) <=> $1::vector(${d})) AS score
       FROM memcode_chunks WHERE dimensions = ${d} AND ${where}
       ORDER BY embedding::vector(${d}) <=> $1::vector(${d}) LIMIT ${CANDIDATES}`,
      params,
    );
    return rows.rows;
  }

  private async keywordRanking(query: string, opts: ArchivalQuery): Promise<ChunkRow[]> {
    const words = [...new Set(codeTerms(query))].filter((t) => /^[\p{L}\p{N}_]+$/u.test(t));
    if (words.length === 0) return [];
    // As the embedded store's BM25 does: a word in a fifth of the passages only adds to passages rarer
    // words already found, and ranking every passage it matches costs more than it changes. The
    // passages are found by the rarer words and ranked by all of them.
    const frequencies = await this.documentFrequencies(words);
    const common = this.files >= this.commonWordsFrom ? this.files * COMMON_SHARE : Infinity;
    const byRarity = [...words].sort((a, b) => (frequencies.get(a) ?? 0) - (frequencies.get(b) ?? 0));
    // Rarest first, and only as many as find about FIND_BUDGET passages together: ts_rank reads every
    // passage found, so a long question's mid-frequency words made the ranking grow with the table.
    const finding: string[] = [];
    let found = 0;
    for (const w of byRarity) {
      const n = frequencies.get(w) ?? 0;
      if (finding.length > 0 && (n > common || found + n > FIND_BUDGET)) break;
      finding.push(w);
      found += n;
    }
    // ts_rank's normalisation 1 divides by the log of the passage's length, so a long dump does not win by
    // bulk (as BM25's length term does).
    const { where, params } = this.filters(opts, [orQuery(finding), orQuery(words)]);
    const rows = await this.query<ChunkRow>(
      `SELECT ${ROW_COLUMNS}, ts_rank(terms, ranked, 1) AS score
       FROM memcode_chunks, to_tsquery('simple', $1) AS found, to_tsquery('simple', $2) AS ranked
       WHERE terms @@ found AND ${where}
       ORDER BY score DESC, id LIMIT ${CANDIDATES}`,
      params,
    );
    return rows.rows;
  }

  /** How many of the repository's passages hold each word, counted through the full-text index; kept until the next write. */
  private async documentFrequencies(words: string[]): Promise<Map<string, number>> {
    if (this.frequencies.generation !== this.generation) this.frequencies = { generation: this.generation, counts: new Map() };
    const counts = this.frequencies.counts;
    const missing = words.filter((w) => !counts.has(w));
    if (missing.length > 0 && this.files >= this.commonWordsFrom) {
      const rows = await this.query<{ word: string; n: string }>(
        `SELECT word, (SELECT count(*) FROM memcode_chunks WHERE repo = $1 AND terms @@ to_tsquery('simple', quote_literal(word))) AS n
         FROM unnest($2::text[]) AS word`,
        [this.opts.repo, missing],
      );
      for (const row of rows.rows) counts.set(row.word, Number(row.n));
    }
    return counts;
  }

  /** The repository (always) and the query's path and language filters, as SQL after `params`. */
  private filters(opts: ArchivalQuery, params: unknown[]): { where: string; params: unknown[] } {
    const all = [...params, this.opts.repo];
    const clauses = [`repo = $${all.length}`];
    const prefix = opts.pathPrefix?.replace(/\\/g, '/').replace(/^\.\//, '');
    if (prefix) {
      all.push(prefix);
      clauses.push(`starts_with(path, $${all.length})`);
    }
    if (opts.language) {
      all.push(opts.language);
      clauses.push(`language = $${all.length}`);
    }
    return { where: clauses.join(' AND '), params: all };
  }

  private async noteRankings(query: string, mode: ArchivalQuery['mode']): Promise<{ vector: Ranked; keyword: Ranked }> {
    const ranking = async (m: 'vector' | 'keyword'): Promise<Ranked> =>
      (await this.opts.notes.search(query, { mode: m, source: 'note', pageSize: CANDIDATES })).results.map(({ score, ...record }) => ({ record, score }));
    return {
      vector: mode === 'keyword' ? [] : await ranking('vector'),
      keyword: mode === 'vector' ? [] : await ranking('keyword'),
    };
  }

  // ------------------------------------------------------------------ helpers

  /** One statement on `client` (inside a transaction), or on a connection of the pool's own. */
  private async query<T extends pg.QueryResultRow>(text: string, params: unknown[], client?: pg.PoolClient): Promise<pg.QueryResult<T>> {
    if (client) return client.query<T>(text, params);
    const own = await this.checkout();
    try {
      return await own.query<T>(text, params);
    } finally {
      own.release();
    }
  }

  /** A connection from the pool, set up for vector search the first time it is handed out. */
  private async checkout(): Promise<pg.PoolClient> {
    const client = await connect(this.pool, this.opts.databaseUrl);
    if (!this.ready.has(client)) {
      try {
        await client.query(this.setup);
      } catch (err) {
        client.release(true);
        throw err;
      }
      this.ready.add(client);
    }
    return client;
  }

  /** Database failures come out as MemoryErrors with the URL's password hidden. */
  private async guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw databaseError(err, this.opts.databaseUrl);
    }
  }

  private async embedChecked(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors = await this.opts.embedder.embed(texts, signal);
    if (vectors.length !== texts.length) throw new MemoryError('invalid', `the embedder ${this.embedderId} returned ${vectors.length} vectors for ${texts.length} texts`);
    for (const v of vectors) {
      if (v.length !== this.dimensions) throw new MemoryError('invalid', `a vector has ${v.length} dimensions but the repository's archival memory holds ${this.dimensions}`);
    }
    return vectors;
  }

  private now(): string {
    return (this.opts.clock ?? (() => new Date()))().toISOString();
  }
}

type Ranked = Array<{ record: ArchivalRecord; score: number }>;

/** Any of these words (they are letters, digits and underscores only: nothing to escape). */
function orQuery(words: string[]): string {
  return words.map((w) => `'${w}'`).join(' | ');
}

/** Two rankings whose scores cannot be compared, merged by place: first of each, then second of each… */
function interleave(a: Ranked, b: Ranked): Ranked {
  if (b.length === 0) return a;
  const out: Ranked = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < CANDIDATES; i++) {
    if (i < a.length) out.push(a[i]);
    if (i < b.length && out.length < CANDIDATES) out.push(b[i]);
  }
  return out;
}

/**
 * The HNSW scan keeps ef_search candidates: at least as many as a ranking takes. pgvector 0.8 and later
 * also go on scanning when a path or language filter drops some (iterative scans); older ones do not
 * know the setting.
 */
async function searchSetup(client: pg.PoolClient): Promise<string> {
  const ef = `SET hnsw.ef_search = ${Math.max(CANDIDATES, 40)}`;
  const version = await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  const [major, minor] = (version.rows[0]?.extversion ?? '0.0').split('.').map(Number);
  return major > 0 || minor >= 8 ? `${ef}; SET hnsw.iterative_scan = 'relaxed_order'` : ef;
}

/** Claims the repository's namespace for this embedder, or refuses when it holds another's vectors. */
async function claimRepo(client: pg.PoolClient, repo: string, embedder: string, dimensions: number, rebuild: boolean): Promise<void> {
  if (rebuild) await client.query('DELETE FROM memcode_repos WHERE repo = $1', [repo]);
  await client.query('INSERT INTO memcode_repos (repo, embedder, dimensions) VALUES ($1, $2, $3) ON CONFLICT (repo) DO NOTHING', [repo, embedder, dimensions]);
  const row = await client.query<{ embedder: string; dimensions: number }>('SELECT embedder, dimensions FROM memcode_repos WHERE repo = $1', [repo]);
  const stored = row.rows[0];
  if (stored && (stored.embedder !== embedder || stored.dimensions !== dimensions)) throw mismatch(repo, stored.embedder, stored.dimensions, embedder, dimensions);
}

function mismatch(repo: string, storedEmbedder: string, storedDimensions: number, embedder: string, dimensions: number): MemoryError {
  return new MemoryError(
    'invalid',
    `the shared archival index of ${repo} was built with ${storedEmbedder} (${storedDimensions} dimensions) but the current embedder is ` +
      `${embedder} (${dimensions}); use the embedder your team uses, or rebuild the index for it with \`memcode index --rebuild\` ` +
      '(or MemCode: Rebuild Index; this replaces the shared index for everyone, your notes are kept)',
  );
}

async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    // No `cause`: whoever logs the error whole must not find the driver's own view of the connection in it.
    throw new MemoryError('io', `cannot connect to the archival database at ${redactDatabaseUrl(url)}: ${redactSecrets(describe(err), url)}`);
  }
}

function databaseError(err: unknown, url: string): MemoryError {
  if (err instanceof MemoryError) return new MemoryError(err.kind, redactSecrets(err.message, url));
  return new MemoryError('io', `archival database error: ${redactSecrets(describe(err), url)}`);
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join('; ');
  const e = err as { message?: string; code?: string };
  return e?.message || e?.code || String(err);
}

function recordOf(row: ChunkRow): ArchivalRecord {
  return {
    id: String(row.id),
    text: row.text,
    source: 'file',
    path: row.path,
    startLine: row.start_line,
    endLine: row.end_line,
    language: row.language,
    ...(row.symbol ? { symbol: row.symbol } : {}),
    kind: row.kind,
    time: row.time instanceof Date ? row.time.toISOString() : new Date(row.time).toISOString(),
  };
}

/** What a file's passages say, so a teammate's identical ones are recognised. */
function passagesHash(passages: FilePassage[]): string {
  const hash = crypto.createHash('sha256');
  for (const p of passages) hash.update(JSON.stringify([p.startLine, p.endLine, p.language, p.symbol ?? null, p.kind, p.text]));
  return hash.digest('hex');
}

function textHash(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** The code-aware terms (identifiers split and whole, stemmed) that the embedded store's BM25 ranks by. */
function termsOf(text: string): string {
  return codeTerms(text).join(' ');
}

function vectorText(v: Float32Array): string {
  let out = '[';
  for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (Number.isFinite(v[i]) ? v[i] : 0);
  return `${out}]`;
}

async function knownDimensions(embedder: Embedder): Promise<number> {
  if (embedder.dimensions > 0) return embedder.dimensions;
  const [probe] = await embedder.embed(['dimensions probe']);
  return probe?.length ?? embedder.dimensions;
}
