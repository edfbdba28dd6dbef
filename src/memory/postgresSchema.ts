// The PostgreSQL schema of shared archival memory (memcode.archival.backend = postgres), created on first
// use and versioned, so a MemCode that finds a schema it does not know refuses instead of guessing.
//
//   memcode_schema_version  one row: the schema's version
//   memcode_repos           one row per repository namespace: the embedder its vectors came from, and a
//                           generation bumped by every write, so a reader knows cheaply when to reload
//   memcode_files           per repository and path: a hash of the passages stored, so a teammate's
//                           index of an unchanged file is reused instead of embedded and inserted again
//   memcode_chunks          the passages: text, place, an untyped `vector` (each repository records its
//                           own dimensions) and a tsvector of the code-aware terms for full text
// Vectors of each dimension get their own partial HNSW index (pgvector's way of indexing an untyped
// column), made when a repository with that many dimensions first appears.
import type { ClientBase, PoolClient } from 'pg';
import { MemoryError } from './types';

export const SCHEMA_VERSION = 1;

/** Taken (transaction-scoped) while the schema is created or an index added, so two first users do not race. */
const SCHEMA_LOCK = 0x6d656d63; // 'memc'

/** The full-text index over the passages' terms (also rebuilt by the postgres bench after a bulk load). */
export const TERMS_INDEX = 'CREATE INDEX IF NOT EXISTS memcode_chunks_terms ON memcode_chunks USING gin (terms)';

const TABLES = `
CREATE TABLE IF NOT EXISTS memcode_repos (
  repo        text PRIMARY KEY,
  embedder    text NOT NULL,
  dimensions  integer NOT NULL,
  generation  bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS memcode_files (
  repo        text NOT NULL REFERENCES memcode_repos (repo) ON DELETE CASCADE,
  path        text NOT NULL,
  hash        text,
  chunks      integer NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repo, path)
);
CREATE TABLE IF NOT EXISTS memcode_chunks (
  id          bigserial PRIMARY KEY,
  repo        text NOT NULL REFERENCES memcode_repos (repo) ON DELETE CASCADE,
  path        text NOT NULL,
  start_line  integer NOT NULL,
  end_line    integer NOT NULL,
  language    text NOT NULL,
  symbol      text,
  kind        text NOT NULL,
  text        text NOT NULL,
  text_hash   text NOT NULL,
  time        timestamptz NOT NULL,
  dimensions  integer NOT NULL,
  embedding   vector NOT NULL,
  terms       tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS memcode_chunks_path ON memcode_chunks (repo, path);
CREATE INDEX IF NOT EXISTS memcode_chunks_text_hash ON memcode_chunks (repo, text_hash);
${TERMS_INDEX};
`;

/**
 * Makes sure the database holds this version of the schema, creating it on first use. Throws a
 * MemoryError a person can act on when pgvector is missing or the schema is another version.
 */
export async function ensureSchema(client: PoolClient): Promise<void> {
  const existing = await schemaVersion(client);
  if (existing === SCHEMA_VERSION) return;
  if (existing !== undefined) throw wrongVersion(existing);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    // Another first user may have created it while this one waited for the lock.
    const now = await schemaVersion(client);
    if (now !== undefined && now !== SCHEMA_VERSION) throw wrongVersion(now);
    if (now === undefined) {
      await createVectorExtension(client);
      await client.query(TABLES);
      await client.query('CREATE TABLE IF NOT EXISTS memcode_schema_version (version integer NOT NULL)');
      await client.query('INSERT INTO memcode_schema_version (version) VALUES ($1)', [SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The HNSW index for vectors of `dimensions`, made once per dimension count (cosine, as the embedded store ranks). */
export async function ensureVectorIndex(client: ClientBase, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 16_000) {
    throw new MemoryError('invalid', `an embedder with ${dimensions} dimensions cannot be stored in PostgreSQL`);
  }
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    // `dimensions` is a checked integer: DDL takes no parameters.
    await client.query(
      `CREATE INDEX IF NOT EXISTS memcode_chunks_hnsw_${dimensions} ON memcode_chunks ` +
        `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE dimensions = ${dimensions}`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function schemaVersion(client: PoolClient): Promise<number | undefined> {
  const table = await client.query<{ exists: boolean }>("SELECT to_regclass('memcode_schema_version') IS NOT NULL AS exists");
  if (!table.rows[0]?.exists) return undefined;
  const rows = await client.query<{ version: number }>('SELECT max(version) AS version FROM memcode_schema_version');
  const version = rows.rows[0]?.version;
  return version === null || version === undefined ? undefined : Number(version);
}

async function createVectorExtension(client: PoolClient): Promise<void> {
  await client.query('SAVEPOINT vector_extension');
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT vector_extension');
    const installed = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").catch(() => ({ rowCount: 0 }));
    throw new MemoryError(
      'invalid',
      installed.rowCount
        ? `the database has pgvector but MemCode could not enable it (${(err as Error).message}); ask its administrator to run CREATE EXTENSION vector once`
        : 'the database has no pgvector extension: install pgvector (https://github.com/pgvector/pgvector) on the server, or use memcode.archival.backend = vectra',
      { cause: err },
    );
  }
}

function wrongVersion(found: number): MemoryError {
  return new MemoryError(
    'invalid',
    found > SCHEMA_VERSION
      ? `the database holds MemCode's archival schema version ${found}, newer than this MemCode knows (${SCHEMA_VERSION}): update MemCode`
      : `the database holds MemCode's archival schema version ${found}, which this MemCode (version ${SCHEMA_VERSION}) cannot upgrade`,
  );
}
