import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolidationError, changedSinceLastPass, consolidateAgentMemory, consolidateMemory, describeConsolidation } from '../../src/app/consolidateMemory';
import { openAgent } from '../../src/app/openAgent';
import { CONSOLIDATION_INSTRUCTIONS } from '../../src/core/consolidation';
import { createTokenCounter } from '../../src/llm/tokens';
import { revertMemoryChange } from '../../src/app/memoryHistory';
import { OpenAiChatModel } from '../../src/llm/client';
import { LlmError } from '../../src/llm/types';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest, MemoryChange } from '../../src/tools/types';
import { fileFingerprints, insideRoot } from '../../src/memory/codeFingerprints';
import { stampsFor } from '../../src/memory/entryStamps';
import { MemoryJournal } from '../../src/memory/journal';
import { visibleText } from '../../src/memory/provenance';
import { MemoryStore } from '../../src/memory/store';
import { WorkingContext } from '../../src/memory/workingContext';
import { FAKE_MODEL, type FakeLlm, startFakeLlm } from '../helpers/fakeLlm';
import { runCli } from '../helpers/cli';
import { tempWorkspace, writeFile } from '../helpers/workspace';

describe('memory consolidation', () => {
  let workspace: string;
  let llm: FakeLlm;
  let store: MemoryStore;
  let wc: WorkingContext;
  let journal: MemoryJournal;
  const projectFile = () => path.join(store.paths.memoryDir, 'project.md');

  async function agentWrites(text: string, date: string): Promise<void> {
    const mark = await stampsFor(text, { session: 's1', date, files: [] }, fileFingerprints(workspace));
    wc.append('project', text, { mark, origin: { actor: 'agent', via: 'working_context_append', session: 's1' } });
  }

  function pass(extra: { signal?: AbortSignal; dryRun?: boolean; applyUnder?: <T>(apply: () => Promise<T>) => Promise<T>; review?: ApprovalProvider } = {}) {
    return consolidateMemory({
      workingContext: wc,
      model: new OpenAiChatModel({ baseUrl: llm.url, model: FAKE_MODEL, maxRetries: 0 }),
      fingerprints: fileFingerprints(workspace),
      readable: insideRoot(workspace),
      clock: () => new Date('2026-12-01T10:00:00Z'),
      via: 'test',
      ...extra,
    });
  }

  const answer = (blocks: unknown) => ({ text: JSON.stringify({ blocks }) });

  beforeEach(async () => {
    workspace = tempWorkspace('memcode-consolidate-');
    llm = await startFakeLlm();
    writeFile(workspace, 'src/retry.ts', 'export const retryLimit = 3;\n');
    store = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} });
    journal = new MemoryJournal(store.paths.journalFile, store.clock);
    wc = new WorkingContext(store.paths.memoryDir, { warn: () => {}, journal });
    wc.load();
    await agentWrites('- The retry limit is 3 (src/retry.ts)', '2026-11-20');
    await agentWrites('- Tests run with npm test', '2026-11-21');
    await agentWrites('- Tests run with npm test', '2026-11-22');
    await agentWrites('- The retry limit is 5 (src/retry.ts)', '2026-11-25');
    // A person's line: no marker.
    fs.writeFileSync(projectFile(), `${fs.readFileSync(projectFile(), 'utf8').trimEnd()}\n- Always indent with tabs\n`);
    wc.refresh();
  });
  afterEach(async () => {
    await llm.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('merges duplicates and keeps the newest value, as one journaled change whose old text stays in the journal', async () => {
    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'], dropped: [{ entry: 'e1', reason: 'contradicted by the newer e4' }] }]));
    const before = journal.all().length;
    const report = await pass();
    // What the model was shown: tags with dates and who wrote it, never the markers.
    const shown = llm.chatRequests()[0].body.messages[1].content as string;
    assert.doesNotMatch(shown, /<!--|mc:/);
    assert.match(shown, /\[e1 2026-11-20\] - The retry limit is 3/);
    assert.match(shown, /\[e4 2026-11-25\] - The retry limit is 5/);
    assert.match(shown, /\[e5 hand\] - Always indent with tabs/);
    const value = visibleText(wc.get('project').value);
    assert.equal(value, '- The retry limit is 5 (src/retry.ts)\n- Tests run with npm test\n- Always indent with tabs');
    assert.equal(journal.all().length, before + 1, 'one change for the block');
    const [entry] = journal.log('project');
    assert.equal(entry.actor, 'consolidation');
    assert.equal(report.blocks[0].entry?.id, entry.id);
    assert.match(journal.textBefore(entry), /retry limit is 3/, 'the old value stays in the journal');
    assert.match(wc.get('project').value, /retry limit is 5 \(src\/retry.ts\) <!-- mc:\w+ s=s1 t=2026-11-25/, 'a line kept word for word keeps its marker');
    assert.match(describeConsolidation(report), /- - The retry limit is 3 \(src\/retry.ts\)[\s\S]*dropped: - The retry limit is 3 \(src\/retry.ts\) — contradicted by the newer e4/);
    // And it can be undone like any change.
    await revertMemoryChange(store, entry.id, 'test');
    wc.refresh();
    assert.match(visibleText(wc.get('project').value), /retry limit is 3[\s\S]*retry limit is 5/);
  });

  it("in 'ask' review mode puts the whole pass to the person as one change: a rejection writes nothing, an approval writes; 'notify' names each written block", async () => {
    const asked: ApprovalRequest[] = [];
    const notified: MemoryChange[] = [];
    let decision: ApprovalDecision = { approved: false, reason: 'keep both for now' };
    const review: ApprovalProvider = {
      memoryReview: 'ask',
      request: async (r) => (asked.push(r), decision),
      memoryChanged: (c) => notified.push(c),
    };
    const lines = ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'];
    const before = wc.get('project').value;
    const entries = journal.all().length;
    llm.script(answer([{ label: 'project', lines, dropped: [{ entry: 'e1', reason: 'contradicted by the newer e4' }] }]));
    await assert.rejects(pass({ review }), (e: unknown) => e instanceof ConsolidationError && /rejected the consolidation: keep both for now; nothing was changed/.test(e.message));
    assert.equal(asked.length, 1, 'one question for the pass');
    const q = asked[0];
    assert.ok(q.kind === 'memory' && q.block === 'project' && /## project[\s\S]*retry limit is 3/.test(q.before) && !/retry limit is 3/.test(q.after) && /drops 1 entry/.test(q.summary));
    assert.equal(wc.get('project').value, before, 'nothing written');
    assert.equal(journal.all().length, entries);

    decision = { approved: true };
    llm.script(answer([{ label: 'project', lines, dropped: [{ entry: 'e1', reason: 'contradicted by the newer e4' }] }]));
    await pass({ review });
    assert.equal(visibleText(wc.get('project').value), lines.join('\n'));
    assert.equal(notified.length, 0, "'ask' does not also notify");

    await agentWrites('- Deploys go through staging', '2026-11-30');
    llm.script(answer([{ label: 'project', lines: [...lines, '- Every deploy goes through staging first'], dropped: [] }]));
    const report = await pass({ review: { ...review, memoryReview: 'notify' } });
    assert.equal(asked.length, 2, "'notify' does not ask");
    assert.deepEqual(notified.map((c) => [c.block, c.entryId]), [['project', report.blocks[0].entry?.id]]);
  });

  it("keeps a person's line the answer leaves out unnamed, and drops it only when named with a reason that is shown", async () => {
    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test'] }]));
    const kept = await pass();
    assert.match(visibleText(wc.get('project').value), /- Always indent with tabs$/);
    assert.deepEqual(kept.blocks[0].keptHand, ['- Always indent with tabs']);
    assert.match(describeConsolidation(kept), /kept \(written by a person, not named as dropped\): - Always indent with tabs/);

    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test'], dropped: [{ entry: 'e3', reason: 'the person said to use spaces now' }] }]));
    const dropped = await pass();
    assert.doesNotMatch(visibleText(wc.get('project').value), /tabs/);
    assert.deepEqual(dropped.blocks[0].dropped, [{ text: '- Always indent with tabs', reason: 'the person said to use spaces now', hand: true }]);
    assert.match(describeConsolidation(dropped), /dropped \(written by a person\): - Always indent with tabs — the person said to use spaces now/);
  });

  it('refuses a malformed answer and writes nothing', async () => {
    const file = fs.readFileSync(projectFile(), 'utf8');
    const count = journal.all().length;
    for (const reply of [{ text: 'Sure! Here is the consolidated memory: - a' }, answer([{ label: 'project' }]), answer([{ label: 'nope', lines: [] }]), answer([{ label: 'project', lines: ['x'], dropped: [{ entry: 'e1', reason: ' ' }] }])]) {
      llm.script(reply);
      await assert.rejects(pass(), (err: unknown) => err instanceof ConsolidationError && /nothing was changed/.test(err.message));
    }
    assert.equal(fs.readFileSync(projectFile(), 'utf8'), file);
    assert.equal(journal.all().length, count);
  });

  it('refuses an answer that would put a block over its limit', async () => {
    const file = fs.readFileSync(projectFile(), 'utf8');
    llm.script(answer([{ label: 'project', lines: ['x'.repeat(6000)] }]));
    await assert.rejects(pass(), /over its limit of 5000; nothing was changed/);
    assert.equal(fs.readFileSync(projectFile(), 'utf8'), file);
  });

  it('leaves the blocks untouched when cancelled while the model answers', async () => {
    const file = fs.readFileSync(projectFile(), 'utf8');
    const count = journal.all().length;
    llm.script({ hangMs: 30_000, text: JSON.stringify({ blocks: [{ label: 'project', lines: [] }] }) });
    const controller = new AbortController();
    const running = pass({ signal: controller.signal });
    while (llm.chatRequests().length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await assert.rejects(running, (err: unknown) => err instanceof LlmError && err.kind === 'aborted');
    assert.equal(fs.readFileSync(projectFile(), 'utf8'), file);
    assert.equal(journal.all().length, count);
  });

  it('shows stale entries with the current code they cite, and leaves a block changed during the pass alone', async () => {
    writeFile(workspace, 'src/retry.ts', 'export const retryLimit = 7;\n');
    llm.setPolicy(() => {
      // A write lands while the model thinks: that block must not be overwritten.
      wc.append('project', '- Written meanwhile');
      return answer([{ label: 'project', lines: ['- The retry limit is 7 (src/retry.ts)', '- Always indent with tabs'] }]);
    });
    const report = await pass();
    const shown = llm.chatRequests()[0].body.messages[1].content as string;
    assert.match(shown, /\[e1 2026-11-20 STALE: src\/retry.ts changed on [^\]]+\] - The retry limit is 3/);
    assert.match(shown, /### src\/retry.ts\n```\nexport const retryLimit = 7;/);
    assert.match(report.blocks[0].skipped ?? '', /changed during the pass/);
    assert.match(visibleText(wc.get('project').value), /Written meanwhile/);
    assert.equal(journal.log('project')[0].actor, 'agent');
  });

  it("counts a marked line a person pasted by hand as theirs (the journal says person)", async () => {
    const pasted = '- Staging lives in eu-west-1 <!-- mc:zz9zz9 s=other t=2026-10-01 -->';
    fs.writeFileSync(projectFile(), `${fs.readFileSync(projectFile(), 'utf8').trimEnd()}\n${pasted}\n`);
    wc.refresh();
    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'] }]));
    const report = await pass();
    assert.match(llm.chatRequests()[0].body.messages[1].content, /\[e6 hand\] - Staging lives in eu-west-1/);
    assert.deepEqual(report.blocks[0].keptHand, ['- Staging lives in eu-west-1']);
    assert.match(wc.get('project').value, /- Staging lives in eu-west-1 <!-- mc:zz9zz9 /, 'put back with its own marker');
  });

  it('writes under the lock when asked, after a holder (a chat turn) lets go; and knows whether memory changed since the last pass', async () => {
    assert.equal(changedSinceLastPass(wc), true);
    const turn = await store.lock('chat turn', 0);
    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'] }]));
    const running = pass({ applyUnder: (apply) => store.withLock('memory consolidate', apply, 30_000) });
    while (llm.chatRequests().length === 0) await new Promise((r) => setTimeout(r, 10));
    turn.release();
    const report = await running;
    assert.ok(report.blocks[0].entry);
    assert.equal(changedSinceLastPass(wc), false, 'the last change is the pass itself');
    wc.append('project', '- New fact');
    assert.equal(changedSinceLastPass(wc), true);
  });

  it("puts back a person's heading left out, not one the agent wrote (the journal tells them apart)", async () => {
    wc.append('project', '## Build', { origin: { actor: 'agent', via: 'working_context_append' } });
    fs.writeFileSync(projectFile(), fs.readFileSync(projectFile(), 'utf8').replace('---\n- The retry', '---\n# Our notes\n- The retry'));
    wc.refresh();
    llm.script(answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'] }]));
    const report = await pass();
    assert.deepEqual(report.blocks[0].keptHand, ['# Our notes']);
    assert.doesNotMatch(visibleText(wc.get('project').value), /## Build/);
  });

  it('a dry run writes nothing', async () => {
    const file = fs.readFileSync(projectFile(), 'utf8');
    llm.script(answer([{ label: 'project', lines: ['- Tests run with npm test', '- Always indent with tabs'] }]));
    const report = await pass({ dryRun: true });
    assert.equal(report.blocks.length, 1);
    assert.equal(fs.readFileSync(projectFile(), 'utf8'), file);
  });

  it('memcode memory consolidate [--dry-run] prints the diff and applies it (needs npm run build)', async () => {
    const env = { MEMCODE_BASE_URL: llm.url, MEMCODE_MODEL: FAKE_MODEL };
    const reply = answer([{ label: 'project', lines: ['- The retry limit is 5 (src/retry.ts)', '- Tests run with npm test', '- Always indent with tabs'], dropped: [{ entry: 'e1', reason: 'older value' }] }]);
    llm.script(reply);
    const dry = await runCli(['memory', 'consolidate', '--dry-run', '-C', workspace], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would change block "project"\n {2}- - The retry limit is 3 \(src\/retry.ts\)/);
    assert.match(dry.stdout, /Dry run: nothing was written/);
    assert.match(visibleText(fs.readFileSync(projectFile(), 'utf8')), /retry limit is 3/);
    llm.script(reply);
    const run = await runCli(['memory', 'consolidate', '-C', workspace], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Changed block "project" \(journal j\w+; `memcode memory revert j\w+` undoes it\)/);
    assert.doesNotMatch(fs.readFileSync(projectFile(), 'utf8'), /retry limit is 3/);
    llm.script({ text: 'not json' });
    const bad = await runCli(['memory', 'consolidate', '-C', workspace], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /consolidation refused: the model's answer is not JSON/);
  });
});

describe('memory consolidation beside a running agent (the pass after New session)', () => {
  it('does not block the chat: a turn runs while the pass waits for the model, and the pass then writes through the agent', async () => {
    const workspace = tempWorkspace('memcode-consolidate-agent-');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const llm = await startFakeLlm({
      policy: async ({ body }) => {
        if (body.messages[0].content === CONSOLIDATION_INSTRUCTIONS) {
          await held;
          return { text: JSON.stringify({ blocks: [{ label: 'project', lines: ['- Tests: npm test'] }] }) };
        }
        return { text: 'ok' };
      },
    });
    const agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: FAKE_MODEL, contextWindow: 16_384, approvals: { request: async () => ({ approved: true }) }, tokens: createTokenCounter(), maxRetries: 0, autoRecall: false });
    try {
      agent.workingContext.append('project', '- Tests: npm test\n- Tests: npm test');
      await agent.newSession();
      assert.equal(changedSinceLastPass(agent.workingContext), true);
      const pass = consolidateAgentMemory(agent, { via: 'session-end' });
      while (!llm.chatRequests().some((r) => r.body.messages[0].content === CONSOLIDATION_INSTRUCTIONS)) await new Promise((r) => setTimeout(r, 10));
      const turn = await agent.send('hello');
      assert.equal(turn.reply, 'ok');
      release();
      const report = await pass;
      assert.equal(report.blocks[0].entry?.via, 'session-end');
      assert.equal(visibleText(agent.workingContext.get('project').value), '- Tests: npm test');
    } finally {
      release();
      await agent.close();
      await llm.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
