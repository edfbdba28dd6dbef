// F9 churn (issue 12, item 7): 30 sessions, one simulated day apart, in which the person states facts
// about services again and again — repeated word for word, updated, contradicted ("Correction: …") — while
// the `project` block also holds lines a person wrote by hand. Afterwards each fact must be in the block
// once, with its latest value, with no duplicate lines, the block within its limit, and every hand-written
// line still there. Run twice: with the consolidation pass after each session (as the editor runs it when
// a session ends: app/consolidateMemory.ts) and without it.
//
// The oracle follows EVAL.md's policy for this grammar: as the agent it appends each stated fact to the
// block (the habit that makes churn: it never edits in place); as the consolidation model it answers the
// JSON contract of core/consolidation.ts from what the pass shows it: per fact the newest entry (date, then
// position) wins, duplicates go, every other line — hand-written ones above all — is kept word for word.
// It is stateless per request and never sees the answer key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consolidateAgentMemory } from '../../src/app/consolidateMemory';
import { openAgent } from '../../src/app/openAgent';
import { CONSOLIDATION_INSTRUCTIONS } from '../../src/core/consolidation';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import { formatBlockFile } from '../../src/memory/frontMatter';
import { visibleText } from '../../src/memory/provenance';
import { startFakeLlm, type FakeReply } from '../helpers/fakeLlm';
import { Rng } from './rng';
import { messageText } from './evidence';
import type { Gate } from './score';

const SERVICES = ['ledger', 'billing', 'refunds', 'gateway', 'search', 'notify', 'ingest', 'ratings', 'audit', 'export'];
const SETTINGS = ['deploy region', 'owner team', 'queue name', 'log level', 'base image', 'db schema'];
const VALUES = ['alpha', 'bravo', 'cedar', 'delta', 'ember', 'falcon', 'garnet', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen', 'maple', 'nimbus'];
const HAND_LINES = [
  '# Project notes (kept by hand)',
  '- Never deploy on Fridays; the on-call rota is thin.',
  '- Ask Dana before touching the billing schema.',
  '- Code review needs two approvals for anything in src/payments.',
];
const LIMIT = 1200;
const SESSIONS = 30;
const PER_SESSION = 3;
const STATE = /^(?:Note|Again|Update|Correction): the (.+?) of (\S+) is (?:now )?(\w+)(?:, not \w+)?\.$/;
const FACT_LINE = /^- (\S+) (.+?): (\w+)$/;

interface Statement {
  service: string;
  setting: string;
  value: string;
  text: string;
}

/** 30 sessions of statements: each fact first stated, then repeated, updated or contradicted. */
export function generateChurn(seed: number, facts = 6): { sessions: Statement[][]; latest: Map<string, string> } {
  const rng = new Rng(seed ^ 0xf9);
  const services = rng.shuffle([...SERVICES]);
  const keys = Array.from({ length: facts }, (_, i) => ({ service: `${services[i]}-svc`, setting: rng.pick(SETTINGS) }));
  const latest = new Map<string, string>();
  const sessions: Statement[][] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const out: Statement[] = [];
    for (let k = 0; k < PER_SESSION; k++) {
      const { service, setting } = rng.pick(keys);
      const key = `${service} ${setting}`;
      const old = latest.get(key);
      const roll = rng.next();
      let value: string;
      let text: string;
      if (old === undefined) {
        value = rng.pick(VALUES);
        text = `Note: the ${setting} of ${service} is ${value}.`;
      } else if (roll < 0.35) {
        value = old;
        text = `Again: the ${setting} of ${service} is ${value}.`;
      } else {
        do value = rng.pick(VALUES);
        while (value === old);
        text = roll < 0.7 ? `Update: the ${setting} of ${service} is now ${value}.` : `Correction: the ${setting} of ${service} is ${value}, not ${old}.`;
      }
      latest.set(key, value);
      out.push({ service, setting, value, text });
    }
    sessions.push(out);
  }
  return { sessions, latest };
}

type Body = { messages: Array<{ role: string; content?: string | null }> };

/** The oracle for this family (see the header). */
export function churnOracle(body: Body): FakeReply {
  const messages = body.messages;
  const system = typeof messages[0]?.content === 'string' ? messages[0].content : '';
  if (system.startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40))) return { text: 'The person stated service settings.' };
  if (system === CONSOLIDATION_INSTRUCTIONS) return { text: JSON.stringify(consolidate(messages[1]?.content ?? '')) };
  let at = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const text = messageText(messages[i]);
    if (messages[i].role === 'user' && !text.startsWith('[system')) {
      at = i;
      break;
    }
  }
  if (at < 0) return { text: 'ok' };
  const stated = STATE.exec(messageText(messages[at]));
  if (!stated) return { text: 'ok' };
  if (messages.slice(at + 1).some((m) => m.role === 'tool')) return { text: 'Noted.' };
  const [, setting, service, value] = stated;
  return { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: `- ${service} ${setting}: ${value}` } }] };
}

/** The consolidation answer: per block, per fact the newest entry; duplicates dropped; other lines kept. */
function consolidate(prompt: string): { blocks: Array<{ label: string; lines: string[]; dropped: Array<{ entry: string; reason: string }> }> } {
  const blocks: Array<{ label: string; lines: string[]; dropped: Array<{ entry: string; reason: string }> }> = [];
  for (const section of prompt.split(/^## /m).slice(1)) {
    const label = /^Block "([^"]+)"/.exec(section)?.[1];
    if (!label) continue;
    const entries = [...section.matchAll(/^\[(e\d+)((?: [^\]]*)?)\] (.*)$/gm)].map((m, index) => ({ tag: m[1], date: /\d{4}-\d{2}-\d{2}/.exec(m[2])?.[0] ?? '', hand: /\bhand\b/.test(m[2]), text: m[3], index }));
    const newest = new Map<string, (typeof entries)[number]>();
    for (const e of entries) {
      const fact = FACT_LINE.exec(e.text);
      if (!fact || e.hand) continue;
      const key = `${fact[1]} ${fact[2]}`;
      const best = newest.get(key);
      if (!best || e.date > best.date || (e.date === best.date && e.index > best.index)) newest.set(key, e);
    }
    const lines: string[] = [];
    const dropped: Array<{ entry: string; reason: string }> = [];
    const seen = new Set<string>();
    for (const e of entries) {
      const fact = FACT_LINE.exec(e.text);
      const winner = !fact || e.hand || newest.get(`${fact[1]} ${fact[2]}`) === e;
      if (winner && !seen.has(e.text)) {
        lines.push(e.text);
        seen.add(e.text);
      } else dropped.push({ entry: e.tag, reason: seen.has(e.text) ? 'duplicate' : 'an older value; a newer entry replaces it' });
    }
    if (dropped.length) blocks.push({ label, lines, dropped });
  }
  return { blocks };
}

export interface ChurnVariant {
  name: 'consolidated' | 'unconsolidated';
  /** Facts whose block holds exactly one line, with the latest value. */
  current: number;
  /** Facts with more than one line (any values). */
  duplicated: number;
  /** Facts whose only or some line has an old value. */
  staleValues: number;
  /** Appends the block refused (over its limit). */
  refused: number;
  chars: number;
  handLost: number;
  passes: number;
}

export interface ChurnResult {
  facts: number;
  statements: number;
  variants: ChurnVariant[];
  lines: string[];
  gates: Gate[];
}

async function runVariant(name: ChurnVariant['name'], seed: number): Promise<ChurnVariant> {
  const { sessions, latest } = generateChurn(seed);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `memcode-f9-${name}-`));
  const fake = await startFakeLlm({ policy: ({ body }) => churnOracle(body) });
  const result: ChurnVariant = { name, current: 0, duplicated: 0, staleValues: 0, refused: 0, chars: 0, handLost: 0, passes: 0 };
  const start = Date.parse('2026-11-01T09:00:00Z');
  const open = (day: number) =>
    openAgent({
      workspaceRoot: workspace,
      baseUrl: fake.url,
      model: 'oracle',
      contextWindow: 8192,
      approvals: { request: async () => ({ approved: true }) },
      tokens: createTokenCounter(),
      maxRetries: 0,
      clock: () => new Date(start + day * 86_400_000),
    });
  try {
    const memoryDir = path.join(workspace, '.memcode', 'memory');
    fs.mkdirSync(memoryDir, { recursive: true });
    fs.writeFileSync(path.join(memoryDir, 'project.md'), formatBlockFile({ description: 'The project: settings and decisions.', limit: LIMIT, value: HAND_LINES.join('\n') }));
    for (let day = 0; day < sessions.length; day++) {
      const agent = open(day);
      try {
        for (const s of sessions[day]) {
          const before = agent.recall.lastId();
          await agent.send(s.text);
          result.refused += agent.recall.all().filter((r) => r.id > before && r.role === 'tool' && /over its limit/.test(r.content)).length;
        }
        await agent.newSession();
        if (name === 'consolidated') {
          await consolidateAgentMemory(agent, { via: 'session-end' });
          result.passes++;
        }
      } finally {
        await agent.close();
      }
    }
    const text = visibleText(fs.readFileSync(path.join(memoryDir, 'project.md'), 'utf8').replace(/^---[\s\S]*?\n---\n/, '')).trimEnd();
    const lines = text.split('\n');
    result.chars = text.length;
    result.handLost = HAND_LINES.filter((h) => !lines.includes(h)).length;
    for (const [key, value] of latest) {
      const found = lines.filter((l) => l.startsWith(`- ${key}: `));
      if (found.length === 1 && found[0] === `- ${key}: ${value}`) result.current++;
      if (found.length > 1) result.duplicated++;
      if (found.some((l) => l !== `- ${key}: ${value}`)) result.staleValues++;
    }
  } finally {
    await fake.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  return result;
}

export async function runChurn(seed: number): Promise<ChurnResult> {
  const { sessions, latest } = generateChurn(seed);
  const statements = sessions.flat().length;
  const variants = [await runVariant('consolidated', seed), await runVariant('unconsolidated', seed)];
  const lines = [
    `F9 churn: ${latest.size} facts stated ${statements} times over ${sessions.length} sessions (repeated, updated, contradicted), beside ${HAND_LINES.length} hand-written lines, in a block limited to ${LIMIT} characters.`,
    ...variants.map(
      (v) =>
        `F9 ${v.name === 'consolidated' ? 'with consolidation after each session' : 'without consolidation'}: ${v.current}/${latest.size} facts held once with their current value, ${v.duplicated} duplicated, ${v.staleValues} with an old value still in the block, ${v.refused} appends refused at the limit, block ${v.chars}/${LIMIT} characters, ${v.handLost} hand-written lines lost${v.passes ? `, ${v.passes} passes` : ''}.`,
    ),
  ];
  const c = variants[0];
  const gates: Gate[] = [
    {
      name: 'F9 churn: one current value per fact, no duplicates, within the limit, nothing hand-written lost',
      pass: c.current === latest.size && c.duplicated === 0 && c.staleValues === 0 && c.refused === 0 && c.chars <= LIMIT && c.handLost === 0,
      detail: `${c.current}/${latest.size} current, ${c.duplicated} duplicated, ${c.staleValues} stale, ${c.refused} refused, ${c.chars}/${LIMIT} chars, ${c.handLost} hand lines lost`,
    },
  ];
  return { facts: latest.size, statements, variants, lines, gates };
}

if (require.main === module) {
  runChurn(Number(process.argv[2] ?? '20260302')).then(
    (r) => {
      for (const l of r.lines) console.log(l);
      for (const g of r.gates) console.log(`${g.pass ? 'PASS' : 'FAIL'} ${g.name}: ${g.detail}`);
      process.exit(r.gates.every((g) => g.pass) ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
