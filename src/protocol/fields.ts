// The building blocks the protocol's schemas are made of: valibot schemas whose messages say what a field
// must be and what arrived instead ("must be a string (got number)"), and `describeIssue`, which puts the
// path of the bad field in front ("data.attachments[0].path must not be empty"). Objects are strict: an
// unknown key is an error, so a typo on either end shows up at once instead of a field silently ignored.
import * as v from 'valibot';

type Issue = v.BaseIssue<unknown>;

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : typeof value;

/** The value itself when it is short to show (numbers, strings), else its kind. */
const shown = (value: unknown): string => JSON.stringify(value) ?? describe(value);

const must = (what: string) => (issue: Issue) => `must be ${what} (got ${describe(issue.input)})`;
const mustBeShown = (what: string) => (issue: Issue) => `must be ${what} (got ${shown(issue.input)})`;

/** Nothing: the message has no payload. */
export const none = v.void(must('absent'));
export const str = v.string(must('a string'));
export const nonEmptyStr = v.pipe(v.string(must('a string')), v.minLength(1, 'must not be empty'));
export const bool = v.boolean(must('a boolean'));
export const num = v.pipe(v.number(must('a finite number')), v.finite(must('a finite number')));

const wholeNumber = mustBeShown('a whole number >= 0');
export const count = v.pipe(v.number(wholeNumber), v.integer(wholeNumber), v.minValue(0, wholeNumber));

const line = mustBeShown('a line number >= 1');
export const lineNumber = v.pipe(v.number(line), v.integer(line), v.minValue(1, line));

export function oneOf<const T extends readonly string[]>(values: T) {
  return v.picklist(values, mustBeShown(`one of ${values.join(', ')}`));
}

export function arrayOf<T extends v.GenericSchema>(item: T) {
  return v.array(item, must('an array'));
}

/** An object with exactly these fields (optional ones wrapped in `v.optional`). */
export function object<const E extends v.ObjectEntries>(entries: E) {
  return v.strictObject(entries, (issue) => {
    const field = issue.path?.[0];
    if (field?.type !== 'object') return must('an object')(issue);
    if (issue.expected === 'never') return `has an unknown field "${String(field.key)}"`;
    // A missing field: say what it must be, as if it had arrived as undefined.
    const missing = v.safeParse(entries[field.key as keyof E], undefined, { abortEarly: true });
    return missing.issues?.[0].message ?? 'is missing';
  });
}

/** A union of objects told apart by a string field (`type`), so the error names the right variant's problem. */
export function tagged<const K extends string, const O extends v.VariantOptions<K>>(key: K, options: O) {
  const names = options.map((option) => ((option as v.StrictObjectSchema<v.ObjectEntries, undefined>).entries[key] as v.LiteralSchema<v.Literal, undefined>).literal);
  return v.variant(key, options, (issue) =>
    issue.path ? `must be one of ${names.join(', ')} (got ${JSON.stringify(issue.input) ?? 'nothing'})` : must('an object')(issue),
  );
}

/** One issue as a sentence that starts with where it is: `data.transcript[0].card.status must be one of …`. */
export function describeIssue(issue: Issue, root = 'data'): string {
  let at = root;
  for (const item of issue.path ?? []) {
    // valibot checks objects with `typeof === 'object'`, so an array where an object belongs gets as far
    // as its fields; say what is really wrong.
    if (item.type === 'object' && Array.isArray(item.input)) return `${at} must be an object (got an array)`;
    // An unknown field is a problem of the object that has it, and the message names the field.
    if (item.origin === 'key' && issue.expected === 'never') break;
    at += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  }
  return `${at} ${issue.message}`;
}
