// The language of F5's large document (EVAL.md "Task families"): who owns an endpoint, which on-call
// channel a person answers in, 3 phrasings each, the questions about them (one hop and two), and
// their parsers. Like grammar.ts it knows no answer: the generator writes with it, the oracle reads with it.

export type DocStatement = { kind: 'owner'; endpoint: string; value: string } | { kind: 'oncall'; person: string; value: string };

export type DocQuestion = { kind: 'owner'; endpoint: string } | { kind: 'oncall'; person: string } | { kind: 'twohop'; endpoint: string };

/** An endpoint path: /v2/refunds, /v2/refunds/batch. */
const EP = '(/v\\d+/[a-z][a-z0-9-]*(?:/[a-z][a-z0-9-]*)*)';
/** A person: two capitalised words, not the tail of a longer capitalised run. */
const P = '(?<![A-Z][a-z]* )([A-Z][a-z]+ [A-Z][a-z]+)';
const CH = '(#[a-z][a-z0-9-]*)';

type Owner = (endpoint: string, person: string) => string;
export const OWNER_TEMPLATES: Owner[] = [
  (e, p) => `The owner of ${e} is ${p}.`,
  (e, p) => `${e} is owned by ${p}.`,
  (e, p) => `Ownership note: ${p} owns ${e}.`,
];
type OnCall = (person: string, channel: string) => string;
export const ONCALL_TEMPLATES: OnCall[] = [
  (p, c) => `${p}'s on-call channel is ${c}.`,
  (p, c) => `The on-call channel for ${p} is ${c}.`,
  (p, c) => `When on call, ${p} answers in ${c}.`,
];

const OWNER_PATTERNS: Array<{ re: RegExp; e: number; p: number }> = [
  { re: new RegExp(`[Tt]he owner of ${EP} is ${P}`, 'g'), e: 1, p: 2 },
  { re: new RegExp(`${EP} is owned by ${P}`, 'g'), e: 1, p: 2 },
  { re: new RegExp(`Ownership note: ${P} owns ${EP}`, 'g'), p: 1, e: 2 },
];
const ONCALL_PATTERNS: Array<{ re: RegExp; p: number; c: number }> = [
  { re: new RegExp(`${P}'s on-call channel is ${CH}`, 'g'), p: 1, c: 2 },
  { re: new RegExp(`[Tt]he on-call channel for ${P} is ${CH}`, 'g'), p: 1, c: 2 },
  { re: new RegExp(`When on call, ${P} answers in ${CH}`, 'g'), p: 1, c: 2 },
];

/** Every ownership and on-call statement in a text, with where it starts. */
export function parseDocStatements(text: string): Array<{ at: number; s: DocStatement }> {
  const found: Array<{ at: number; s: DocStatement }> = [];
  for (const p of OWNER_PATTERNS) for (const m of text.matchAll(p.re)) found.push({ at: m.index!, s: { kind: 'owner', endpoint: m[p.e], value: m[p.p] } });
  for (const p of ONCALL_PATTERNS) for (const m of text.matchAll(p.re)) found.push({ at: m.index!, s: { kind: 'oncall', person: m[p.p], value: m[p.c] } });
  return found;
}

export function canonicalDoc(s: DocStatement): string {
  return s.kind === 'owner' ? OWNER_TEMPLATES[0](s.endpoint, s.value) : ONCALL_TEMPLATES[0](s.person, s.value);
}

// ---------------------------------------------------------------- questions

export const OWNER_QUESTIONS: Array<(e: string) => string> = [
  (e) => `Who owns ${e}?`,
  (e) => `Who is the owner of ${e}?`,
  (e) => `Which person owns the ${e} endpoint?`,
];
export const ONCALL_QUESTIONS: Array<(p: string) => string> = [
  (p) => `What is ${p}'s on-call channel?`,
  (p) => `Which on-call channel does ${p} answer in?`,
  (p) => `On which channel is ${p} reachable when on call?`,
];
export const TWOHOP_QUESTIONS: Array<(e: string) => string> = [
  (e) => `Owner of ${e}, and their on-call channel?`,
  (e) => `Who owns ${e}, and what is their on-call channel?`,
  (e) => `Which person owns ${e}, and which on-call channel do they answer in?`,
];

const DOC_QUESTION_PATTERNS: Array<{ re: RegExp; make: (m: RegExpMatchArray) => DocQuestion }> = [
  { re: new RegExp(`^Who owns ${EP}\\?$`), make: (m) => ({ kind: 'owner', endpoint: m[1] }) },
  { re: new RegExp(`^Who is the owner of ${EP}\\?$`), make: (m) => ({ kind: 'owner', endpoint: m[1] }) },
  { re: new RegExp(`^Which person owns the ${EP} endpoint\\?$`), make: (m) => ({ kind: 'owner', endpoint: m[1] }) },
  { re: new RegExp(`^What is ${P}'s on-call channel\\?$`), make: (m) => ({ kind: 'oncall', person: m[1] }) },
  { re: new RegExp(`^Which on-call channel does ${P} answer in\\?$`), make: (m) => ({ kind: 'oncall', person: m[1] }) },
  { re: new RegExp(`^On which channel is ${P} reachable when on call\\?$`), make: (m) => ({ kind: 'oncall', person: m[1] }) },
  { re: new RegExp(`^Owner of ${EP}, and their on-call channel\\?$`), make: (m) => ({ kind: 'twohop', endpoint: m[1] }) },
  { re: new RegExp(`^Who owns ${EP}, and what is their on-call channel\\?$`), make: (m) => ({ kind: 'twohop', endpoint: m[1] }) },
  { re: new RegExp(`^Which person owns ${EP}, and which on-call channel do they answer in\\?$`), make: (m) => ({ kind: 'twohop', endpoint: m[1] }) },
];

export function parseDocQuestion(text: string): DocQuestion | undefined {
  for (const p of DOC_QUESTION_PATTERNS) {
    const m = text.match(p.re);
    if (m) return p.make(m);
  }
  return undefined;
}

/** The search the answer policy makes for one hop: the phrase a statement of the first phrasing holds. */
export const ownerQuery = (endpoint: string) => `owner of ${endpoint}`;
export const oncallQuery = (person: string) => `${person}'s on-call channel`;
