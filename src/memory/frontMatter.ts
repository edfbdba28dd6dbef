// The on-disk form of a working-context block: a Markdown file a person can read, edit and diff.
//
//   ---
//   description: The project: architecture, conventions, build and test commands, decisions.
//   limit: 5000
//   ---
//   <value>
//
// The value is followed by exactly one newline (editors add one anyway), which parsing strips again,
// so a value round-trips byte for byte.

export interface BlockFile {
  description: string;
  limit: number;
  value: string;
}

export interface ParsedBlockFile extends Partial<BlockFile> {
  value: string;
  /** What was wrong with the file, for a warning; the value is still usable. */
  problem?: string;
}

export function formatBlockFile(block: BlockFile): string {
  // One line per key: a description with line breaks would end the front matter early.
  const description = block.description.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return `---\ndescription: ${description}\nlimit: ${block.limit}\n---\n${block.value}\n`;
}

/** Parses a block file. Keys it cannot read are left undefined for the caller to default. */
export function parseBlockFile(text: string): ParsedBlockFile {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const open = /^---[ \t]*\r?\n/.exec(body);
  if (!open) return { value: stripFinalNewline(body), problem: 'it has no front matter (---, description, limit, ---)' };
  const close = /^---[ \t]*(\r?\n|$)/m;
  const rest = body.slice(open[0].length);
  const end = close.exec(rest);
  if (!end) return { value: stripFinalNewline(body), problem: 'its front matter is not closed by a --- line' };
  const result: ParsedBlockFile = { value: stripFinalNewline(rest.slice(end.index + end[0].length)) };
  const problems: string[] = [];
  for (const line of rest.slice(0, end.index).split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) {
      problems.push(`line "${line.trim()}" is not "key: value"`);
      continue;
    }
    const key = line.slice(0, colon).trim();
    const raw = unquote(line.slice(colon + 1).trim());
    if (key === 'description') result.description = raw;
    else if (key === 'limit') {
      const limit = Number(raw.replace(/[,_]/g, ''));
      if (Number.isInteger(limit) && limit > 0) result.limit = limit;
      else problems.push(`limit "${raw}" is not a positive whole number`);
    } else {
      // A damaged "description" or "limit" key reads as another key: say so rather than default silently.
      problems.push(`key "${key}" is not one of description, limit`);
    }
  }
  // Both keys are always written: one missing was lost (a damaged line break joins it to the line before).
  for (const key of ['description', 'limit'] as const) {
    if (result[key] === undefined && !problems.some((p) => p.startsWith(key))) problems.push(`it has no ${key} line`);
  }
  if (problems.length) result.problem = problems.join('; ');
  return result;
}

function stripFinalNewline(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) {
    if (s.startsWith('"')) {
      try {
        return JSON.parse(s) as string;
      } catch {
        // Not a JSON string after all: fall back to the text between the quotes.
      }
    }
    return s.slice(1, -1);
  }
  return s;
}
