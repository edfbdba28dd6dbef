// The protected paths end to end: a real `memcode chat` process and the fake model server asking for
// git's data and secrets; what reaches the server is what a hostile review would see.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeLlm } from '../helpers/fakeLlm';
import { runCli } from '../helpers/cli';
import { startTestEnv, stopTestEnv, writeFile } from '../helpers/workspace';

describe('memcode chat: protected paths (issue 15, items 6 and 7)', function () {
  this.timeout(30_000);
  let llm: FakeLlm;
  let workspace: string;
  const chat = (extra: string[] = [], env: Record<string, string> = {}) =>
    runCli(['chat', '-C', workspace, '-m', 'look around', '--base-url', llm.url, '--model', 'fake-model', '--yes', ...extra], env);
  /** The last `n` tool results the model server was sent (earlier runs' stay in the conversation). */
  const toolResults = (n: number): string[] => {
    const last = llm.chatRequests().at(-1)!.body.messages;
    return last.filter((m: any) => m.role === 'tool').map((m: any) => String(m.content)).slice(-n);
  };

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    const write = (rel: string, text: string) => writeFile(workspace, rel, text);
    write('.git/config', '[remote "origin"]\n\turl = https://me:ghp_hunter2@example.com/repo.git\n');
    write('.env', 'API_KEY=sk-hunter2\n');
    write('config/dev.pem', 'dev-cert-hunter2\n');
  });
  afterEach(() => stopTestEnv(llm));

  it('sends the server no token from .git/config or .env, and writes no git hook, even with --yes', async () => {
    llm.script(
      {
        toolCalls: [
          { name: 'read_file', arguments: { path: '.git/config' } },
          { name: 'search_files', arguments: { pattern: 'API_KEY|url =' } },
          { name: 'read_file', arguments: { path: '.env' } },
          { name: 'write_file', arguments: { path: '.git/hooks/post-checkout', content: '#!/bin/sh\necho pwned\n' } },
          { name: 'edit_file', arguments: { path: '.git/config', old_text: '[remote', new_text: '[core]\n\tfsmonitor = "echo pwned"\n[remote' } },
        ],
      },
      { text: 'Nothing to see.' },
    );
    const run = await chat();
    assert.equal(run.code, 0, run.stderr);
    const results = toolResults(5);
    assert.equal(results.some((r) => /ghp_|sk-hunter2/.test(r)), false, results.join('\n'));
    assert.match(results[1], /"total":0/);
    assert.match(results[0], /git's own data \(\.git\)/);
    assert.match(results[2], /secrets file/);
    assert.match(results[3], /git's own data/);
    assert.match(results[4], /git's own data/);
    assert.equal(fs.existsSync(path.join(workspace, '.git/hooks/post-checkout')), false);
    assert.doesNotMatch(fs.readFileSync(path.join(workspace, '.git/config'), 'utf8'), /fsmonitor/);
  });

  it('opens a secrets-looking file the person allowed with --allow-path or MEMCODE_ALLOW_PATHS, and only that', async () => {
    const script = () =>
      llm.script(
        { toolCalls: [{ name: 'read_file', arguments: { path: 'config/dev.pem' } }, { name: 'read_file', arguments: { path: '.env' } }] },
        { text: 'Read it.' },
      );
    script();
    assert.equal((await chat(['--allow-path', 'config/*.pem'])).code, 0);
    let [pem, env] = toolResults(2);
    assert.match(pem, /dev-cert-hunter2/);
    assert.match(env, /secrets file/);

    script();
    assert.equal((await chat([], { MEMCODE_ALLOW_PATHS: 'nothing-here.txt, config/dev.pem' })).code, 0);
    [pem, env] = toolResults(2);
    assert.match(pem, /dev-cert-hunter2/);
    assert.match(env, /secrets file/);

    script();
    assert.equal((await chat()).code, 0);
    [pem] = toolResults(2);
    assert.match(pem, /secrets file/);
  });
});
