// The tiers of the main context as they appear in a request, with the delimiters that mark them, in
// one place: mainContext.ts renders with these and a trace reader (the memory evaluation) splits a
// recorded request with them, so it can tell which tier supplied a fact. The strings never change
// between steps, so servers can still cache the prefix.

/** What memory the agent has (DESIGN.md §2; the ablations of EVAL.md). */
export type MemoryMode =
  /** FIFO truncation: evicted messages leave the prompt; no summary, blocks, memory tools or automatic recall. */
  | 'none'
  /** The MemGPT paper's baseline: evicted messages are folded into a recursive summary; nothing else. */
  | 'summary'
  /** MemCode: working context, recall and archival memory with their tools, automatic recall, pressure alerts. */
  | 'full';

export const MEMORY_MODES: readonly MemoryMode[] = ['none', 'summary', 'full'];

/** Which tools the model gets: 'memory' leaves out file, edit and command tools (an evaluation with no way around memory). */
export type ToolSet = 'all' | 'memory';

export const TOOL_SETS: readonly ToolSet[] = ['all', 'memory'];

/** Sections of the system message, in this order after the instructions; each is present only when it has content. */
export const PROMPT_SECTIONS = {
  /** The project's instruction files (AGENTS.md, CLAUDE.md, …; projectInstructions.ts), read-only, every mode. */
  projectInstructions: { open: '<project_instructions>', close: '</project_instructions>' },
  /** The working-context blocks (full mode only). */
  workingContext: { open: '<working_context>', close: '</working_context>' },
  /** Today's date and, in full mode, the sizes of recall and archival memory. */
  metadata: { open: '<memory_metadata>', close: '</memory_metadata>' },
  /** The recursive summary of evicted messages (summary and full modes, once something was evicted). */
  summary: { open: '<conversation_summary>', close: '</conversation_summary>' },
} as const;

export type PromptSectionName = keyof typeof PROMPT_SECTIONS;

/** A system message split into its tiers; the conversation queue is every message after it. */
export interface PromptTiers {
  instructions: string;
  projectInstructions?: string;
  workingContext?: string;
  metadata?: string;
  summary?: string;
}

/**
 * Splits the system message of a request into its tiers (each without its delimiters). Sections do not
 * nest; a block or summary whose text contains a delimiter literally would confuse the split.
 */
export function splitSystemPrompt(system: string): PromptTiers {
  const tiers: PromptTiers = { instructions: system };
  let end = system.length;
  let from = 0;
  for (const name of Object.keys(PROMPT_SECTIONS) as PromptSectionName[]) {
    const { open, close } = PROMPT_SECTIONS[name];
    const start = system.indexOf(`${open}\n`, from);
    if (start < 0) continue;
    const stop = system.indexOf(`\n${close}`, start);
    if (stop < 0) continue;
    tiers[name] = system.slice(start + open.length + 1, stop);
    end = Math.min(end, start);
    from = stop + close.length + 1;
  }
  tiers.instructions = system.slice(0, end).trimEnd();
  return tiers;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * The header on each message from the person (and each system alert) in the queue: when it was sent,
 * from the settable clock, in UTC, e.g. "[Tue 2026-03-03 09:00 UTC] ". Fixed per message, so it does
 * not disturb prefix caching.
 */
export function messageTimeHeader(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const utc = t.toISOString();
  return `[${WEEKDAYS[t.getUTCDay()]} ${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC] `;
}

/** Matches messageTimeHeader at the start of a message; group 1 is the date, group 2 the time. */
export const MESSAGE_TIME_HEADER = /^\[(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\] /;

/** The date line of the metadata for a day (YYYY-MM-DD, UTC): day granularity, so the prefix changes at most once a day. */
export function todayLine(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(t.getTime()) ? `Today: ${day}` : `Today: ${day} (${WEEKDAYS[t.getUTCDay()]})`;
}
