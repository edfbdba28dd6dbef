// Where an archival record came from, written one way for every place that shows it: the CLI's
// `memory search`, the editor's Search Memory, automatic recall and the archival tools.
import type { ArchivalRecord } from './archival';

type Located = Pick<ArchivalRecord, 'source' | 'path' | 'startLine' | 'endLine' | 'symbol' | 'time'>;

/** A file chunk's lines, `10-40`; undefined for a note or a record without line numbers. */
export function lineRange(record: Pick<ArchivalRecord, 'startLine' | 'endLine'>): string | undefined {
  return record.startLine ? `${record.startLine}-${record.endLine ?? record.startLine}` : undefined;
}

/** `src/a.ts:10-40 parseConfig` for a file chunk, `note 2026-03-02` for a saved note (the day it was saved). */
export function hitLocation(record: Located): string {
  if (record.source === 'note') return `note ${record.time.slice(0, 10)}`;
  const lines = lineRange(record);
  return `${record.path ?? ''}${lines ? `:${lines}` : ''}${record.symbol ? ` ${record.symbol}` : ''}`;
}
