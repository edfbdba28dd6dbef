// F8 staleness (issue 12, item 7): a fact tied to code ("the retry limit of ledger-svc is 3, see
// src/ledger-svc/config.ts#retryLimit") is written to working context; between sessions the code changes
// (the person, or a git pull); the question comes later. `full` must not answer the stale value. Two kinds
// of item: the cited symbol changes (the answer is the new value), or only another part of the same file
// changes (the entry is still right: answered from memory, without reading the file). Run twice: MemCode
// as it is ("marked"), and with staleness marking off ("unmarked": no citation is recorded, so nothing is
// ever marked), to report the stale-answer rate with and without it.
//
// The oracle here follows EVAL.md's policy for this one grammar: it reads the fact from the working-context
// block; an entry marked [stale: …] it verifies with read_file on the cited file first (as the alert asks).
// It is stateless per request and never sees the answer key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import type { CodeFingerprints } from '../../src/memory/codeFingerprints';
import { splitSystemPrompt } from '../../src/core/promptSections';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import { startFakeLlm, type FakeReply } from '../helpers/fakeLlm';
import { Rng } from './rng';
import { messageText } from './evidence';
import type { Gate } from './score';

type Kind = 'changed' | 'elsewhere';

interface Item {
  service: string;
  setting: string;
  ident: string;
  file: string;
  kind: Kind;
  before: number;
  after: number;
}

export interface StalenessVariant {
  name: 'marked' | 'unmarked';
  correct: number;
  /** Answers that gave the old value of a changed symbol. */
  stale: number;
  /** read_file calls while answering. */
  reads: number;
  /** ... of which for items whose symbol did not change (needless checks). */
  needlessReads: number;
  /** System alerts about stale entries over the whole run. */
  alerts: number;
}

export interface StalenessResult {
  items: number;
  changed: number;
  variants: StalenessVariant[];
  lines: string[];
  gates: Gate[];
}

const SETTINGS = [
  ['retry limit', 'retryLimit'],
  ['timeout in ms', 'timeoutMs'],
  ['batch size', 'batchSize'],
  ['max connections', 'maxConnections'],
  ['cache size', 'cacheSize'],
] as const;
const SERVICES = ['ledger', 'billing', 'refunds', 'gateway', 'search', 'notify', 'ingest', 'ratings', 'audit', 'export', 'orders', 'quota'];
const PLANT = /^(\S+): the (.+?) is (\d+), see `([^`#]+)#(\w+)`\. Remember it\.$/;
const QUESTION = /^What is the (.+?) of (\S+)\? Reply as ANSWER: <value>\.$/;

export function generateStaleness(seed: number, count: number): Item[] {
  const rng = new Rng(seed ^ 0x5f8);
  const services = rng.shuffle([...SERVICES]).slice(0, count);
  return services.map((name, i) => {
    const [setting, ident] = rng.pick(SETTINGS);
    const before = 2 + rng.int(50);
    // Two of three items change the cited symbol; the rest change only another function of the file.
    const kind: Kind = i % 3 === 2 ? 'elsewhere' : 'changed';
    return { service: `${name}-svc`, setting, ident, file: `src/${name}-svc/config.ts`, kind, before, after: kind === 'changed' ? before + 1 + rng.int(40) : before };
  });
}

function source(item: Item, value: number, banner: string): string {
  return `// ${item.service} settings\nexport const ${item.ident} = ${value};\n\nexport function describe(): string {\n  return '${banner}';\n}\n`;
}

const plant = (it: Item) => `${it.service}: the ${it.setting} is ${it.before}, see \`${it.file}#${it.ident}\`. Remember it.`;
const question = (it: Item) => `What is the ${it.setting} of ${it.service}? Reply as ANSWER: <value>.`;

/** The oracle for this family (see the header). */
export function stalenessOracle(body: { messages: Array<{ role: string; content?: string | null; tool_calls?: unknown[] }> }): FakeReply {
  const messages = body.messages;
  const system = typeof messages[0]?.content === 'string' ? messages[0].content : '';
  if (system.startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40))) return { text: 'The person and the assistant went through service settings.' };
  let at = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const text = messageText(messages[i]);
    if (messages[i].role === 'user' && !text.startsWith('[system')) {
      at = i;
      break;
    }
  }
  if (at < 0) return { text: 'ok' };
  const asked = messageText(messages[at]);
  const results = messages.slice(at + 1).filter((m) => m.role === 'tool').map((m) => m.content ?? '');
  const planted = PLANT.exec(asked);
  if (planted) {
    if (results.length) return { text: 'Noted.' };
    const [, service, setting, value, file, ident] = planted;
    return { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: `- ${service} ${setting}: ${value} (see \`${file}#${ident}\`)` } }] };
  }
  const q = QUESTION.exec(asked);
  if (!q) return { text: 'ok' };
  const [, setting, service] = q;
  const block = splitSystemPrompt(system).workingContext ?? '';
  const line = block.split('\n').find((l) => l.startsWith(`- ${service} ${setting}: `));
  const entry = line && /: (\d+) \(see `([^`#]+)#(\w+)`\)( \[stale: [^\]]*\])?/.exec(line);
  if (!entry) return { text: 'ANSWER: UNKNOWN' };
  const [, value, file, ident, stale] = entry;
  if (!stale) return { text: `ANSWER: ${value}` };
  const read = results.map((r) => new RegExp(`\\b${ident}\\s*=\\s*(\\d+)`).exec(r)).find(Boolean);
  if (read) return { text: `ANSWER: ${read[1]}` };
  if (results.length) return { text: 'ANSWER: UNKNOWN' };
  return { toolCalls: [{ name: 'read_file', arguments: { path: file } }] };
}

/** Nothing is a workspace file: no citation is recorded, so no entry is ever marked stale. */
const NO_MARKING: CodeFingerprints = { file: () => undefined, symbol: async () => undefined };

async function runVariant(name: StalenessVariant['name'], items: Item[], window: number): Promise<StalenessVariant> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `memcode-f8-${name}-`));
  const fake = await startFakeLlm({ policy: ({ body }) => stalenessOracle(body) });
  const write = (item: Item, value: number, banner: string) => {
    fs.mkdirSync(path.join(workspace, path.dirname(item.file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, item.file), source(item, value, banner));
  };
  const open = () =>
    openAgent({
      workspaceRoot: workspace,
      baseUrl: fake.url,
      model: 'oracle',
      contextWindow: window,
      approvals: { request: async () => ({ approved: true }) },
      tokens: createTokenCounter(),
      maxRetries: 0,
      ...(name === 'unmarked' ? { fingerprints: NO_MARKING } : {}),
    });
  const result: StalenessVariant = { name, correct: 0, stale: 0, reads: 0, needlessReads: 0, alerts: 0 };
  try {
    for (const item of items) write(item, item.before, 'v1');
    let agent = open();
    for (const item of items) await agent.send(plant(item));
    await agent.newSession();
    await agent.close();
    // Between sessions the code moves on: the cited symbol, or only the rest of the file.
    for (const item of items) write(item, item.after, 'v2');
    agent = open();
    for (const item of items) {
      const before = agent.recall.lastId();
      const reply = (await agent.send(question(item))).reply;
      const answer = /ANSWER:\s*(\S+)/.exec(reply)?.[1];
      const steps = agent.recall.all().filter((r) => r.id > before);
      const reads = steps.filter((r) => r.role === 'assistant').flatMap((r) => r.toolCalls ?? []).filter((c) => c.name === 'read_file').length;
      result.reads += reads;
      if (item.kind === 'elsewhere') result.needlessReads += reads;
      if (answer === String(item.after)) result.correct++;
      else if (answer === String(item.before)) result.stale++;
    }
    result.alerts = agent.recall.all().filter((r) => r.kind === 'system_alert' && r.content.includes('code that changed')).length;
    await agent.close();
  } finally {
    await fake.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  return result;
}

export async function runStaleness(seed: number, count: number, window: number): Promise<StalenessResult> {
  const items = generateStaleness(seed, count);
  const changed = items.filter((i) => i.kind === 'changed').length;
  const variants = [await runVariant('marked', items, window), await runVariant('unmarked', items, window)];
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)}%` : '—');
  const lines = [
    `F8 staleness: ${items.length} facts tied to code (${changed} whose cited symbol then changed, ${items.length - changed} whose file changed elsewhere), asked in a later session.`,
    ...variants.map(
      (v) =>
        `F8 \`full\` ${v.name === 'marked' ? 'with staleness marking' : 'without staleness marking'}: ${v.correct}/${items.length} correct, stale answers ${v.stale}/${changed} (${pct(v.stale, changed)}), ${v.reads} file reads (${v.needlessReads} for entries still right), ${v.alerts} stale alert${v.alerts === 1 ? '' : 's'}.`,
    ),
  ];
  const marked = variants[0];
  const gates: Gate[] = [
    { name: 'F8 full: no stale answers with staleness marking', pass: marked.stale === 0 && marked.correct === items.length, detail: `${marked.stale}/${changed} stale, ${marked.correct}/${items.length} correct` },
    { name: 'F8 symbol precision: no entry marked when only another part of its file changed', pass: marked.needlessReads === 0, detail: `${marked.needlessReads} needless reads` },
    { name: 'F8 one stale alert', pass: marked.alerts === 1, detail: `${marked.alerts}` },
  ];
  return { items: items.length, changed, variants, lines, gates };
}

if (require.main === module) {
  runStaleness(Number(process.argv[2] ?? '20260302'), Number(process.argv[3] ?? '9'), 8192).then(
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
