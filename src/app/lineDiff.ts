// A unified-style line diff for short texts (a working-context block is a few thousand characters), so
// a person sees what a rewrite of a block would change before it is written. The diff itself is the
// journal's (memory/lineDiff.ts); this only renders it as text.
import { lineDiff } from '../memory/lineDiff';

/** Lines of `before` and `after` marked ' ', '-' or '+', in order (longest common subsequence). */
export function lineDiffText(before: string, after: string): string {
  return lineDiff(before, after)
    .map((line) => `${line.op} ${line.text}`)
    .join('\n');
}
