// run_command: a shell command in the workspace root, only after the person approves it. It runs in its
// own process group so a timeout or Stop ends everything it started, not just the shell.
import { spawn } from 'node:child_process';
import { askApproval } from './approval';
import type { PagingHint } from './registry';
import { type Tool, ToolError } from './types';

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const MAX_COMMAND_OUTPUT_CHARS = 8_000;
// After SIGTERM, how long a process group gets to clean up before SIGKILL.
const KILL_GRACE_MS = 2_000;
// After the shell exits, how long to wait for pipes still held by something it left running.
const PIPE_DRAIN_MS = 500;

export interface RunCommandArgs {
  command: string;
}

export interface RunCommandResult {
  /** null when the command was killed (timeout) or died of a signal. */
  exit_code: number | null;
  signal?: string;
  output: string;
  timed_out: boolean;
}

export interface RunCommandOptions {
  timeoutMs?: number;
  maxOutputChars?: number;
}

export function createRunCommandTool(options: RunCommandOptions = {}): Tool<RunCommandArgs> & PagingHint {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const maxOutput = options.maxOutputChars ?? MAX_COMMAND_OUTPUT_CHARS;
  return {
    name: 'run_command',
    description:
      'Run a shell command (sh -c) in the workspace root, after the person approves it: build, test, lint, git ' +
      `status and the like. Returns exit_code and the last ${maxOutput} characters of stdout and stderr together. ` +
      `Stopped after ${Math.round(timeoutMs / 1000)} s; nothing can be typed into it, so use non-interactive flags. ` +
      'Save build and test commands that work to working context (project block).',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', minLength: 1, description: 'The command line, e.g. "npm test -- --grep parser".' },
      },
      required: ['command'],
      additionalProperties: false,
    },
    pagingHint: 'run the command again with its output filtered (e.g. | tail -n 50, | grep ERROR)',
    async run(args, ctx) {
      await askApproval(ctx, { kind: 'command', command: args.command, cwd: ctx.workspaceRoot });
      return runShell(args.command, { cwd: ctx.workspaceRoot, timeoutMs, maxOutput, signal: ctx.signal });
    },
  };
}

export const runCommandTool = createRunCommandTool();

/** Keeps only the last `max` characters of a stream of text, counting what fell off the front. */
class OutputTail {
  private text = '';
  dropped = 0;
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text += chunk;
    // Trim in bulk, not per chunk, so a chatty command costs linear time.
    if (this.text.length > this.max * 2) this.trim();
  }
  result(): string {
    this.trim();
    return this.dropped > 0 ? `[first ${this.dropped} characters of output cut]\n${this.text}` : this.text;
  }
  private trim(): void {
    if (this.text.length <= this.max) return;
    const cut = this.text.length - this.max;
    this.dropped += cut;
    this.text = this.text.slice(cut);
  }
}

export function runShell(
  command: string,
  opts: { cwd: string; timeoutMs: number; maxOutput: number; signal?: AbortSignal },
): Promise<RunCommandResult> {
  if (opts.signal?.aborted) return Promise.reject(new ToolError('cancelled'));
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: opts.cwd,
      detached: true, // its own process group: killing -pid reaches grandchildren too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
    });
    const output = new OutputTail(opts.maxOutput);
    // One decoder per stream: a multi-byte character may be split across chunks.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => output.push(d));
    child.stderr.on('data', (d: string) => output.push(d));

    let timedOut = false;
    let cancelled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // Already gone.
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (timedOut || cancelled) {
        // Make sure nothing of the group outlives a timeout or Stop, even if it ignored SIGTERM.
        killGroup('SIGKILL');
        clearTimeout(killTimer);
      }
      child.stdout.destroy();
      child.stderr.destroy();
      if (cancelled) return reject(new ToolError('cancelled'));
      const result: RunCommandResult = {
        exit_code: exit?.code ?? null,
        output: output.result(),
        timed_out: timedOut,
      };
      if (exit?.signal) result.signal = exit.signal;
      if (timedOut) result.output += `\n[timed out after ${Math.round(opts.timeoutMs / 1000)} s; the command and everything it started were stopped]`;
      resolve(result);
    };

    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new ToolError(`could not run the command: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Something the command left running may hold the pipes open; do not wait for it forever,
      // and do not leave it writing into pipes nobody reads.
      drainTimer = setTimeout(() => {
        killGroup('SIGTERM');
        finish();
      }, PIPE_DRAIN_MS);
    });
    child.on('close', finish);
  });
}
