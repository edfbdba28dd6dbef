// Seeded synthetic timelines for the memory eval (EVAL.md "Harness"): sessions on simulated weekdays,
// filler turns, facts planted per task family, and an answer key kept apart from the timeline (only
// the scorer reads it). Every name and value is invented, so no model can know them beforehand.
import {
  AGGREGATE_QUESTIONS,
  ATTRIBUTES,
  DATED_QUESTIONS,
  DECISION_TEMPLATES,
  FACT_QUESTIONS,
  FACT_TEMPLATES,
  FIRST_QUESTIONS,
  NESTED_QUESTIONS,
  TOPICS,
  UNDECIDED_TEMPLATES,
  UPDATE_QUESTIONS,
  UPDATE_TEMPLATES,
  describeDay,
  type Attribute,
  type Topic,
} from './grammar';
import { fillerTurn } from './filler';
import { Rng } from './rng';

export type Family = 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7';

export interface Turn {
  text: string;
}
export interface Session {
  /** ISO time of the first turn; later turns follow a few minutes apart. */
  start: string;
  turns: Turn[];
}
export interface EvalQuestion {
  id: string;
  family: Family;
  text: string;
}
export interface Timeline {
  name: string;
  seed: number;
  sessions: Session[];
  /** ISO time at which every question is asked, in a session of its own. */
  askedAt: string;
  questions: EvalQuestion[];
  /** Files written into the workspace before planting (F4/F5), relative path → text. */
  files: Record<string, string>;
  /** In `full` the files are indexed into archival memory; otherwise they arrive as pasted turns. */
  pasteFiles: boolean;
}
export interface KeyEntry {
  family: Family;
  /** contains: every gold value appears in the answer (F5); choice: the answer is exactly one of `options` (F3 "which came first?"). */
  kind: 'exact' | 'set' | 'abstain' | 'contains' | 'choice';
  /** The value (exact), the members (set), the values the answer must hold (contains), or nothing (abstain). */
  gold: string[];
  /** Older values of an updated fact (F2): answering one is a stale answer. */
  stale?: string[];
  /** Keys of a nested chain, first to last (F4): answering one of these is an intermediate value. */
  chain?: string[];
  depth?: number;
  /** F5: where the asked needle sits in the document (0–100%), and one or two hops. */
  docDepth?: number;
  hops?: number;
  /** The options a choice question offers (the gold one among them). */
  options?: string[];
  expectedTier: string;
}
export type AnswerKey = Record<string, KeyEntry>;

export interface Sizes {
  F1: number;
  F2: number;
  F3: number;
  /** F3 "which came first?" items, comparing two of the F3 decisions made on different days. */
  F3order: number;
  F6: number;
  F7: number;
  F4: number;
  F5: number;
  /** Weekday sessions in the conversational timeline. */
  sessions: number;
  /** Filler turns per session and approximate tokens per filler turn. */
  fillerTurns: number;
  fillerTokens: number;
}

export const CI_SIZES: Sizes = { F1: 12, F2: 6, F3: 6, F3order: 3, F6: 8, F7: 4, F4: 15, F5: 14, sessions: 15, fillerTurns: 3, fillerTokens: 450 };

const PREFIXES = ['ledger', 'quill', 'orbit', 'fennel', 'mosaic', 'tundra', 'harbor', 'cobalt', 'juniper', 'vesper', 'pylon', 'marlin', 'saffron', 'aurora', 'basalt', 'cinder', 'ember', 'fjord', 'gale', 'heron', 'indigo', 'kestrel', 'lumen', 'nimbus', 'onyx', 'prism', 'quartz', 'rook'];
const SUFFIXES = ['svc', 'api', 'worker', 'gateway', 'ui'];
const PACKAGE_MANAGERS = ['pnpm', 'yarn', 'bun', 'npm'];
const START = Date.parse('2026-03-02T09:00:00Z'); // a Monday

/** Weekday n (0 = the first Monday) at 09:00 UTC, skipping weekends. */
function weekday(n: number): Date {
  const week = Math.floor(n / 5);
  return new Date(START + (week * 7 + (n % 5)) * 86_400_000);
}

function valueFor(attribute: Attribute, rng: Rng): string {
  const w = rng.word();
  switch (attribute) {
    case 'build command':
      return rng.pick([`make build-${w}`, `npm run build:${w}`, `cargo build -p ${w}`, `just build ${w}`]);
    case 'test command':
      return rng.pick([`pytest tests/${w} -q`, `npm run test:${w}`, `go test ./${w}/...`, `just check-${w}`]);
    case 'dev port':
      return String(rng.unique(() => String(10000 + rng.int(50000))));
    case 'config env var':
      return `${w.toUpperCase()}_${rng.word().toUpperCase()}_URL`;
    case 'lint command':
      return rng.pick([`eslint --config .${w}.json`, `ruff check ${w}`, `npm run lint:${w}`]);
    case 'HTTP client':
      return `${w}-http`;
    case 'migration command':
      return rng.pick([`dbmate -d db/${w} up`, `npx knex migrate:latest --env ${w}`, `alembic -n ${w} upgrade head`]);
    case 'package manager':
      return rng.pick(PACKAGE_MANAGERS);
  }
}

/** The conversational timeline (F1, F2, F3, F6, F7). */
export function generateConversation(seed: number, sizes: Sizes = CI_SIZES): { timeline: Timeline; key: AnswerKey } {
  const rng = new Rng(seed);
  const key: AnswerKey = {};
  const questions: EvalQuestion[] = [];
  // Plantings go in the first sessions; the last two hold only filler, as the most recent work would.
  const plantSessions = Math.max(1, sizes.sessions - 2);
  const plants: Array<{ session: number; text: string }> = [];
  const plant = (session: number, text: string) => plants.push({ session, text });

  // Unique prefixes, so a near-miss name (same prefix, other suffix) is never a planted entity.
  const prefixes = rng.shuffle(PREFIXES);
  const nextEntity = () => `${prefixes.pop() ?? rng.word()}-${rng.pick(SUFFIXES)}`;
  const factAttributes = ATTRIBUTES.filter((a) => a !== 'package manager');
  const known: Array<{ entity: string; attribute: Attribute }> = [];

  for (let i = 0; i < sizes.F1; i++) {
    const entity = nextEntity();
    const attribute = rng.pick(factAttributes);
    const value = valueFor(attribute, rng);
    plant(i % plantSessions, rng.pick(FACT_TEMPLATES)(entity, attribute, value));
    known.push({ entity, attribute });
    const id = `F1-${i + 1}`;
    questions.push({ id, family: 'F1', text: rng.pick(FACT_QUESTIONS)(entity, attribute) });
    key[id] = { family: 'F1', kind: 'exact', gold: [value], expectedTier: 'block' };
  }

  for (let i = 0; i < sizes.F2; i++) {
    const entity = nextEntity();
    const attribute = rng.pick(factAttributes);
    const versions = i % 3 === 2 ? 3 : 2;
    const values = Array.from({ length: versions }, () => valueFor(attribute, rng));
    // v1 early, each later version in a later session (distinct sessions keep the order unambiguous).
    const sessionsFor = rng.shuffle(Array.from({ length: plantSessions - 1 }, (_, k) => k + 1)).slice(0, versions - 1).sort((a, b) => a - b);
    const first = rng.int(Math.max(1, Math.min(sessionsFor[0], Math.floor(plantSessions / 3))));
    plant(first, rng.pick(FACT_TEMPLATES)(entity, attribute, values[0]));
    values.slice(1).forEach((v, k) => plant(sessionsFor[k], rng.pick(UPDATE_TEMPLATES)(entity, attribute, v)));
    known.push({ entity, attribute });
    const id = `F2-${i + 1}`;
    questions.push({ id, family: 'F2', text: rng.pick(UPDATE_QUESTIONS)(entity, attribute) });
    key[id] = { family: 'F2', kind: 'exact', gold: [values[versions - 1]], stale: values.slice(0, -1), expectedTier: 'block' };
  }

  // F7: every service of the aggregation pool gets one package manager; each question asks for one manager.
  const managers = PACKAGE_MANAGERS.slice(0, Math.min(sizes.F7, PACKAGE_MANAGERS.length));
  managers.forEach((manager, qi) => {
    const members: string[] = [];
    for (let j = 0, n = 3 + rng.int(2); j < n; j++) {
      const entity = nextEntity();
      members.push(entity);
      plant(rng.int(plantSessions), rng.pick(FACT_TEMPLATES)(entity, 'package manager', manager));
    }
    const id = `F7-${qi + 1}`;
    questions.push({ id, family: 'F7', text: rng.pick(AGGREGATE_QUESTIONS)(manager) });
    key[id] = { family: 'F7', kind: 'set', gold: members.sort(), expectedTier: 'block' };
  });

  // F3: per topic, two decisions on different days plus an undecided mention on a third.
  const askedAt = weekday(sizes.sessions + (5 - (sizes.sessions % 5)) % 5); // the next Monday or later
  const today = askedAt.toISOString().slice(0, 10);
  const topics = rng.shuffle([...TOPICS]).slice(0, sizes.F3);
  const decisions: Array<{ topic: Topic; value: string; day: number }> = [];
  topics.forEach((topic: Topic, qi) => {
    const days = rng.shuffle(Array.from({ length: plantSessions }, (_, k) => k)).slice(0, 3).sort((a, b) => a - b);
    const values = [rng.word(), rng.word(), rng.word()];
    plant(days[0], rng.pick(DECISION_TEMPLATES)(topic, values[0]));
    plant(days[1], rng.pick(UNDECIDED_TEMPLATES)(topic, values[2]));
    plant(days[2], rng.pick(DECISION_TEMPLATES)(topic, values[1]));
    decisions.push({ topic, value: values[0], day: days[0] }, { topic, value: values[1], day: days[2] });
    const askFirst = qi % 2 === 0;
    const day = weekday(askFirst ? days[0] : days[2]).toISOString().slice(0, 10);
    const daysBack = (Date.parse(today) - Date.parse(day)) / 86_400_000;
    const style = daysBack < 7 ? rng.pick(['last', 'weekday'] as const) : rng.pick(['weekday', 'iso'] as const);
    const id = `F3-${qi + 1}`;
    questions.push({ id, family: 'F3', text: rng.pick(DATED_QUESTIONS)(topic, describeDay(day, today, style)) });
    key[id] = { family: 'F3', kind: 'exact', gold: [askFirst ? values[0] : values[1]], stale: [askFirst ? values[1] : values[0]], expectedTier: 'conversation_search_date' };
  });

  // F3 "which came first?": two decisions on different topics and days, in either order. Drawn with an
  // rng of their own, so adding them leaves every other item of a seed as it was.
  const order = new Rng(seed + 3);
  for (let i = 0; i < sizes.F3order && decisions.length >= 4; i++) {
    const [a, b] = order.shuffle(decisions).filter((d, k, all) => k === 0 || (d.topic !== all[0].topic && d.day !== all[0].day)).slice(0, 2);
    if (!b) continue;
    const id = `F3-${sizes.F3 + i + 1}`;
    questions.push({ id, family: 'F3', text: order.pick(FIRST_QUESTIONS)(a, b) });
    const earlier = a.day < b.day ? a : b;
    key[id] = { family: 'F3', kind: 'choice', gold: [earlier.value], options: [a.value, b.value], expectedTier: 'conversation_search' };
  }

  // F6: never stated, attribute missing on a known entity, near-miss entity.
  for (let i = 0; i < sizes.F6; i++) {
    let entity: string;
    let attribute: Attribute;
    const variant = i % 3;
    if (variant === 0) {
      entity = nextEntity();
      attribute = rng.pick(factAttributes);
    } else if (variant === 1) {
      const k = known[i % known.length];
      entity = k.entity;
      attribute = factAttributes.find((a) => !known.some((x) => x.entity === k.entity && x.attribute === a))!;
    } else {
      const k = known[(i * 5) % known.length];
      const [prefix, suffix] = k.entity.split('-');
      entity = `${prefix}-${SUFFIXES.find((s) => s !== suffix)}`;
      attribute = k.attribute;
    }
    const id = `F6-${i + 1}`;
    questions.push({ id, family: 'F6', text: rng.pick(FACT_QUESTIONS)(entity, attribute) });
    key[id] = { family: 'F6', kind: 'abstain', gold: [], expectedTier: 'none' };
  }

  const sessions: Session[] = [];
  for (let s = 0; s < sizes.sessions; s++) {
    const turns: Turn[] = [];
    for (let f = 0; f < sizes.fillerTurns; f++) turns.push({ text: fillerTurn(rng, sizes.fillerTokens) });
    for (const p of plants.filter((x) => x.session === s)) turns.splice(rng.int(turns.length + 1), 0, { text: p.text });
    sessions.push({ start: weekday(s).toISOString(), turns });
  }
  const timeline: Timeline = { name: 'conversation', seed, sessions, askedAt: askedAt.toISOString(), questions: rng.shuffle(questions), files: {}, pasteFiles: false };
  return { timeline, key };
}

/** The archival workspace (F4): 140 UUID pairs in small JSON files, chains of depth 0–4 among them. */
export function generateNestedKv(seed: number, sizes: Sizes = CI_SIZES, pairs = 140, perFile = 10): { timeline: Timeline; key: AnswerKey } {
  const rng = new Rng(seed + 1);
  const entries: Array<[string, string]> = [];
  const key: AnswerKey = {};
  const questions: EvalQuestion[] = [];
  for (let i = 0; i < sizes.F4; i++) {
    const depth = i % 5;
    const chain = Array.from({ length: depth + 1 }, () => rng.uuid());
    const final = rng.uuid();
    for (let d = 0; d <= depth; d++) entries.push([chain[d], d < depth ? chain[d + 1] : final]);
    const id = `F4-${i + 1}`;
    questions.push({ id, family: 'F4', text: rng.pick(NESTED_QUESTIONS)(chain[0]) });
    key[id] = { family: 'F4', kind: 'exact', gold: [final], chain, depth, expectedTier: 'archival_memory_search' };
  }
  while (entries.length < pairs) entries.push([rng.uuid(), rng.uuid()]);
  const shuffled = rng.shuffle(entries);
  const files: Record<string, string> = {};
  for (let f = 0; f * perFile < shuffled.length; f++) {
    const slice = shuffled.slice(f * perFile, (f + 1) * perFile);
    files[`config/keys-${String(f + 1).padStart(2, '0')}.json`] = `{\n${slice.map(([k, v]) => `  "${k}": "${v}"`).join(',\n')}\n}\n`;
  }
  const sessions: Session[] = [{ start: weekday(0).toISOString(), turns: [{ text: 'We keep the service key map under config/, one JSON file per shard.' }] }];
  return { timeline: { name: 'nested-kv', seed, sessions, askedAt: weekday(3).toISOString(), questions, files, pasteFiles: true }, key };
}
