import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Agent } from '../../src/core/agent';
import type { QueuedMessage, ToolResult } from '../../src/core/events';
import { openAgent } from '../../src/app/openAgent';
import { toTranscript } from '../../src/host/transcript';
import { createTokenCounter } from '../../src/llm/tokens';
import { RecallLog } from '../../src/memory/recall';
import { memoryPaths, memoryRoot } from '../../src/memory/store';
import type { AgentObserver } from '../../src/core/events';
import type { FakeLlm } from '../helpers/fakeLlm';
import { readMessages, startTestEnv, stopTestEnv } from '../helpers/workspace';

const tokens = createTokenCounter();

/** The model's first answer waits until `release()`: messages typed meanwhile queue up. */
function holdFirstAnswer(llm: FakeLlm): { release: () => void; asked: () => Promise<void> } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  llm.setPolicy(async ({ index }) => {
    if (index === 0) await gate;
    return { text: `answer ${index + 1}` };
  });
  const asked = async () => {
    while (!llm.chatRequests().length) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { release, asked };
}

describe('agent conversation state', () => {
  let llm: FakeLlm;
  let workspace: string;

  function agent(observer?: AgentObserver): Agent {
    return openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: { request: async () => ({ approved: true }) }, tokens, maxRetries: 0, autoRecall: false, observer });
  }

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('reports messages queued mid-turn with their ids, each leaving the queue when delivered, even with the same text', async () => {
    const reports: QueuedMessage[][] = [];
    const a = agent({ onQueue: (pending) => reports.push([...pending]) });
    const { release, asked } = holdFirstAnswer(llm);
    const turn = a.send('start');
    await asked();
    void a.send('and again');
    void a.send('and again');
    const queued = a.queue();
    assert.deepEqual(queued.map((m) => m.text), ['and again', 'and again']);
    assert.notEqual(queued[0].id, queued[1].id, 'two messages with the same text are two messages');
    release();
    const result = await turn;
    assert.equal(result.reply, 'answer 2');
    const ids = queued.map((m) => m.id);
    assert.deepEqual(reports.map((r) => r.map((m) => m.id)), [[ids[0]], ids, [ids[1]], []]);
    assert.deepEqual(a.queue(), []);
    assert.deepEqual(readMessages(workspace).filter((m) => m.role === 'user').map((m) => m.content), ['start', 'and again', 'and again']);
  });

  it('keeps a message queued in a stopped turn waiting, and delivers it in the next turn', async () => {
    const a = agent();
    const { asked } = holdFirstAnswer(llm);
    const turn = a.send('start');
    await asked();
    void a.send('one more thing');
    a.stop();
    assert.equal((await turn).stopped, true);
    assert.deepEqual(a.queue().map((m) => m.text), ['one more thing']);
    await a.send('next');
    assert.deepEqual(a.queue(), []);
    assert.deepEqual(readMessages(workspace).filter((m) => m.role === 'user').map((m) => m.content), ['start', 'next', 'one more thing']);
  });

  it('starts a new session without the messages a stopped turn left queued', async () => {
    const reports: string[][] = [];
    const a = agent({ onQueue: (pending) => reports.push(pending.map((m) => m.text)) });
    const { asked } = holdFirstAnswer(llm);
    const turn = a.send('start');
    await asked();
    void a.send('left behind');
    a.stop();
    await turn;
    await a.newSession();
    assert.deepEqual(a.queue(), []);
    assert.deepEqual(reports.at(-1), []);
  });

  it('stores attachments as a field of the message and gives the model their text, also after a reload', async () => {
    llm.script({ text: 'It parses.' });
    const attachments = [{ path: 'src/a.ts', startLine: 1, endLine: 2, text: 'parse()\nrun()' }];
    await agent().send({ text: 'what does this do?', attachments });
    const sent = llm.chatRequests()[0].body.messages.at(-1).content as string;
    assert.match(sent, /what does this do\?\n\nAttached src\/a\.ts:1-2:\n```\nparse\(\)\nrun\(\)\n```$/);

    const reopened = RecallLog.open(memoryPaths(memoryRoot(workspace)), { warn: () => {} });
    const user = reopened.all().find((r) => r.role === 'user')!;
    assert.equal(user.content, 'what does this do?');
    assert.deepEqual(user.attachments, attachments);

    // The next turn's context is rebuilt from recall: the attached text is still there for the model.
    llm.script({ text: 'Yes.' });
    await agent().send('sure?');
    assert.match(JSON.stringify(llm.chatRequests()[1].body.messages), /parse\(\)\\nrun\(\)/);
  });

  it('reads a log written before attachments had their own field: the model gets the text as it was, the chat shows references', async () => {
    const a = agent();
    const session = a.sessions.current().id;
    const old = 'why?\n\nAttached src/a.ts:3-4:\n```\nparse()\n```';
    fs.appendFileSync(memoryPaths(memoryRoot(workspace)).messagesFile, `${JSON.stringify({ id: 1, session, role: 'user', kind: 'message', content: old, time: '2026-01-01T00:00:00.000Z', tokens: 20 })}\n`);
    llm.script({ text: 'Because.' });
    await a.send('and now?');
    const sent = llm.chatRequests()[0].body.messages.filter((m: any) => m.role === 'user').map((m: any) => m.content as string);
    assert.ok(sent[0].endsWith(old));
    const [first] = toTranscript(a.transcript());
    assert.deepEqual(first.type === 'user' && [first.text, first.attachments], ['why?', [{ path: 'src/a.ts', startLine: 3, endLine: 4 }]]);
  });

  it('delivers a queued message with its attachments', async () => {
    const a = agent();
    const { release, asked } = holdFirstAnswer(llm);
    const turn = a.send('start');
    await asked();
    void a.send({ text: 'and this?', attachments: [{ path: 'b.md', text: 'B' }] });
    assert.deepEqual(a.queue()[0].attachments, [{ path: 'b.md', text: 'B' }]);
    release();
    await turn;
    const user = readMessages(workspace).filter((m) => m.role === 'user')[1];
    assert.deepEqual([user.content, user.attachments], ['and this?', [{ path: 'b.md', text: 'B' }]]);
    assert.match(llm.chatRequests()[1].body.messages.at(-1).content, /and this\?\n\nAttached b\.md:\n```\nB\n```$/);
  });

  it('records whether a tool call succeeded, edited memory and which block, and reports the same to the observer', async () => {
    llm.script(
      {
        toolCalls: [
          { name: 'working_context_append', arguments: { block: 'project', content: 'Build: make' } },
          { name: 'working_context_replace', arguments: { block: 'task', old_content: 'not in the block', new_content: 'y' } },
          { name: 'conversation_search', arguments: { query: 'make' } },
        ],
      },
      { text: 'Noted.' },
    );
    const reported: Array<[string, ToolResult]> = [];
    await agent({ onToolResult: (call, result) => reported.push([call.name, result]) }).send('remember: we build with make');
    const results = readMessages(workspace).filter((m) => m.role === 'tool');
    assert.deepEqual(results.map((r) => [r.name, r.ok, r.editsMemory, r.block]), [
      ['working_context_append', true, true, 'project'],
      ['working_context_replace', false, false, 'task'], // the text to replace is not there: nothing was edited
      ['conversation_search', true, false, undefined],
    ]);
    assert.deepEqual(reported.map(([name, r]) => [name, r.ok, r.editsMemory, r.block]), results.map((r) => [r.name, r.ok, r.editsMemory, r.block]));
  });

  it('reloads what another process or a person changed on disk: messages, sessions and blocks', async () => {
    const a = agent();
    const b = agent();
    llm.script({ text: 'hi from the CLI' });
    await b.send('hello');
    await b.newSession();
    fs.writeFileSync(path.join(memoryRoot(workspace), 'memory', 'user.md'), '---\ndescription: Who I am.\nlimit: 500\n---\nPrefers tabs.\n');
    assert.equal(a.recall.count(), 0);
    a.reload();
    assert.equal(a.recall.count(), 2);
    assert.equal(a.sessions.list().length, 2);
    assert.equal(a.sessions.current().id, b.sessions.current().id);
    assert.equal(a.workingContext.get('user').value, 'Prefers tabs.');
  });
});
