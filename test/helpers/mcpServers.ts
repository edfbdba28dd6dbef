// The echo MCP server (test/fixtures/mcp) as the MCP client tests start it: a real process over stdio,
// or the same server in this process behind the SDK's streamable HTTP transport on 127.0.0.1.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createEchoServer } from '../fixtures/mcp/echoTools';

const ECHO_SERVER = path.join(__dirname, '..', 'fixtures', 'mcp', 'echoServer.ts');
/** tsx's loader by path: the server runs in the test's temp workspace, where `--import tsx` would not resolve. */
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** A `memcode.mcpServers` entry that starts the echo server over stdio. */
export function echoStdio(extra: Record<string, unknown> = {}, flags: string[] = []): Record<string, unknown> {
  return { type: 'stdio', command: process.execPath, args: ['--import', TSX_LOADER, ECHO_SERVER, ...flags], ...extra };
}

export interface EchoHttpServer {
  url: string;
  /** Requests that reached the server, with the headers they carried. */
  requests: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** The echo server over streamable HTTP (one session: one client per test). */
export async function startEchoHttp(): Promise<EchoHttpServer> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => 'session-1' });
  await createEchoServer().connect(transport);
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    void transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    close: async () => {
      await transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
