// Line windows with overlap: the chunking for files no grammar reads, for declarations too big to be one
// chunk, and for whatever a parse leaves uncovered. Works on a file split into lines once.

/** A file's text split into lines, with prefix sums so any span's size is known without joining it. */
export class SourceLines {
  readonly lines: string[];
  /** offsets[i] = characters in lines 0..i-1, each counted with its newline. */
  private readonly offsets: number[];

  constructor(text: string) {
    this.lines = text.split(/\r?\n/);
    this.offsets = new Array<number>(this.lines.length + 1);
    this.offsets[0] = 0;
    for (let i = 0; i < this.lines.length; i++) this.offsets[i + 1] = this.offsets[i] + this.lines[i].length + 1;
  }

  get count(): number {
    return this.lines.length;
  }

  /** Characters in rows `start..end` (0-based, inclusive). */
  chars(start: number, end: number): number {
    return this.offsets[end + 1] - this.offsets[start] - 1;
  }

  text(start: number, end: number): string {
    return this.lines.slice(start, end + 1).join('\n');
  }

  isBlank(row: number): boolean {
    return this.lines[row].trim() === '';
  }
}

export interface LineWindowOptions {
  /** Most lines in one window (default 60). */
  windowLines?: number;
  /** Lines shared by consecutive windows, so a thought cut at a boundary is whole in one of them (default 10). */
  overlapLines?: number;
  /** Most characters in one window (default 8000); a longer single line is cut into pieces. */
  maxChars?: number;
}

/** A window of rows (0-based, inclusive), or a piece of one very long row. */
export interface LineWindow {
  start: number;
  end: number;
  /** Set only for a piece of a row longer than maxChars. */
  text?: string;
}

/**
 * Covers rows `start..end` with windows; every non-blank row is in at least one. Leading and trailing
 * blank rows of a window are trimmed so a window never starts or ends on nothing.
 */
export function lineWindows(src: SourceLines, start: number, end: number, opts: LineWindowOptions = {}): LineWindow[] {
  const windowLines = Math.max(1, opts.windowLines ?? 60);
  const overlap = Math.min(Math.max(0, opts.overlapLines ?? 10), windowLines - 1);
  const maxChars = Math.max(1, opts.maxChars ?? 8000);
  const out: LineWindow[] = [];
  let row = start;
  while (row <= end) {
    while (row <= end && src.isBlank(row)) row++;
    if (row > end) break;
    if (src.lines[row].length > maxChars) {
      for (const text of linePieces(src.lines[row], maxChars)) out.push({ start: row, end: row, text });
      row++;
      continue;
    }
    let last = row;
    while (last + 1 <= end && last + 1 - row < windowLines && src.lines[last + 1].length <= maxChars && src.chars(row, last + 1) <= maxChars) last++;
    let trimmed = last;
    while (trimmed > row && src.isBlank(trimmed)) trimmed--;
    out.push({ start: row, end: trimmed });
    if (last >= end) break;
    // Overlap in proportion to the window, so windows cut short by long lines do not multiply.
    const shared = Math.floor(((last - row + 1) * overlap) / windowLines);
    row = Math.max(row + 1, last + 1 - shared);
  }
  return out;
}

/** Where a piece of a long line may end: after a space or punctuation, so a name is not cut in two. */
const BREAK_AFTER = /[\s;,{}()[\]]/;

/**
 * A line longer than `maxChars` cut into consecutive pieces of at most `maxChars` that join back into
 * it. Each piece ends at the last break in its final quarter, when there is one.
 */
export function linePieces(line: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < line.length) {
    let end = Math.min(line.length, at + maxChars);
    if (end < line.length) {
      const floor = at + Math.floor(maxChars * 0.75);
      let cut = end;
      while (cut > floor && !BREAK_AFTER.test(line[cut - 1])) cut--;
      if (cut > floor) end = cut;
    }
    pieces.push(line.slice(at, end));
    at = end;
  }
  return pieces;
}
