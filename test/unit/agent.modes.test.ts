// The memory modes (full, summary, none), the memory-only tool set and the settable clock, judged by
// what the model was actually sent (the fake server records every request).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Agent } from '../../src/core/agent';
import { openAgent, type AgentSettings } from '../../src/app/openAgent';
import { PROMPT_SECTIONS, splitSystemPrompt } from '../../src/core/promptSections';
import { SUMMARIZER_INSTRUCTIONS, SYSTEM_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import type { ApprovalProvider } from '../../src/tools/types';
import { runCli } from '../helpers/cli';
import type { FakeLlm, RecordedRequest } from '../helpers/fakeLlm';
import { readMessages, startTestEnv, stopTestEnv, systemPrompt, withoutTime } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();

const MEMORY_TOOLS = [
  'archival_memory_insert',
  'archival_memory_search',
  'conversation_search',
  'conversation_search_date',
  'working_context_append',
  'working_context_replace',
  'working_context_rewrite',
];
const FILE_TOOLS = ['edit_file', 'list_files', 'read_file', 'run_command', 'search_files', 'write_file'];

const SUMMARY_TEXT = 'Rolling summary: the person walked through the payment modules.';

/** Summarizer requests share the opening of the summarizer instructions in every mode. */
function isSummaryRequest(request: RecordedRequest): boolean {
  return systemPrompt(request.body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40));
}

function toolNames(request: RecordedRequest): string[] {
  return (request.body.tools ?? []).map((t: any) => t.function.name).sort();
}

function queueTexts(request: RecordedRequest): string[] {
  return request.body.messages.filter((m: any) => m.role !== 'system').map((m: any) => String(m.content ?? ''));
}

const paragraph = (i: number) => `Fact ${i}: module pay${i} validates card tokens before capture. ${'It retries the upstream call with backoff and records latency. '.repeat(30)}`;

describe('memory modes', () => {
  let llm: FakeLlm;
  let workspace: string;

  function agent(options: Partial<AgentSettings> = {}): Agent {
    return openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens, maxRetries: 0, ...options });
  }

  /** Sends enough long messages through a small window that the oldest must leave the queue. */
  async function overflow(a: Agent, messages = 14): Promise<void> {
    llm.setPolicy(({ body }) => ({ text: isSummaryRequest({ body } as RecordedRequest) ? SUMMARY_TEXT : 'Noted.' }));
    for (let i = 0; i < messages; i++) await a.send(paragraph(i));
  }

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('full (the default) sends every tool, the working-context blocks and the recall metadata', async () => {
    await agent().send('hello');
    const [request] = llm.chatRequests();
    assert.deepEqual(toolNames(request), [...MEMORY_TOOLS, ...FILE_TOOLS].sort());
    const tiers = splitSystemPrompt(systemPrompt(request.body));
    assert.equal(tiers.instructions, SYSTEM_INSTRUCTIONS);
    assert.match(tiers.workingContext ?? '', /<block label="project"/);
    assert.match(tiers.metadata ?? '', /^Today: \d{4}-\d{2}-\d{2} \(\w{3}\)\nRecall memory: \d+ messages/);
    assert.equal(tiers.summary, undefined, 'nothing evicted yet');
  });

  it('full with tools "memory" offers only the memory tools', async () => {
    await agent({ tools: 'memory' }).send('hello');
    const [request] = llm.chatRequests();
    assert.deepEqual(toolNames(request), MEMORY_TOOLS);
    assert.doesNotMatch(systemPrompt(request.body), /search_files|read_file/);
  });

  it('summary sends no memory tools, no blocks and no memory habits, but keeps the file tools', async () => {
    await agent({ memoryMode: 'summary' }).send('hello');
    const [request] = llm.chatRequests();
    assert.deepEqual(toolNames(request), FILE_TOOLS);
    const system = systemPrompt(request.body);
    assert.ok(!system.includes(PROMPT_SECTIONS.workingContext.open), 'no working-context section');
    assert.doesNotMatch(system, /working_context|conversation_search|archival|recall memory|Recall memory/i);
    assert.match(splitSystemPrompt(system).metadata ?? '', /^Today: \d{4}-\d{2}-\d{2} \(\w{3}\)$/);
  });

  it('summary folds evicted messages into the summary, which the next request shows, with no pressure alert', async () => {
    const alerts: string[] = [];
    const a = agent({ memoryMode: 'summary', tools: 'memory', contextWindow: 4096, observer: { onSystemAlert: (t) => alerts.push(t) } });
    await overflow(a);

    const summarizerCalls = llm.chatRequests().filter(isSummaryRequest);
    assert.ok(summarizerCalls.length > 0, 'the summarizer was asked');
    assert.doesNotMatch(systemPrompt(summarizerCalls[0].body), /Search recall for/, 'the baseline cannot search recall');
    assert.deepEqual(alerts, [], 'no memory-pressure alert');
    const agentCalls = llm.chatRequests().filter((r) => !isSummaryRequest(r));
    assert.ok(agentCalls.every((r) => r.body.tools === undefined), 'summary with tools "memory" has no tools at all');
    const last = agentCalls.at(-1)!;
    assert.match(splitSystemPrompt(systemPrompt(last.body)).summary ?? '', /Rolling summary: the person walked through the payment modules\./);
    assert.ok(!queueTexts(last).some((t) => t.includes('Fact 0:')), 'the oldest message left the queue');
    assert.ok(!queueTexts(last).some((t) => t.startsWith('[system')), 'no alerts or automatic recall in the queue');
    assert.equal(readMessages(workspace).filter((m) => m.role === 'user').length, 14, 'recall still logs every message');
  });

  it('none drops the oldest messages with no summarizer call and no summary section', async () => {
    const evictions: number[] = [];
    const a = agent({ memoryMode: 'none', tools: 'memory', contextWindow: 4096, observer: { onEviction: (r) => evictions.push(r.evicted) } });
    await overflow(a);

    assert.ok(evictions.length > 0, 'messages were evicted');
    assert.equal(llm.chatRequests().filter(isSummaryRequest).length, 0, 'no summarizer call');
    const last = llm.chatRequests().at(-1)!;
    const system = systemPrompt(last.body);
    assert.equal(splitSystemPrompt(system).summary, undefined);
    assert.ok(!system.includes(PROMPT_SECTIONS.workingContext.open));
    assert.equal(last.body.tools, undefined);
    assert.doesNotMatch(system, /call functions|working_context|conversation_search/);
    assert.ok(!queueTexts(last).some((t) => t.includes('Fact 0:')), 'the oldest message left the queue');
    assert.ok(queueTexts(last).some((t) => t.includes('Fact 13:')), 'the newest is there');
    const state = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/recall/state.json'), 'utf8'));
    assert.equal(state.summary, '');
    assert.ok(state.firstInContextId > 1);
    assert.equal(readMessages(workspace).filter((m) => m.role === 'user').length, 14, 'recall still logs every message');
  });

  it('none starts a new session with an empty queue and no summarizer call; there is no automatic recall', async () => {
    const a = agent({ memoryMode: 'none' });
    llm.script({ text: 'ok' });
    await a.send('The staging database password rotates every Friday at noon.');
    await a.newSession();
    llm.script({ text: 'I do not know.' });
    await a.send('When does the staging password rotate?');
    assert.equal(llm.chatRequests().length, 2, 'no summarizer call at the session boundary');
    assert.deepEqual(queueTexts(llm.chatRequests()[1]).map(withoutTime), ['When does the staging password rotate?']);
  });

  it('summary carries the summary across a new session but never recalls automatically', async () => {
    const a = agent({ memoryMode: 'summary' });
    llm.script({ text: 'ok' }, { text: 'Summary: staging password rotates Fridays at noon.' });
    await a.send('The staging database password rotates every Friday at noon.');
    await a.newSession();
    llm.script({ text: 'Fridays at noon.' });
    await a.send('When does the staging password rotate?');
    const last = llm.chatRequests().at(-1)!;
    assert.match(splitSystemPrompt(systemPrompt(last.body)).summary ?? '', /staging password rotates Fridays/);
    assert.deepEqual(queueTexts(last).map(withoutTime), ['When does the staging password rotate?']);
  });

  it('shows the settable clock: the date in the metadata and the time on each message, in recall and in date search', async () => {
    let now = new Date('2026-03-03T09:15:00Z');
    const a = agent({ clock: () => now });
    llm.script({ text: 'Noted.' });
    await a.send('We decided to ship the ledger on Thursday.');
    const first = llm.chatRequests()[0];
    assert.match(splitSystemPrompt(systemPrompt(first.body)).metadata ?? '', /^Today: 2026-03-03 \(Tue\)$/m);
    assert.equal(queueTexts(first).at(-1), '[Tue 2026-03-03 09:15 UTC] We decided to ship the ledger on Thursday.');
    assert.equal(readMessages(workspace)[0].time, '2026-03-03T09:15:00.000Z');

    now = new Date('2026-03-10T14:00:00Z');
    llm.script(
      { toolCalls: [{ name: 'conversation_search_date', arguments: { start_date: '2026-03-03', end_date: '2026-03-03' } }] },
      { text: 'You decided to ship the ledger on Thursday.' },
    );
    await a.send('What did we decide last Tuesday?');
    const [ask, afterSearch] = llm.chatRequests().slice(1);
    assert.match(systemPrompt(ask.body), /Today: 2026-03-10 \(Tue\)/);
    assert.ok(queueTexts(ask).includes('[Tue 2026-03-10 14:00 UTC] What did we decide last Tuesday?'));
    const result = JSON.parse(queueTexts(afterSearch).at(-1)!);
    assert.ok(result.results.some((r: any) => r.content === 'We decided to ship the ledger on Thursday.' && r.time === '2026-03-03T09:15:00.000Z'));
    assert.ok(!result.results.some((r: any) => /last Tuesday/.test(r.content)), 'the question of 03-10 is not in the range');

    now = new Date('2026-03-11T08:00:00Z');
    llm.script({ text: 'Summary: ledger ships Thursday.' });
    await a.newSession();
    const summarizer = llm.chatRequests().at(-1)!;
    assert.match(summarizer.body.messages[1].content, /2026-03-03T09:15/, 'the summarizer sees simulated times');
    const sessions = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/sessions.json'), 'utf8'));
    assert.equal(sessions[0].started, '2026-03-03T09:15:00.000Z');
    assert.equal(sessions[0].ended, '2026-03-11T08:00:00.000Z');
    assert.equal(sessions[1].started, '2026-03-11T08:00:00.000Z');
  });

  it('splits a recorded system prompt into its tiers', () => {
    const system = [
      'INSTRUCTIONS',
      `${PROMPT_SECTIONS.workingContext.open}\n<block label="project">x</block>\n${PROMPT_SECTIONS.workingContext.close}`,
      `${PROMPT_SECTIONS.metadata.open}\nToday: 2026-03-03 (Tue)\n${PROMPT_SECTIONS.metadata.close}`,
      `${PROMPT_SECTIONS.summary.open}\nSummary of older messages:\nS\n${PROMPT_SECTIONS.summary.close}`,
    ].join('\n\n');
    assert.deepEqual(splitSystemPrompt(system), {
      instructions: 'INSTRUCTIONS',
      workingContext: '<block label="project">x</block>',
      metadata: 'Today: 2026-03-03 (Tue)',
      summary: 'Summary of older messages:\nS',
    });
    assert.deepEqual(splitSystemPrompt('only instructions'), { instructions: 'only instructions' });
  });

  describe('memcode chat --memory', () => {
    it('exits 2 with a clear message for a bad mode, from the flag or MEMCODE_MEMORY', async () => {
      const bad = await runCli(['chat', '-C', workspace, '--base-url', llm.url, '--memory', 'bogus', '-m', 'hi']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--memory must be none, summary or full, got "bogus"/);
      const badEnv = await runCli(['chat', '-C', workspace, '--base-url', llm.url, '-m', 'hi'], { MEMCODE_MEMORY: 'fifo' });
      assert.equal(badEnv.code, 2);
      assert.equal((await runCli(['chat', '-C', workspace, '--base-url', llm.url, '--tools', 'some', '-m', 'hi'])).code, 2);
      assert.equal(llm.chatRequests().length, 0, 'nothing was sent');
      const show = await runCli(['memory', 'show', '-C', workspace], { MEMCODE_MEMORY: 'fifo' });
      assert.equal(show.code, 0, show.stderr);
    });

    it('runs the summary baseline with memory tools only: no tools, no blocks', async () => {
      const run = await runCli(['chat', '-C', workspace, '--base-url', llm.url, '--memory', 'summary', '--tools', 'memory', '-m', 'hi'], {
        MEMCODE_NOW: '2026-03-02T09:00:00Z',
      });
      assert.equal(run.code, 0, run.stderr);
      const [request] = llm.chatRequests();
      assert.equal(request.body.tools, undefined);
      assert.ok(!systemPrompt(request.body).includes(PROMPT_SECTIONS.workingContext.open));
      assert.match(queueTexts(request).at(-1)!, /^\[Mon 2026-03-02 09:00 UTC\] hi$/);
      const none = await runCli(['chat', '-C', workspace, '--base-url', llm.url, '-m', 'again'], { MEMCODE_MEMORY: 'none' });
      assert.equal(none.code, 0, none.stderr);
      assert.deepEqual(toolNames(llm.chatRequests().at(-1)!), FILE_TOOLS);
    });
  });
});
