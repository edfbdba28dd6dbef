import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/core/prompts';
import { createTokenCounter } from '../../src/llm/tokens';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { readMessages, systemPrompt, startTestEnv, stopTestEnv, withoutTime } from '../helpers/workspace';

// One message bigger than the window used to block the conversation until `chat --new`: the last three
// messages are always kept, so it could never leave, and every later message failed too.
const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();
const WINDOW = 16_384;

/** About 107 KB of varied log lines: some 24k tokens, half again the window. */
function bigPaste(): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 107_000; i++) {
    lines.push(`2026-03-02T09:${String(i % 60).padStart(2, '0')}:00Z worker-${i % 17} job ${i * 7919} finished in ${(i * 37) % 1000} ms (queue ledger-${i % 5})`);
  }
  return `Here is the whole log, START-OF-PASTE\n${lines.join('\n')}\nEND-OF-PASTE`;
}

function requestTokens(body: any): number {
  let n = 0;
  for (const m of body.messages) {
    n += tokens.count(String(m.content ?? '')) + 4;
    for (const c of m.tool_calls ?? []) n += tokens.count(c.function.arguments) + tokens.count(c.function.name) + 4;
  }
  return n + (body.tools ? tokens.count(JSON.stringify(body.tools)) : 0);
}

const isSummary = (body: any) => systemPrompt(body).startsWith(SUMMARIZER_INSTRUCTIONS.slice(0, 40));

describe('agent with one oversized message', function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let workspace: string;
  const agent = () =>
    openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: WINDOW, approvals: approveAll, tokens, maxRetries: 0, autoRecall: false });
  const chatBodies = () => llm.chatRequests().map((r) => r.body).filter((b) => !isSummary(b));

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('answers a 107 KB paste with its head and tail in the prompt, keeps it whole in recall, and answers the messages after it', async () => {
    const paste = bigPaste();
    assert.ok(tokens.count(paste) > WINDOW, `the paste is ${tokens.count(paste)} tokens`);
    const a = agent();
    llm.script({ text: 'I read the log.' });
    assert.equal((await a.send(paste)).reply, 'I read the log.');

    const sent = chatBodies().at(-1)!;
    assert.ok(requestTokens(sent) < WINDOW, `the request is ${requestTokens(sent)} tokens`);
    const shown = withoutTime(sent.messages.filter((m: any) => m.role === 'user').at(-1).content);
    assert.ok(shown.startsWith('Here is the whole log, START-OF-PASTE'), 'the head is shown');
    assert.ok(shown.endsWith('END-OF-PASTE'), 'the tail is shown');
    assert.match(shown, /\[… [\d,]+ characters left out here to fit the context window; the whole message is kept in recall memory \(message \d+\)/);

    assert.equal(readMessages(workspace).find((m) => m.role === 'user')!.content, paste, 'recall keeps it whole');

    for (const next of ['which worker was slowest?', 'and the fastest?', 'thanks']) {
      llm.script({ text: `answer to ${next}` });
      assert.equal((await a.send(next)).reply, `answer to ${next}`);
      const users = chatBodies().at(-1)!.messages.filter((m: any) => m.role === 'user').map((m: any) => withoutTime(m.content));
      assert.equal(users.at(-1), next);
    }
  });

  it('keeps working after the model writes a 1.17 MB file: the argument is cut in the prompt, the file is whole', async () => {
    const content = `${'const table = [\n'}${Array.from({ length: 30_000 }, (_, i) => `  { id: ${i}, name: "row-${i}" },`).join('\n')}\n];\n`;
    assert.ok(content.length > 1_000_000);
    const a = agent();
    llm.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'table.ts', content } }] }, { text: 'Wrote table.ts.' });
    assert.equal((await a.send('write the table')).reply, 'Wrote table.ts.');
    assert.equal(fs.readFileSync(path.join(workspace, 'table.ts'), 'utf8'), content, 'the call ran with the whole argument');

    const sent = chatBodies().at(-1)!;
    assert.ok(requestTokens(sent) < WINDOW, `the request is ${requestTokens(sent)} tokens`);
    const call = sent.messages.find((m: any) => m.tool_calls?.length).tool_calls[0];
    const args = JSON.parse(call.function.arguments);
    assert.equal(args.path, 'table.ts');
    assert.match(args.content, /^const table = \[/);
    assert.match(args.content, /\[… [\d,]+ characters left out here to fit the context window;/);

    const stored = readMessages(workspace).find((m) => m.toolCalls?.length)!;
    assert.equal(JSON.parse(stored.toolCalls[0].arguments).content, content, 'recall keeps the call whole');

    llm.script({ text: 'Yes.' });
    assert.equal((await a.send('done?')).reply, 'Yes.');
  });

  it('answers a second oversized paste right after the first, and the messages after both', async () => {
    const a = agent();
    llm.script({ text: 'First read.' }, { text: 'Second read.' });
    await a.send(bigPaste());
    const second = await a.send(`again: ${bigPaste()}`);
    assert.equal(second.reply, 'Second read.');
    const users = chatBodies().at(-1)!.messages.filter((m: any) => m.role === 'user').map((m: any) => withoutTime(m.content));
    assert.ok(users.some((u: string) => u.startsWith('again: Here is the whole log')), users.map((u: string) => u.slice(0, 40)).join(' / '));
    assert.ok(requestTokens(chatBodies().at(-1)!) < WINDOW);
    llm.setPolicy(({ body }) => ({ text: isSummary(body) ? 'The person pasted two worker logs.' : 'ok' }));
    for (const next of [bigPaste(), 'short question']) {
      assert.equal((await a.send(next)).reply, 'ok');
      assert.ok(requestTokens(chatBodies().at(-1)!) < WINDOW);
    }
  });

  it('stores a capped error for a call to a tool with a 100,000-character name, and goes on', async () => {
    const a = agent();
    llm.script({ toolCalls: [{ name: 'x'.repeat(100_000), arguments: {} }] }, { text: 'Sorry, wrong tool.' });
    assert.equal((await a.send('list the files')).reply, 'Sorry, wrong tool.');
    const result = readMessages(workspace).find((m) => m.role === 'tool')!;
    assert.match(result.content, /unknown tool/);
    assert.ok(result.content.length <= 12_000, `a result of ${result.content.length} characters was stored`);
    assert.ok(requestTokens(chatBodies().at(-1)!) < WINDOW);
    llm.script({ text: 'Here they are.' });
    assert.equal((await a.send('try again')).reply, 'Here they are.');
  });

  it('starts a new process on a log holding the oversized message and answers at once', async () => {
    const paste = bigPaste();
    llm.script({ text: 'I read the log.' });
    await agent().send(paste);
    llm.script({ text: 'Still fine.' });
    assert.equal((await agent().send('anything else?')).reply, 'Still fine.');
  });
});
