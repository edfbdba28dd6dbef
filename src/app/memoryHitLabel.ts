// A search hit's one-line label: the first line that says something. A JSON file's chunk starts with "{",
// a code chunk often with "}" or "```"; labelled by that first line, Search Memory listed rows of "{".

/** Fewer letters or digits than this and a line is punctuation, not a label. */
const MIN_WORD_CHARS = 3;

export function hitLabel(text: string, max = 80): string {
  const lines = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  const line = lines.find((l) => (l.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_WORD_CHARS) ?? lines.find((l) => l) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
