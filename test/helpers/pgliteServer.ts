// A real PostgreSQL engine with real pgvector for tests: PGlite (Postgres compiled to WASM) with the
// pgvector extension, served over the Postgres wire protocol by pglite-socket on a free local port, so
// the code under test reaches it with the ordinary `pg` client exactly as it would a real server
// (DESIGN.md §10: Debian's PostgreSQL has no pgvector package here).
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteServer {
  /** postgres://… for this server; the password is a real one so tests can check it is never shown. */
  url: string;
  port: number;
  db: PGlite;
  stop(): Promise<void>;
}

export async function startPgliteServer(): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  const port = (server as unknown as { port: number }).port;
  return {
    // PGlite accepts any credentials; a password in the URL lets tests check it is redacted.
    url: `postgres://memcode:s3cret-pw@127.0.0.1:${port}/postgres`,
    port,
    db,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
