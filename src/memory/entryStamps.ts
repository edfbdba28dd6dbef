// The markers (provenance.ts) for the lines an edit writes: who wrote them when, and the fingerprint of
// the code each line cites. Async because a `#Symbol` fingerprint needs the chunker.
import type { CodeFingerprints } from './codeFingerprints';
import type { ChangeOrigin } from './journal';
import { type EntryMarker, type StoredCitation, isEntryLine, newEntryId, parseCitations, textFingerprint } from './provenance';

/** Where an edit comes from, as far as the marker records it. */
export interface StampContext {
  session?: string;
  /** The recall id of the step (the assistant message) whose tool call writes it. */
  message?: number;
  /** YYYY-MM-DD. */
  date: string;
  /** Files read or edited so far in the turn. */
  files: string[];
}

/** A marker for each entry line of `text` (looked up by the line's visible text). */
export async function stampsFor(text: string, ctx: StampContext, fingerprints: CodeFingerprints): Promise<(line: string) => EntryMarker | undefined> {
  const byLine = new Map<string, EntryMarker>();
  for (const line of text.split('\n')) {
    if (!isEntryLine(line) || byLine.has(line)) continue;
    byLine.set(line, {
      id: newEntryId(),
      ...(ctx.session ? { session: ctx.session } : {}),
      ...(ctx.message !== undefined ? { message: ctx.message } : {}),
      date: ctx.date,
      text: textFingerprint(line),
      cites: await citationsOf(line, fingerprints),
      files: ctx.files,
    });
  }
  return (line) => byLine.get(line);
}

/** The workspace files `text` cites, each with the fingerprint of what it cites now. */
export async function citationsOf(text: string, fingerprints: CodeFingerprints): Promise<StoredCitation[]> {
  const out: StoredCitation[] = [];
  for (const cite of parseCitations(text)) {
    const file = fingerprints.file(cite.path);
    if (!file) continue; // not a workspace file: "node.js", "e.g", a path that never existed
    // A symbol the chunker cannot find is checked as its whole file (staleness.ts accepts either).
    const hash = cite.symbol ? ((await fingerprints.symbol(cite.path, cite.symbol)) ?? file.hash) : file.hash;
    out.push({ ...cite, hash });
  }
  return out;
}

/** What a memory tool asks for the edit it is about to make (core/memoryTrust.ts answers for the agent). */
export interface EditProvenance {
  /** The journal's origin and the markers for the lines of `text`. */
  editFor(text: string): Promise<{ origin: ChangeOrigin; mark: (line: string) => EntryMarker | undefined }>;
  /** One marker for a whole archival note. */
  noteMarker(text: string): Promise<EntryMarker>;
  /** The stale note for a saved archival note whose cited code changed ("[stale: …]"), for search results. */
  staleNote?(text: string): Promise<string | undefined>;
}
