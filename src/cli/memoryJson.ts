// The JSON `memcode memory show --json` and `memcode memory search --json` print, for scripts. The
// shapes are part of the CLI's interface (README: "Memory from scripts"): every key is always present
// (null when it has no value), and `version` changes if a key ever changes meaning or goes away.
import type { ArchivalHit } from '../memory/archivalMemory';
import type { BlockRecord, MessageRecord, Page, SessionRecord } from '../memory/types';

export const MEMORY_JSON_VERSION = 1;

export interface MessageJson {
  id: number;
  time: string;
  session: string;
  role: string;
  content: string;
  /** The tool it was imported from (`memcode import`), or null for MemCode's own conversation. */
  importedFrom: string | null;
}

export interface ArchivalHitJson {
  /** Workspace-relative; null for a note. */
  path: string | null;
  startLine: number | null;
  endLine: number | null;
  symbol: string | null;
  score: number;
  text: string;
  source: 'file' | 'note';
}

export interface PageJson<T> {
  total: number;
  page: number;
  pages: number;
  results: T[];
}

export interface SearchJson {
  version: number;
  query: string;
  messages: PageJson<MessageJson>;
  /** Null when archival memory is empty (nothing indexed, no notes) or could not be searched. */
  archival: PageJson<ArchivalHitJson> | null;
  /** Why archival memory could not be searched; null when it was. */
  archivalError: string | null;
}

export interface ShowJson {
  version: number;
  memoryFolder: string;
  blocks: { label: string; description: string; limit: number; chars: number; value: string }[];
  /** The recursive summary of messages evicted from the conversation queue. */
  summary: string;
  counts: { messages: number; inQueue: number; imported: number; sessions: number };
  sessions: { id: string; title: string; started: string; ended: string | null; importedFrom: string | null }[];
}

export function messageJson(r: MessageRecord): MessageJson {
  return { id: r.id, time: r.time, session: r.session, role: r.role, content: r.content, importedFrom: r.importedFrom ?? null };
}

export function archivalHitJson(h: ArchivalHit): ArchivalHitJson {
  return {
    path: h.path ?? null,
    startLine: h.startLine ?? null,
    endLine: h.endLine ?? null,
    symbol: h.symbol ?? null,
    score: h.score,
    text: h.text,
    source: h.source,
  };
}

export function pageJson<T, U>(page: Page<T>, map: (t: T) => U): PageJson<U> {
  return { total: page.total, page: page.page, pages: page.pages, results: page.results.map(map) };
}

export function blockJson(b: BlockRecord): ShowJson['blocks'][number] {
  return { label: b.label, description: b.description, limit: b.limit, chars: b.value.length, value: b.value };
}

export function sessionJson(s: SessionRecord): ShowJson['sessions'][number] {
  return { id: s.id, title: s.title, started: s.started, ended: s.ended ?? null, importedFrom: s.importedFrom ?? null };
}
