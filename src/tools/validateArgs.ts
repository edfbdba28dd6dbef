// Checks tool arguments against the small subset of JSON Schema our tools use, and says what is wrong
// in words a model can act on. Lenient where local models are predictably sloppy: numbers and booleans
// sent as strings ("2", "true"), numbers sent for strings, and null for an optional parameter are taken
// as meant; anything else wrong is reported, all errors at once, so one retry can fix them all.
import type { JsonSchema } from '../common/types';
import { isPlainObject } from '../common/json';

export type { JsonSchema };

export type ValidationResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: string[] };

export function validateArgs(schema: JsonSchema, value: Record<string, unknown>): ValidationResult {
  const errors: string[] = [];
  const checked = checkObject(schema, value, '', errors);
  return errors.length ? { ok: false, errors } : { ok: true, value: checked };
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, at: string, errors: string[]): Record<string, unknown> {
  const props = schema.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null) errors.push(`missing required parameter "${join(at, name)}"`);
  }
  for (const [name, v] of Object.entries(value)) {
    const propSchema = props[name];
    if (!propSchema) {
      if (schema.additionalProperties === false) {
        const known = Object.keys(props);
        errors.push(
          `unknown parameter "${join(at, name)}"` + (known.length ? ` (parameters: ${known.join(', ')})` : ' (this tool takes none)'),
        );
      } else {
        out[name] = v;
      }
      continue;
    }
    // null for an optional parameter means "not given"; for a required one it was reported above.
    if (v === null || v === undefined) continue;
    out[name] = checkValue(propSchema, v, join(at, name), errors);
  }
  return out;
}

function checkValue(schema: JsonSchema, value: unknown, at: string, errors: string[]): unknown {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  let v = value;
  if (types.length > 0) {
    if (!types.some((t) => isType(t, v))) {
      const coerced = types.map((t) => coerce(t, v)).find((c) => c !== undefined);
      if (coerced === undefined) {
        errors.push(`"${at}" must be ${types.map(article).join(' or ')}, not ${describe(value)}`);
        return value;
      }
      v = coerced;
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === v)) {
    errors.push(`"${at}" must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, not ${JSON.stringify(v)}`);
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push(`"${at}" must be at least ${schema.minimum}, not ${v}`);
    if (schema.maximum !== undefined && v > schema.maximum) errors.push(`"${at}" must be at most ${schema.maximum}, not ${v}`);
  }
  if (typeof v === 'string' && schema.minLength !== undefined && v.length < schema.minLength) {
    errors.push(
      schema.minLength === 1
        ? `"${at}" must not be empty`
        : `"${at}" must be at least ${schema.minLength} characters, not ${v.length}`,
    );
  }
  if (Array.isArray(v) && schema.items) {
    const items = schema.items;
    v = v.map((item, i) => checkValue(items, item, `${at}[${i}]`, errors));
  }
  if (isPlainObject(v) && (schema.properties || schema.required || schema.additionalProperties === false)) {
    v = checkObject(schema, v, at, errors);
  }
  return v;
}

function isType(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return true;
  }
}

/** The value a sloppy-but-clear argument meant, or undefined when it is really wrong. */
function coerce(type: string, v: unknown): unknown {
  if (type === 'integer' || type === 'number') {
    if (typeof v !== 'string' || !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return undefined;
    const n = Number(v);
    return isType(type, n) ? n : undefined;
  }
  if (type === 'boolean' && typeof v === 'string') {
    const t = v.trim().toLowerCase();
    return t === 'true' ? true : t === 'false' ? false : undefined;
  }
  if (type === 'string' && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
  return undefined;
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}` : `the number ${v}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function join(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}

