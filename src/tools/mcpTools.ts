// The tools of an MCP server, as the model sees them: each under a prefixed name (`mcp_<server>_<tool>`),
// with the server's JSON schema, run only after the person approves (unless the server is set to
// `always`), the result's content turned into text. The server itself (process, connection, restarts)
// is reached through McpConnection, which app/mcpServers.ts implements with the MCP SDK.
import { createHash } from 'node:crypto';
import type { JsonSchema } from '../common/types';
import { isPlainObject } from '../common/json';
import { askApproval } from './approval';
import { type Tool, ToolError } from './types';

/** `ask` (default): the person approves each call; `always`: the server's tools run without asking. */
export type McpApproval = 'ask' | 'always';

/** A tool as the server lists it (the MCP `Tool` shape, the fields used here). */
export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
}

/** A block of a tool's result (MCP content: text, image, audio, resource_link, resource). */
export interface McpContent {
  type: string;
  text?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; mimeType?: string; text?: string };
}

export interface McpCallResult {
  content?: McpContent[];
  structuredContent?: unknown;
  isError?: boolean;
}

/** One configured server, connected on demand. */
export interface McpConnection {
  /** The name the person gave it in the configuration. */
  readonly server: string;
  readonly approval: McpApproval;
  /** Throws with a message naming what went wrong; the tool reports it to the model. */
  callTool(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult>;
}

/** OpenAI's function names: letters, digits, `_` and `-`, at most 64. */
const MAX_NAME = 64;
const MAX_DESCRIPTION = 2_000;

/**
 * `mcp_<server>_<tool>` in the function-name charset. A name too long, or one another tool already has
 * (`a.b` and `a_b` both become `a_b`), ends in a short hash of the original so each stays distinct and stable.
 */
export function mcpToolName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = `mcp_${clean(server)}_${clean(tool)}`;
  if (name.length <= MAX_NAME && !taken.has(name)) return name;
  const hash = createHash('sha256').update(`${server}\u0000${tool}`).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - hash.length - 1)}_${hash}`;
}

/** The server's tools as registry tools; their names are added to `taken`. */
export function mcpTools(connection: McpConnection, listed: readonly McpToolInfo[], taken: Set<string>): Tool[] {
  return listed.map((info) => {
    const name = mcpToolName(connection.server, info.name, taken);
    taken.add(name);
    return mcpTool(connection, info, name);
  });
}

function mcpTool(connection: McpConnection, info: McpToolInfo, name: string): Tool {
  const about = info.description?.trim() || info.title?.trim() || `the "${info.name}" tool`;
  const description = `${about.length > MAX_DESCRIPTION ? `${about.slice(0, MAX_DESCRIPTION)}…` : about} (MCP server "${connection.server}", tool "${info.name}")`;
  return {
    name,
    description,
    parameters: toolParameters(info.inputSchema),
    // The registry checks the schema's basic shape (types, required, enums) and lets keywords it does
    // not know (anyOf, $ref, patterns…) through: the server validates its own arguments and its error
    // reaches the model like any tool error.
    async run(args, ctx) {
      if (connection.approval !== 'always') {
        await askApproval(ctx, { kind: 'mcp_tool', server: connection.server, tool: info.name, args });
      }
      const result = await connection.callTool(info.name, args, ctx.signal);
      const text = mcpResultText(result);
      if (result.isError) throw new ToolError(text || `the MCP tool "${info.name}" failed without saying why`);
      return text;
    },
  };
}

/** The schema as sent to the model: an object schema, without the `$schema` key some servers add. */
function toolParameters(schema: McpToolInfo['inputSchema']): JsonSchema {
  const { $schema: _ignored, ...rest } = isPlainObject(schema) ? schema : { type: 'object' as const };
  return { ...rest, type: 'object' } as JsonSchema;
}

/** Text content joined; what the model cannot read here (images, audio, binary resources) named in brackets. */
export function mcpResultText(result: McpCallResult): string {
  const parts = (result.content ?? []).map(contentText);
  if (!parts.length && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

function contentText(block: McpContent): string {
  switch (block.type) {
    case 'text':
      return block.text ?? '';
    case 'image':
      return `[image${block.mimeType ? ` ${block.mimeType}` : ''}]`;
    case 'audio':
      return `[audio${block.mimeType ? ` ${block.mimeType}` : ''}]`;
    case 'resource_link':
      return `[resource ${block.uri ?? block.name ?? ''}]`.replace(' ]', ']');
    case 'resource':
      return typeof block.resource?.text === 'string' ? block.resource.text : `[resource ${block.resource?.uri ?? ''}]`.replace(' ]', ']');
    default:
      return `[${block.type}]`;
  }
}
