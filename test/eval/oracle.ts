// The scripted model of the eval (EVAL.md "Oracle policy"): stateless per request, it knows the
// generator's grammar but never the answer key. It answers from what the request shows (newest
// statement wins), searches with at most 6 function calls when that is not enough, and writes
// diligently while facts are planted. Because it is perfect at reading, its score measures whether
// the memory machinery put the fact in front of it.
import { summarizerInstructions } from '../../src/core/prompts';
import { splitSystemPrompt } from '../../src/core/promptSections';
import { countTokens } from '../../src/llm/tokens';
import type { FakeReply, FakeToolCall, Policy } from '../helpers/fakeLlm';
import { canonical, parseQuestion, parseStatements, resolveDay, type Choice, type Question, type Statement } from './grammar';
import { oncallQuery, ownerQuery } from './docGrammar';
import {
  blockText,
  callsSince,
  collectEvidence,
  contentText,
  isAlert,
  lastUserIndex,
  messageText,
  newestFirst,
  todayOf,
  toolNames,
  type DoneCall,
  type Evidence,
} from './evidence';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON */

export interface OracleOptions {
  contextWindow: number;
  /** Writes facts to working context and, under memory pressure, to archival memory. Default true. */
  diligent?: boolean;
}

export const MAX_SEARCH_CALLS = 6;
export const UNKNOWN = 'UNKNOWN';
const BLOCK = 'project';

export function oraclePolicy(options: OracleOptions): Policy {
  return ({ body }) => oracleReply(body, options);
}

const SUMMARIZER_PROMPTS = new Set([summarizerInstructions(true), summarizerInstructions(false)]);

/** The summarizer's LLM call (src/core/summarizer.ts), told apart by its instructions. */
export function isSummarizerRequest(body: any): boolean {
  return SUMMARIZER_PROMPTS.has(contentText(body?.messages?.[0]));
}

export function oracleReply(body: any, options: OracleOptions): FakeReply {
  const messages: any[] = body?.messages ?? [];
  if (isSummarizerRequest(body)) return { text: extractiveSummary(contentText(messages[1]), options.contextWindow) };
  const turn = lastUserIndex(messages);
  // A long search can push the question itself out of the queue: then the summary says what is open.
  const open = turn < 0 ? openQuestion(body) : undefined;
  const question = turn >= 0 ? parseQuestion(messageText(messages[turn])) : open?.question;
  const done = [...(open?.searched ?? []), ...callsSince(messages, turn)];
  const diligent = options.diligent ?? true;
  if (question) return answer(body, question, done, diligent);
  return diligent ? diligentStep(body, messages, turn, done) : { text: reply(messages[turn]) };
}

// ---------------------------------------------------------------- answering

function answer(body: any, q: Question, done: DoneCall[], diligent: boolean): FakeReply {
  done = [...done];
  const today = todayOf(body) ?? new Date().toISOString().slice(0, 10);
  const evidence = collectEvidence(body).sort(newestFirst);
  // Keep the hops found so far in the task block (DESIGN.md: keep "task" current): evictions during a long search lose tool results.
  const progress = diligent && toolNames(body).has('working_context_append') ? (q.kind === 'nested' ? unsavedHops(q.key, evidence, blockText(body)) : q.kind === 'twohop' ? unsavedOwner(q.endpoint, evidence, blockText(body)) : []) : [];
  if (progress.length) return { toolCalls: [{ name: 'working_context_append', arguments: { block: 'task', content: progress.join('\n') } }] };
  done = done.filter((c) => c.name.startsWith('conversation_search') || c.name === 'archival_memory_search');
  const found = resolve(q, evidence, today, done, toolNames(body).has('archival_memory_search'));
  const next = done.length < MAX_SEARCH_CALLS ? nextSearch(q, today, done, toolNames(body), evidence) : undefined;
  // A set is never known to be complete from what the request happens to show (a block holds some
  // members, recall others): it is answered once the searches are made. Any other answer is final when found.
  if (found !== undefined && (q.kind !== 'aggregate' || !next)) return { text: `ANSWER: ${found}` };
  return next ? { toolCalls: [next] } : { text: `ANSWER: ${UNKNOWN}` };
}

/** The answer the evidence supports, or undefined when it is not there (yet). */
export function resolve(q: Question, evidence: Evidence[], today: string, done: DoneCall[] = [], canSearch = true): string | undefined {
  if (q.kind === 'fact') {
    return evidence.find((e) => e.s.kind === 'fact' && e.s.entity === q.entity && e.s.attribute === q.attribute)?.s.value;
  }
  if (q.kind === 'aggregate') {
    const current = new Map<string, string>();
    for (const e of evidence) if (e.s.kind === 'fact' && e.s.attribute === 'package manager' && !current.has(e.s.entity)) current.set(e.s.entity, e.s.value);
    const members = [...current].filter(([, v]) => v === q.value).map(([k]) => k).sort();
    return members.length ? members.join(', ') : undefined;
  }
  if (q.kind === 'dated') {
    const day = resolveDay(q.when, today);
    return evidence.find((e) => e.s.kind === 'decision' && e.s.topic === q.topic && e.day === day)?.s.value;
  }
  if (q.kind === 'first') {
    // Both decisions must be found with their day; the earlier day wins.
    const [a, b] = q.options.map((c) => dayOfDecision(c, evidence));
    if (a === undefined || b === undefined || a === b) return undefined;
    return a < b ? q.options[0].value : q.options[1].value;
  }
  if (q.kind === 'owner') return ownerOf(q.endpoint, evidence);
  if (q.kind === 'oncall') return channelOf(q.person, evidence);
  if (q.kind === 'twohop') {
    const owner = ownerOf(q.endpoint, evidence);
    const channel = owner === undefined ? undefined : channelOf(owner, evidence);
    return channel === undefined ? undefined : `${owner}, ${channel}`;
  }
  const map = kvMap(evidence);
  let current = map.get(q.key);
  if (current === undefined) return undefined;
  for (let hops = 0; hops < 8 && map.has(current); hops++) current = map.get(current)!;
  // A value is final once a search for it as a key came back without it, or when there is nothing left to search with.
  const searched = done.some((c) => c.name === 'archival_memory_search' && c.args?.query === current);
  return searched || !canSearch || done.length >= MAX_SEARCH_CALLS ? current : undefined;
}

/** The first day a decision (this value for this topic) shows up with a date in the request. */
function dayOfDecision(c: Choice, evidence: Evidence[]): string | undefined {
  const days = evidence.filter((e) => e.s.kind === 'decision' && e.s.topic === c.topic && e.s.value === c.value && e.day).map((e) => e.day!);
  return days.sort()[0];
}

const ownerOf = (endpoint: string, evidence: Evidence[]) => evidence.find((e) => e.s.kind === 'owner' && e.s.endpoint === endpoint)?.s.value;
const channelOf = (person: string, evidence: Evidence[]) => evidence.find((e) => e.s.kind === 'oncall' && e.s.person === person)?.s.value;

/** The first hop of a two-hop question, once found, goes to the task block: the search for the second may evict it. */
function unsavedOwner(endpoint: string, evidence: Evidence[], block: string): string[] {
  const found = evidence.find((e) => e.s.kind === 'owner' && e.s.endpoint === endpoint);
  return found && !block.includes(canonical(found.s)) ? [canonical(found.s)] : [];
}

function unsavedHops(key: string, evidence: Evidence[], block: string): string[] {
  const map = kvMap(evidence);
  const lines: string[] = [];
  for (let k = key, hops = 0; hops < 8 && map.has(k); hops++, k = map.get(k)!) {
    const line = `"${k}": "${map.get(k)}"`;
    if (!block.includes(line)) lines.push(line);
  }
  return lines;
}

function kvMap(evidence: Evidence[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of evidence) if (e.s.kind === 'kv' && !map.has(e.s.key)) map.set(e.s.key, e.s.value);
  return map;
}

interface SearchStep {
  name: string;
  args: Record<string, unknown>;
}

function plan(q: Question, today: string, evidence: Evidence[]): SearchStep[] {
  const pages = (name: string, base: Record<string, unknown>, n = 3) => Array.from({ length: n }, (_, i) => ({ name, args: i ? { ...base, page: i + 1 } : base }));
  if (q.kind === 'fact') {
    const query = `${q.entity} ${q.attribute}`;
    return [...pages('conversation_search', { query }), ...pages('archival_memory_search', { query })];
  }
  if (q.kind === 'aggregate') {
    const query = `${q.value} package manager`;
    return [...pages('conversation_search', { query }), ...pages('archival_memory_search', { query })];
  }
  if (q.kind === 'dated') {
    const day = resolveDay(q.when, today) ?? today;
    const [cs1, cs2] = pages('conversation_search', { query: `${q.topic} decided` }, 2);
    const [d1, d2, d3] = pages('conversation_search_date', { start_date: day, end_date: day });
    return [cs1, d1, cs2, d2, d3, { name: 'archival_memory_search', args: { query: `${q.topic} decision` } }];
  }
  if (q.kind === 'first') {
    // Words first, for each decision not yet found with its day: two pages each, then archival.
    const missing = q.options.filter((c) => dayOfDecision(c, evidence) === undefined).map((c) => `${c.value} ${c.topic}`);
    const [p1, p2] = [1, 2].map((page) => missing.map((query) => ({ name: 'conversation_search', args: page > 1 ? { query, page } : { query } })));
    return [...p1, ...p2, ...missing.map((query) => ({ name: 'archival_memory_search', args: { query } }))];
  }
  // Document questions: archival first (the document is what was indexed), three pages a hop.
  if (q.kind === 'owner') return pages('archival_memory_search', { query: ownerQuery(q.endpoint) });
  if (q.kind === 'oncall') return pages('archival_memory_search', { query: oncallQuery(q.person) });
  if (q.kind === 'twohop') {
    const owner = ownerOf(q.endpoint, evidence);
    return owner === undefined ? pages('archival_memory_search', { query: ownerQuery(q.endpoint) }) : pages('archival_memory_search', { query: oncallQuery(owner) });
  }
  // Nested keys: look up the end of the chain as far as the request shows it.
  const map = kvMap(evidence);
  let end = q.key;
  for (let hops = 0; hops < 8 && map.has(end); hops++) end = map.get(end)!;
  return pages('archival_memory_search', { query: end });
}

function sameCall(c: DoneCall, s: SearchStep): boolean {
  return c.name === s.name && JSON.stringify({ ...c.args, page: c.args?.page ?? 1 }) === JSON.stringify({ ...s.args, page: s.args.page ?? 1 });
}

/** The next search not yet made whose previous page said there is more. */
function nextSearch(q: Question, today: string, done: DoneCall[], tools: Set<string>, evidence: Evidence[]): FakeToolCall | undefined {
  const steps = plan(q, today, evidence);
  for (const step of steps) {
    if (!tools.has(step.name) || done.some((c) => sameCall(c, step))) continue;
    const page = Number(step.args.page ?? 1);
    if (page > 1) {
      const previous = done.find((c) => sameCall(c, { ...step, args: { ...step.args, page: page - 1 } }));
      if (!previous || !previous.result?.next_page) continue;
    }
    return { name: step.name, arguments: step.args };
  }
  return undefined;
}

// ---------------------------------------------------------------- planting

function reply(user: any): string {
  return parseStatements(messageText(user)).length ? 'Noted.' : 'Looked at it: nothing there needs a change.';
}

function sameSubject(a: Statement, b: Statement): boolean {
  if (a.kind === 'fact' && b.kind === 'fact') return a.entity === b.entity && a.attribute === b.attribute;
  return a.kind === 'decision' && b.kind === 'decision' && a.topic === b.topic;
}

/** Working-context writes for the facts in the person's message, then archival saves on a pressure alert. */
function diligentStep(body: any, messages: any[], turn: number, done: DoneCall[]): FakeReply {
  const tools = toolNames(body);
  const today = todayOf(body);
  const calls: FakeToolCall[] = [];
  const firstStep = !messages.slice(turn + 1).some((m) => m.role === 'assistant');
  if (firstStep && turn >= 0 && tools.has('working_context_append')) {
    const block = blockText(body);
    const lines = block.split('\n').filter((l) => l.startsWith('- '));
    for (const s of parseStatements(messageText(messages[turn]))) {
      if (s.kind === 'kv') continue;
      const line = `- ${canonical(s, today)}`;
      if (block.includes(canonical(s, today))) continue;
      const old = lines.find((l) => parseStatements(l).some((x) => sameSubject(x, s)));
      calls.push(old ? { name: 'working_context_replace', arguments: { block: BLOCK, old_content: old, new_content: line } } : { name: 'working_context_append', arguments: { block: BLOCK, content: line } });
    }
  }
  // An update that did not fit in the full block: the old value must not stay there as if current
  // (a diligent agent deletes it; the update stays in recall, where search finds it, newest first).
  for (const c of done) {
    const refused = c.name === 'working_context_replace' && c.args?.new_content && /over its limit/.test(String(c.result?.error ?? ''));
    const retried = done.some((d) => d.name === 'working_context_replace' && d.args?.old_content === c.args?.old_content && d.args?.new_content === '');
    if (refused && !retried) calls.push({ name: 'working_context_replace', arguments: { block: c.args.block, old_content: c.args.old_content, new_content: '' } });
  }
  // Facts still only in the queue are about to be evicted: save them to archival memory.
  let alertAt = -1;
  messages.forEach((m, i) => {
    if (isAlert(m) && /memory pressure/.test(messageText(m))) alertAt = i;
  });
  const handled = alertAt >= 0 && messages.slice(alertAt + 1).some((m) => (m.tool_calls ?? []).some((c: any) => c.function?.name === 'archival_memory_insert'));
  if (alertAt > turn && !handled && tools.has('archival_memory_insert')) {
    // Only the newest statement of each fact: an older one (brought back by automatic recall) saved beside its update would read as current.
    const queued = collectEvidence(body)
      .filter((e) => e.tier === 'queue' && e.s.kind !== 'kv')
      .sort(newestFirst)
      .filter((e, i, all) => e.s.kind !== 'fact' || all.findIndex((x) => sameSubject(x.s, e.s)) === i);
    const notes = [...new Set(queued.map((e) => canonical(e.s, today)))];
    if (notes.length) calls.push({ name: 'archival_memory_insert', arguments: { content: notes.join('\n') } });
  }
  void done;
  return calls.length ? { toolCalls: calls } : { text: reply(messages[turn]) };
}

// ---------------------------------------------------------------- summaries

const OPEN_QUESTION = 'Open question: ';
const SEARCHED = 'Searched: ';

/** The question the summary says is still open, and the searches made for it before they were evicted. */
function openQuestion(body: any): { question: Question; searched: DoneCall[] } | undefined {
  const summary = splitSystemPrompt(contentText(body?.messages?.[0])).summary ?? '';
  const lines = summary.split('\n');
  const at = lines.findIndex((l) => l.startsWith(OPEN_QUESTION));
  const question = at >= 0 ? parseQuestion(lines[at].slice(OPEN_QUESTION.length)) : undefined;
  if (!question) return undefined;
  const searched = lines
    .filter((l) => l.startsWith(SEARCHED))
    .map((l) => l.slice(SEARCHED.length).match(/^(\w+) (.*)$/))
    .filter((m): m is RegExpMatchArray => !!m)
    .map((m) => ({ name: m[1], args: safeJson(m[2]), result: undefined }));
  return { question, searched };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * `s` bears on the answer to `q`: the fact asked about, or for a set any package-manager fact (a
 * member's later switch away must be kept with it, or an old statement would count it in).
 */
function servesQuestion(q: Question, s: Statement): boolean {
  if (s.kind !== 'fact') return false;
  if (q.kind === 'aggregate') return s.attribute === 'package manager';
  return q.kind === 'fact' && s.entity === q.entity && s.attribute === q.attribute;
}

/**
 * The summarizer's request, answered extractively: the newest statements, each with the time of the
 * message it came from, within 10% of the window (and the summarizer's own cap). Deterministic and lossy.
 * Like the summarizer prompt's "current state", it also keeps a question still being worked on, with
 * the searches already made for it.
 */
export function extractiveSummary(request: string, contextWindow: number): string {
  // Tokens, not characters: UUID-dense lines take twice the tokens of prose.
  const maxTokens = Math.floor(Math.min(contextWindow * 0.1, 700) * 0.9);
  const found: Array<{ time: string; text: string; at: number; s: Statement }> = [];
  let time = '0000';
  let open: string | undefined;
  let searched: string[] = [];
  request.split('\n').forEach((line, at) => {
    if (line.startsWith(OPEN_QUESTION)) {
      open = line.slice(OPEN_QUESTION.length);
      searched = [];
      return;
    }
    if (line.startsWith(SEARCHED)) {
      searched.push(line.slice(SEARCHED.length));
      return;
    }
    const head = line.match(/^\[#\d+ (\S+) (\w+)[^\]]*\] ?(.*)$/);
    if (head) {
      time = head[1];
      if (head[2] === 'user') {
        open = parseQuestion(head[3]) ? head[3] : undefined;
        searched = [];
      }
      for (const c of head[2] === 'assistant' && open ? head[3].matchAll(/(\w+)\((\{.*?\})\)/g) : []) searched.push(`${c[1]} ${c[2]}`);
    } else {
      const dated = line.match(/^\[(\d{4}-\d{2}-\d{2}[^\]]*)\]/);
      if (dated) time = dated[1];
    }
    // An automatic-recall line quotes an older message: it keeps that message's day, not the time it was recalled at.
    const recalled = line.match(/^- recall #\d+ \((\d{4}-\d{2}-\d{2})/)?.[1];
    const when = recalled ?? time;
    for (const s of parseStatements(line)) found.push({ time: when, text: canonical(s, when.slice(0, 10)), at, s });
  });
  const state = open ? [`${OPEN_QUESTION}${open}`, ...searched.map((c) => `${SEARCHED}${c}`)] : [];
  // The current state includes what was found so far for the open question (the summarizer prompt
  // asks for it): those statements first, then the newest of the rest.
  const question = open ? parseQuestion(open) : undefined;
  const serves = (f: (typeof found)[number]) => (question && servesQuestion(question, f.s) ? 1 : 0);
  const kept: typeof found = [];
  const seen = new Set<string>();
  let used = countTokens(state.join('\n'));
  for (const f of [...found].sort((a, b) => serves(b) - serves(a) || (a.time < b.time ? 1 : a.time > b.time ? -1 : b.at - a.at))) {
    const line = `[${f.time}] ${f.text}`;
    const n = countTokens(line) + 1;
    if (seen.has(f.text) || used + n > maxTokens) continue;
    seen.add(f.text);
    kept.push(f);
    used += n;
  }
  kept.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.at - b.at));
  const lines = [...kept.map((f) => `[${f.time}] ${f.text}`), ...state];
  return lines.length ? lines.join('\n') : 'Routine work only; no durable facts were stated.';
}
