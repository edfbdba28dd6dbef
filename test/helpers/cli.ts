// Runs the built CLI (dist/cli.js) as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as os from 'node:os';
import { createHash } from 'node:crypto';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Never the real ~/.memcode/user.md (src/memory/userStore.ts): this test process's own unless a test names one.
  const env: NodeJS.ProcessEnv = { ...process.env, MEMCODE_USER_STORE: testUserStore([]), ...extra };
  for (const k of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'MEMCODE_BASE_URL', 'MEMCODE_MODEL', 'MEMCODE_CONTEXT_WINDOW', 'MEMCODE_NOW', 'MEMCODE_MEMORY', 'MEMCODE_TOOLS', 'MEMCODE_TIMEOUT']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

/**
 * The per-user store of the `user` block (src/memory/userStore.ts) for a test run: never the real
 * ~/.memcode; one per workspace (-C), so the runs of one test share it and tests do not share theirs.
 */
function testUserStore(args: string[]): string {
  const at = args.indexOf('-C');
  const key = at >= 0 && args[at + 1] ? path.resolve(args[at + 1]) : process.cwd();
  return path.join(os.tmpdir(), `memcode-test-user-${createHash('sha1').update(key).digest('hex').slice(0, 12)}`, 'user.md');
}

export function startCli(args: string[], env: Record<string, string> = {}, input = ''): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv({ MEMCODE_USER_STORE: testUserStore(args), ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(input);
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}, input = ''): Promise<CliRun> {
  return startCli(args, env, input).done;
}
