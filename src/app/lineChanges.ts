// How many lines an edit adds and removes, as a diff view counts them (the card's "+3 −1").
// The common head and tail are cut first, so a small edit in a large file costs little; a middle too
// large for the exact count is counted as replaced whole (an upper bound, never a wrong direction).

const EXACT_LIMIT = 4_000_000;

export function countLineChanges(before: string, after: string): { added: number; removed: number } {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (!midA.length || !midB.length || midA.length * midB.length > EXACT_LIMIT) return { added: midB.length, removed: midA.length };
  const common = lcsLength(midA, midB);
  return { added: midB.length - common, removed: midA.length - common };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
}

/** Length of the longest common subsequence, in two rows of memory. */
function lcsLength(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    [prev, row] = [row, prev];
  }
  return prev[b.length];
}
