import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore } from '../../src/memory/store';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli } from '../helpers/cli';
import { startTestEnv, stopTestEnv, withoutTime } from '../helpers/workspace';

// Needs `npm run build` (dist/cli.js), like the other CLI tests.
describe('memcode chat on a damaged recall log', function () {
  this.timeout(30_000);
  let llm: FakeLlm;
  let workspace: string;

  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  it('sends the message to the model, exits 0 and tells the person when the log was emptied behind state.json', async () => {
    const paths = MemoryStore.open(path.join(workspace, '.memcode'), { warn: () => {} }).paths;
    const log = RecallLog.open(paths, { warn: () => {} });
    for (let i = 1; i <= 45; i++) log.append({ session: 's-1', role: i % 2 ? 'user' : 'assistant', content: `message ${i}`, tokens: 4 });
    log.saveState({ firstInContextId: 38 });
    fs.writeFileSync(paths.messagesFile, '');

    llm.script({ text: 'Noted.' });
    const run = await runCli(['chat', '-C', workspace, '-m', 'the deploy key lives in vault', '--base-url', llm.url, '--model', 'fake-model']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[warning\] .*messages\.jsonl ends at message 0, but .*state\.json says the conversation queue starts at message 38/);
    const users = llm.chatRequests().at(-1)!.body.messages.filter((m: any) => m.role === 'user').map((m: any) => withoutTime(String(m.content)));
    assert.ok(users.includes('the deploy key lives in vault'), `the request held: ${JSON.stringify(users)}`);
  });
});
