// Staleness (issue 12, item 2): an entry is stale when code it cites changed since it was written — the
// fingerprint in its marker (provenance.ts) no longer matches the code now. For a `#Symbol` citation only
// the symbol's chunk counts, so an edit elsewhere in the file leaves it fresh. Derived from the files each
// time, so edits by the person, by the agent or by a git pull are all seen, across restarts; the one
// thing kept is which stale entries the agent was already alerted about (StaleAlerts).
import { readJsonFile, writeJsonAtomic } from './atomicFile';
import type { CodeFingerprints, FileState } from './codeFingerprints';
import { type StoredCitation, citationLabel, entriesOf } from './provenance';
import type { BlockRecord } from './types';

export interface StaleCitation {
  cite: StoredCitation;
  /** 'missing': deleted or renamed. */
  reason: 'changed' | 'missing';
  /** YYYY-MM-DD of the file's last change, when it still exists. */
  changedOn?: string;
  /** The fingerprint now ('missing' when gone): an alert is given again only when this moves on. */
  now: string;
}

export interface StaleEntry {
  /** The block label, or `note:<id>` for an archival note. */
  block: string;
  /** The entry's marker id. */
  id: string;
  /** The entry's text, as the model sees it. */
  text: string;
  /** YYYY-MM-DD it was written. */
  written?: string;
  stale: StaleCitation[];
}

/** The entries of `blocks` whose cited code changed. */
export async function findStale(blocks: ReadonlyArray<Pick<BlockRecord, 'label' | 'value'>>, fingerprints: CodeFingerprints): Promise<StaleEntry[]> {
  const files = new Map<string, FileState | undefined>();
  const fileState = (rel: string) => {
    if (!files.has(rel)) files.set(rel, fingerprints.file(rel));
    return files.get(rel);
  };
  const out: StaleEntry[] = [];
  for (const block of blocks) {
    for (const entry of entriesOf(block.value)) {
      const marker = entry.marker;
      if (!marker?.cites.length) continue;
      const stale: StaleCitation[] = [];
      for (const cite of marker.cites) {
        if (!cite.hash) continue;
        const file = fileState(cite.path);
        if (!file) {
          stale.push({ cite, reason: 'missing', now: 'missing' });
          continue;
        }
        if (file.hash === cite.hash) continue;
        // Written as the symbol's fingerprint (or the file's, when the symbol was not found then).
        const symbol = cite.symbol ? await fingerprints.symbol(cite.path, cite.symbol) : undefined;
        if (symbol === cite.hash) continue;
        stale.push({ cite, reason: 'changed', changedOn: file.mtime.slice(0, 10), now: symbol ?? file.hash });
      }
      if (stale.length) out.push({ block: block.label, id: marker.id, text: entry.text.trim(), ...(marker.date ? { written: marker.date } : {}), stale });
    }
  }
  return out;
}

/** "src/retry.ts changed on 2026-12-02" / "src/old.ts was deleted or renamed". */
export function describeStale(s: StaleCitation): string {
  const what = citationLabel(s.cite);
  return s.reason === 'missing' ? `${what} was deleted or renamed` : `${what} changed${s.changedOn ? ` on ${s.changedOn}` : ''}`;
}

/** The note shown to the model after a stale entry, e.g. "[stale: src/retry.ts changed on 2026-12-02 since this was written on 2026-12-01]". */
export function staleNote(entry: StaleEntry): string {
  return `[stale: ${entry.stale.map(describeStale).join('; ')} since this was written${entry.written ? ` on ${entry.written}` : ''}]`;
}

const STALE_NOTE = /\s*\[stale: [^\]\n]*\]/g;

/** Text the model copied from its view, without the stale notes (they are not in the block). */
export function withoutStaleNotes(text: string): string {
  return text.replace(STALE_NOTE, '');
}

/** A block's text as the model sees it: markers off, a stale note after each stale entry. */
export function promptView(value: string, stale: readonly StaleEntry[]): string {
  const byId = new Map(stale.map((s) => [s.id, s]));
  const lines = value.split('\n');
  for (const entry of entriesOf(value)) {
    const found = entry.marker && byId.get(entry.marker.id);
    lines[entry.line] = found ? `${entry.text.trimEnd()} ${staleNote(found)}` : entry.text;
  }
  return lines.join('\n');
}

/** The one system alert for entries that went stale since the last one. */
export function staleAlert(entries: readonly StaleEntry[]): string {
  const lines = entries.map((e) => `- ${e.block.startsWith('note:') ? `archival ${e.block}` : `block "${e.block}"`}: "${clip(e.text)}" — ${e.stale.map(describeStale).join('; ')}`);
  return [
    `${entries.length === 1 ? 'An entry' : `${entries.length} entries`} of your memory cite${entries.length === 1 ? 's' : ''} code that changed since ${entries.length === 1 ? 'it was' : 'they were'} written (marked [stale: …] in working context):`,
    ...lines,
    'Check each against the code as it is now (read_file) and update or delete it (working_context_replace); an entry you write again is no longer stale.',
  ].join('\n');
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

interface AlertsFile {
  version: 1;
  /** Entry id → the fingerprints the alert was given for. */
  alerted: Record<string, string>;
}

/** Which stale entries the agent was alerted about, so each change raises one alert, not one per turn. */
export class StaleAlerts {
  constructor(
    private readonly file: string,
    private readonly warn?: (m: string) => void,
  ) {}

  /** The entries not yet alerted about (or stale in a new way since); records them as alerted. */
  takeNew(stale: readonly StaleEntry[]): StaleEntry[] {
    const known = readJsonFile<AlertsFile>(this.file, { fallback: () => ({ version: 1, alerted: {} }), validate: isAlertsFile, warn: this.warn });
    const next: Record<string, string> = {};
    const fresh: StaleEntry[] = [];
    for (const entry of stale) {
      const signature = entry.stale.map((s) => `${citationLabel(s.cite)}@${s.now}`).join(',');
      next[entry.id] = signature;
      if (known.alerted[entry.id] !== signature) fresh.push(entry);
    }
    // Entries no longer stale are forgotten: if they go stale again, that is news.
    if (JSON.stringify(next) !== JSON.stringify(known.alerted)) writeJsonAtomic(this.file, { version: 1, alerted: next });
    return fresh;
  }
}

function isAlertsFile(v: unknown): v is AlertsFile {
  const f = v as Partial<AlertsFile> | null;
  return !!f && f.version === 1 && !!f.alerted && typeof f.alerted === 'object';
}
