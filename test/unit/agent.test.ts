import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent } from '../../src/core/agent';
import { AgentError, type ContextUsage } from '../../src/core/events';
import { openAgent } from '../../src/app/openAgent';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import { LlmError } from '../../src/llm/types';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { readMessages, systemPrompt, startTestEnv, stopTestEnv, withoutTime } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();

function isSummaryRequest(body: any): boolean {
  return systemPrompt(body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40));
}

describe('agent loop', () => {
  let llm: FakeLlm;
  let workspace: string;

  function agent(options: Partial<Parameters<typeof openAgent>[0]> = {}): Agent {
    const a = openAgent({
      workspaceRoot: workspace,
      baseUrl: llm.url,
      model: 'fake-model',
      contextWindow: 16_384,
      approvals: approveAll,
      tokens,
      maxRetries: 0,
      ...options,
    });
    return a;
  }

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('yields with a plain answer and records both messages in recall', async () => {
    llm.script({ text: 'The build command is `make all`.' });
    const result = await agent().send('how do I build?');
    assert.equal(result.reply, 'The build command is `make all`.');
    assert.equal(result.steps, 1);
    const log = readMessages(workspace);
    assert.deepEqual(log.map((m) => [m.role, m.content]), [
      ['user', 'how do I build?'],
      ['assistant', 'The build command is `make all`.'],
    ]);
  });

  it('continues after tool results and shows the edited block in the next system prompt', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: 'Build: `cargo build --release`' } }] },
      { text: 'Noted.' },
    );
    const memoryEdits: string[] = [];
    const result = await agent({ observer: { onToolResult: (call, _o, edits) => edits && memoryEdits.push(call.name) } }).send('we build with cargo build --release');
    assert.equal(result.steps, 2);
    assert.deepEqual(memoryEdits, ['working_context_append']);
    const second = llm.chatRequests()[1].body;
    assert.match(systemPrompt(second), /Build: `cargo build --release`/);
    const toolMessage = second.messages.find((m: any) => m.role === 'tool');
    assert.match(toolMessage.content, /"ok":true/);
    assert.match(fs.readFileSync(path.join(workspace, '.memcode/memory/project.md'), 'utf8'), /cargo build --release/);
  });

  it('returns malformed and unknown tool calls to the model as errors and keeps going', async () => {
    llm.script(
      { toolCalls: [{ name: 'no_such_tool', arguments: {} }, { name: 'read_file', arguments: 'path=src/index.ts' }] },
      { text: 'Sorry, let me answer directly.' },
    );
    const result = await agent().send('read something');
    assert.equal(result.reply, 'Sorry, let me answer directly.');
    const tools = llm.chatRequests()[1].body.messages.filter((m: any) => m.role === 'tool');
    assert.equal(tools.length, 2);
    assert.match(tools[0].content, /"error":"unknown tool/);
    assert.match(tools[1].content, /"error":".*not valid JSON/);
  });

  it('refuses a path that leaves the workspace', async () => {
    llm.script({ toolCalls: [{ name: 'read_file', arguments: { path: '../../../etc/passwd' } }] }, { text: 'I cannot read that.' });
    await agent().send('show me /etc/passwd');
    const tool = llm.chatRequests()[1].body.messages.find((m: any) => m.role === 'tool');
    assert.match(tool.content, /"error":".*outside the workspace/);
    assert.doesNotMatch(tool.content, /root:x:0/);
  });

  it('breaks a loop of identical calls and forces an answer at the step cap', async () => {
    const call = { toolCalls: [{ name: 'list_files', arguments: { path: '.' } }] };
    llm.setPolicy(({ body }) => (body.tools ? call : { text: 'Giving up: here is what I found.' }));
    const result = await agent({ maxSteps: 4 }).send('loop forever');
    assert.equal(result.hitStepLimit, true);
    assert.equal(result.reply, 'Giving up: here is what I found.');
    const requests = llm.chatRequests();
    assert.equal(requests.length, 5, 'four tool steps, then one forced answer without tools');
    assert.equal(requests[4].body.tools, undefined);
    const results = requests[4].body.messages.filter((m: any) => m.role === 'tool').map((m: any) => m.content);
    assert.match(results[2], /refused: list_files was called with the same arguments 3 times/);
    assert.ok(requests[4].body.messages.some((m: any) => /step limit reached/.test(m.content)));
  });

  it('delivers a message typed mid-run at the next step', async () => {
    llm.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'notes.txt', content: 'hi' } }] }, { text: 'Both answered.' });
    // The person types while the agent waits for an approval: the message must reach the model at the next step.
    let a: Agent | undefined;
    const approvals: ApprovalProvider = {
      request: async () => {
        void a!.send('and a second thing');
        return { approved: true };
      },
    };
    a = agent({ approvals });
    const result = await a.send('first question');
    assert.equal(result.reply, 'Both answered.');
    assert.equal(llm.chatRequests().length, 2);
    const second = llm.chatRequests()[1].body.messages;
    assert.deepEqual(second.slice(-2).map((m: any) => m.role), ['tool', 'user']);
    assert.equal(withoutTime(second.at(-1).content), 'and a second thing');
  });

  it('stops mid-stream and leaves a consistent queue', async () => {
    llm.script({ text: 'x'.repeat(4000), chunkSize: 10, delayMs: 5 });
    let streamed = '';
    const a = agent({ observer: { onText: (d) => (streamed += d) } });
    const turn = a.send('write a long essay');
    while (streamed.length < 50) await new Promise((r) => setTimeout(r, 5));
    a.stop();
    const result = await turn;
    assert.equal(result.stopped, true);
    assert.ok(streamed.length < 4000, 'the stream ended early');
    assert.equal(result.reply, streamed, 'the turn reports what the person saw');
    llm.script({ text: 'Fine.' });
    const next = await a.send('never mind');
    assert.equal(next.reply, 'Fine.');
    const log = readMessages(workspace);
    assert.deepEqual(log.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    assert.match(log[1].content, /\[stopped by the person\]$/);
  });

  it('evicts and retries once when the server reports a context-length error', async () => {
    const a = agent({ contextWindow: 8192 });
    for (let i = 0; i < 6; i++) {
      llm.script({ text: `answer ${i}` });
      await a.send(`question ${i} ${'words '.repeat(50)}`);
    }
    llm.script({ contextLengthError: true }, { text: 'summary of the early questions' }, { text: 'after eviction' });
    const result = await a.send('one more');
    assert.equal(result.reply, 'after eviction');
    const requests = llm.chatRequests().slice(-3);
    assert.ok(isSummaryRequest(requests[1].body));
    assert.ok(requests[2].body.messages.length < requests[0].body.messages.length);
    assert.match(systemPrompt(requests[2].body), /summary of the early questions/);
  });

  it('keeps every request within an 8,192-token window over 40 long exchanges', async function () {
    this.timeout(60_000);
    const paragraph = (i: number) =>
      `Exchange ${i}: we looked at src/module${i}.ts and the function handleRequest${i} which validates the payload, ` +
      'retries the upstream call with exponential backoff and records metrics about latency and failures. '.repeat(14);
    llm.setPolicy(({ body }) =>
      isSummaryRequest(body)
        ? { text: 'Summary: the person walked through modules and their request handlers; search recall for module names.' }
        : { text: `Reply: ${paragraph(body.messages.length)}` },
    );
    const usages: ContextUsage[] = [];
    const alerts: string[] = [];
    const a = agent({ contextWindow: 8192, observer: { onContextUsage: (u) => usages.push(u), onSystemAlert: (t) => alerts.push(t) } });
    for (let i = 0; i < 40; i++) await a.send(paragraph(i));

    const budget = a.budget;
    assert.ok(usages.every((u) => u.total <= budget), 'the agent never assembled more than its budget');
    for (const request of llm.chatRequests()) {
      const sent = request.body.messages.reduce((n: number, m: any) => n + tokens.countMessage({ role: m.role, content: m.content ?? '' }), 0);
      const schemas = request.body.tools ? tokens.count(JSON.stringify(request.body.tools)) : 0;
      assert.ok(sent + schemas <= 8192 - 1024, `a request of ${sent + schemas} tokens went over the budget`);
    }
    assert.ok(llm.chatRequests().some((r) => isSummaryRequest(r.body)), 'the summarizer was asked');
    assert.ok(alerts.some((t) => /memory pressure/.test(t)), 'a memory-pressure alert was raised');
    const log = readMessages(workspace);
    for (let i = 0; i < 40; i++) assert.ok(log.some((m) => m.role === 'user' && m.content === paragraph(i)), `message ${i} is in recall`);
    const state = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/recall/state.json'), 'utf8'));
    assert.ok(state.firstInContextId > 1);
    assert.match(state.summary, /Summary: the person walked through modules/);
  });

  it('uses a fallback summary when the summarizer call fails, losing nothing', async () => {
    llm.setPolicy(({ body }) => (isSummaryRequest(body) ? { status: 400, body: { error: { message: 'bad request' } } } : { text: 'ok '.repeat(200) }));
    const warnings: string[] = [];
    const a = agent({ contextWindow: 6144, observer: { onWarning: (w) => warnings.push(w) } });
    for (let i = 0; i < 16; i++) await a.send(`note ${i}: look at src/file${i}.ts ${'detail '.repeat(120)}`);
    assert.ok(warnings.some((w) => /summarizer failed/.test(w)));
    const state = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/recall/state.json'), 'utf8'));
    assert.match(state.summary, /evicted without a model summary/);
    assert.match(state.summary, /src\/file\d+\.ts/);
    assert.equal(readMessages(workspace).filter((m) => m.role === 'user').length, 16);
  });

  it('says clearly when the window cannot hold the instructions and working context', async () => {
    await assert.rejects(agent({ contextWindow: 1000 }).send('hello'), (err: unknown) => err instanceof AgentError && err.kind === 'context_too_small' && /raise the context window/.test(err.message));
    assert.equal(llm.chatRequests().length, 0);
  });

  it('puts relevant recall hits into the queue automatically', async () => {
    const a = agent();
    llm.script({ text: 'ok' });
    await a.send('The staging database password rotates every Friday at noon.');
    await a.newSession();
    llm.script({ text: 'It rotates on Fridays.' });
    await a.send('When does the staging password rotate?');
    const last = llm.chatRequests().at(-1)!.body.messages;
    const recallEvent = last.find((m: any) => /\[system auto recall\]/.test(m.content));
    assert.ok(recallEvent, 'an automatic recall event was sent');
    assert.match(recallEvent.content, /rotates every Friday at noon/);
  });

  it('a new session folds the queue into the summary and keeps working context', async () => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'user', content: 'Prefers tabs.' } }] },
      { text: 'Noted.' },
    );
    const a = agent();
    await a.send('I prefer tabs');
    llm.script({ text: 'Folded summary: person prefers tabs.' });
    const session = await a.newSession();
    llm.script({ text: 'hi' });
    await a.send('hello again');
    const body = llm.chatRequests().at(-1)!.body;
    assert.match(systemPrompt(body), /Prefers tabs\./);
    assert.match(systemPrompt(body), /Folded summary/);
    assert.deepEqual(body.messages.filter((m: any) => m.role !== 'system').map((m: any) => withoutTime(m.content)), ['hello again']);
    const sessions = JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/sessions.json'), 'utf8'));
    assert.equal(sessions.length, 2);
    assert.equal(sessions[0].title, 'I prefer tabs');
    assert.ok(sessions[0].ended);
    assert.equal(sessions[1].id, session.id);
  });

  it('surfaces model-server errors as typed errors with the URL', async () => {
    llm.script({ status: 401 });
    const a = agent();
    await assert.rejects(a.send('hi'), (err: unknown) => err instanceof LlmError && err.kind === 'auth' && err.message.includes(llm.url.replace(/\/v1$/, '')));
    llm.script({ text: 'works now' });
    assert.equal((await a.send('again')).reply, 'works now');
  });
});
