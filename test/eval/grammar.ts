// The language of the synthetic timelines: how facts, updates, decisions and questions are phrased
// (3–4 phrasings each), and the parsers for them. The generator writes with it; the oracle reads with
// it. Nothing here knows any answer: the answer key lives only in the generator's output.
import { canonicalDoc, parseDocQuestion, parseDocStatements, type DocQuestion, type DocStatement } from './docGrammar';

export const ATTRIBUTES = [
  'build command',
  'test command',
  'dev port',
  'config env var',
  'lint command',
  'HTTP client',
  'migration command',
  'package manager',
] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export const TOPICS = ['logging library', 'ORM', 'queue broker', 'feature-flag service', 'CI runner', 'API style', 'cache layer', 'secrets store'] as const;
export type Topic = (typeof TOPICS)[number];

export type Statement =
  | { kind: 'fact'; entity: string; attribute: Attribute; value: string }
  | { kind: 'decision'; topic: Topic; value: string; date?: string }
  | { kind: 'kv'; key: string; value: string }
  | DocStatement;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const A = `(${ATTRIBUTES.map(esc).join('|')})`;
const T = `(${TOPICS.map(esc).join('|')})`;
const E = '([a-z][a-z0-9]*(?:-[a-z0-9]+)+)';
const V = '`([^`\\n]+)`';
const DATE = '(\\d{4}-\\d{2}-\\d{2})';
export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

type Fact = (e: string, a: Attribute, v: string) => string;
export const FACT_TEMPLATES: Fact[] = [
  (e, a, v) => `The ${a} for ${e} is \`${v}\`.`,
  (e, a, v) => `Note for later: ${e}'s ${a} is \`${v}\`.`,
  (e, a, v) => `Heads up, we use \`${v}\` as the ${a} of ${e}.`,
  (e, a, v) => `For ${e}, set the ${a} to \`${v}\` from now on.`,
];
export const UPDATE_TEMPLATES: Fact[] = [
  (e, a, v) => `Change of plan: the ${a} for ${e} is now \`${v}\`.`,
  (e, a, v) => `${e} moved its ${a} to \`${v}\`.`,
  (e, a, v) => `Update: ${e}'s ${a} is now \`${v}\`.`,
];
/** How the diligent oracle writes a fact into a working-context block. */
export const canonicalFact: Fact = FACT_TEMPLATES[0];

type Decision = (t: Topic, v: string) => string;
export const DECISION_TEMPLATES: Decision[] = [
  (t, v) => `We decided to go with \`${v}\` for the ${t}.`,
  (t, v) => `Decision made: the ${t} will be \`${v}\`.`,
  (t, v) => `After the review we picked \`${v}\` for the ${t}.`,
];
/** Same topic, another day, no decision: a distractor for temporal questions. */
export const UNDECIDED_TEMPLATES: Decision[] = [
  (t, v) => `We talked about the ${t} again; \`${v}\` was floated but nothing is settled.`,
  (t, v) => `Someone proposed \`${v}\` for the ${t}, still open.`,
];
export const canonicalDecision = (t: Topic, v: string, date: string) => `We decided to go with \`${v}\` for the ${t} (on ${date}).`;

const FACT_PATTERNS: Array<{ re: RegExp; e: number; a: number; v: number }> = [
  { re: new RegExp(`[Tt]he ${A} for ${E} is (?:now )?${V}`, 'g'), a: 1, e: 2, v: 3 },
  { re: new RegExp(`${E}'s ${A} is (?:now )?${V}`, 'g'), e: 1, a: 2, v: 3 },
  { re: new RegExp(`we use ${V} as the ${A} of ${E}`, 'g'), v: 1, a: 2, e: 3 },
  { re: new RegExp(`For ${E}, set the ${A} to ${V}`, 'g'), e: 1, a: 2, v: 3 },
  { re: new RegExp(`${E} moved its ${A} to ${V}`, 'g'), e: 1, a: 2, v: 3 },
];
const DECISION_PATTERNS: Array<{ re: RegExp; t: number; v: number; d?: number }> = [
  { re: new RegExp(`We decided to go with ${V} for the ${T}(?: \\(on ${DATE}\\))?`, 'g'), v: 1, t: 2, d: 3 },
  { re: new RegExp(`Decision made: the ${T} will be ${V}`, 'g'), t: 1, v: 2 },
  { re: new RegExp(`After the review we picked ${V} for the ${T}`, 'g'), v: 1, t: 2 },
];
/** Workspace KV files (F4): `"<uuid>": "<uuid>",` lines of a JSON object. */
const KV_PATTERN = new RegExp(`"(${UUID})"\\s*:\\s*"(${UUID})"`, 'g');

/** Every fact, decision and key/value statement in a text, in order of appearance. */
export function parseStatements(text: string): Statement[] {
  // Text inside JSON strings (tool arguments, tool results) has its quotes escaped.
  const plain = text.includes('\\"') ? text.replace(/\\"/g, '"') : text;
  const found: Array<{ at: number; s: Statement }> = [];
  for (const p of FACT_PATTERNS) {
    for (const m of plain.matchAll(p.re)) found.push({ at: m.index!, s: { kind: 'fact', entity: m[p.e], attribute: m[p.a] as Attribute, value: m[p.v] } });
  }
  for (const p of DECISION_PATTERNS) {
    for (const m of plain.matchAll(p.re)) {
      found.push({ at: m.index!, s: { kind: 'decision', topic: m[p.t] as Topic, value: m[p.v], ...(p.d && m[p.d] ? { date: m[p.d] } : {}) } });
    }
  }
  for (const m of plain.matchAll(KV_PATTERN)) found.push({ at: m.index!, s: { kind: 'kv', key: m[1], value: m[2] } });
  found.push(...parseDocStatements(plain));
  return found.sort((x, y) => x.at - y.at).map((f) => f.s);
}

export function canonical(s: Statement, date?: string): string {
  if (s.kind === 'fact') return canonicalFact(s.entity, s.attribute, s.value);
  if (s.kind === 'decision') return canonicalDecision(s.topic, s.value, s.date ?? date ?? 'unknown date');
  if (s.kind === 'kv') return `"${s.key}": "${s.value}"`;
  return canonicalDoc(s);
}

// ---------------------------------------------------------------- questions

export type Question =
  | { kind: 'fact'; entity: string; attribute: Attribute }
  | { kind: 'aggregate'; value: string }
  | { kind: 'dated'; topic: Topic; when: string }
  | { kind: 'first'; options: [Choice, Choice] }
  | { kind: 'nested'; key: string }
  | DocQuestion;

type FactQ = (e: string, a: Attribute) => string;
export const FACT_QUESTIONS: FactQ[] = [
  (e, a) => `What is the ${a} for ${e}?`,
  (e, a) => `Remind me, what's ${e}'s ${a}?`,
  (e, a) => `Which ${a} does ${e} use?`,
  (e, a) => `Quick one: ${a} of ${e}?`,
];
/** Knowledge-update questions: the same, asking for the value now. */
export const UPDATE_QUESTIONS: FactQ[] = [
  (e, a) => `What is the ${a} for ${e} now?`,
  (e, a) => `Remind me, what's ${e}'s ${a} now?`,
  (e, a) => `Which ${a} does ${e} use now?`,
];
export const AGGREGATE_QUESTIONS: Array<(v: string) => string> = [
  (v) => `Which services use \`${v}\` as their package manager?`,
  (v) => `List every service whose package manager is \`${v}\`?`,
  (v) => `What services are on \`${v}\` for package management?`,
];
/** `when` is "on Tuesday, March 10", "last Tuesday" or "on 2026-03-10". */
export const DATED_QUESTIONS: Array<(t: Topic, when: string) => string> = [
  (t, when) => `What did we decide about the ${t} ${when}?`,
  (t, when) => `Which option did we pick for the ${t} ${when}?`,
  (t, when) => `${when[0].toUpperCase()}${when.slice(1)}, what was the decision on the ${t}?`,
];
/** A dated decision named in a "which came first?" question: its value and topic. */
export interface Choice {
  topic: Topic;
  value: string;
}
const choice = (c: Choice) => `\`${c.value}\` for the ${c.topic}`;
/** "Which came first?" (F3): two decisions made on different days; the answer is the earlier one's value. */
export const FIRST_QUESTIONS: Array<(a: Choice, b: Choice) => string> = [
  (a, b) => `Which came first: ${choice(a)} or ${choice(b)}?`,
  (a, b) => `Which did we decide earlier, ${choice(a)} or ${choice(b)}?`,
  (a, b) => `What was settled first: ${choice(a)}, or ${choice(b)}?`,
  (a, b) => `Between ${choice(a)} and ${choice(b)}, which decision came first?`,
];
export const NESTED_QUESTIONS: Array<(k: string) => string> = [
  (k) => `What is the value for key \`${k}\`, following nested keys?`,
  (k) => `Follow the nested keys from \`${k}\`: what is the final value?`,
  (k) => `Resolve key \`${k}\` through every nesting level; which value do you end with?`,
];

const C = `${V} for the ${T}`;
const first = (m: RegExpMatchArray): Question => ({ kind: 'first', options: [{ value: m[1], topic: m[2] as Topic }, { value: m[3], topic: m[4] as Topic }] });
const WHEN = '((?:on|last) [A-Za-z]+(?:, [A-Za-z]+ \\d{1,2})?|on \\d{4}-\\d{2}-\\d{2})';
const QUESTION_PATTERNS: Array<{ re: RegExp; make: (m: RegExpMatchArray) => Question }> = [
  { re: new RegExp(`^What is the ${A} for ${E}(?: now)?\\?$`), make: (m) => ({ kind: 'fact', attribute: m[1] as Attribute, entity: m[2] }) },
  { re: new RegExp(`^Remind me, what's ${E}'s ${A}(?: now)?\\?$`), make: (m) => ({ kind: 'fact', entity: m[1], attribute: m[2] as Attribute }) },
  { re: new RegExp(`^Which ${A} does ${E} use(?: now)?\\?$`), make: (m) => ({ kind: 'fact', attribute: m[1] as Attribute, entity: m[2] }) },
  { re: new RegExp(`^Quick one: ${A} of ${E}\\?$`), make: (m) => ({ kind: 'fact', attribute: m[1] as Attribute, entity: m[2] }) },
  { re: new RegExp(`^Which services use ${V} as their package manager\\?$`), make: (m) => ({ kind: 'aggregate', value: m[1] }) },
  { re: new RegExp(`^List every service whose package manager is ${V}\\?$`), make: (m) => ({ kind: 'aggregate', value: m[1] }) },
  { re: new RegExp(`^What services are on ${V} for package management\\?$`), make: (m) => ({ kind: 'aggregate', value: m[1] }) },
  { re: new RegExp(`^What did we decide about the ${T} ${WHEN}\\?$`), make: (m) => ({ kind: 'dated', topic: m[1] as Topic, when: m[2] }) },
  { re: new RegExp(`^Which option did we pick for the ${T} ${WHEN}\\?$`), make: (m) => ({ kind: 'dated', topic: m[1] as Topic, when: m[2] }) },
  { re: new RegExp(`^${WHEN}, what was the decision on the ${T}\\?$`, 'i'), make: (m) => ({ kind: 'dated', when: m[1], topic: m[2] as Topic }) },
  { re: new RegExp(`^Which came first: ${C} or ${C}\\?$`), make: first },
  { re: new RegExp(`^Which did we decide earlier, ${C} or ${C}\\?$`), make: first },
  { re: new RegExp(`^What was settled first: ${C}, or ${C}\\?$`), make: first },
  { re: new RegExp(`^Between ${C} and ${C}, which decision came first\\?$`), make: first },
  { re: new RegExp(`^What is the value for key \`(${UUID})\`, following nested keys\\?$`), make: (m) => ({ kind: 'nested', key: m[1] }) },
  { re: new RegExp(`^Follow the nested keys from \`(${UUID})\`: what is the final value\\?$`), make: (m) => ({ kind: 'nested', key: m[1] }) },
  { re: new RegExp(`^Resolve key \`(${UUID})\` through every nesting level; which value do you end with\\?$`), make: (m) => ({ kind: 'nested', key: m[1] }) },
];

export function parseQuestion(text: string): Question | undefined {
  const t = text.trim();
  for (const p of QUESTION_PATTERNS) {
    const m = t.match(p.re);
    if (m) return p.make(m);
  }
  return parseDocQuestion(t);
}

// ---------------------------------------------------------------- dates

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** How a question names a day, relative to `today` when it says "last". */
export function describeDay(day: string, today: string, style: 'weekday' | 'last' | 'iso'): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (style === 'iso') return `on ${day}`;
  if (style === 'last') return `last ${WEEKDAYS[d.getUTCDay()]}`;
  void today;
  return `on ${WEEKDAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** The YYYY-MM-DD a `when` phrase means, given today's date; undefined when it cannot be read. */
export function resolveDay(when: string, today: string): string | undefined {
  const iso = when.match(/(\d{4}-\d{2}-\d{2})/);
  if (iso) return iso[1];
  const now = new Date(`${today}T00:00:00Z`);
  const full = when.match(/[A-Za-z]+, ([A-Za-z]+) (\d{1,2})/);
  if (full) {
    const month = MONTHS.findIndex((m) => m.toLowerCase() === full[1].toLowerCase());
    if (month < 0) return undefined;
    let d = new Date(Date.UTC(now.getUTCFullYear(), month, Number(full[2])));
    if (d > now) d = new Date(Date.UTC(now.getUTCFullYear() - 1, month, Number(full[2])));
    return d.toISOString().slice(0, 10);
  }
  const last = when.match(/last ([A-Za-z]+)/i);
  if (last) {
    const wd = WEEKDAYS.findIndex((w) => w.toLowerCase() === last[1].toLowerCase());
    if (wd < 0) return undefined;
    let back = (now.getUTCDay() - wd + 7) % 7;
    if (back === 0) back = 7;
    return new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  }
  return undefined;
}
