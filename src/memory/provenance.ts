// Where a working-context entry came from (issue 12, item 1), kept in the block's Markdown itself as a
// short HTML comment at the end of the entry's line, e.g.
//   - The retry limit is 3 (`src/retry.ts#retryLimit`) <!-- mc:k3f9ab s=s2 m=41 t=2026-12-01 c=src/retry.ts#retryLimit@9c1e0a77 f=src/retry.ts -->
// Markdown viewers hide it; a person editing the line keeps it, deleting the line drops it. The id is
// random, never a counter, so two people adding entries on two branches never collide in a git merge.
// `c=` are the citations with a fingerprint of the cited code at write time (staleness.ts compares it
// with the code now); `f=` the files the agent read or edited in that turn (context, not checked).
// The model never sees markers: it reads and edits the visible text (visibleText), and an edit keeps
// the marker of every line whose text it did not change (reattachMarkers).
import { createHash, randomBytes } from 'node:crypto';

/** A piece of code an entry is about: `path`, `path:line` or `path#Symbol`. */
export interface Citation {
  /** Workspace-relative, '/'-separated. */
  path: string;
  line?: number;
  symbol?: string;
}

/** A citation as stored in a marker: with the fingerprint of what it cited when the entry was written. */
export interface StoredCitation extends Citation {
  /** 8 hex characters (fingerprints.ts); absent when the file could not be read then. */
  hash?: string;
}

export interface EntryMarker {
  id: string;
  session?: string;
  /** The recall id of the message (the assistant's step) it was written in. */
  message?: number;
  /** YYYY-MM-DD. */
  date?: string;
  /** Fingerprint of the entry's text when stamped: a person who rewrites the line has re-stated it (staleness.ts). */
  text?: string;
  cites: StoredCitation[];
  /** Files read or edited in the turn it was written. */
  files: string[];
  /** Fields this version does not know, kept as they were. */
  rest?: string;
}

const MARKER = /\s*<!--\s*mc:([A-Za-z0-9_-]+)((?:\s+(?!-->)\S+)*)\s*-->\s*$/;
/** How many read/edited files a marker lists: enough to find the context, short enough to read. */
const MAX_FILES = 5;

/** A line of a block split into what the model sees and its marker. */
export function splitLine(line: string): { text: string; marker?: EntryMarker } {
  const m = MARKER.exec(line);
  if (!m) return { text: line };
  return { text: line.slice(0, m.index), marker: parseFields(m[1], m[2]) };
}

function parseFields(id: string, fields: string): EntryMarker {
  const marker: EntryMarker = { id, cites: [], files: [] };
  const rest: string[] = [];
  for (const field of fields.trim().split(/\s+/).filter(Boolean)) {
    const eq = field.indexOf('=');
    const key = field.slice(0, eq);
    const value = field.slice(eq + 1);
    if (key === 's') marker.session = decode(value);
    else if (key === 'm' && /^\d+$/.test(value)) marker.message = Number(value);
    else if (key === 't') marker.date = value;
    else if (key === 'h') marker.text = value;
    else if (key === 'c') marker.cites = value.split(',').filter(Boolean).map(parseStoredCitation);
    else if (key === 'f') marker.files = value.split(',').filter(Boolean).map(decode);
    else rest.push(field);
  }
  if (rest.length) marker.rest = rest.join(' ');
  return marker;
}

function parseStoredCitation(s: string): StoredCitation {
  const at = s.lastIndexOf('@');
  const hash = at > 0 ? s.slice(at + 1) : undefined;
  const cite = parseCitationText(decode(at > 0 ? s.slice(0, at) : s));
  return hash ? { ...cite, hash } : cite;
}

function parseCitationText(s: string): Citation {
  const hash = s.indexOf('#');
  if (hash > 0) return { path: s.slice(0, hash), symbol: s.slice(hash + 1) };
  const line = /^(.*):(\d+)$/.exec(s);
  if (line) return { path: line[1], line: Number(line[2]) };
  return { path: s };
}

export function formatMarker(m: EntryMarker): string {
  const fields = [`mc:${m.id}`];
  if (m.session) fields.push(`s=${encode(m.session)}`);
  if (m.message !== undefined) fields.push(`m=${m.message}`);
  if (m.date) fields.push(`t=${m.date}`);
  if (m.text) fields.push(`h=${m.text}`);
  if (m.cites.length) fields.push(`c=${m.cites.map((c) => `${encode(citationLabel(c))}${c.hash ? `@${c.hash}` : ''}`).join(',')}`);
  if (m.files.length) fields.push(`f=${m.files.slice(0, MAX_FILES).map(encode).join(',')}`);
  if (m.rest) fields.push(m.rest);
  return `<!-- ${fields.join(' ')} -->`;
}

/** `src/retry.ts`, `src/retry.ts:42` or `src/retry.ts#retryLimit`. */
export function citationLabel(c: Citation): string {
  return c.symbol ? `${c.path}#${c.symbol}` : c.line !== undefined ? `${c.path}:${c.line}` : c.path;
}

// Spaces, commas, '@' and '>' would break the marker's fields; everything else stays readable.
function encode(s: string): string {
  return s.replace(/[%\s,@>]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** 6 hex characters of the entry's visible text, spaces at the ends ignored. */
export function textFingerprint(text: string): string {
  return createHash('sha1').update(text.trim()).digest('hex').slice(0, 6);
}

/** A new entry id: 6 base-36 characters, random (see the header on merges). */
export function newEntryId(): string {
  const bytes = randomBytes(6);
  return [...bytes].map((b) => (b % 36).toString(36)).join('');
}

/** The block as the model sees it: every marker taken off. */
export function visibleText(value: string): string {
  if (!value.includes('<!--')) return value;
  return value
    .split('\n')
    .map((line) => splitLine(line).text)
    .join('\n');
}

/** An entry of a block: one non-empty line, with its marker when it has one. */
export interface BlockEntry {
  /** 0-based line in the block's value. */
  line: number;
  text: string;
  marker?: EntryMarker;
}

export function entriesOf(value: string): BlockEntry[] {
  const out: BlockEntry[] = [];
  value.split('\n').forEach((raw, line) => {
    const { text, marker } = splitLine(raw);
    if (text.trim() || marker) out.push({ line, text, ...(marker ? { marker } : {}) });
  });
  return out;
}

/** Lines that are structure, not facts: headings, rules, fences. They get no marker. */
export function isEntryLine(text: string): boolean {
  const t = text.trim();
  return t !== '' && !/^#{1,6}\s/.test(t) && !/^(```|~~~|---+$|\*\*\*+$)/.test(t);
}

/**
 * The new raw value after an edit made on the visible text: each new line whose text an old line had
 * keeps that line's marker (each old marker used once, nearest position first), and each other entry line
 * gets `fresh(text)` when given. So an edit that touches one bullet re-stamps that bullet only.
 */
export function reattachMarkers(oldRaw: string, newVisible: string, fresh?: (text: string) => EntryMarker | undefined): string {
  const pool = new Map<string, string[]>();
  for (const raw of oldRaw.split('\n')) {
    const { text, marker } = splitLine(raw);
    if (!marker) continue;
    const list = pool.get(text) ?? [];
    list.push(raw);
    pool.set(text, list);
  }
  // Inside a fenced code block a comment would show as text: those lines get no marker.
  let inFence = false;
  return newVisible
    .split('\n')
    .map((line) => {
      const { text, marker: own } = splitLine(line);
      const fence = /^\s*(```|~~~)/.test(text);
      if (fence) inFence = !inFence;
      if (own) return line; // written with its marker (a person's paste, a revert): kept as it is
      const kept = pool.get(text);
      if (kept?.length) return kept.shift()!;
      const marker = !fence && !inFence && isEntryLine(text) ? fresh?.(text) : undefined;
      return marker ? `${text.trimEnd()} ${formatMarker(marker)}` : text;
    })
    .join('\n');
}

// A path: a name with a letter-led extension, or a dot file (.env, .eslintrc.json), optional folders; then
// `:line` or `#Symbol`. URLs are cut out first.
const CITATION = /(?<![\w/.@-])((?:\.{0,2}\/)?(?:[\w.-]+\/)*(?:[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,9}|\.[A-Za-z][\w-]*(?:\.[A-Za-z][A-Za-z0-9]{0,9})*))(?::(\d+)(?:-\d+)?|#([A-Za-z_$][\w$.]*))?(?![\w/])/g;

/**
 * The code a piece of text cites: `path`, `path:line` or `path#Symbol`, with or without backticks. Only
 * candidates: the caller keeps those that name a workspace file (a word like "node.js" is no file).
 */
export function parseCitations(text: string): Citation[] {
  const cleaned = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ');
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const m of cleaned.matchAll(CITATION)) {
    const p = m[1].replace(/^\.\//, '');
    // A trailing sentence dot is not part of a name: "see src/retry.ts." → src/retry.ts
    const cite: Citation = { path: p, ...(m[2] ? { line: Number(m[2]) } : {}), ...(m[3] ? { symbol: m[3].replace(/\.+$/, '') } : {}) };
    const key = citationLabel(cite);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(cite);
    }
  }
  return out;
}
