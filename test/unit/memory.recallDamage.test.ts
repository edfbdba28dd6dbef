import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { createTokenCounter } from '../../src/llm/tokens';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startTestEnv, stopTestEnv, tempWorkspace, removeTempWorkspaces, withoutTime } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const tokens = createTokenCounter();

/** A log of `n` messages whose queue (per state.json) starts at `firstInContextId`, as after a long chat. */
function writeConversation(paths: MemoryPaths, n: number, firstInContextId: number): void {
  const log = RecallLog.open(paths, { warn: () => {} });
  for (let i = 1; i <= n; i++) log.append({ session: 's-1', role: i % 2 ? 'user' : 'assistant', content: `message ${i}`, tokens: 4 });
  log.saveState({ firstInContextId, summary: 'Earlier: the person set up the ledger service.' });
}

function keepLines(file: string, lines: number): void {
  const kept = fs.readFileSync(file, 'utf8').split('\n').slice(0, lines);
  fs.writeFileSync(file, lines ? `${kept.join('\n')}\n` : '');
}

describe('recall log damaged behind the state', () => {
  let llm: FakeLlm;
  let workspace: string;
  let warnings: string[];
  let paths: MemoryPaths;
  const agent = () =>
    openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens, maxRetries: 0, warn: (m) => warnings.push(m) });
  const lastRequestUserTexts = () =>
    llm.chatRequests().at(-1)!.body.messages.filter((m: any) => m.role === 'user').map((m: any) => withoutTime(String(m.content)));

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    warnings = [];
    paths = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} }).paths;
  });
  afterEach(() => stopTestEnv(llm));

  for (const [what, linesLeft] of [
    ['emptied', 0],
    ['truncated', 10],
  ] as const) {
    it(`shows the model the person's new messages when the log was ${what} behind a queue starting at message 38, and says so`, async () => {
      writeConversation(paths, 45, 38);
      keepLines(paths.messagesFile, linesLeft);
      llm.script({ text: 'Noted.' }, { text: 'Still here.' });

      const a = agent();
      assert.ok(
        warnings.some((w) => /messages\.jsonl.*state\.json.*38/s.test(w) && /memcode doctor/.test(w)),
        `a clear warning on load, got: ${warnings.join(' | ')}`,
      );
      await a.send('the deploy key lives in vault under ops/deploy');
      assert.ok(lastRequestUserTexts().includes('the deploy key lives in vault under ops/deploy'), 'the message reached the model');
      await a.send('and the staging one too');
      assert.deepEqual(lastRequestUserTexts().slice(-2), ['the deploy key lives in vault under ops/deploy', 'and the staging one too']);

      // Nothing that survived or came after is lost, and no id is reused.
      const ids = RecallLog.open(paths, { warn: () => {} }).all().map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(ids.length, linesLeft + 4);
      assert.ok(ids.slice(linesLeft).every((id) => id >= 38), `new ids continue after the queue start: ${ids}`);
    });
  }

  it('does not warn about a log that agrees with its state (a new session starts right after the last message)', () => {
    writeConversation(paths, 12, 13);
    agent();
    assert.deepEqual(warnings, []);
  });
});

describe('recall log whose last line lost only its newline', () => {
  let dir: string;
  let paths: MemoryPaths;
  let warnings: string[];
  const open = () => RecallLog.open(paths, { warn: (m) => warnings.push(m) });
  const say = (log: RecallLog, content: string) => log.append({ session: 's-1', role: 'user', content, tokens: 3 });

  beforeEach(() => {
    dir = tempWorkspace('memcode-recall-tail-');
    paths = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} }).paths;
    warnings = [];
  });
  afterEach(() => removeTempWorkspaces());

  it('keeps that last message and gives the next one a fresh line and a new id, so neither is hidden', () => {
    const log = open();
    for (const m of ['one', 'two', 'three']) say(log, m);
    const bytes = fs.readFileSync(paths.messagesFile);
    fs.writeFileSync(paths.messagesFile, bytes.subarray(0, bytes.length - 1));

    const reopened = open();
    assert.deepEqual(reopened.all().map((r) => r.content), ['one', 'two', 'three'], 'the whole record is read');
    const next = say(reopened, 'four');
    assert.equal(next.id, 4);
    assert.deepEqual(reopened.all().map((r) => `${r.id}:${r.content}`), ['1:one', '2:two', '3:three', '4:four']);

    warnings = [];
    assert.deepEqual(open().all().map((r) => `${r.id}:${r.content}`), ['1:one', '2:two', '3:three', '4:four']);
    assert.deepEqual(warnings, [], 'nothing is skipped on later loads');
  });

  it('sees a newline-less last line completed by another process exactly once', () => {
    const a = open();
    say(a, 'one');
    fs.appendFileSync(paths.messagesFile, JSON.stringify({ id: 2, session: 's-1', role: 'user', content: 'two', time: '', tokens: 1 }));
    assert.equal(a.refresh(), 1);
    const b = open();
    say(b, 'three');
    assert.equal(a.refresh(), 1, 'only the new message is new');
    assert.deepEqual(a.all().map((r) => `${r.id}:${r.content}`), ['1:one', '2:two', '3:three']);
  });
});
