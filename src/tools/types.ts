// What a tool is and what it may reach. Tools get their dependencies through ToolContext,
// so the CLI, the extension and the tests each pass their own.
import type { JsonSchema } from '../common/types';
import type { WorkingContext } from '../memory/workingContext';
import type { MessageVectors } from '../memory/messageVectors';
import type { RecallLog } from '../memory/recall';
import type { ArchivalMemory } from '../memory/archivalMemory';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';
import type { EditProvenance } from '../memory/entryStamps';

/** A failure the model should see as `{"error": message}`. Anything else thrown is reported the same way. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/** An edit or command the person must approve before it happens (DESIGN.md §4). */
export type ApprovalRequest = (
  | { kind: 'edit'; path: string; before: string; after: string; summary: string }
  | { kind: 'command'; command: string; cwd: string }
  /** A tool of an MCP server (tools/mcpTools.ts): `tool` is the server's own name for it. */
  | { kind: 'mcp_tool'; server: string; tool: string; args: Record<string, unknown> }
  /** A working-context block edit in review mode `ask` (memory/review.ts): the block's whole text before and after. */
  | { kind: 'memory'; block: string; before: string; after: string; summary: string }
) & {
  /** The tool call that asks, so a chat can put the question on that call's card. */
  callId?: string;
};

export interface ApprovalDecision {
  approved: boolean;
  /** Why it was rejected; goes back to the model. */
  reason?: string;
  /** Nobody was asked (nobody could answer): the model reads `reason` as it is, not as the person's rejection. */
  unanswerable?: boolean;
}

/** The CLI answers with --yes / a prompt; VS Code with a diff editor and Accept/Reject, or a modal question. */
export interface ApprovalProvider {
  /** `signal` aborts when the person presses Stop: a host withdraws the question it put up. */
  request(request: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalDecision>;
  /**
   * Applies an approved edit (the file's whole new content) the host's own way: VS Code as an editor
   * change the person can undo. Without it, the tool writes the file itself. A throw becomes the tool's error.
   * `change` says what it replaces, so a host can keep a checkpoint and offer Undo.
   */
  applyEdit?(absPath: string, content: string, change?: AppliedChange): Promise<void>;
  /**
   * How the memory tools treat the agent's block edits (`memcode.memory.review`, CLI `--review`): 'auto'
   * (absent) writes them, 'notify' writes them and calls memoryChanged, 'ask' asks with a `memory` request first.
   */
  memoryReview?: MemoryReviewMode;
  /** In 'notify' mode, after a block edit was written: the host names it and offers Undo (a journal revert of `entryId`). */
  memoryChanged?(change: MemoryChange): void;
}

export type MemoryReviewMode = 'auto' | 'notify' | 'ask';
export const MEMORY_REVIEW_MODES: readonly MemoryReviewMode[] = ['auto', 'notify', 'ask'];

/** A block edit that was written, for a notification with Undo. */
export interface MemoryChange {
  block: string;
  summary: string;
  /** The journal entry of the change (absent without a journal): Undo reverts it. */
  entryId?: string;
  callId?: string;
}

/** What an approved edit replaces: the workspace-relative path, its text before ('' and `created` for a new file). */
export interface AppliedChange {
  path: string;
  before: string;
  created: boolean;
  callId?: string;
}

export interface ToolContext {
  /** Absolute, real path of the workspace root: file tools never leave it. */
  workspaceRoot: string;
  /**
   * The workspace file policy (memory folder wherever `storagePath` puts it, excludes, secrets, size
   * limit), shared with the indexer: every file tool asks it, none keeps its own rules.
   */
  workspace: WorkspaceFiles;
  workingContext: WorkingContext;
  recall: RecallLog;
  approvals: ApprovalProvider;
  /** Opens archival memory on first use; absent where a host has none. */
  archival?: () => Promise<ArchivalMemory>;
  signal?: AbortSignal;
  /** The id of the tool call being run (approvals are shown on its card). */
  callId?: string;
  /**
   * A result longer than this many tokens is cut (with the paging note), on top of the character limit:
   * in a small context window, a few full-size results would not fit next to each other.
   */
  maxResultTokens?: number;
  countTokens?: (text: string) => number;
  /** Where a memory edit comes from (session, message, cited code): its markers and journal entry. Absent: unmarked, journaled as the agent's. */
  provenance?: EditProvenance;
  /** Recall memory's message vectors when a model embedder is configured: conversation_search fuses them with the keywords. */
  recallVectors?: MessageVectors;
}

export interface Tool<Args = Record<string, unknown>> {
  name: string;
  description: string;
  parameters: JsonSchema;
  /** Marks memory edits so UIs can show "updated project notes". */
  editsMemory?: boolean;
  /** Returns a JSON-able value (or a string) for the model; throws ToolError on failure. */
  run(args: Args, ctx: ToolContext): Promise<unknown>;
}

/** The outcome of one dispatched call, as the agent records it. */
export interface ToolOutcome {
  ok: boolean;
  /** The text sent back to the model as the tool message (already truncated). */
  content: string;
  /** Parsed arguments, when they parsed. */
  args?: Record<string, unknown>;
}
