import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { splitSystemPrompt } from '../../src/core/promptSections';
import type { Agent } from '../../src/core/agent';
import { createTokenCounter } from '../../src/llm/tokens';
import { entriesOf } from '../../src/memory/provenance';
import { collectNotes } from '../../src/memory/archivalNotes';
import { memoryPaths } from '../../src/memory/store';
import { staleMemory } from '../../src/app/staleMemory';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { readMessages, startTestEnv, stopTestEnv, systemPrompt, writeFile } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };
const RETRY_TS = 'export const retryLimit = 3;\n\nexport function backoff(n: number): number {\n  return 100 * 2 ** n;\n}\n';

describe('stale memory (the real agent)', () => {
  let llm: FakeLlm;
  let workspace: string;
  let agent: Agent;
  const projectFile = () => path.join(workspace, '.memcode/memory/project.md');
  const alerts = () => readMessages(workspace).filter((m) => m.kind === 'system_alert' && /cite/.test(m.content));
  // The working-context section of the last request (the instructions mention [stale: …] too).
  const lastPrompt = () => splitSystemPrompt(systemPrompt(llm.chatRequests().at(-1)!.body)).workingContext ?? '';
  async function turn(text: string): Promise<void> {
    llm.script({ text: 'ok' });
    await agent.send(text);
  }

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    writeFile(workspace, 'src/retry.ts', RETRY_TS);
    agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: approveAll, tokens: createTokenCounter(), maxRetries: 0, autoRecall: false });
    llm.script(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'src/retry.ts' } }] },
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: '- The retry limit is 3, see `src/retry.ts#retryLimit`' } }] },
      { text: 'Noted.' },
    );
    await agent.send('what is the retry limit? remember it');
  });
  afterEach(async () => {
    await agent.close();
    await stopTestEnv(llm);
  });

  it('records the session, the message, the cited symbol with its fingerprint and the file read in the turn', () => {
    const [entry] = entriesOf(fs.readFileSync(projectFile(), 'utf8').split('---\n').slice(2).join('---\n'));
    const marker = entry.marker!;
    const step = readMessages(workspace).find((m) => m.toolCalls?.[0]?.name === 'working_context_append')!;
    assert.equal(marker.session, step.session);
    assert.equal(marker.message, step.id);
    assert.deepEqual(marker.cites.map((c) => [c.path, c.symbol]), [['src/retry.ts', 'retryLimit']]);
    assert.match(marker.cites[0].hash!, /^[0-9a-f]{8}$/);
    assert.deepEqual(marker.files, ['src/retry.ts']);
    // The model reads the entry without its marker.
    assert.match(lastPrompt(), /- The retry limit is 3, see `src\/retry.ts#retryLimit`\n/);
    assert.doesNotMatch(lastPrompt(), /mc:/);
  });

  it('stays fresh when another part of the cited file changes (symbol precision)', async () => {
    writeFile(workspace, 'src/retry.ts', RETRY_TS.replace('100 * 2 ** n', '250 * 2 ** n'));
    await turn('hello');
    assert.doesNotMatch(lastPrompt(), /\[stale:/);
    assert.equal(alerts().length, 0);
  });

  it('marks the entry stale when its symbol changes, alerts once, and clears when the agent rewrites it', async () => {
    writeFile(workspace, 'src/retry.ts', RETRY_TS.replace('retryLimit = 3', 'retryLimit = 5'));
    await turn('hello');
    assert.match(lastPrompt(), /- The retry limit is 3, see `src\/retry.ts#retryLimit` \[stale: src\/retry.ts#retryLimit changed on \d{4}-\d{2}-\d{2} since this was written on \d{4}-\d{2}-\d{2}\]/);
    assert.equal(alerts().length, 1);
    assert.match(alerts()[0].content, /block "project": "- The retry limit is 3, see `src\/retry.ts#retryLimit`" — src\/retry.ts#retryLimit changed/);
    await turn('and now?');
    assert.equal(alerts().length, 1, 'one alert, not one per turn');
    assert.match(lastPrompt(), /\[stale:/);

    // The model copies the line with its stale note into old_content: the note is not part of the block.
    llm.script(
      {
        toolCalls: [{
          name: 'working_context_replace',
          arguments: { block: 'project', old_content: '- The retry limit is 3, see `src/retry.ts#retryLimit` [stale: src/retry.ts#retryLimit changed since this was written]', new_content: '- The retry limit is 5, see `src/retry.ts#retryLimit`' },
        }],
      },
      { text: 'Updated.' },
    );
    await agent.send('fix it');
    const tool = readMessages(workspace).filter((m) => m.role === 'tool').at(-1)!;
    assert.match(tool.content, /"ok":true/);
    await turn('hello again');
    assert.doesNotMatch(lastPrompt(), /\[stale:/);
    assert.match(lastPrompt(), /retry limit is 5/);
  });

  it('marks the entry stale when the cited file is deleted or renamed, with a new alert', async () => {
    fs.renameSync(path.join(workspace, 'src/retry.ts'), path.join(workspace, 'src/retries.ts'));
    await turn('hello');
    assert.match(lastPrompt(), /\[stale: src\/retry.ts#retryLimit was deleted or renamed since this was written/);
    assert.equal(alerts().length, 1);
  });

  it('gives an archival note its provenance, and a search result of it says when its cited code changed', async () => {
    llm.script(
      { toolCalls: [{ name: 'archival_memory_insert', arguments: { content: 'Retry policy: ledger retries up to retryLimit times (src/retry.ts#retryLimit), then gives up.' } }] },
      { text: 'Saved.' },
    );
    await agent.send('save a note about the retry policy');
    const [note] = collectNotes(path.join(workspace, '.memcode/archival'));
    assert.match(note.text, /gives up\. <!-- mc:[a-z0-9]{6} s=\S+ m=\d+ t=\d{4}-\d{2}-\d{2} c=src\/retry.ts#retryLimit@[0-9a-f]{8} -->$/, 'no file was read in this turn: no f=');
    writeFile(workspace, 'src/retry.ts', RETRY_TS.replace('retryLimit = 3', 'retryLimit = 4'));
    llm.script({ toolCalls: [{ name: 'archival_memory_search', arguments: { query: 'retry policy gives up' } }] }, { text: 'ok' });
    await agent.send('what is the retry policy?');
    const result = JSON.parse(readMessages(workspace).filter((m) => m.role === 'tool').at(-1)!.content);
    const hit = result.results.find((r: any) => r.source === 'note');
    assert.doesNotMatch(hit.text, /mc:/);
    assert.match(hit.stale, /^\[stale: src\/retry.ts#retryLimit changed on \d{4}-\d{2}-\d{2} since this was written/);
    const listed = await staleMemory(workspace, memoryPaths(path.join(workspace, '.memcode')), () => {});
    assert.deepEqual(listed.map((e) => e.block.startsWith('note:')), [false, true]);
  });

  it("takes a person's fix of a stale line in the file as the truth from then on, until the code changes again", async () => {
    writeFile(workspace, 'src/retry.ts', RETRY_TS.replace('retryLimit = 3', 'retryLimit = 5'));
    await turn('hello');
    assert.match(lastPrompt(), /\[stale:/);
    // The person corrects the value in the Markdown file and keeps the marker, as an editor naturally does.
    fs.writeFileSync(projectFile(), fs.readFileSync(projectFile(), 'utf8').replace('limit is 3', 'limit is 5'));
    await turn('fixed it by hand');
    assert.doesNotMatch(lastPrompt(), /\[stale:/);
    assert.match(lastPrompt(), /retry limit is 5/);
    writeFile(workspace, 'src/retry.ts', RETRY_TS.replace('retryLimit = 3', 'retryLimit = 8'));
    await turn('and again');
    assert.match(lastPrompt(), /limit is 5, see `src\/retry.ts#retryLimit` \[stale: src\/retry.ts#retryLimit changed/);
    assert.equal(alerts().length, 2);
  });

  it('marks the entry stale at the next turn when the agent itself edits the cited symbol', async () => {
    llm.script(
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'src/retry.ts', old_text: 'retryLimit = 3', new_text: 'retryLimit = 6' } }] },
      { text: 'Raised the limit.' },
    );
    await agent.send('raise the retry limit to 6');
    assert.match(fs.readFileSync(path.join(workspace, 'src/retry.ts'), 'utf8'), /retryLimit = 6/);
    await turn('anything else?');
    assert.match(lastPrompt(), /\[stale: src\/retry.ts#retryLimit changed/);
    assert.equal(alerts().length, 1);
  });
});
