// `memcode mcp`: this project's memory served over MCP (stdio) to any client: Claude Code, Copilot agent
// mode, Cursor, Codex. The SDK's low-level Server rather than McpServer: the tools already declare their
// JSON schemas and the registry validates and repairs arguments, so a second schema in zod would only
// drift from the first. Loaded on demand (cli/mcpCommand.ts): other commands do not pay for the SDK.
// The SDK comes through mcpSdk.ts, which the build bundles apart (dist/vendor/mcp.js) for both MCP sides.
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  Server,
  StdioServerTransport,
} from './mcpSdk';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { MCP_SERVER_INSTRUCTIONS, McpMemoryTools, type McpMemoryToolsOptions } from './mcpMemoryTools';

const BLOCK_URI = 'memcode://block/';
/** MCP's "resource not found" (the JSON-RPC codes in the SDK's ErrorCode stop short of it). */
const RESOURCE_NOT_FOUND = -32002;

export interface MemoryServerOptions extends McpMemoryToolsOptions {
  version: string;
  /** Where the server's own troubles go; stdout belongs to the protocol. */
  log: (message: string) => void;
}

/** The server and the tools behind it; connect the server to a transport. */
export function createMemoryServer(options: MemoryServerOptions): { server: Server; tools: McpMemoryTools } {
  const tools = new McpMemoryTools(options);
  const server = new Server(
    { name: 'memcode', title: 'MemCode memory', version: options.version },
    { capabilities: { tools: {}, resources: {} }, instructions: MCP_SERVER_INSTRUCTIONS },
  );
  server.oninitialized = () => tools.setClient(server.getClientVersion()?.name);

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.list().map(
      (t): Tool => ({
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema as Tool['inputSchema'],
        annotations: { readOnlyHint: !t.writes, destructiveHint: false, openWorldHint: false },
      }),
    ),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const result = await tools.call(request.params.name, request.params.arguments ?? {});
    return { content: [{ type: 'text', text: result.text }], isError: !result.ok };
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: tools.blocks().map((b) => ({
      uri: blockUri(b.label),
      name: b.label,
      title: `MemCode working context: ${b.label}`,
      description: b.description,
      mimeType: 'text/markdown',
    })),
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: `${BLOCK_URI}{label}`,
        name: 'block',
        title: 'MemCode working-context block',
        description: 'One block of MemCode\'s working context (project, user, task, …) as Markdown.',
        mimeType: 'text/markdown',
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const { uri } = request.params;
    if (!uri.startsWith(BLOCK_URI)) throw new McpError(ErrorCode.InvalidParams, `not a MemCode resource: ${uri}; blocks are ${BLOCK_URI}<label>`);
    const label = decodeURIComponent(uri.slice(BLOCK_URI.length));
    const block = tools.blocks().find((b) => b.label === label);
    if (!block) throw new McpError(RESOURCE_NOT_FOUND, `no block "${label}"; the blocks are: ${tools.blocks().map((b) => b.label).join(', ')}`);
    return { contents: [{ uri, mimeType: 'text/markdown', text: block.value }] };
  });

  server.onerror = (error) => options.log(`MCP: ${error.message}`);
  return { server, tools };
}

/** Serves until the client hangs up (closes stdin), then lets the writes in flight finish. */
export async function serveMemoryOverStdio(options: MemoryServerOptions): Promise<void> {
  const { server, tools } = createMemoryServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  // The SDK's stdio transport does not notice the end of stdin; the client's hanging up is exactly that.
  const hangUp = () => void server.close();
  process.stdin.once('end', hangUp);
  process.stdin.once('close', hangUp);
  await server.connect(transport);
  await closed;
  await tools.settled();
}

function blockUri(label: string): string {
  return `${BLOCK_URI}${encodeURIComponent(label)}`;
}
