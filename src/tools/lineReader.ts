// A range of a text file's lines, read in bounded byte chunks: memory stays small whatever the file's
// size or its longest line. A line is kept only up to a cut while its full length is still counted, so a
// single line of a minified bundle or a data dump (even one past V8's 512 MB string limit, which made
// readline throw an uncaught RangeError) never has to exist as one string.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface ReadLine {
  /** The line without its ending, at most `maxLineChars` characters of it. */
  text: string;
  /** The whole line's length in characters (UTF-16 code units, as String#length counts). */
  length: number;
}

export interface LineRangeOptions {
  /** Characters of a line kept; the rest is only counted. */
  maxLineChars: number;
  /** Bytes read at a time (default 1 MB). */
  chunkBytes?: number;
  signal?: AbortSignal;
}

const NEWLINE = 0x0a;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Lines `start`..`end` (1-based, inclusive) of the file and how many lines it has. Lines end at "\n", a
 * "\r" before it is dropped, and a final newline does not start an empty line. Throws the signal's
 * reason once aborted.
 */
export async function readLineRange(
  abs: string,
  start: number,
  end: number,
  opts: LineRangeOptions,
): Promise<{ lines: ReadLine[]; total: number }> {
  const handle = await fs.promises.open(abs, 'r');
  const buffer = Buffer.alloc(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const lines: ReadLine[] = [];
  let lineNo = 1;
  let current: LineBuilder | undefined = start <= 1 && end >= 1 ? new LineBuilder(opts.maxLineChars) : undefined;
  let lastByte = NEWLINE; // an empty file has no lines
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      lastByte = chunk[bytesRead - 1];
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, from);
        if (nl < 0) {
          current?.add(chunk.subarray(from));
          break;
        }
        if (current) {
          current.add(chunk.subarray(from, nl));
          lines.push(current.finish(true));
        }
        lineNo++;
        current = lineNo >= start && lineNo <= end ? new LineBuilder(opts.maxLineChars) : undefined;
        from = nl + 1;
      }
    }
  } finally {
    await handle.close();
  }
  // The last line had no newline of its own: it still counts, and if it was in range, it is kept.
  const total = lastByte === NEWLINE ? lineNo - 1 : lineNo;
  if (current && lastByte !== NEWLINE) lines.push(current.finish(false));
  return { lines, total };
}

/** One line, fed in byte pieces: decodes what it keeps, and only counts the rest. */
class LineBuilder {
  private readonly decoder = new StringDecoder('utf8');
  private text = '';
  private length = 0;
  private endsWithCr = false;

  constructor(private readonly maxChars: number) {}

  add(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.take(this.decoder.write(bytes));
  }

  /** A "\r" before the newline belongs to the line ending; a lone one at the end of the file is text. */
  finish(endedByNewline: boolean): ReadLine {
    this.take(this.decoder.end());
    let { text, length } = this;
    if (endedByNewline && this.endsWithCr) {
      length--;
      if (text.length > length) text = text.slice(0, length);
    }
    return { text, length };
  }

  private take(piece: string): void {
    if (piece === '') return;
    // One chunk's worth of text at most: decoded, measured, and dropped unless inside the cut.
    if (this.text.length < this.maxChars) this.text += piece.slice(0, this.maxChars - this.text.length);
    this.length += piece.length;
    this.endsWithCr = piece.charCodeAt(piece.length - 1) === 0x0d;
  }
}
