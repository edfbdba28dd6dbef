// Consolidation, the "sleep-time" pass over working context (issue 12, item 5): what the model is shown,
// the strict JSON it must answer with, and the checked plan made of that answer. No I/O here: the app
// layer (app/consolidateMemory.ts) reads the blocks, asks the model and writes the plan through
// WorkingContext, one journaled change per block.
import * as v from 'valibot';
import { type BlockEntry, entriesOf, visibleText } from '../memory/provenance';
import type { StaleEntry } from '../memory/staleness';
import { describeStale } from '../memory/staleness';
import type { BlockRecord } from '../memory/types';

export const CONSOLIDATION_INSTRUCTIONS = `You consolidate the memory blocks of a coding assistant while no conversation is running.
Each block is shown line by line; every line starts with a tag in brackets that is NOT part of the text:
  [e3 2026-11-30]            entry e3, written on that date
  [e4 hand]                  entry e4, written by a person by hand
  [e5 2026-11-02 STALE: …]   the code this entry cites changed since; the current code is shown below
Do this, and nothing else:
1. Merge duplicates: entries that say the same thing become one line.
2. Resolve contradictions: when two entries give different values for the same fact, keep the NEWEST (latest date; on the same date, the line further down) and drop the older one.
3. Verify stale entries against the current code shown: correct the value if the code says otherwise, keep it if the code agrees, drop it if the code no longer has it.
4. Keep each block under its character limit.
Keep every other line word for word (its text without the tag). Never invent facts.
Lines written by a person by hand ("hand") must be kept word for word unless they are duplicates or plainly contradicted by newer entries or by the code; if you leave one out, name it in "dropped" with the reason.
Answer with ONE JSON object and nothing else (no prose, no code fence):
{"blocks":[{"label":"<block label>","lines":["<each line of the new block text, tags removed>", "..."],"dropped":[{"entry":"e4","reason":"<why>"}]}]}
Include only blocks you change; "lines" is the whole new text of that block.`;

const AnswerSchema = v.strictObject({
  blocks: v.array(
    v.strictObject({
      label: v.pipe(v.string(), v.minLength(1)),
      lines: v.array(v.string()),
      dropped: v.optional(v.array(v.strictObject({ entry: v.string(), reason: v.pipe(v.string(), v.trim(), v.minLength(1, 'a dropped entry needs a reason')) })), []),
    }),
  ),
});

export type ConsolidationAnswer = v.InferOutput<typeof AnswerSchema>;

export class ConsolidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsolidationError';
  }
}

/** One block as the pass sees it: its entries tagged, which are hand-written, which stale. */
export interface BlockView {
  block: BlockRecord;
  /** Tag ('e1') → the entry. */
  entries: Map<string, BlockEntry & { hand: boolean; stale?: StaleEntry }>;
}

/**
 * Tags each entry of each block. `handWritten(block, text)` says whether a person wrote the line (no
 * marker, or the journal's last writer of that text was a person).
 */
export function viewBlocks(blocks: readonly BlockRecord[], stale: readonly StaleEntry[], handWritten: (block: string, entry: BlockEntry) => boolean): BlockView[] {
  let n = 0;
  return blocks.map((block) => {
    const entries: BlockView['entries'] = new Map();
    for (const entry of entriesOf(block.value)) {
      if (!entry.text.trim()) continue;
      const staleEntry = entry.marker ? stale.find((s) => s.block === block.label && s.id === entry.marker!.id) : undefined;
      // Headings count too: a person's structure is theirs, and it never carries a marker to tell otherwise.
      entries.set(`e${++n}`, { ...entry, hand: handWritten(block.label, entry), ...(staleEntry ? { stale: staleEntry } : {}) });
    }
    return { block, entries };
  });
}

/** The user message of the pass: every block tagged, then the current code of what stale entries cite. */
export function consolidationPrompt(views: readonly BlockView[], code: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const { block, entries } of views) {
    out.push(`## Block "${block.label}" (limit ${block.limit} characters, now ${visibleText(block.value).length}): ${block.description}`);
    if (!entries.size) out.push('(empty)');
    for (const [tag, e] of entries) {
      const bits = [tag];
      if (e.hand) bits.push('hand');
      else if (e.marker?.date) bits.push(e.marker.date);
      if (e.stale) bits.push(`STALE: ${e.stale.stale.map(describeStale).join('; ')}`);
      out.push(`[${bits.join(' ')}] ${e.text}`);
    }
    out.push('');
  }
  if (code.size) {
    out.push('## Current code of the files stale entries cite');
    for (const [file, text] of code) out.push(`### ${file}`, '```', text, '```');
  }
  return out.join('\n');
}

/** The model's answer, parsed and checked; any problem is a ConsolidationError (nothing gets written). */
export function parseAnswer(content: string, views: readonly BlockView[]): ConsolidationAnswer {
  const trimmed = content.trim().replace(/^```(?:json)?\s*\n?/, '').replace(/\n?```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    throw new ConsolidationError(`the model's answer is not JSON (${(err as Error).message}); nothing was changed`);
  }
  const parsed = v.safeParse(AnswerSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = v.getDotPath(issue) ?? 'the answer';
    throw new ConsolidationError(`the model's answer has the wrong shape at ${where}: ${issue.message}; nothing was changed`);
  }
  const labels = new Set(views.map((w) => w.block.label));
  const seen = new Set<string>();
  for (const b of parsed.output.blocks) {
    if (!labels.has(b.label)) throw new ConsolidationError(`the model's answer names a block "${b.label}" that does not exist; nothing was changed`);
    if (seen.has(b.label)) throw new ConsolidationError(`the model's answer gives block "${b.label}" twice; nothing was changed`);
    seen.add(b.label);
    if (b.lines.some((l) => l.includes('\n'))) throw new ConsolidationError(`the model's answer has a line with a line break in block "${b.label}"; nothing was changed`);
  }
  return parsed.output;
}

export interface DroppedEntry {
  text: string;
  reason: string;
  hand: boolean;
}

/** What the pass would do to one block. */
export interface BlockPlan {
  label: string;
  /** Visible text before and after. */
  before: string;
  after: string;
  /** Hand-written lines the model left out without naming them: put back at the end. */
  keptHand: string[];
  /** Entries the model named as dropped, with its reason. */
  dropped: DroppedEntry[];
}

/**
 * The plan for each block the answer changes. A hand-written line the answer leaves out is put back
 * unless the answer lists it in `dropped` with a reason; a block over its limit fails the whole pass.
 */
export function planChanges(answer: ConsolidationAnswer, views: readonly BlockView[]): BlockPlan[] {
  const plans: BlockPlan[] = [];
  for (const b of answer.blocks) {
    const view = views.find((w) => w.block.label === b.label)!;
    const lines = b.lines.map((l) => l.replace(/^\[e\d+[^\]]*\]\s?/, '').trimEnd());
    const present = new Set(lines.map((l) => l.trim()));
    const named = new Map(b.dropped.map((d) => [d.entry.replace(/^\[|\]$/g, ''), d.reason.trim()]));
    const keptHand: string[] = [];
    const dropped: DroppedEntry[] = [];
    for (const [tag, e] of view.entries) {
      if (present.has(e.text.trim())) continue;
      const reason = named.get(tag);
      if (reason) dropped.push({ text: e.text, reason, hand: e.hand });
      else if (e.hand) keptHand.push(e.text);
    }
    const after = [...lines, ...keptHand].join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\n+$/g, '');
    const before = visibleText(view.block.value);
    if (after.length > view.block.limit) {
      throw new ConsolidationError(`block "${b.label}" would be ${after.length} characters after consolidation, over its limit of ${view.block.limit}; nothing was changed`);
    }
    if (after.trim() === before.trim()) continue;
    plans.push({ label: b.label, before, after, keptHand, dropped });
  }
  return plans;
}
