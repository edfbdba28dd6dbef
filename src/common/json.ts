// Checks on parsed JSON that every layer needs (tool arguments, protocol messages, state files).

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
