// openAgent hands the file tools the workspace policy built from its settings: the memory folder where
// storagePath puts it and the index excludes, judged by the tool results the model was sent.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openAgent } from '../../src/app/openAgent';
import { createTokenCounter } from '../../src/llm/tokens';
import type { ApprovalProvider } from '../../src/tools/types';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

const approveAll: ApprovalProvider = { request: async () => ({ approved: true }) };

describe('openAgent and the workspace policy', () => {
  let llm: FakeLlm;
  let workspace: string;
  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('keeps the model out of a memory folder under another name, secrets and excluded files', async () => {
    fs.writeFileSync(path.join(workspace, '.env'), 'TOKEN=swordfish\n');
    fs.mkdirSync(path.join(workspace, 'vendor'));
    fs.writeFileSync(path.join(workspace, 'vendor', 'lib.js'), '// swordfish\n');
    fs.writeFileSync(path.join(workspace, 'main.ts'), 'export {};\n');
    const agent = openAgent({
      workspaceRoot: workspace,
      storagePath: path.join(workspace, 'notes-mem'),
      exclude: ['vendor/'],
      baseUrl: llm.url,
      model: 'fake-model',
      contextWindow: 16_384,
      approvals: approveAll,
      tokens: createTokenCounter(),
      maxRetries: 0,
    });
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { label: 'project', content: 'swordfish is the codename' } }] },
      {
        toolCalls: [
          { name: 'list_files', arguments: { recursive: true } },
          { name: 'search_files', arguments: { pattern: 'swordfish' } },
          { name: 'read_file', arguments: { path: '.env' } },
        ],
      },
      { text: 'Done.' },
    );
    await agent.send('Look around.');
    assert.ok(fs.existsSync(path.join(workspace, 'notes-mem', 'memory')));
    const results = llm.chatRequests().at(-1)!.body.messages.filter((m: any) => m.role === 'tool').slice(-3).map((m: any) => JSON.parse(m.content));
    const [listed, searched, read] = results;
    assert.deepEqual(listed.entries, ['main.ts']);
    assert.equal(searched.total, 0);
    assert.match(read.error, /secrets file/);
  });
});
