// The configured MCP servers for one agent: started on its first turn, their tools handed to the tool
// registry (a ToolSource), closed with the agent. Through the official SDK: stdio (a child process),
// streamable HTTP and the older SSE transport. A server that will not start, does not list its tools in
// time or dies mid-call is reported (to the person by name, to the model as a tool error) and never
// stops the turn; a server that died is started again on the next call to one of its tools.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpCallResult, McpConnection, McpToolInfo } from '../tools/mcpTools';
import { mcpTools } from '../tools/mcpTools';
import type { ToolSource } from '../tools/registry';
import type { Tool } from '../tools/types';
import type { McpServerConfig } from './mcpConfig';

type McpSdk = typeof import('./mcpSdk');

let sdk: McpSdk | undefined;

/** The SDK, loaded on the first server start: a session with no MCP servers never pays for it. */
function mcpSdk(): McpSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdk ??= require('./mcpSdk') as McpSdk;
  return sdk;
}

/** JSON-RPC codes the SDK uses for a connection that closed and a request that got no answer in time. */
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;

export interface McpServersOptions {
  servers: McpServerConfig[];
  /** Problems found in the configuration, reported with the first start. */
  problems?: string[];
  /** Tells the person (the chat's warning notice, the terminal's stderr). */
  warn: (message: string) => void;
  /** Starting a server and listing its tools; default 30 s. */
  startTimeoutMs?: number;
  /** One tool call, unless the server sets its own `timeout`; default 120 s. */
  callTimeoutMs?: number;
  /** A server that failed to start is tried again at a turn this long after; default 60 s. */
  retryAfterMs?: number;
  now?: () => number;
}

interface ServerEntry {
  connection: McpServerConnection;
  tools?: Tool[];
  failedAt?: number;
}

export class McpServers implements ToolSource {
  private readonly entries: ServerEntry[];
  /** Tool names given so far, so two servers' tools never share one. */
  private readonly names = new Set<string>();
  private problemsReported = false;
  private closed = false;

  constructor(private readonly options: McpServersOptions) {
    this.entries = options.servers.map((config) => ({
      connection: new McpServerConnection(config, {
        startTimeoutMs: options.startTimeoutMs ?? 30_000,
        callTimeoutMs: config.callTimeoutMs ?? options.callTimeoutMs ?? 120_000,
      }),
    }));
  }

  /** The tools of every server that started; servers not listed yet are started (all at once) first. */
  async tools(signal?: AbortSignal): Promise<Tool[]> {
    if (this.closed) return [];
    if (!this.problemsReported) {
      this.problemsReported = true;
      for (const problem of this.options.problems ?? []) this.options.warn(problem);
    }
    const now = this.options.now ?? Date.now;
    const due = this.entries.filter((e) => !e.tools && (e.failedAt === undefined || now() - e.failedAt >= (this.options.retryAfterMs ?? 60_000)));
    await Promise.all(due.map((entry) => this.start(entry, signal)));
    return this.entries.flatMap((e) => e.tools ?? []);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.entries.map((e) => e.connection.close()));
  }

  private async start(entry: ServerEntry, signal?: AbortSignal): Promise<void> {
    const { connection } = entry;
    try {
      const listed = await connection.listTools(signal);
      if (this.closed) return void (await connection.close());
      entry.tools = mcpTools(connection, listed, this.names);
      entry.failedAt = undefined;
    } catch (err) {
      entry.failedAt = (this.options.now ?? Date.now)();
      await connection.close();
      if (signal?.aborted) return;
      this.options.warn(`${(err as Error).message}. Its tools are left out; it is tried again at a later message.`);
    }
  }
}

/** One server: connected on demand, connected again after it died. */
class McpServerConnection implements McpConnection {
  private client?: Client;
  private connecting?: Promise<Client>;
  /** The end of what a stdio server wrote to stderr: why it died, usually. */
  private stderrTail = '';

  constructor(
    private readonly config: McpServerConfig,
    private readonly limits: { startTimeoutMs: number; callTimeoutMs: number },
  ) {}

  get server(): string {
    return this.config.name;
  }

  get approval(): McpConnection['approval'] {
    return this.config.approval;
  }

  async listTools(signal?: AbortSignal): Promise<McpToolInfo[]> {
    const deadline = Date.now() + this.limits.startTimeoutMs;
    const client = await this.connect(signal);
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const timeout = Math.max(1, deadline - Date.now());
      // One deadline covers starting and listing; the message names the configured limit.
      const page = await this.explain(client.listTools(cursor ? { cursor } : undefined, { signal, timeout }), client, 'listing its tools', this.limits.startTimeoutMs);
      tools.push(...(page.tools as McpToolInfo[]));
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  async callTool(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    const client = this.client ?? (await this.connect(signal));
    const timeout = this.limits.callTimeoutMs;
    const call = client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout, resetTimeoutOnProgress: true });
    return (await this.explain(call, client, `running "${tool}"`, timeout)) as McpCallResult;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private connect(signal?: AbortSignal): Promise<Client> {
    this.connecting ??= this.open(signal).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(signal?: AbortSignal): Promise<Client> {
    const { Client } = mcpSdk();
    const client = new Client({ name: 'memcode', version: '0.1.0' });
    client.onclose = () => {
      closedClients.add(client);
      if (this.client === client) this.client = undefined;
    };
    // Transport errors also fail the request they belong to; that is where they are reported.
    client.onerror = () => undefined;
    this.stderrTail = '';
    const timeout = this.limits.startTimeoutMs;
    try {
      await this.explain(client.connect(this.transport(), { signal, timeout }), client, 'starting', timeout);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  private transport(): Transport {
    const { StdioClientTransport, StreamableHTTPClientTransport, SSEClientTransport } = mcpSdk();
    const t = this.config.transport;
    if (t.type === 'stdio') {
      const transport = new StdioClientTransport({ command: t.command, args: t.args, env: t.env, cwd: t.cwd, stderr: 'pipe' });
      transport.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2_000);
      });
      return transport;
    }
    const requestInit = { headers: t.headers };
    return t.type === 'sse' ? new SSEClientTransport(new URL(t.url), { requestInit }) : new StreamableHTTPClientTransport(new URL(t.url), { requestInit });
  }

  /** The SDK's failures in words naming what was going on; a connection that died is dropped, to be opened again. */
  private async explain<T>(request: Promise<T>, client: Client, doing: string, timeoutMs: number): Promise<T> {
    try {
      return await request;
    } catch (err) {
      const { McpError } = mcpSdk();
      const code = err instanceof McpError ? err.code : undefined;
      const message = err instanceof Error ? err.message : String(err);
      const name = `the MCP server "${this.server}"`;
      if (code === REQUEST_TIMEOUT) throw new Error(`${name} did not answer within ${Math.round(timeoutMs / 1000)} s while ${doing}`);
      const closed = code === CONNECTION_CLOSED || closedClients.has(client);
      // The server answered with an error (bad arguments, unknown tool): the connection is fine.
      if (code !== undefined && !closed) throw new Error(`${name} answered with an error while ${doing}: ${message}`);
      if (this.client === client) await this.close();
      const again = doing === 'starting' ? '' : '; it is started again at the next call';
      const t = this.config.transport;
      if (t.type !== 'stdio') throw new Error(`${name} could not be reached at ${t.url} while ${doing}: ${message}${again}`);
      const notRun = spawnError(err, t.command);
      if (notRun) throw new Error(`${name} could not be started: ${notRun}`);
      const said = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${name} (${t.command}) stopped while ${doing}: ${said || message || 'it exited without saying why'}${again}`);
    }
  }
}

/** Clients whose connection closed (the process exited, the stream ended). */
const closedClients = new WeakSet<Client>();

/** A command that could not be started at all (ENOENT, EACCES): what to fix. */
function spawnError(err: unknown, command: string): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `its command "${command}" was not found (check "command", "cwd" and PATH)`;
  if (code === 'EACCES') return `its command "${command}" may not be run (permission denied)`;
  return undefined;
}
