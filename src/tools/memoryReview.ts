// Review mode for the agent's working-context edits (issue 12, item 4), decided here and nowhere else so
// the chat, the CLI and MCP behave alike: 'auto' writes; 'notify' writes, then tells the host (which names
// the change and offers Undo = a journal revert); 'ask' computes the edit without writing it, asks the
// person through the ApprovalProvider (a `memory` request: the block's text before and after), and only
// then writes — a rejection, reason included, reaches the model the way a rejected file edit does.
import type { BlockRecord } from '../memory/types';
import type { BlockEdit } from '../memory/workingContext';
import { askApproval } from './approval';
import type { ToolContext } from './types';

export async function reviewedBlockEdit(
  ctx: ToolContext,
  label: string,
  summary: string,
  edit: BlockEdit | undefined,
  apply: (edit: BlockEdit) => BlockRecord,
): Promise<BlockRecord> {
  const mode = ctx.approvals.memoryReview ?? 'auto';
  if (mode === 'ask') {
    // Errors (unknown block, over the limit, no match) come from the dry run, before anyone is asked.
    const proposed = apply({ ...edit, dryRun: true });
    const before = ctx.workingContext.get(label).value;
    if (proposed.value === before) return proposed;
    await askApproval(ctx, { kind: 'memory', block: label, before, after: proposed.value, summary });
  }
  const journal = ctx.workingContext.journalOf(label);
  const lastBefore = journal?.log(label)[0]?.id;
  const written = apply({ ...edit, dryRun: false });
  if (mode === 'notify' && ctx.approvals.memoryChanged) {
    const entry = journal?.log(label)[0];
    const entryId = entry && entry.id !== lastBefore ? entry.id : undefined;
    if (entryId || !journal) ctx.approvals.memoryChanged({ block: label, summary, entryId, callId: ctx.callId });
  }
  return written;
}
