import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { createTokenCounter } from '../../src/llm/tokens';
import { MemoryError } from '../../src/memory/types';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { readMessages, startTestEnv, stopTestEnv } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();

describe('resuming a past session', () => {
  let llm: FakeLlm;
  let workspace: string;
  const agent = () => openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens, maxRetries: 0 });
  const sessionsFile = () => JSON.parse(fs.readFileSync(path.join(workspace, '.memcode/sessions.json'), 'utf8')) as { id: string; title: string; ended?: string }[];

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('continues the past session: new messages carry its id, and the model gets a recap of where it left off', async () => {
    const a = agent();
    llm.script({ text: 'Use a token bucket.' });
    await a.send('How should the rate limiter work?');
    const first = a.sessions.current();
    llm.script({ text: 'Summary of the limiter talk.' });
    await a.newSession();
    llm.script({ text: 'Done.' });
    await a.send('Rename the CLI flag');
    const second = a.sessions.current();

    llm.script({ text: 'Summary of the flag talk.' });
    const resumed = await a.resumeSession(first.id);
    assert.equal(resumed.id, first.id);
    assert.equal(a.sessions.current().id, first.id);
    const listed = sessionsFile();
    assert.equal(listed.find((s) => s.id === second.id)?.title, 'Rename the CLI flag', 'the left session is titled and ended');
    assert.ok(listed.find((s) => s.id === second.id)?.ended);

    llm.script({ text: 'Sure, with a refill rate.' });
    await a.send('And the burst size?');
    const request = llm.chatRequests().at(-1)!.body;
    const said = request.messages.map((m: { content: string }) => m.content).join('\n');
    assert.match(said, /resumed the earlier session "How should the rate limiter work\?"/);
    assert.match(said, /Use a token bucket\./, 'the recap carries the last exchanges');
    const mine = readMessages(workspace).filter((m) => m.session === first.id).map((m) => m.content);
    assert.ok(mine.includes('And the burst size?'), 'the new message continues the resumed session');
    assert.deepEqual(a.transcript().map((r) => r.content).filter((c) => c === 'How should the rate limiter work?'), ['How should the rate limiter work?'], "the current transcript is the resumed session's");
  });

  it('drops an empty current session from the list, and refuses an unknown id', async () => {
    const a = agent();
    llm.script({ text: 'ok' });
    await a.send('first topic');
    const first = a.sessions.current();
    llm.script({ text: 'summary' });
    await a.newSession();
    const empty = a.sessions.current();
    await a.resumeSession(first.id);
    assert.equal(sessionsFile().some((s) => s.id === empty.id), false);
    await assert.rejects(a.resumeSession('s-nope'), (e: unknown) => e instanceof MemoryError && e.kind === 'not_found');
  });
});
