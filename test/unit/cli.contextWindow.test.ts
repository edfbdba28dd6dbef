import { strict as assert } from 'node:assert';
import { runCli } from '../helpers/cli';
import { startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';

describe('memcode chat and the context window', function () {
  this.timeout(30_000);
  let llm: FakeLlm;
  let workspace: string;
  const chat = (...extra: string[]) => runCli(['chat', '-C', workspace, '-m', 'hello', '--base-url', llm.url, '--model', 'fake-model', ...extra]);

  beforeEach(async () => {
    llm = await startFakeLlm({ serverKind: 'llamacpp', contextLength: 12_288 });
    workspace = tempWorkspace();
  });
  afterEach(async () => {
    await llm.close();
    removeTempWorkspaces();
  });

  it('says the window it found and where from', async () => {
    const run = await chat();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[context window\] 12,288 tokens, from llama\.cpp\n/);
    assert.equal(llm.chatRequests()[0].body.max_tokens, 1_536, 'an eighth of the window found is kept for the answer');
  });

  it('takes --context-window (and MEMCODE_CONTEXT_WINDOW) over the server, without asking it', async () => {
    for (const run of [await chat('--context-window', '4096'), await runCli(['chat', '-C', workspace, '-m', 'hello', '--base-url', llm.url, '--model', 'fake-model'], { MEMCODE_CONTEXT_WINDOW: '4096' })]) {
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /\[context window\]/);
    }
    assert.deepEqual([...new Set(llm.requests.map((r) => r.path))], ['/v1/chat/completions']);
    assert.ok(llm.chatRequests().every((r) => r.body.max_tokens === 512));
  });
});
