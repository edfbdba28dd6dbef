// The MCP servers the person configured, read from the shapes they already have: VS Code's `mcp.json`
// (`{"servers": {...}}`), Claude Desktop's and Cursor's (`{"mcpServers": {...}}`), or the bare map that
// `memcode.mcpServers` holds. What cannot be used is reported per server, never thrown: one bad entry
// must not cost the others.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { isPlainObject } from '../common/json';
import type { McpApproval } from '../tools/mcpTools';

export type McpTransportConfig =
  | { type: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  /** `http` is streamable HTTP; `sse` the older HTTP+SSE transport some servers still speak. */
  | { type: 'http' | 'sse'; url: string; headers: Record<string, string> };

export interface McpServerConfig {
  name: string;
  approval: McpApproval;
  transport: McpTransportConfig;
  /** How long one tool call may take, in ms (a server's `timeout`, in seconds, in the configuration). */
  callTimeoutMs?: number;
}

export interface McpServersConfig {
  servers: McpServerConfig[];
  /** One line per entry left out, naming the server and why. */
  problems: string[];
}

export interface McpConfigVariables {
  workspaceFolder: string;
  env?: Record<string, string | undefined>;
}

export function parseMcpServers(value: unknown, vars: McpConfigVariables): McpServersConfig {
  const servers: McpServerConfig[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) return { servers, problems };
  if (!isPlainObject(value)) return { servers, problems: ['the MCP configuration must be an object of servers by name'] };
  const map = isPlainObject(value.servers) ? value.servers : isPlainObject(value.mcpServers) ? value.mcpServers : value;
  for (const [name, entry] of Object.entries(map)) {
    const parsed = parseServer(name, entry, vars);
    if (typeof parsed === 'string') problems.push(`MCP server "${name}" skipped: ${parsed}`);
    else servers.push(parsed);
  }
  return { servers, problems };
}

/** Reads a configuration file (JSON with comments and trailing commas, as VS Code writes `mcp.json`). */
export function readMcpConfigFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(stripJsonComments(text));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function parseServer(name: string, entry: unknown, vars: McpConfigVariables): McpServerConfig | string {
  if (!isPlainObject(entry)) return 'its entry is not an object';
  if (entry.disabled === true) return 'it is disabled';
  const approval = entry.approval ?? 'ask';
  if (approval !== 'ask' && approval !== 'always') return `"approval" must be "ask" or "always", not ${JSON.stringify(approval)}`;
  const timeout = entry.timeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) return '"timeout" must be a positive number of seconds';
  const type = typeof entry.type === 'string' ? entry.type : entry.url !== undefined ? 'http' : 'stdio';
  let transport: McpTransportConfig | string;
  try {
    transport = parseTransport(type, entry, vars);
  } catch (err) {
    return (err as Error).message;
  }
  if (typeof transport === 'string') return transport;
  return { name, approval, transport, ...(typeof timeout === 'number' ? { callTimeoutMs: timeout * 1000 } : {}) };
}

function parseTransport(type: string, entry: Record<string, unknown>, vars: McpConfigVariables): McpTransportConfig | string {
  const sub = (s: string) => substitute(s, vars);
  if (type === 'stdio') {
    if (typeof entry.command !== 'string' || !entry.command.trim()) return 'a stdio server needs a "command"';
    if (entry.args !== undefined && !(Array.isArray(entry.args) && entry.args.every((a) => typeof a === 'string'))) return '"args" must be a list of strings';
    const env = stringMap(entry.env, '"env"');
    if (typeof env === 'string') return env;
    if (entry.cwd !== undefined && typeof entry.cwd !== 'string') return '"cwd" must be a string';
    return {
      type: 'stdio',
      command: sub(entry.command),
      args: ((entry.args as string[] | undefined) ?? []).map(sub),
      env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, sub(v)])),
      cwd: typeof entry.cwd === 'string' ? sub(entry.cwd) : vars.workspaceFolder,
    };
  }
  if (type === 'http' || type === 'streamable-http' || type === 'streamableHttp' || type === 'sse') {
    if (typeof entry.url !== 'string') return `an ${type} server needs a "url"`;
    const url = sub(entry.url);
    try {
      new URL(url);
    } catch {
      return `"url" ${JSON.stringify(url)} is not a URL`;
    }
    const headers = stringMap(entry.headers, '"headers"');
    if (typeof headers === 'string') return headers;
    return { type: type === 'sse' ? 'sse' : 'http', url, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, sub(v)])) };
  }
  return `unknown "type" ${JSON.stringify(type)} (use "stdio" or "http")`;
}

function stringMap(value: unknown, what: string): Record<string, string> | string {
  if (value === undefined) return {};
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) return `${what} must be an object of strings`;
  return value as Record<string, string>;
}

/** VS Code's variables that make sense outside the editor; `${input:…}` prompts do not. */
function substitute(text: string, vars: McpConfigVariables): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder') return vars.workspaceFolder;
    if (name === 'userHome') return os.homedir();
    if (name.startsWith('env:')) return (vars.env ?? process.env)[name.slice(4)] ?? '';
    if (name.startsWith('input:')) throw new Error(`${whole}: input prompts are not supported; put the value in "env" or use \${env:NAME}`);
    return whole;
  });
}

/** Removes // and /* *\/ comments, then commas before a closing bracket, outside strings. */
function stripJsonComments(text: string): string {
  const pass = (input: string, outside: (i: number) => { skip: number; put: string } | undefined): string => {
    let out = '';
    for (let i = 0; i < input.length; i++) {
      if (input[i] === '"') {
        const start = i;
        for (i++; i < input.length && input[i] !== '"'; i++) if (input[i] === '\\') i++;
        out += input.slice(start, i + 1);
        continue;
      }
      const replaced = outside(i);
      if (!replaced) out += input[i];
      else {
        out += replaced.put;
        i += replaced.skip - 1;
      }
    }
    return out;
  };
  const noComments = pass(text, (i) => {
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      return { skip: (end < 0 ? text.length : end) - i, put: '' };
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      return { skip: (end < 0 ? text.length : end + 2) - i, put: ' ' };
    }
    return undefined;
  });
  return pass(noComments, (i) => (noComments[i] === ',' && /^\s*[}\]]/.test(noComments.slice(i + 1, i + 200)) ? { skip: 1, put: '' } : undefined));
}
