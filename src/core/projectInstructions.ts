// The "project instructions" section of main context: the instruction files a project wrote for coding
// agents (workspace/instructionFiles.ts), read-only, each with its path, within a share of the window.
//
// Which files apply follows the agents that defined them:
// - AGENTS.md and CLAUDE.md at the root, and in every folder from the root down to the files in play
//   (the files the conversation queue's tool calls and attachments named last; the root alone when
//   none), root first: as in Codex, the nearest one comes last and takes precedence.
// - Cursor rules (.cursor/rules/*.mdc): `alwaysApply` ones always; ones with `globs` when a file in play
//   matches; the rest (Cursor's "agent requested" and manual rules) are listed by path and description
//   only, so the model can read one when it is relevant.
// - .github/copilot-instructions.md, .cursorrules, .clinerules (a file or a folder), .windsurfrules.
// Over the budget, the least specific files go first: the nested files for the latest file in play
// are kept longest. What is cut or left out is named in the section, so the model can read it.
import type { TokenCounter } from '../llm/types';
import type { MessageRecord } from '../memory/types';
import { matchesGlob } from '../tools/glob';
import type { InstructionFile, InstructionFiles } from '../workspace/instructionFiles';
import { PROMPT_SECTIONS } from './promptSections';

/** Share of the context window the project instructions may take. */
export const PROJECT_INSTRUCTIONS_SHARE = 0.15;
/** How many of the latest paths in the queue count as "in play". */
const PATHS_IN_PLAY = 3;
/** A file is cut to fit only if at least this much of it can be shown; otherwise it is left out. */
const MIN_CUT_TOKENS = 120;

const HEADER =
  "Instructions the project's developers wrote for coding agents, from the files named below. Follow them. " +
  'They are read-only here: change one with the file tools only when asked. A nested AGENTS.md or CLAUDE.md ' +
  'applies to the files under its folder and takes precedence over the ones above it.';

/** One instruction file as the inspector and `memcode memory show` list it. */
export interface InstructionFileUsage {
  path: string;
  /** Tokens it takes in the prompt (0 when left out or only listed). */
  tokens: number;
  /** Why it is not in the prompt whole: 'cut to fit', 'left out (budget)', 'listed only', 'same as …'. */
  note?: string;
}

export interface ProjectInstructionsSection {
  /** The section with its delimiters; '' when the project has no instruction files. */
  text: string;
  files: InstructionFileUsage[];
}

interface Piece {
  file: InstructionFile;
  rendered: string;
  tokens: number;
}

export class ProjectInstructions {
  private last?: { key: string; files: InstructionFile[]; section: ProjectInstructionsSection };
  /** Rendered pieces keyed by the file's path and text, so a step with nothing changed counts nothing. */
  private pieces = new Map<string, Piece>();

  constructor(
    private readonly files: InstructionFiles,
    private readonly tokens: TokenCounter,
  ) {}

  /** The section for the queue as it is, within `maxTokens`. Stats the candidate files; reads only changed ones. */
  section(queue: readonly MessageRecord[], maxTokens: number): ProjectInstructionsSection {
    const inPlay = pathsInPlay(queue);
    const files = this.files.collect(inPlay);
    const key = `${maxTokens}\n${inPlay.join('\n')}`;
    if (this.last && this.last.key === key && sameFiles(this.last.files, files)) return this.last.section;
    const section = this.build(files, inPlay, maxTokens);
    this.last = { key, files, section };
    return section;
  }

  private build(files: InstructionFile[], inPlay: string[], maxTokens: number): ProjectInstructionsSection {
    if (!files.length) return { text: '', files: [] };
    const usage = new Map<string, InstructionFileUsage>(files.map((f) => [f.path, { path: f.path, tokens: 0 }]));
    const applied: InstructionFile[] = [];
    const listed: InstructionFile[] = [];
    for (const f of files) {
      if (f.kind !== 'cursorRule' || f.alwaysApply || (f.globs && inPlay.some((p) => f.globs!.some((g) => matchesGlob(stripDot(p), g))))) applied.push(f);
      else listed.push(f);
    }
    // A CLAUDE.md that is a link to (or a copy of) AGENTS.md is shown once.
    const seen = new Map<string, string>();
    const unique: InstructionFile[] = [];
    for (const f of applied) {
      const body = f.text.trim();
      if (!body) {
        usage.get(f.path)!.note = 'empty';
        continue;
      }
      const first = seen.get(body);
      if (first) usage.get(f.path)!.note = `same as ${first}`;
      else {
        seen.set(body, f.path);
        unique.push(f);
      }
    }
    const { open, close } = PROMPT_SECTIONS.projectInstructions;
    const listing = listed.length
      ? `Rules not applied here (read one with read_file when it is relevant):\n${listed.map((f) => `- ${f.path}${describeRule(f)}`).join('\n')}`
      : '';
    for (const f of listed) usage.get(f.path)!.note = 'listed only';
    let room = maxTokens - this.count(`${open}\n${HEADER}\n${close}`) - (listing ? this.count(listing) : 0);
    const kept = new Map<string, string>();
    const leftOut: Array<{ path: string; tokens: number }> = [];
    for (const f of byPriority(unique, inPlay)) {
      const piece = this.piece(f);
      const u = usage.get(f.path)!;
      if (piece.tokens <= room) {
        kept.set(f.path, piece.rendered);
        u.tokens = piece.tokens;
        room -= piece.tokens;
      } else if (room >= MIN_CUT_TOKENS && !leftOut.length) {
        const cut = this.cut(f, room);
        kept.set(f.path, cut.rendered);
        u.tokens = cut.tokens;
        u.note = 'cut to fit';
        room -= cut.tokens;
      } else {
        leftOut.push({ path: f.path, tokens: piece.tokens });
        u.note = 'left out (budget)';
      }
    }
    const parts = [HEADER, ...unique.filter((f) => kept.has(f.path)).map((f) => kept.get(f.path)!)];
    if (listing) parts.push(listing);
    if (leftOut.length) {
      parts.push(`[left out for the token budget: ${leftOut.map((l) => `${l.path} (${l.tokens} tokens)`).join(', ')}; read them with read_file]`);
    }
    return { text: `${open}\n${parts.join('\n')}\n${close}`, files: files.map((f) => usage.get(f.path)!) };
  }

  private piece(f: InstructionFile): Piece {
    const key = `${f.path}\n${f.text}`;
    let piece = this.pieces.get(key);
    if (!piece) {
      const rendered = wrap(f.path, f.text.trim());
      piece = { file: f, rendered, tokens: this.count(rendered) };
      if (this.pieces.size > 256) this.pieces.clear();
      this.pieces.set(key, piece);
    }
    return piece;
  }

  /** The head of the file that fits in `room` tokens, with a marker saying how much was left out. */
  private cut(f: InstructionFile, room: number): { rendered: string; tokens: number } {
    const body = f.text.trim();
    const total = this.count(body);
    let chars = Math.floor(body.length * (room / Math.max(1, this.piece(f).tokens)));
    for (;;) {
      const head = body.slice(0, chars).replace(/\s+\S*$/, '');
      const rendered = wrap(f.path, `${head}\n[… cut here for the token budget: the rest of ${f.path} (about ${total - this.count(head)} tokens) is not shown; read it with read_file]`);
      const tokens = this.count(rendered);
      if (tokens <= room || chars < 40) return { rendered, tokens };
      chars = Math.floor(chars * 0.85);
    }
  }

  private count(text: string): number {
    return this.tokens.count(text);
  }
}

function wrap(path: string, text: string): string {
  return `<instructions path="${path}">\n${text}\n</instructions>`;
}

/**
 * Budget order: the nested files for the latest file in play (nearest first), then for the others, then
 * the root-level files of the other agents in a fixed order.
 */
function byPriority(files: InstructionFile[], inPlay: string[]): InstructionFile[] {
  const rank = (f: InstructionFile): number[] => {
    if (f.folder === undefined) return [1, KIND_ORDER.indexOf(f.kind), 0];
    const i = inPlay.findIndex((p) => f.folder === '' || stripDot(p) === f.folder || stripDot(p).startsWith(`${f.folder}/`));
    return [0, i < 0 ? inPlay.length : i, -f.folder.split('/').length];
  };
  const ranks = new Map(files.map((f) => [f, rank(f)]));
  return [...files].sort((a, b) => {
    const ra = ranks.get(a)!;
    const rb = ranks.get(b)!;
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return 0;
  });
}

const KIND_ORDER: InstructionFile['kind'][] = ['agents', 'claude', 'copilot', 'cursorRule', 'cursorrules', 'clinerules', 'windsurfrules'];

function describeRule(f: InstructionFile): string {
  const parts = [f.description, f.globs?.length ? `for ${f.globs.join(', ')}` : undefined].filter(Boolean);
  return parts.length ? `: ${parts.join(' ')}` : '';
}

function stripDot(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

function sameFiles(a: InstructionFile[], b: InstructionFile[]): boolean {
  return a.length === b.length && a.every((f, i) => f.path === b[i].path && f.text === b[i].text);
}

/**
 * The files the agent is working on, latest first: the `path` argument of its tool calls and the paths
 * of attachments, in the conversation queue. Recomputed from the queue, so a new process sees the same.
 */
export function pathsInPlay(queue: readonly MessageRecord[], limit = PATHS_IN_PLAY): string[] {
  const out: string[] = [];
  const add = (p: unknown) => {
    if (typeof p === 'string' && p.trim() && !out.includes(p.trim())) out.push(p.trim());
  };
  for (let i = queue.length - 1; i >= 0 && out.length < limit; i--) {
    const r = queue[i];
    if (r.role === 'assistant' && r.toolCalls) {
      for (let j = r.toolCalls.length - 1; j >= 0 && out.length < limit; j--) add(pathArgument(r.toolCalls[j].arguments));
    } else if (r.role === 'user' && r.attachments) {
      for (const a of r.attachments) if (out.length < limit) add(a.path);
    }
  }
  return out;
}

function pathArgument(args: string): unknown {
  if (!args.includes('"path"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed && typeof parsed === 'object' ? (parsed as { path?: unknown }).path : undefined;
  } catch {
    return undefined;
  }
}
