// Edits, commands and MCP tool calls in the terminal: --yes approves everything; an interactive terminal asks;
// otherwise they are refused with a reason the model can pass on.
import * as readline from 'node:readline/promises';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../tools/types';

export class CliApprovals implements ApprovalProvider {
  constructor(
    private readonly options: { yes: boolean; ask?: (question: string) => Promise<string> },
  ) {}

  async request(request: ApprovalRequest): Promise<ApprovalDecision> {
    if (this.options.yes) return { approved: true };
    if (!this.options.ask) {
      return { approved: false, reason: 'not approved: edits, commands and MCP tool calls need the person to run memcode with --yes or interactively' };
    }
    const what =
      request.kind === 'edit'
        ? `${request.summary}\n${unifiedPreview(request.before, request.after)}\nApply this edit to ${request.path}?`
        : request.kind === 'command'
          ? `Run \`${request.command}\` in ${request.cwd}?`
          : `Call the tool "${request.tool}" of the MCP server "${request.server}" with ${argsPreview(request.args)}?`;
    const answer = (await this.options.ask(`${what} [y/N/reason] `)).trim();
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
