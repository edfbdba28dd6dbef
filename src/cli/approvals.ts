// Edits, commands and MCP tool calls in the terminal: --yes approves everything; an interactive terminal asks;
// otherwise they are refused with a reason the model can pass on.
import * as readline from 'node:readline/promises';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest, MemoryChange, MemoryReviewMode } from '../tools/types';

export class CliApprovals implements ApprovalProvider {
  readonly memoryReview: MemoryReviewMode;

  constructor(
    private readonly options: { yes: boolean; ask?: (question: string) => Promise<string>; review?: MemoryReviewMode; askMemory?: (question: string) => Promise<string>; notify?: (message: string) => void },
  ) {
    this.memoryReview = options.review ?? 'auto';
  }

  /** Review mode 'notify' at the terminal: the change, and how to undo it. */
  memoryChanged(change: MemoryChange): void {
    const undo = change.entryId ? ` (undo: memcode memory revert ${change.entryId})` : '';
    (this.options.notify ?? ((m: string) => process.stderr.write(`${m}\n`)))(`[memory] ${change.summary}${undo}`);
  }

  async request(request: ApprovalRequest): Promise<ApprovalDecision> {
    // --review ask is the person asking to see memory edits: --yes (meant for file edits and commands) does not answer for them.
    if (this.options.yes && request.kind !== 'memory') return { approved: true };
    const ask = request.kind === 'memory' ? (this.options.askMemory ?? this.options.ask) : this.options.ask;
    if (!ask && request.kind === 'memory') {
      return { approved: false, reason: 'not approved: memory review is "ask" and nobody is at the terminal to answer (run memcode interactively or with --review auto)' };
    }
    if (!ask) {
      return { approved: false, reason: 'not approved: edits, commands and MCP tool calls need the person to run memcode with --yes or interactively' };
    }
    const what =
      request.kind === 'edit'
        ? `${request.summary}\n${unifiedPreview(request.before, request.after)}\nApply this edit to ${request.path}?`
        : request.kind === 'command'
          ? `Run \`${request.command}\` in ${request.cwd}?`
          : request.kind === 'memory'
            ? `${request.summary}\n${unifiedPreview(request.before, request.after)}\nApply this change to the "${request.block}" memory block?`
            : `Call the tool "${request.tool}" of the MCP server "${request.server}" with ${argsPreview(request.args)}?`;
    const answer = (await ask(`${what} [y/N/reason] `)).trim();
    if (/^y(es)?$/i.test(answer)) return { approved: true };
    return { approved: false, reason: answer && !/^n(o)?$/i.test(answer) ? answer : undefined };
  }
}

/** The arguments as JSON, cut so a large one does not flood the terminal. */
function argsPreview(args: Record<string, unknown>, max = 2_000): string {
  const json = JSON.stringify(args, null, 2);
  return json.length > max ? `${json.slice(0, max)}\n… (${json.length - max} more characters)` : json;
}

/** A short before/after preview; the extension shows a real diff editor instead. */
function unifiedPreview(before: string, after: string, maxLines = 40): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const lines = [...a.slice(start, endA + 1).map((l) => `- ${l}`), ...b.slice(start, endB + 1).map((l) => `+ ${l}`)];
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more lines`);
  return `@@ line ${start + 1} @@\n${shown.join('\n')}`;
}

export function terminalAsk(rl: readline.Interface): (question: string) => Promise<string> {
  return (question) => rl.question(question);
}

/**
 * Questions answered by the lines of a stream, a pipe included: lines that arrive before the question is
 * asked are kept for it (readline's own question() fails once a short pipe has closed); at the end of the
 * input the answer is '' (no).
 */
export function lineAsker(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): { ask: (question: string) => Promise<string>; close: () => void } {
  const rl = readline.createInterface({ input, terminal: false });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let closed = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w('');
  });
  return {
    ask: (question) => {
      output.write(question);
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (closed) return Promise.resolve('');
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
}
