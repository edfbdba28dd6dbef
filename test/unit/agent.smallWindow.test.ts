import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { systemPrompt, startTestEnv, stopTestEnv } from '../helpers/workspace';

// The memory evaluation runs at the MemGPT paper's 8k window: what broke there is pinned down here.
const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();
const WINDOW = 8192;

function isSummaryRequest(body: any): boolean {
  return systemPrompt(body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40));
}

/** Lines of UUID pairs: dense text, about two and a half characters a token. */
function uuidLines(n: number): string {
  return Array.from({ length: n }, () => `"${randomUUID()}": "${randomUUID()}",`).join('\n') + '\n';
}

describe('agent in a small context window', () => {
  let llm: FakeLlm;
  let workspace: string;
  const agent = () =>
    openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: WINDOW, approvals: approveAll, tokens, maxRetries: 0 });

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('cuts tool results by tokens, so two large results in a row still fit next to each other', async () => {
    fs.writeFileSync(path.join(workspace, 'keys.json'), uuidLines(300));
    llm.script(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'keys.json', start_line: 1, end_line: 150 } }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'keys.json', start_line: 151, end_line: 300 } }] },
      { text: 'Read both halves.' },
    );
    const result = await agent().send('Read keys.json in two halves.');
    assert.equal(result.reply, 'Read both halves.');
    const last = llm.chatRequests().filter((r) => !isSummaryRequest(r.body)).at(-1)!.body;
    const results = last.messages.filter((m: any) => m.role === 'tool');
    assert.equal(results.length, 2, 'both results are in the last request');
    for (const m of results) {
      assert.match(m.content, /\[result cut: \d+ of \d+ characters not shown/);
      assert.ok(tokens.count(m.content) < WINDOW / 4, `a result of ${tokens.count(m.content)} tokens`);
    }
  });

  it('keeps the question it is answering in context when tool results force an eviction mid-turn', async () => {
    const a = agent();
    // Earlier conversation, enough to fill most of the window.
    for (let i = 0; i < 6; i++) {
      llm.script({ text: `Answer ${i}: ${'the ledger reconciles nightly and reports drift. '.repeat(25)}` });
      await a.send(`Earlier question ${i}: ${'tell me about the ledger service and its jobs. '.repeat(15)}`);
    }
    fs.writeFileSync(path.join(workspace, 'a.json'), uuidLines(60));
    fs.writeFileSync(path.join(workspace, 'b.json'), uuidLines(60));
    llm.script(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'a.json' } }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'b.json' } }] },
      { text: 'Done.' },
    );
    const question = 'Which keys do a.json and b.json share?';
    await a.send(question);
    const requests = llm.chatRequests().filter((r) => !isSummaryRequest(r.body));
    assert.ok(llm.chatRequests().some((r) => isSummaryRequest(r.body)), 'the turn evicted older messages');
    const last = requests.at(-1)!.body;
    assert.ok(
      last.messages.some((m: any) => m.role === 'user' && String(m.content).includes(question)),
      'the question is still in the request that answers it',
    );
    assert.equal(last.messages.filter((m: any) => m.role === 'tool').length, 2);
  });
});

describe('summarizer', () => {
  let llm: FakeLlm;
  beforeEach(async () => ({ llm } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('does not fold automatic recall into the summary: it only copied older memories, stamped with the wrong time', async () => {
    const { OpenAiChatModel } = await import('../../src/llm/client');
    const { Summarizer } = await import('../../src/core/summarizer');
    const model = new OpenAiChatModel({ baseUrl: llm.url, model: 'fake-model', maxRetries: 0 });
    const summarizer = new Summarizer(model, tokens, { budget: 7000 });
    const at = (id: number, fields: Record<string, unknown>) => ({ id, session: 's1', time: '2026-03-17T09:00:00.000Z', tokens: 10, content: '', role: 'user', ...fields }) as never;
    llm.script({ text: 'The person asked about the dev port; it is 4100.' });
    const result = await summarizer.summarize('', [
      at(1, { content: 'What is the dev port now?' }),
      at(2, { role: 'system', kind: 'auto_recall', content: 'Possibly relevant memories: - recall #3 (2026-03-03, user): the dev port is 3000' }),
      at(3, { role: 'assistant', content: 'The dev port is 4100.' }),
    ]);
    assert.equal(result.fallback, false);
    const sent = JSON.stringify(llm.chatRequests().at(-1)!.body.messages);
    assert.match(sent, /What is the dev port now\?/);
    assert.doesNotMatch(sent, /Possibly relevant memories|port is 3000/);
  });
});
