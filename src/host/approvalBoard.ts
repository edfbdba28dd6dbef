// The questions waiting on the person, one board for the whole window. Each is asked in several places at
// once (its card in the chat, the diff editor's title bar, a notification when the chat is hidden); the
// first answer wins and the others are withdrawn. A question waits as long as it takes: nothing times out,
// and only Stop withdraws it. No vscode here, so the flow is tested in Node.
import type { PendingApproval } from '../protocol/shapes';

export type ApprovalAnswer = { kind: 'accept' } | { kind: 'always' } | { kind: 'reject'; reason?: string };
export type ApprovalOutcome = 'accepted' | 'rejected' | 'withdrawn';

/** Where the board reports (the chat view while it is open). */
export interface ApprovalBoardListener {
  pending(approval: PendingApproval): void;
  settled(id: string, callId: string | undefined, outcome: ApprovalOutcome): void;
}

interface Open {
  approval: PendingApproval;
  /** The proposal's path in the proposal scheme, for the diff editor's title bar. */
  proposedPath?: string;
  settle(answer: ApprovalAnswer | undefined): void;
}

export class ApprovalBoard {
  private readonly open = new Map<string, Open>();
  private next = 1;
  private listeners = new Set<ApprovalBoardListener>();

  listen(listener: ApprovalBoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Puts a question up. The promise resolves with the first answer, or undefined when withdrawn
   * (`signal` aborted, or `withdraw`).
   */
  ask(question: Omit<PendingApproval, 'id'>, opts: { proposedPath?: string; signal?: AbortSignal } = {}): { id: string; answer: Promise<ApprovalAnswer | undefined> } {
    const id = `a${this.next++}`;
    const approval: PendingApproval = { id, ...question };
    let resolve!: (answer: ApprovalAnswer | undefined) => void;
    const answer = new Promise<ApprovalAnswer | undefined>((r) => (resolve = r));
    const onAbort = () => this.withdraw(id);
    this.open.set(id, {
      approval,
      proposedPath: opts.proposedPath,
      settle: (a) => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(a);
      },
    });
    for (const l of this.listeners) l.pending(approval);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    return { id, answer };
  }

  /** The person answered; false when the question was already answered or withdrawn (a late click). */
  answer(id: string, answer: ApprovalAnswer): boolean {
    return this.close(id, answer, answer.kind === 'reject' ? 'rejected' : 'accepted');
  }

  withdraw(id: string): boolean {
    return this.close(id, undefined, 'withdrawn');
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  list(): PendingApproval[] {
    return [...this.open.values()].map((o) => o.approval);
  }

  /** The open question whose diff shows `proposedPath` (the diff editor's title-bar buttons). */
  byProposal(proposedPath: string): string | undefined {
    for (const [id, o] of this.open) if (o.proposedPath === proposedPath) return id;
    return undefined;
  }

  get(id: string): PendingApproval | undefined {
    return this.open.get(id)?.approval;
  }

  private close(id: string, answer: ApprovalAnswer | undefined, outcome: ApprovalOutcome): boolean {
    const o = this.open.get(id);
    if (!o) return false;
    this.open.delete(id);
    o.settle(answer);
    for (const l of this.listeners) l.settled(id, o.approval.callId, outcome);
    return true;
  }
}
