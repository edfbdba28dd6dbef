import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/core/openAgent';
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
