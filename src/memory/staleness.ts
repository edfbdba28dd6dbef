// Staleness (issue 12, item 2): an entry is stale when code it cites changed since it was written — the
// fingerprint in its marker (provenance.ts) no longer matches the code now. For a `#Symbol` citation only
// the symbol's chunk counts, so an edit elsewhere in the file leaves it fresh. Derived from the files each
// time, so edits by the person, by the agent or by a git pull are all seen, across restarts; the one
// things kept (StalenessState) are which stale entries the agent was already alerted about, and what a
// person re-stated by hand.
import { readJsonFile, writeJsonAtomic } from './atomicFile';
import type { CodeFingerprints, FileState } from './codeFingerprints';
import { citationsOf } from './entryStamps';
import { type StoredCitation, citationLabel, entriesOf, textFingerprint } from './provenance';
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

/**
 * What an entry's citations are checked against when a person re-stated it: a line whose text changed
 * since it was stamped (its marker kept) is taken as true when first seen so, with the citations its text
 * names now — otherwise fixing "3" to "5" by hand would leave the entry stale for ever.
 */
export interface Restatements {
  get(key: string): StoredCitation[] | undefined;
  set(key: string, cites: StoredCitation[]): void;
}

/** The entries of `blocks` whose cited code changed. */
export async function findStale(
  blocks: ReadonlyArray<Pick<BlockRecord, 'label' | 'value'>>,
  fingerprints: CodeFingerprints,
  restated?: Restatements,
): Promise<StaleEntry[]> {
  const files = new Map<string, FileState | undefined>();
  const fileState = (rel: string) => {
    if (!files.has(rel)) files.set(rel, fingerprints.file(rel));
    return files.get(rel);
  };
  const out: StaleEntry[] = [];
  for (const block of blocks) {
    for (const entry of entriesOf(block.value)) {
      const marker = entry.marker;
      if (!marker) continue;
      let cites = marker.cites;
      const now = textFingerprint(entry.text);
      if (restated && marker.text && marker.text !== now) {
        const key = `${marker.id}:${now}`;
        let baseline = restated.get(key);
        if (!baseline) {
          baseline = await citationsOf(entry.text, fingerprints);
          restated.set(key, baseline);
        }
        cites = baseline;
      }
      const stale: StaleCitation[] = [];
      for (const cite of cites) {
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

interface StateFile {
  version: 1;
  /** Entry id → the fingerprints the alert was given for. */
  alerted: Record<string, string>;
  /** `id:text fingerprint` → the citations of a re-stated entry when first seen (Restatements). */
  restated?: Record<string, StoredCitation[]>;
}

/** Re-stated entries remembered; past this the oldest are dropped (checked again from their text, as new). */
const MAX_RESTATED = 2_000;

/**
 * This machine's staleness state (`staleness.json`): which stale entries the agent was alerted about, so
 * each change raises one alert, not one per turn; and the baselines of entries a person re-stated. Read
 * at the start of each check and written at its end, atomically.
 */
export class StalenessState {
  private data: StateFile = { version: 1, alerted: {} };
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly warn?: (m: string) => void,
  ) {}

  /** Reads the file again (another process may have written it). */
  begin(): this {
    this.data = readJsonFile<StateFile>(this.file, { fallback: () => ({ version: 1, alerted: {} }), validate: isStateFile, warn: this.warn });
    this.dirty = false;
    return this;
  }

  get restatements(): Restatements {
    return {
      get: (key) => this.data.restated?.[key],
      set: (key, cites) => {
        const restated = { ...this.data.restated, [key]: cites };
        const keys = Object.keys(restated);
        for (const old of keys.slice(0, Math.max(0, keys.length - MAX_RESTATED))) delete restated[old];
        this.data = { ...this.data, restated };
        this.dirty = true;
      },
    };
  }

  /** The entries not yet alerted about (or stale in a new way since); records them as alerted. */
  takeNew(stale: readonly StaleEntry[]): StaleEntry[] {
    const next: Record<string, string> = {};
    const fresh: StaleEntry[] = [];
    for (const entry of stale) {
      const signature = entry.stale.map((s) => `${citationLabel(s.cite)}@${s.now}`).join(',');
      next[entry.id] = signature;
      if (this.data.alerted[entry.id] !== signature) fresh.push(entry);
    }
    // Entries no longer stale are forgotten: if they go stale again, that is news.
    if (JSON.stringify(next) !== JSON.stringify(this.data.alerted)) {
      this.data = { ...this.data, alerted: next };
      this.dirty = true;
    }
    return fresh;
  }

  save(): void {
    if (!this.dirty) return;
    writeJsonAtomic(this.file, this.data);
    this.dirty = false;
  }
}

function isStateFile(v: unknown): v is StateFile {
  const f = v as Partial<StateFile> | null;
  return !!f && f.version === 1 && !!f.alerted && typeof f.alerted === 'object' && (f.restated === undefined || typeof f.restated === 'object');
}
