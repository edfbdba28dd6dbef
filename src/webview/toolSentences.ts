// What a tool card says, as a person would say it: "Read src/store.ts, lines 1–27", "Searched for
// `TodoStore` — 3 files", "Ran `npm test` — exit 0", "Edited src/x.ts +3 −1". Pure functions of the card
// (no DOM), so they are unit-tested in Node. A sentence is a list of parts so the card can make the file a
// link and the code look like code; `sentenceText` is the same sentence as plain text (accessible names).
import type { ToolCard, ToolCardChange } from '../protocol/shapes';

export type SentencePart = { text: string } | { code: string } | { file: string; line?: number };

/** The card's arguments and result, parsed once. */
export interface ToolCardView {
  args: Record<string, unknown>;
  /** The result as JSON when it parses; the raw text otherwise (MCP tools answer in text). */
  result: unknown;
  /** The tool's error message, when it failed. */
  error?: string;
}

export function parseCard(card: Pick<ToolCard, 'args' | 'result' | 'status'>): ToolCardView {
  const args = parseObject(card.args) ?? {};
  const result = card.result === undefined ? undefined : (parseJson(card.result) ?? card.result);
  const error = card.status === 'error' && isObject(result) && typeof result.error === 'string' ? result.error : card.status === 'error' && typeof result === 'string' ? result : undefined;
  return { args, result, ...(error !== undefined ? { error } : {}) };
}

const BLOCK_NAMES: Record<string, string> = { project: 'project notes', user: 'user preferences', task: 'task scratchpad' };

/** The sentence for a card. `change` (an applied edit's line counts) wins over what the result says. */
export function toolSentence(card: Pick<ToolCard, 'name' | 'args' | 'result' | 'status'>, change?: ToolCardChange): SentencePart[] {
  const view = parseCard(card);
  const { args, result } = view;
  const r = isObject(result) ? result : {};
  const running = card.status === 'running';
  const failed = card.status === 'error';
  const file = (key = 'path'): SentencePart => ({ file: str(args[key]) || str(r[key]) || '.' });
  const tail = failed ? failure(view.error) : [];

  switch (card.name) {
    case 'read_file': {
      if (running) return [t('Reading '), file()];
      if (failed) return [t('Could not read '), file(), ...tail];
      const start = num(r.start_line);
      const end = num(r.end_line);
      const total = num(r.total_lines);
      if (total === 0) return [t('Read '), file(), t(' (empty)')];
      const range = start !== undefined && end !== undefined ? `, lines ${start}–${end}` : '';
      const of = total !== undefined && end !== undefined && (start !== 1 || end !== total) ? ` of ${total}` : '';
      return [t('Read '), { ...file(), ...(start ? { line: start } : {}) } as SentencePart, t(range + of)];
    }
    case 'list_files': {
      const where = str(args.path) && str(args.path) !== '.' ? file() : t('the workspace');
      if (running) return [t('Listing '), where];
      if (failed) return [t('Could not list '), where, ...tail];
      const n = Array.isArray(r.entries) ? r.entries.length : undefined;
      return [t(args.recursive ? 'Listed everything in ' : 'Listed '), where, ...(n !== undefined ? [t(` — ${count(n, 'entry', 'entries')}${r.truncated ? ' (more not shown)' : ''}`)] : [])];
    }
    case 'search_files': {
      const pattern: SentencePart = { code: str(args.pattern) };
      const glob = str(args.glob) ? [t(' in '), { code: str(args.glob) }] : [];
      if (running) return [t('Searching for '), pattern, ...glob];
      if (failed) return [t('Search for '), pattern, t(' failed'), ...tail];
      const matches = Array.isArray(r.matches) ? r.matches : [];
      const files = new Set(matches.map((m) => (isObject(m) ? str(m.path) : ''))).size;
      const found = matches.length === 0 ? 'no matches' : `${count(files, 'file')}${r.truncated ? '+' : ''}`;
      return [t('Searched for '), pattern, ...glob, t(` — ${found}`)];
    }
    case 'run_command':
    case 'run_in_terminal': {
      const command: SentencePart = { code: oneLine(str(args.command)) };
      if (card.name === 'run_in_terminal') return running ? [t('Run '), command, t(' in the terminal?')] : failed ? [t('Did not run '), command, ...tail] : [t('Sent '), command, t(' to the terminal')];
      if (running) return [t('Running '), command];
      if (failed) return [t(rejected(view.error) ? 'Did not run ' : 'Could not run '), command, ...tail];
      if (r.timed_out === true) return [t('Ran '), command, t(' — timed out')];
      if (typeof r.exit_code === 'number') return [t('Ran '), command, t(` — exit ${r.exit_code}`)];
      return [t('Ran '), command, t(` — stopped${str(r.signal) ? ` by ${str(r.signal)}` : ''}`)];
    }
    case 'edit_file':
    case 'write_file':
    case 'apply_to_file': {
      const created = change?.created ?? r.created === true;
      if (running) return [t(card.name === 'apply_to_file' ? 'Applying a code block to ' : card.name === 'write_file' ? 'Writing ' : 'Editing '), file()];
      if (failed) return [t(rejected(view.error) ? 'Edit to ' : 'Could not edit '), file(), ...(rejected(view.error) ? [t(' rejected'), ...reasonOf(view.error)] : tail)];
      if (r.unchanged === true) return [t('Left '), file(), t(' as it was (same content)')];
      const added = change?.added ?? num(r.added_lines) ?? (created ? num(r.lines) : undefined);
      const removed = change?.removed ?? num(r.removed_lines) ?? (created ? 0 : undefined);
      const counts = added !== undefined && removed !== undefined ? [t(` +${added} −${removed}`)] : [];
      const verb = created ? 'Created ' : card.name === 'write_file' ? 'Wrote ' : card.name === 'apply_to_file' ? 'Applied a code block to ' : 'Edited ';
      return [t(verb), { ...file(), ...(num(r.line) ? { line: num(r.line) } : {}) } as SentencePart, ...counts, ...(change?.undone ? [t(' (undone)')] : [])];
    }
    case 'working_context_append':
    case 'working_context_replace':
    case 'working_context_rewrite': {
      const block = str(args.block);
      const notes = BLOCK_NAMES[block] ?? (block ? `${block} notes` : 'working context');
      const verb = { working_context_append: ['Adding to', 'Added to'], working_context_replace: ['Changing', 'Changed'], working_context_rewrite: ['Rewriting', 'Rewrote'] }[card.name];
      if (running) return [t(`${verb[0]} ${notes}`)];
      // A rejected memory edit says why, as a rejected file edit does.
      if (failed) return rejected(view.error) ? [t(`Change to ${notes} rejected`), ...reasonOf(view.error)] : [t(`Could not update ${notes}`), ...tail];
      return [t(`${verb[1]} ${notes}`)];
    }
    case 'archival_memory_insert':
      return running ? [t('Saving a note to archival memory')] : failed ? [t('Could not save a note to archival memory'), ...tail] : [t('Saved a note to archival memory')];
    case 'archival_memory_search':
    case 'conversation_search': {
      const where = card.name === 'archival_memory_search' ? 'archival memory' : 'the conversation';
      const query: SentencePart = { code: str(args.query) };
      if (running) return [t(`Searching ${where} for `), query];
      if (failed) return [t(`Search of ${where} failed`), ...tail];
      const n = resultCount(result);
      return [t(`Searched ${where} for `), query, ...(n !== undefined ? [t(` — ${n === 0 ? 'nothing found' : count(n, 'result')}`)] : [])];
    }
    case 'conversation_search_date': {
      const span = `${str(args.start_date) || '…'} to ${str(args.end_date) || '…'}`;
      if (running) return [t(`Looking up the conversation from ${span}`)];
      if (failed) return [t('Could not look up the conversation'), ...tail];
      const n = resultCount(result);
      return [t(`Looked up the conversation from ${span}`), ...(n !== undefined ? [t(` — ${count(n, 'message')}`)] : [])];
    }
    default: {
      if (card.name.startsWith('mcp_')) {
        const tool: SentencePart = { code: card.name.slice(4) };
        if (running) return [t('Calling '), tool, t(' (MCP)')];
        return failed ? [t(rejected(view.error) ? 'Did not call ' : 'Call to '), tool, t(rejected(view.error) ? ' (MCP)' : ' (MCP) failed'), ...tail] : [t('Called '), tool, t(' (MCP)')];
      }
      const tool: SentencePart = { code: card.name };
      return running ? [t('Calling '), tool] : failed ? [t('Call to '), tool, t(' failed'), ...tail] : [t('Called '), tool];
    }
  }
}

/** The sentence as plain text: the card's accessible name and the tests' view of it. */
export function sentenceText(parts: readonly SentencePart[]): string {
  return parts.map((p) => ('text' in p ? p.text : 'code' in p ? `\`${p.code}\`` : p.file)).join('');
}

/**
 * A word for the card's state, read after the sentence by screen readers ("Read a.ts — done"); empty when
 * the sentence already says it (a rejected or stopped call is not a failure).
 */
export function statusWord(card: Pick<ToolCard, 'status'>, waiting: boolean, error?: string): string {
  if (waiting) return 'waiting for your approval';
  if (card.status === 'error' && error !== undefined && (rejected(error) || /^cancelled\b/.test(error))) return '';
  return card.status === 'running' ? 'running' : card.status === 'ok' ? 'done' : 'failed';
}

/** An error as the person reads it: the model-facing wording of a rejection or Stop put in plain words. */
export function errorForPerson(error: string | undefined): string | undefined {
  if (error === undefined) return undefined;
  if (/^cancelled\b/.test(error)) return 'Stopped before it finished.';
  const reason = /^the person rejected the [\w ]+?: (.*)$/s.exec(error)?.[1];
  if (reason !== undefined) return reason === 'no reason given' ? 'You rejected it.' : `You rejected it: ${reason}`;
  return error;
}

function failure(error: string | undefined): SentencePart[] {
  if (error !== undefined && /^cancelled\b/.test(error)) return [t(' — stopped')];
  if (rejected(error)) return [t(' — rejected')];
  return [t(' — failed')];
}

function reasonOf(error: string | undefined): SentencePart[] {
  const reason = error && /: (.*)$/s.exec(error)?.[1];
  return reason && reason !== 'no reason given' ? [t(`: ${reason}`)] : [];
}

function rejected(error: string | undefined): boolean {
  return error !== undefined && /^the person rejected\b/.test(error);
}

function resultCount(result: unknown): number | undefined {
  if (Array.isArray(result)) return result.length;
  if (!isObject(result)) return undefined;
  for (const key of ['results', 'matches', 'messages', 'hits']) if (Array.isArray(result[key])) return (result[key] as unknown[]).length;
  return undefined;
}

function t(text: string): SentencePart {
  return { text };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function oneLine(command: string): string {
  const lines = command.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} …` : lines[0];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Arguments are almost-JSON at times; what does not parse is left to the raw view. */
function parseObject(text: string): Record<string, unknown> | undefined {
  const value = parseJson(text);
  return isObject(value) ? value : undefined;
}
