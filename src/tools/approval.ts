// Asking the person before an edit or a command: one place that turns a rejection into the error the
// model reads, reason included, so it can adjust instead of retrying the same thing.
import { type ApprovalDecision, type ApprovalRequest, type ToolContext, ToolError } from './types';

export async function askApproval(ctx: ToolContext, request: ApprovalRequest): Promise<void> {
  const asked = ctx.callId && request.callId === undefined ? { ...request, callId: ctx.callId } : request;
  const decision = await untilAborted(ctx.approvals.request(asked, ctx.signal), ctx.signal);
  // Stop pressed while the question was open: do nothing, whatever the answer.
  if (ctx.signal?.aborted) throw new ToolError('cancelled');
  if (!decision.approved && decision.unanswerable) throw new ToolError(decision.reason ?? `the ${WHAT[request.kind]} could not be approved`);
  if (!decision.approved) {
    throw new ToolError(`the person rejected the ${WHAT[request.kind]}: ${decision.reason?.trim() || 'no reason given'}`);
  }
}

const WHAT: Record<ApprovalRequest['kind'], string> = { edit: 'edit', command: 'command', mcp_tool: 'tool call', memory: 'memory edit' };

/** Stop must not wait for an approval nobody will answer now; the provider's late answer is ignored. */
function untilAborted(answer: Promise<ApprovalDecision>, signal?: AbortSignal): Promise<ApprovalDecision> {
  if (!signal) return answer;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new ToolError('cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
