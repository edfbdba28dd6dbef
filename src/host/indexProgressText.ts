// The indexing notification's line. While the walk is still finding files, the count so far is not a
// total: "1000 of 1000" then turned out to be 1,207. Without vscode, so the tests read it.
import type { IndexProgress } from '../indexing/types';

export function indexProgressMessage(folder: string, p: IndexProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  switch (p.phase) {
    case 'scanning':
      return `${folder}: finding files… ${n(p.filesTotal)} so far`;
    case 'removing':
      return `${folder}: removing files that are gone…`;
    default:
      return `${folder}: ${n(p.filesDone)} of ${n(p.filesTotal)} files, ${n(p.chunks)} chunks`;
  }
}

/** Share of the run done, 0–100; the walk itself counts as nothing done yet (its total is still growing). */
export function indexProgressPercent(p: IndexProgress): number {
  if (p.phase === 'scanning' || !p.filesTotal) return 0;
  return Math.min(100, (p.filesDone / p.filesTotal) * 100);
}
