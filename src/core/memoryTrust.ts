// The agent's side of memory you can trust (issue 12): which files the turn read or edited (for the
// provenance of what it writes to memory), the stale entries of working context (shown marked in the
// prompt, one alert when they appear) — kept here so the loop in agent.ts only calls in.
import * as path from 'node:path';
import type { ToolCall } from '../common/types';
import type { CodeFingerprints, FileGate } from '../memory/codeFingerprints';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';
import { type EditProvenance, citationsOf, stampsFor } from '../memory/entryStamps';
import { newEntryId } from '../memory/provenance';
import { StalenessState, type StaleEntry, findStale, promptView, staleAlert, staleNote } from '../memory/staleness';
import type { BlockRecord, Clock } from '../memory/types';
import type { ToolOutcome } from '../tools/types';

/** Tools whose `path` argument is a workspace file the turn read or changed. */
const FILE_TOOLS = new Set(['read_file', 'edit_file', 'write_file']);
/** Enough for the context of an entry; a turn that reads a hundred files names its last ones. */
const MAX_TURN_FILES = 20;

export interface MemoryTrustOptions {
  workspaceRoot: string;
  fingerprints: CodeFingerprints;
  stalenessFile: string;
  clock: Clock;
  warn?: (m: string) => void;
}

export class MemoryTrust {
  private turnFiles: string[] = [];
  private stale: StaleEntry[] = [];
  private readonly state: StalenessState;

  constructor(private readonly options: MemoryTrustOptions) {
    this.state = new StalenessState(options.stalenessFile, options.warn);
  }

  /** The stale entries as of the last check. */
  get staleEntries(): StaleEntry[] {
    return [...this.stale];
  }

  /** A new turn: forgets the last one's files, checks the blocks; returns the alert to raise, if any. */
  async startTurn(blocks: readonly BlockRecord[]): Promise<string | undefined> {
    this.turnFiles = [];
    try {
      const state = this.state.begin();
      this.stale = await findStale(blocks, this.options.fingerprints, state.restatements);
      const fresh = state.takeNew(this.stale);
      state.save();
      return fresh.length ? staleAlert(fresh) : undefined;
    } catch (err) {
      // Staleness is advice: a failure to check must not stop the conversation.
      this.options.warn?.(`could not check memory for stale entries: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Checks the blocks again without alerting (the inspector, between turns); the prompt shows the result too. */
  async refreshStale(blocks: readonly BlockRecord[]): Promise<StaleEntry[]> {
    try {
      const state = this.state.begin();
      this.stale = await findStale(blocks, this.options.fingerprints, state.restatements);
      state.save();
    } catch (err) {
      this.options.warn?.(`could not check memory for stale entries: ${(err as Error).message}`);
    }
    return this.staleEntries;
  }

  /** The blocks as the model sees them: markers off, stale entries noted. */
  promptBlocks(blocks: readonly BlockRecord[]): BlockRecord[] {
    return blocks.map((b) => ({ ...b, value: promptView(b.value, this.stale.filter((s) => s.block === b.label)) }));
  }

  /** After each tool call: the files it read or edited. */
  observe(call: ToolCall, outcome: ToolOutcome): void {
    if (!outcome.ok || !FILE_TOOLS.has(call.name) || typeof outcome.args?.path !== 'string') return;
    const rel = this.relative(outcome.args.path);
    if (!rel) return;
    this.turnFiles = [rel, ...this.turnFiles.filter((f) => f !== rel)].slice(0, MAX_TURN_FILES);
  }

  /** Provenance for the memory edits of one tool call; `via` names where the call came from when not the tool (an MCP client). */
  forCall(call: Pick<ToolCall, 'id' | 'name'>, session: string, message?: number, via = call.name): EditProvenance {
    const { fingerprints, clock } = this.options;
    const context = () => ({ session, ...(message !== undefined ? { message } : {}), date: clock().toISOString().slice(0, 10), files: [...this.turnFiles] });
    return {
      editFor: async (text) => ({
        origin: { actor: 'agent', via, session, message, callId: call.id },
        mark: await stampsFor(text, context(), fingerprints),
      }),
      noteMarker: async (text) => ({ id: newEntryId(), ...context(), cites: await citationsOf(text, fingerprints) }),
      staleNote: async (text) => {
        const [entry] = await findStale([{ label: 'note', value: text }], fingerprints);
        return entry ? staleNote(entry) : undefined;
      },
    };
  }

  private relative(p: string): string | undefined {
    const root = this.options.workspaceRoot;
    const rel = path.relative(root, path.resolve(root, p));
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }
}

/** The files the tools may read (never secrets, git's data or the memory folder) as a fingerprint gate. */
export function readableFiles(workspace: WorkspaceFiles): FileGate {
  return (rel) => {
    try {
      return workspace.resolve(rel, 'read').abs;
    } catch {
      return undefined;
    }
  };
}
