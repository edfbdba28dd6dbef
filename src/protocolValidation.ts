// Checks every protocol message on receipt (DESIGN.md §7): what arrives through postMessage is untyped
// at run time, whatever the compiler believed on the sending side. Small hand-written checks, no schema
// library: each returns the reason a value is wrong ("data.attachments[0].path must be a string") or
// undefined when it is fine. Objects are strict: an unknown key is an error, so a typo on either end
// shows up at once instead of a field silently ignored.
import {
  CHAT_ERROR_KINDS,
  WEBVIEW_COMMANDS,
  type HostToWebview,
  type ProtocolMap,
  type WebviewToHost,
} from './protocol';

/** Returns why `value` (found at `at`, e.g. "data.text") is invalid, or undefined when it is valid. */
export type Check = (value: unknown, at: string) => string | undefined;

export interface MessageSchema {
  request: Check;
  /** For a streamed message, checks each chunk. */
  response: Check;
}

/** A schema for every name of a map, and only those: the compiler keeps validation and types in step. */
export type ProtocolSchema<P extends ProtocolMap> = { readonly [K in keyof P]-?: MessageSchema };

// ---- Building blocks ---------------------------------------------------------------------------

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : typeof value;

export const none: Check = (v, at) => (v === undefined ? undefined : `${at} must be absent (got ${describe(v)})`);
export const str: Check = (v, at) => (typeof v === 'string' ? undefined : `${at} must be a string (got ${describe(v)})`);
export const nonEmptyStr: Check = (v, at) => str(v, at) ?? ((v as string).length > 0 ? undefined : `${at} must not be empty`);
export const bool: Check = (v, at) => (typeof v === 'boolean' ? undefined : `${at} must be a boolean (got ${describe(v)})`);
export const num: Check = (v, at) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${at} must be a finite number (got ${describe(v)})`;
export const count: Check = (v, at) =>
  Number.isInteger(v) && (v as number) >= 0 ? undefined : `${at} must be a whole number >= 0 (got ${JSON.stringify(v) ?? describe(v)})`;
export const lineNumber: Check = (v, at) =>
  Number.isInteger(v) && (v as number) >= 1 ? undefined : `${at} must be a line number >= 1 (got ${JSON.stringify(v) ?? describe(v)})`;

export function oneOf(values: readonly string[]): Check {
  return (v, at) => (typeof v === 'string' && values.includes(v) ? undefined : `${at} must be one of ${values.join(', ')} (got ${JSON.stringify(v) ?? describe(v)})`);
}

export function literal(value: string | boolean): Check {
  return (v, at) => (v === value ? undefined : `${at} must be ${JSON.stringify(value)}`);
}

export function optional(check: Check): Check {
  return (v, at) => (v === undefined ? undefined : check(v, at));
}

export function nullable(check: Check): Check {
  return (v, at) => (v === null ? undefined : check(v, at));
}

export function arrayOf(check: Check): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return `${at} must be an array (got ${describe(v)})`;
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with exactly these fields (optional ones wrapped in `optional`). */
export function object(fields: Record<string, Check>): Check {
  return (v, at) => {
    if (!isPlainObject(v)) return `${at} must be an object (got ${describe(v)})`;
    for (const key of Object.keys(v)) {
      if (!Object.hasOwn(fields, key)) return `${at} has an unknown field "${key}"`;
    }
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** A union told apart by a string field (`type`), so the error names the right variant's problem. */
export function tagged(tag: string, variants: Record<string, Record<string, Check>>): Check {
  const checks = Object.fromEntries(Object.entries(variants).map(([name, fields]) => [name, object({ [tag]: literal(name), ...fields })]));
  return (v, at) => {
    if (!isPlainObject(v)) return `${at} must be an object (got ${describe(v)})`;
    const kind = v[tag];
    if (typeof kind !== 'string' || !Object.hasOwn(checks, kind)) {
      return `${at}.${tag} must be one of ${Object.keys(variants).join(', ')} (got ${JSON.stringify(kind) ?? 'nothing'})`;
    }
    return checks[kind](v, at);
  };
}

// ---- Shapes of protocol.ts ---------------------------------------------------------------------

const lineRange = { startLine: optional(lineNumber), endLine: optional(lineNumber) };

export const attachment = object({ path: nonEmptyStr, ...lineRange, text: str });
const attachmentRef = object({ path: nonEmptyStr, ...lineRange });

export const chatError = object({ kind: oneOf(CHAT_ERROR_KINDS), message: str, hint: optional(str), retryable: bool });

export const toolCard = object({
  callId: nonEmptyStr,
  name: nonEmptyStr,
  args: str,
  status: oneOf(['running', 'ok', 'error']),
  result: optional(str),
  editsMemory: bool,
  block: optional(str),
});

export const transcriptItem = tagged('type', {
  user: { id: nonEmptyStr, text: str, time: str, attachments: optional(arrayOf(attachmentRef)) },
  assistant: { id: nonEmptyStr, text: str, time: str },
  tool: { id: nonEmptyStr, card: toolCard },
  notice: { id: nonEmptyStr, kind: oneOf(['system_alert', 'auto_recall', 'eviction', 'warning', 'session']), text: str, time: str },
  error: { id: nonEmptyStr, error: chatError, time: str },
});

const memoryBlock = object({ label: nonEmptyStr, description: str, limit: count, value: str });

const indexState = object({
  status: oneOf(['not_indexed', 'indexing', 'ready', 'needs_rebuild', 'error']),
  files: optional(count),
  chunks: optional(count),
  done: optional(count),
  total: optional(count),
  message: optional(str),
});

const contextUsage = object({
  system: num,
  workingContext: num,
  summary: num,
  queue: num,
  total: num,
  budget: num,
  contextWindow: num,
});

export const memorySnapshot = object({
  blocks: arrayOf(memoryBlock),
  recallCount: count,
  archivalCount: count,
  indexState,
  usage: optional(contextUsage),
});

export const sessionSummary = object({ id: nonEmptyStr, title: str, started: str, ended: optional(str), current: bool });

const transcript = arrayOf(transcriptItem);
const queued = arrayOf(str);

// ---- One schema per message --------------------------------------------------------------------

export const webviewToHostSchema: ProtocolSchema<WebviewToHost> = {
  ready: {
    request: none,
    response: object({ session: sessionSummary, transcript, memory: memorySnapshot, running: bool, queued }),
  },
  'chat/send': {
    request: object({ text: str, attachments: optional(arrayOf(attachment)) }),
    response: object({ queued: bool }),
  },
  'chat/stop': { request: none, response: none },
  'chat/retry': { request: none, response: none },
  'session/new': { request: none, response: sessionSummary },
  'session/list': { request: none, response: arrayOf(sessionSummary) },
  'session/open': {
    request: object({ id: nonEmptyStr }),
    response: object({ session: sessionSummary, transcript, readOnly: bool }),
  },
  'memory/get': { request: none, response: memorySnapshot },
  'memory/setBlock': { request: object({ label: nonEmptyStr, value: str }), response: object({ ok: literal(true) }) },
  'editor/insert': { request: object({ code: str }), response: none },
  'editor/selection': { request: none, response: nullable(attachment) },
  'workspace/files': { request: object({ query: str, limit: optional(count) }), response: arrayOf(str) },
  'command/run': { request: object({ command: oneOf(WEBVIEW_COMMANDS) }), response: none },
};

export const hostToWebviewSchema: ProtocolSchema<HostToWebview> = {
  'agent/text': { request: object({ delta: str }), response: none },
  'agent/message': { request: object({ item: transcriptItem }), response: none },
  'agent/toolCall': { request: object({ card: toolCard }), response: none },
  'agent/toolResult': {
    request: object({ callId: nonEmptyStr, ok: bool, content: str, editsMemory: bool, block: optional(str) }),
    response: none,
  },
  'agent/status': { request: object({ running: bool, queued }), response: none },
  'agent/error': { request: object({ error: chatError }), response: none },
  'memory/updated': { request: object({ snapshot: memorySnapshot }), response: none },
  'session/changed': { request: object({ session: sessionSummary }), response: none },
};

/** Checks one payload against a map's schema; unknown names are refused like malformed payloads. */
export function validatePayload<P extends ProtocolMap>(
  schema: ProtocolSchema<P>,
  name: string,
  part: keyof MessageSchema,
  data: unknown,
): string | undefined {
  if (!Object.hasOwn(schema, name)) return `unknown message "${name}"`;
  return schema[name as keyof P][part](data, 'data');
}
