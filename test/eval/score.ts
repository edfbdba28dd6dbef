// Scores question runs against the answer key (the only reader of the key): accuracy with Wilson 95%
// intervals, stale answers, hallucinations, evidence-in-context, the tier that held the gold value,
// tool calls and prompt size per question, and archival Recall@k from the traced search results.
import { collectEvidence, type Evidence } from './evidence';
import { parseStatements } from './grammar';
import type { AnswerKey, Family, KeyEntry } from './generator';
import type { ModeRun, QuestionRun } from './runner';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON */

export interface Scored {
  id: string;
  family: Family;
  mode: string;
  /** undefined: the rules could not decide (a real model's free text); a judge may. */
  correct: boolean | undefined;
  answer: string;
  stale: boolean;
  /** Gave a value where the right answer was "unknown", or a value that is no planted value at all. */
  hallucinated: boolean;
  evidenceInContext: boolean;
  tierExpected: string;
  tierActual: string;
  toolCalls: number;
  requests: number;
  promptTokens: number;
  /** Rank of the first archival hit holding the gold value, over every page the model read. */
  archivalRank?: number;
  archivalSearched: boolean;
  /** F5: the asked needle's depth in the document (0–100%) and the number of hops. */
  docDepth?: number;
  hops?: number;
  error?: string;
}

export const FAMILIES: Family[] = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7'];
const ABSTAIN = /\bUNKNOWN\b|\b(?:don'?t|do not) know\b|\bnot sure\b|\bno record\b|\bnever (?:mentioned|said|stated)\b|\bcan(?:not|'t) find\b/i;

const norm = (s: string) => s.toLowerCase().replace(/[`'"*]/g, '').replace(/\s+/g, ' ').trim();

/** The answer part of a reply: after "ANSWER:" when present, else the whole reply. */
export function extractAnswer(reply: string): string {
  const m = reply.match(/ANSWER:\s*(.+)/);
  return (m ? m[1] : reply).trim();
}

/** Rules first (EVAL.md "Scoring a real model"): exact for the oracle, normalized contains otherwise. */
export function decideByRules(entry: KeyEntry, reply: string): { correct: boolean | undefined; stale: boolean; abstained: boolean } {
  const answer = extractAnswer(reply);
  const a = norm(answer);
  const abstained = ABSTAIN.test(answer);
  if (entry.kind === 'abstain') return { correct: abstained, stale: false, abstained };
  const stale = (entry.stale ?? []).some((v) => a.includes(norm(v))) && !entry.gold.some((g) => a.includes(norm(g)));
  if (entry.kind === 'set') {
    const listed = new Set(a.split(/\s*,\s*|\s+and\s+/).map((x) => x.trim()).filter(Boolean));
    const exact = listed.size === entry.gold.length && entry.gold.every((g) => listed.has(norm(g)));
    if (exact) return { correct: true, stale, abstained };
    const all = entry.gold.every((g) => a.includes(norm(g)));
    return { correct: abstained || !all ? false : undefined, stale, abstained };
  }
  if (entry.kind === 'choice') {
    // Choice (EVAL.md F3 "which came first?"): exactly the earlier option; naming both is left to the judge.
    const gold = norm(entry.gold[0]);
    const others = (entry.options ?? []).map(norm).filter((o) => o !== gold);
    if (a === gold) return { correct: true, stale, abstained };
    if (abstained || !a.includes(gold) || /^ANSWER:/m.test(reply)) return { correct: false, stale, abstained };
    return { correct: others.some((o) => a.includes(o)) ? undefined : true, stale, abstained };
  }
  if (entry.kind === 'contains') {
    // Contains (EVAL.md F5): every gold value in the answer; no judge needed either way.
    return { correct: !abstained && entry.gold.every((g) => a.includes(norm(g))), stale, abstained };
  }
  const gold = norm(entry.gold[0]);
  if (a === gold) return { correct: true, stale, abstained };
  if (abstained || stale || !a.includes(gold)) return { correct: false, stale, abstained };
  return { correct: /^ANSWER:/m.test(reply) ? false : true, stale, abstained };
}

function goldValues(entry: KeyEntry): string[] {
  return entry.gold;
}

function tierOf(requests: QuestionRun['requests'], values: string[]): string {
  for (let i = requests.length - 1; i >= 0; i--) {
    const found: Evidence | undefined = collectEvidence(requests[i].body).find((e) =>
      values.some((v) => (e.s.kind === 'kv' ? e.s.value === v : e.s.kind === 'fact' ? e.s.value === v || e.s.entity === v : e.s.value === v)),
    );
    if (found) return found.tier;
  }
  return 'absent';
}

function archivalRank(requests: QuestionRun['requests'], values: string[], statementsOnly = false): { searched: boolean; rank?: number } {
  // F5: a hit holds the gold when a statement in it has the gold value (a person's name also appears in their on-call line).
  const holds = (text: string) => (statementsOnly ? parseStatements(text).some((s) => values.includes(s.value)) : values.some((v) => text.includes(v)));
  const last = requests.at(-1)?.body?.messages ?? [];
  const calls = new Map<string, any>();
  let searched = false;
  let best: number | undefined;
  for (const m of last) {
    for (const c of m.tool_calls ?? []) calls.set(c.id, c);
    const call = m.role === 'tool' ? calls.get(m.tool_call_id) : undefined;
    if (call?.function?.name !== 'archival_memory_search') continue;
    searched = true;
    let parsed: any;
    try {
      parsed = JSON.parse(m.content);
    } catch {
      continue;
    }
    (parsed?.results ?? []).forEach((r: any, i: number) => {
      const rank = ((parsed.page ?? 1) - 1) * 5 + i + 1;
      if (holds(String(r.text ?? '')) && (best === undefined || rank < best)) best = rank;
    });
  }
  return { searched, rank: best };
}

export function scoreQuestion(run: QuestionRun, entry: KeyEntry): Scored {
  const rules = decideByRules(entry, run.reply);
  const values = goldValues(entry);
  const bodies = run.requests.map((r) => JSON.stringify(r.body?.messages ?? []));
  // A choice question names its options itself: its evidence is each option's decision statement in some request.
  const evidence =
    entry.kind === 'choice'
      ? (entry.options ?? []).every((v) => run.requests.some((r) => collectEvidence(r.body).some((e) => e.s.kind === 'decision' && e.s.value === v)))
      : values.length > 0 && values.every((v) => bodies.some((b) => b.includes(v)));
  const answer = extractAnswer(run.reply);
  const archival = archivalRank(run.requests, values, entry.kind === 'contains');
  return {
    id: run.id,
    family: entry.family,
    mode: run.mode,
    correct: run.error ? false : rules.correct,
    answer,
    stale: rules.stale,
    hallucinated: !rules.abstained && (entry.kind === 'abstain' || rules.correct === false),
    evidenceInContext: evidence,
    tierExpected: entry.expectedTier,
    tierActual: entry.kind === 'choice' ? [...new Set((entry.options ?? []).map((v) => tierOf(run.requests, [v])))].join('+') : values.length ? tierOf(run.requests, values) : '-',
    toolCalls: run.toolCalls,
    requests: run.requests.length,
    promptTokens: run.requests.length ? Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length / 4) : 0,
    archivalRank: archival.rank,
    archivalSearched: archival.searched,
    ...(entry.docDepth !== undefined ? { docDepth: entry.docDepth, hops: entry.hops } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}

export function scoreRuns(runs: ModeRun[], key: AnswerKey): Scored[] {
  return runs.flatMap((r) => r.questions.map((q) => scoreQuestion(q, key[q.id])));
}

export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 0];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

export interface Cell {
  n: number;
  correct: number;
  accuracy: number;
  ci: [number, number];
}

export function cell(items: Scored[]): Cell {
  const n = items.length;
  const correct = items.filter((s) => s.correct === true).length;
  return { n, correct, accuracy: n ? correct / n : 0, ci: wilson(correct, n) };
}

export interface Gate {
  name: string;
  pass: boolean;
  detail: string;
}

/** EVAL.md's CI gates, family by family, plus the oracle's own checks. */
export function gates(scored: Scored[], selfTest: Scored[], ceiling: Scored[]): Gate[] {
  const out: Gate[] = [];
  const acc = (mode: string, f: Family) => cell(scored.filter((s) => s.mode === mode && s.family === f));
  const modes = new Set(scored.map((s) => s.mode));
  for (const f of FAMILIES) {
    if (f === 'F6') continue;
    const c = acc('full', f);
    if (c.n) out.push({ name: `full ${f} ≥ 95%`, pass: c.accuracy >= 0.95, detail: `${c.correct}/${c.n}` });
  }
  const f6 = acc('full', 'F6');
  if (f6.n) out.push({ name: 'full F6 = 100%', pass: f6.correct === f6.n, detail: `${f6.correct}/${f6.n}` });
  if (modes.has('none')) {
    for (const f of ['F1', 'F2', 'F3', 'F4', 'F5'] as Family[]) {
      const c = acc('none', f);
      if (c.n) out.push({ name: `none ${f} ≤ 40%`, pass: c.accuracy <= 0.4, detail: `${c.correct}/${c.n}` });
    }
  }
  if (selfTest.length) {
    const unknown = selfTest.filter((s) => /^UNKNOWN$/.test(s.answer)).length;
    out.push({ name: 'self-test: empty memory answers UNKNOWN', pass: unknown === selfTest.length, detail: `${unknown}/${selfTest.length}` });
  }
  if (ceiling.length) {
    const c = cell(ceiling);
    out.push({ name: 'generator self-check (ceiling) = 100%', pass: c.correct === c.n, detail: `${c.correct}/${c.n}` });
  }
  return out;
}
