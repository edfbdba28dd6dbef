// Tool-call arguments as local models really send them: almost JSON. Repair the predictable slips
// (code fences, trailing commas, single quotes, bare keys, Python constants, two objects glued together,
// an object encoded as a JSON string) before refusing, so one sloppy character does not cost a step.
import { jsonrepair } from 'jsonrepair';
import { isPlainObject } from '../common/json';

export type ParsedArguments =
  | { ok: true; value: Record<string, unknown>; repaired: boolean }
  | { ok: false; error: string };

// An object encoded as a string may itself be encoded again; a couple of layers is all models produce.
const MAX_STRING_UNWRAPS = 2;

export function parseToolArguments(raw: string): ParsedArguments {
  const text = (raw ?? '').trim();
  if (text === '') return { ok: true, value: {}, repaired: false };

  const plain = tryJson(text);
  if (plain.ok) return asObject(plain.value, false);

  const unfenced = stripFences(text);
  const { pieces, onlySeparators } = topLevelValues(unfenced);
  if (pieces.length > 1 && onlySeparators) return mergeGlued(pieces);

  const repaired = repairJson(unfenced);
  if (repaired.ok) {
    const obj = asObject(repaired.value, true);
    if (obj.ok || pieces.length === 0) return obj;
  }
  // Prose around the object ("Here are the arguments: {...}"): the first object is the call.
  if (pieces.length > 0 && pieces[0] !== unfenced) {
    const first = repairJson(pieces[0]);
    if (first.ok) return asObject(first.value, true);
  }
  return repaired.ok ? asObject(repaired.value, true) : { ok: false, error: repaired.error };
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function repairJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const plain = tryJson(text);
  if (plain.ok) return plain;
  try {
    return { ok: true, value: JSON.parse(jsonrepair(text)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Accepts a plain object, or a string that holds one; anything else is an error the model can act on. */
function asObject(value: unknown, repaired: boolean, unwraps = 0): ParsedArguments {
  if (isPlainObject(value)) return { ok: true, value, repaired };
  if (typeof value === 'string' && unwraps < MAX_STRING_UNWRAPS) {
    const inner = value.trim();
    if (inner.startsWith('{') || inner.startsWith('```')) {
      const parsed = parseToolArguments(inner);
      if (parsed.ok) return { ok: true, value: parsed.value, repaired: true };
    }
  }
  return { ok: false, error: `expected a JSON object, got ${describe(value)}` };
}

/** Keeps what is inside the first ``` fence (with or without a language tag); text without fences is unchanged. */
function stripFences(text: string): string {
  const open = text.indexOf('```');
  if (open < 0) return text;
  const afterOpen = text.slice(open + 3).replace(/^[\w+-]*[ \t]*\r?\n?/, '');
  const close = afterOpen.indexOf('```');
  return (close < 0 ? afterOpen : afterOpen.slice(0, close)).trim();
}

/**
 * Finds the top-level objects and arrays in `{...}{...}` (or `{...}\n{...}`, `{...}, {...}`, prose around
 * them). Strings in double or single quotes are skipped so braces inside them do not count.
 * `onlySeparators` says nothing but whitespace and commas sits between and around them.
 */
function topLevelValues(text: string): { pieces: string[]; onlySeparators: boolean } {
  const pieces: string[] = [];
  let outside = '';
  let depth = 0;
  let start = -1;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (depth === 0 && c !== '{' && c !== '[') {
      outside += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) pieces.push(text.slice(start, i + 1));
    }
  }
  // An unterminated last object is kept too: jsonrepair can close it.
  if (depth > 0 && start >= 0) pieces.push(text.slice(start));
  return { pieces, onlySeparators: outside.replace(/[\s,]/g, '') === '' };
}

/**
 * The rule for glued objects: merge them when no key repeats, otherwise keep only the first.
 * Why: models glue objects for two reasons. Either they split one call's arguments across objects
 * (`{"path":"a.ts"}{"start_line":5}`), which merging recovers, or they emit the same call twice with
 * variations (`{"path":"a"}{"path":"b"}`), where the first is what they meant to send first and the
 * loop lets them send the other next. Mixing keys from both would make a call nobody intended.
 */
function mergeGlued(pieces: string[]): ParsedArguments {
  const objects: Record<string, unknown>[] = [];
  for (const piece of pieces) {
    const parsed = repairJson(piece);
    if (!parsed.ok) {
      if (objects.length > 0) break;
      return { ok: false, error: parsed.error };
    }
    const obj = asObject(parsed.value, true);
    if (!obj.ok) {
      if (objects.length > 0) break;
      return obj;
    }
    objects.push(obj.value);
  }
  const seen = new Set<string>();
  for (const obj of objects) {
    for (const key of Object.keys(obj)) {
      if (seen.has(key)) return { ok: true, value: objects[0], repaired: true };
      seen.add(key);
    }
  }
  return { ok: true, value: Object.assign({}, ...objects), repaired: true };
}


function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}
