// The consolidation pass (issue 12, item 5) run end to end: read the blocks, find the stale entries and
// the current code they cite (through the workspace's file policy), ask the model once, check its JSON
// answer (core/consolidation.ts), and write each changed block as ONE journaled change (actor
// `consolidation`) through WorkingContext — so the review hook around its writes applies, the old text
// stays in the journal, and lines kept word for word keep their markers.
import * as fs from 'node:fs';
import type { Agent } from '../core/agent';
import type { ChatModel } from '../llm/types';
import { LlmError } from '../llm/types';
import type { CodeFingerprints, FileGate } from '../memory/codeFingerprints';
import { stampsFor } from '../memory/entryStamps';
import type { JournalEntry } from '../memory/journal';
import { lineDiff } from '../memory/lineDiff';
import { type BlockEntry, visibleText } from '../memory/provenance';
import { findStale } from '../memory/staleness';
import type { Clock } from '../memory/types';
import { WorkingContext } from '../memory/workingContext';
import { MemoryJournal } from '../memory/journal';
import type { MemoryStore } from '../memory/store';
import { readableFiles } from '../core/memoryTrust';
import { WorkspaceFiles } from '../workspace/workspaceFiles';
import { symbolFingerprints } from './symbolFingerprints';
import type { ApprovalProvider } from '../tools/types';
import { type BlockPlan, type BlockView, CONSOLIDATION_INSTRUCTIONS, ConsolidationError, consolidationPrompt, parseAnswer, planChanges, viewBlocks } from '../core/consolidation';

export { ConsolidationError };
export type { BlockPlan };

/** How much of one cited file the model reads: enough to check a fact, bounded for small windows. */
const MAX_CODE_CHARS = 4_000;
const MAX_CODE_FILES = 8;

export interface ConsolidateOptions {
  workingContext: WorkingContext;
  model: ChatModel;
  /** Fingerprints of cited code (staleness, and the markers of rewritten lines). */
  fingerprints: CodeFingerprints;
  /** The workspace's read policy: a stale entry's cited file is shown only when the tools could read it. */
  readable: FileGate;
  clock: Clock;
  signal?: AbortSignal;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
  /** Where the pass was started ('session-end', 'command', 'cli'), for the journal. */
  via: string;
  maxTokens?: number;
  /**
   * The review mode (`memcode.memory.review`): 'ask' puts the whole pass to the person as one change before
   * anything is written (a rejection writes nothing); 'notify' names each written block with Undo.
   */
  review?: ApprovalProvider;
  /** Runs the writes (not the model call) under the folder's lock, when the caller does not hold it already. */
  applyUnder?: <T>(apply: () => Promise<T>) => Promise<T>;
}

export interface BlockOutcome extends BlockPlan {
  /** The journal entry of the change; absent in a dry run or when skipped. */
  entry?: JournalEntry;
  /** Why the change was not written (the block changed while the model was thinking). */
  skipped?: string;
}

export interface ConsolidationReport {
  blocks: BlockOutcome[];
  staleChecked: number;
  dryRun: boolean;
}

/** One pass. Throws ConsolidationError for a bad answer and LlmError('aborted') when cancelled; then nothing is written. */
export async function consolidateMemory(o: ConsolidateOptions): Promise<ConsolidationReport> {
  const wc = o.workingContext;
  wc.refresh();
  const blocks = wc.blocks();
  const snapshot = new Map(blocks.map((b) => [b.label, b.value]));
  const stale = await findStale(blocks, o.fingerprints);
  const hand = handWrittenLines(wc);
  const views = viewBlocks(blocks, stale, (label, entry) => isHandWritten(hand.get(label), entry));
  const code = citedCode(stale.flatMap((s) => s.stale.map((c) => c.cite.path)), o.readable);
  const result = await o.model.chat({
    messages: [
      { role: 'system', content: CONSOLIDATION_INSTRUCTIONS },
      { role: 'user', content: consolidationPrompt(views, code) },
    ],
    signal: o.signal,
    temperature: 0,
    ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
  });
  if (o.signal?.aborted) throw new LlmError('aborted', 'consolidation cancelled; nothing was changed');
  const plans = planChanges(parseAnswer(result.content, views), views);
  if (o.dryRun) return { blocks: plans, staleChecked: stale.length, dryRun: true };
  await askToApply(o, plans);
  const apply = () => applyPlans(o, plans, snapshot, views);
  const outcomes = await (o.applyUnder ? o.applyUnder(apply) : apply());
  if (o.review?.memoryReview === 'notify' && o.review.memoryChanged) {
    for (const done of outcomes) if (done.entry) o.review.memoryChanged({ block: done.label, summary: 'consolidated by MemCode', entryId: done.entry.id });
  }
  return { blocks: outcomes, staleChecked: stale.length, dryRun: false };
}

/** In 'ask' mode, the pass is one reviewable change: every changed block, before and after, asked at once (outside the lock). */
async function askToApply(o: ConsolidateOptions, plans: BlockPlan[]): Promise<void> {
  const changed = plans.filter((p) => p.before !== p.after);
  if (o.review?.memoryReview !== 'ask' || !changed.length) return;
  const whole = (side: 'before' | 'after') => changed.map((p) => `## ${p.label}\n\n${p[side]}`).join('\n\n');
  const dropped = changed.flatMap((p) => p.dropped).length;
  const decision = await o.review.request(
    {
      kind: 'memory',
      block: changed.map((p) => p.label).join(', '),
      before: whole('before'),
      after: whole('after'),
      summary: `consolidate ${changed.map((p) => p.label).join(', ')}${dropped ? ` (drops ${dropped} ${dropped === 1 ? 'entry' : 'entries'}, reasons in the diff summary)` : ''}`,
    },
    o.signal,
  );
  if (!decision.approved) throw new ConsolidationError(`the person rejected the consolidation${decision.reason ? `: ${decision.reason}` : ''}; nothing was changed`);
}

async function applyPlans(o: ConsolidateOptions, plans: BlockPlan[], snapshot: Map<string, string>, views: BlockView[]): Promise<BlockOutcome[]> {
  // Cancelled while waiting for the lock: still nothing written.
  if (o.signal?.aborted) throw new LlmError('aborted', 'consolidation cancelled; nothing was changed');
  const wc = o.workingContext;
  const date = o.clock().toISOString().slice(0, 10);
  const outcomes: BlockOutcome[] = [];
  for (const plan of plans) {
    const stamp = await stampsFor(plan.after, { date, files: [] }, o.fingerprints);
    // A write made while the model was thinking (the agent, a person) wins: this block waits for the next pass.
    // Checked after the last await, so nothing can slip in between the check and the write.
    wc.refresh();
    if (wc.get(plan.label).value !== snapshot.get(plan.label)) {
      outcomes.push({ ...plan, skipped: `block "${plan.label}" changed during the pass; left as it is` });
      continue;
    }
    // A person's line stays unmarked (moved, or put back): a marker would make it look written by the agent.
    const handTexts = new Set([...(views.find((w) => w.block.label === plan.label)?.entries.values() ?? [])].filter((e) => e.hand).map((e) => e.text.trim()));
    const mark = (line: string) => (handTexts.has(line.trim()) ? undefined : stamp(line));
    wc.rewrite(plan.label, plan.after, { origin: { actor: 'consolidation', via: o.via }, mark });
    const [entry] = wc.journal?.log(plan.label) ?? [];
    outcomes.push({ ...plan, ...(entry?.actor === 'consolidation' ? { entry } : {}) });
  }
  return outcomes;
}

/** For each block: the visible text of each line → who last added it, from the journal. */
function handWrittenLines(wc: WorkingContext): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const e of wc.journal?.all() ?? []) {
    const lines = out.get(e.block) ?? new Map<string, string>();
    for (const d of e.diff) {
      if (!d.startsWith('+')) continue;
      const text = visibleText(d.slice(1)).trim();
      // Consolidation only moves or keeps a line: who wrote it stays whoever did before.
      if (e.actor !== 'consolidation' || !lines.has(text)) lines.set(text, e.actor);
    }
    out.set(e.block, lines);
  }
  return out;
}

/** No marker (unless the journal saw the agent add it), or the journal says a person added the line (a block from before the journal counts as the person's). */
function isHandWritten(lines: Map<string, string> | undefined, entry: BlockEntry): boolean {
  const writer = lines?.get(entry.text.trim());
  // An unmarked line the journal saw the agent add (a heading, a line in a code fence) is the agent's.
  if (!entry.marker) return writer !== 'agent';
  return writer === 'person';
}

function citedCode(paths: string[], readable: FileGate): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of [...new Set(paths)].slice(0, MAX_CODE_FILES)) {
    const abs = readable(rel);
    if (!abs) continue;
    try {
      const text = fs.readFileSync(abs, 'utf8');
      out.set(rel, text.length > MAX_CODE_CHARS ? `${text.slice(0, MAX_CODE_CHARS)}\n… (${text.length - MAX_CODE_CHARS} more characters)` : text);
    } catch {
      out.set(rel, '(deleted or unreadable now)');
    }
  }
  for (const rel of new Set(paths)) if (!out.has(rel) && !readable(rel)) out.set(rel, '(deleted, or not readable by the tools)');
  return out;
}

/** The pass as text for a person: per block, the diff, the dropped entries with reasons, the hand-written lines kept. */
export function describeConsolidation(report: ConsolidationReport): string {
  if (!report.blocks.length) return `Consolidation: nothing to change${report.staleChecked ? ` (${report.staleChecked} stale entries checked)` : ''}.\n`;
  const out: string[] = [];
  for (const b of report.blocks) {
    out.push(`${report.dryRun ? 'Would change' : b.skipped ? 'Skipped' : 'Changed'} block "${b.label}"${b.entry ? ` (journal ${b.entry.id}; \`memcode memory revert ${b.entry.id}\` undoes it)` : ''}${b.skipped ? `: ${b.skipped}` : ''}`);
    for (const d of lineDiff(b.before, b.after)) if (d.op !== ' ') out.push(`  ${d.op} ${d.text}`);
    for (const d of b.dropped) out.push(`  dropped${d.hand ? ' (written by a person)' : ''}: ${d.text.trim()} — ${d.reason}`);
    for (const k of b.keptHand) out.push(`  kept (written by a person, not named as dropped): ${k.trim()}`);
  }
  return `${out.join('\n')}\n`;
}

/** The pass over a memory folder on disk (the CLI): under the folder's lock, so no other MemCode process writes meanwhile. */
export async function consolidateFolder(
  store: MemoryStore,
  workspaceRoot: string,
  model: ChatModel,
  opts: { allow?: string[]; dryRun?: boolean; signal?: AbortSignal; via?: string; lockWaitMs?: number } = {},
): Promise<ConsolidationReport> {
  return store.withLock(
    'memory consolidate',
    async () => {
      const workspace = new WorkspaceFiles({ root: workspaceRoot, memoryDir: store.paths.root, allow: opts.allow });
      const workingContext = new WorkingContext(store.paths.memoryDir, { warn: store.warn, journal: new MemoryJournal(store.paths.journalFile, store.clock) });
      workingContext.load();
      return consolidateMemory({
        workingContext,
        model,
        fingerprints: symbolFingerprints(workspaceRoot, workspace),
        readable: readableFiles(workspace),
        clock: store.clock,
        signal: opts.signal,
        dryRun: opts.dryRun,
        via: opts.via ?? 'cli',
      });
    },
    opts.lockWaitMs ?? 30_000,
  );
}

/** True when working context changed (by anyone but consolidation) since the last pass: a pass over unchanged blocks would only cost a model call. */
export function changedSinceLastPass(wc: WorkingContext): boolean {
  const entries = wc.journal?.all() ?? [];
  return entries.length > 0 && entries[entries.length - 1].actor !== 'consolidation';
}

/** The pass over a running agent's working context (the editor: at session end, or on the command). */
export function consolidateAgentMemory(agent: Agent, opts: { signal?: AbortSignal; via: string; dryRun?: boolean; applyUnder?: ConsolidateOptions['applyUnder'] }): Promise<ConsolidationReport> {
  return consolidateMemory({
    review: agent.approvals,
    workingContext: agent.workingContext,
    model: agent.chatModel,
    fingerprints: symbolFingerprints(agent.workspace.root, agent.workspace),
    readable: readableFiles(agent.workspace),
    clock: agent.clock,
    ...opts,
  });
}
