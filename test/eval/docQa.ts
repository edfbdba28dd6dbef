// F5, large-document QA (EVAL.md "Task families"): one handbook of at least 20 context windows in the
// workspace, with ownership and on-call needles at depths 0–100%, distractors that repeat the words a
// search for a needle uses (so the needle's passage ranks below them, on search pages 2–3), near-miss
// statements about sibling endpoints, and one-hop and two-hop questions. Indexed into archival memory
// in `full`; pasted in parts in `none` and `summary`.
import { countTokens } from '../../src/llm/tokens';
import { ONCALL_QUESTIONS, ONCALL_TEMPLATES, OWNER_QUESTIONS, OWNER_TEMPLATES, TWOHOP_QUESTIONS } from './docGrammar';
import type { AnswerKey, EvalQuestion, Timeline } from './generator';
import { Rng } from './rng';

export const DOC_PATH = 'docs/handbook.md';
/** The document is at least this many context windows long. */
export const DOC_WINDOWS = 20;
const RESOURCES = ['refunds', 'invoices', 'payouts', 'disputes', 'ledgers', 'webhooks', 'sessions', 'quotes', 'coupons', 'subscriptions', 'shipments', 'returns', 'carts', 'vouchers', 'mandates', 'transfers', 'balances', 'receipts', 'tariffs', 'settlements'];
const TOPICS = ['Retries', 'Timeouts', 'Pagination', 'Idempotency', 'Rate limits', 'Schema changes', 'Rollouts', 'Backfills', 'Caching', 'Error codes'];
const SUBJECTS = ['The gateway', 'The batch job', 'Each replica', 'The read path', 'The write path', 'A client', 'The scheduler', 'The exporter'];
const VERBS = ['retries with jittered backoff', 'drops requests older than the deadline', 'pages through results by cursor', 'keys writes by the request id', 'sheds load above the soft limit', 'rejects unknown fields', 'rolls out behind a percentage flag', 'rebuilds the projection nightly'];
const DETAILS = ['so a duplicate submit is harmless', 'which keeps the tail latency flat', 'unless the caller opts out in the header', 'and logs the decision at debug level', 'as described in the runbook appendix', 'with a ceiling of a few minutes', 'after the migration window closes', 'so replays stay cheap'];

const cap = (w: string) => w[0].toUpperCase() + w.slice(1);

/** Filler names only endpoints no question asks about, so the distractors alone decide how far down the gold passage ranks. */
function fillerLine(rng: Rng, endpoints: string[]): string {
  const where = rng.int(3) === 0 ? ` for ${rng.pick(endpoints)}` : '';
  return `${rng.pick(SUBJECTS)}${where} ${rng.pick(VERBS)}, ${rng.pick(DETAILS)}; batch size ${2 + rng.int(500)}, timeout ${1 + rng.int(90)} s.`;
}

/** Lines that repeat a search's words without saying who owns what or which channel is whose. */
const OWNER_DISTRACTORS: Array<(e: string) => string> = [
  (e) => `Before changing ${e}, ask the owner of ${e} for a review; the owner of ${e} signs off on every schema change to ${e}.`,
  (e) => `Questions about ${e} go to the owner of ${e}, as listed in the ownership table; the owner of ${e} also approves ${e} rollouts.`,
  (e) => `Incidents on ${e} page the owner of ${e} first; when the owner of ${e} is away, the platform lead covers ${e}.`,
];
const ONCALL_DISTRACTORS: Array<(p: string) => string> = [
  (p) => `${p} keeps the on-call handover notes; ${p}'s on-call shifts start on Mondays and ${p} swaps on-call weeks through the rota bot.`,
  (p) => `During ${p}'s on-call week, ${p} triages the on-call queue each morning; ask ${p} about on-call channel naming.`,
  (p) => `${p} wrote the on-call guide; the on-call channel list it mentions is kept up to date by ${p}'s team.`,
];

export function generateLargeDoc(seed: number, n: number, contextWindow: number): { timeline: Timeline; key: AnswerKey } {
  const rng = new Rng(seed + 2);
  const resources = rng.shuffle(RESOURCES);
  const person = () => rng.unique(() => `${cap(rng.word())} ${cap(rng.word())}`);
  const items = Array.from({ length: n }, (_, i) => {
    const resource = resources[i % resources.length];
    const version = 2 + Math.floor(i / resources.length);
    const p = person();
    // The near-miss version is v1 for every item: `/v${version - 1}` is another item's endpoint once n
    // passes the resource count, and its second owner made the document contradict itself.
    return { endpoint: `/v${version}/${resource}`, sibling: `/v1/${resource}`, batch: `/v${version}/${resource}/batch`, person: p, channel: `#${resource}-${rng.word()}` };
  });
  const endpoints = Array.from({ length: 12 }, () => `/internal/${rng.word()}`);

  // Filler, section by section, until the document is DOC_WINDOWS windows long.
  const lines: string[] = ['# Payments platform handbook', ''];
  let tokens = countTokens(lines.join('\n'));
  for (let s = 1; tokens < DOC_WINDOWS * contextWindow * 1.02; s++) {
    const section = [`## ${s}. ${rng.pick(TOPICS)}`, ''];
    for (let k = 0; k < 30; k++) section.push(fillerLine(rng, endpoints));
    section.push('');
    lines.push(...section);
    tokens += countTokens(section.join('\n'));
  }

  // Insertions by line index: the needles at their depths, the distractors at random lines elsewhere.
  const inserts: Array<{ at: number; text: string }> = [];
  const spot = (depth: number) => Math.min(lines.length, 2 + Math.round(depth * (lines.length - 2)));
  const key: AnswerKey = {};
  const questions: EvalQuestion[] = [];
  items.forEach((it, i) => {
    const depth = n > 1 ? i / (n - 1) : 0;
    const kind = i % 3 === 0 ? 'twohop' : i % 3 === 1 ? 'owner' : 'oncall';
    // The hop asked about sits at the item's depth; a two-hop item's second hop sits elsewhere.
    const otherDepth = rng.next();
    const ownerDepth = kind === 'oncall' ? otherDepth : depth;
    const oncallDepth = kind === 'oncall' ? depth : otherDepth;
    inserts.push({ at: spot(ownerDepth), text: rng.pick(OWNER_TEMPLATES)(it.endpoint, it.person) });
    inserts.push({ at: spot(oncallDepth), text: rng.pick(ONCALL_TEMPLATES)(it.person, it.channel) });
    // Near misses: the same resource at another version or path, owned by someone else.
    inserts.push({ at: spot(rng.next()), text: rng.pick(OWNER_TEMPLATES)(it.sibling, person()) });
    inserts.push({ at: spot(rng.next()), text: rng.pick(OWNER_TEMPLATES)(it.batch, person()) });
    // Distractors, each on a line of its own far from the others: 4–9 per searched hop (with the chunks'
    // overlap and the near misses, 5–14 passages ahead of the gold one).
    const asked = kind === 'oncall' ? [] : [it.endpoint];
    for (const e of asked) for (let d = 0, m = 4 + rng.int(6); d < m; d++) inserts.push({ at: spot(rng.next()), text: rng.pick(OWNER_DISTRACTORS)(e) });
    if (kind !== 'owner') for (let d = 0, m = 4 + rng.int(6); d < m; d++) inserts.push({ at: spot(rng.next()), text: rng.pick(ONCALL_DISTRACTORS)(it.person) });
    const id = `F5-${i + 1}`;
    const text = kind === 'owner' ? rng.pick(OWNER_QUESTIONS)(it.endpoint) : kind === 'oncall' ? rng.pick(ONCALL_QUESTIONS)(it.person) : rng.pick(TWOHOP_QUESTIONS)(it.endpoint);
    questions.push({ id, family: 'F5', text });
    const gold = kind === 'owner' ? [it.person] : kind === 'oncall' ? [it.channel] : [it.person, it.channel];
    key[id] = { family: 'F5', kind: 'contains', gold, hops: kind === 'twohop' ? 2 : 1, docDepth: Math.round(depth * 100), expectedTier: 'archival_memory_search' };
  });
  for (const ins of inserts.sort((a, b) => b.at - a.at)) lines.splice(ins.at, 0, ins.text);
  const files = { [DOC_PATH]: `${lines.join('\n')}\n` };
  const sessions = [{ start: '2026-03-02T09:00:00.000Z', turns: [{ text: `The platform handbook is ${DOC_PATH}: endpoint ownership and on-call channels are in there.` }] }];
  return { timeline: { name: 'large-doc', seed, sessions, askedAt: '2026-03-05T09:00:00.000Z', questions: rng.shuffle(questions), files, pasteFiles: true }, key };
}
