// The session list (sessions.json, DESIGN.md §3): one persistent agent, its conversation cut into
// sessions a person can name, close and look back at. Every change re-reads the file first, so two
// processes taking turns under the lock never undo each other's changes.
import { randomBytes } from 'node:crypto';
import { readJsonFile, writeJsonAtomic } from './atomicFile';
import type { MemoryPaths } from './store';
import { type Clock, MemoryError, type SessionRecord } from './types';

export const NEW_SESSION_TITLE = 'New session';

export class SessionList {
  private sessions: SessionRecord[] = [];

  private constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly warn: (msg: string) => void,
  ) {}

  static open(paths: MemoryPaths, opts: { clock?: Clock; warn?: (msg: string) => void } = {}): SessionList {
    const list = new SessionList(paths.sessionsFile, opts.clock ?? (() => new Date()), opts.warn ?? ((msg) => console.warn(`[memcode] ${msg}`)));
    list.refresh();
    return list;
  }

  /** Oldest first. Copies. */
  list(): SessionRecord[] {
    return this.sessions.map((s) => ({ ...s }));
  }

  /** The last session not yet ended; starts one if there is none. */
  current(): SessionRecord {
    const open = this.latestOpen();
    return open ? { ...open } : this.start();
  }

  /** Starts a new session; ends nothing (the caller ends the previous one with a title). */
  start(): SessionRecord {
    this.refresh();
    const now = this.clock();
    const session: SessionRecord = {
      id: newSessionId(now),
      title: NEW_SESSION_TITLE,
      started: now.toISOString(),
    };
    this.sessions.push(session);
    this.save();
    return { ...session };
  }

  /** Adds a finished session with its own dates (an imported one); never becomes the current session. */
  addEnded(session: SessionRecord & { ended: string }): SessionRecord {
    this.refresh();
    if (this.sessions.some((s) => s.id === session.id)) throw new MemoryError('invalid', `session "${session.id}" already exists`);
    this.sessions.push({ ...session });
    this.save();
    return { ...session };
  }

  /** Moves a finished session's end later (an imported session that grew since it was first imported). */
  extend(id: string, ended: string): void {
    this.refresh();
    const session = this.find(id);
    if (session.ended && Date.parse(session.ended) >= Date.parse(ended)) return;
    session.ended = ended;
    this.save();
  }

  end(id: string, title: string): SessionRecord {
    this.refresh();
    const session = this.find(id);
    const t = title.trim();
    if (t) session.title = t;
    session.ended ??= this.clock().toISOString();
    this.save();
    return { ...session };
  }

  rename(id: string, title: string): void {
    const t = title.trim();
    if (!t) throw new MemoryError('invalid', 'a session title cannot be empty');
    this.refresh();
    this.find(id).title = t;
    this.save();
  }

  /**
   * Makes a past session the current one again: its end is cleared, and any other session still open is
   * ended (a folder has one current session). New messages then carry its id, so its transcript continues.
   */
  reopen(id: string): SessionRecord {
    this.refresh();
    const session = this.find(id);
    const now = this.clock().toISOString();
    for (const other of this.sessions) if (other !== session && !other.ended) other.ended = now;
    delete session.ended;
    this.save();
    return { ...session };
  }

  /**
   * Takes a session off the list. Its messages stay in recall memory (searchable, still carrying the id):
   * forgetting what was said is a different decision from tidying the list. The current session cannot
   * be removed; start a new one first.
   */
  remove(id: string): void {
    this.refresh();
    const session = this.find(id);
    if (session === this.latestOpen()) throw new MemoryError('invalid', 'the current session cannot be deleted; start a new session first');
    this.sessions = this.sessions.filter((s) => s !== session);
    this.save();
  }

  /** Re-reads sessions.json (another process may have changed it). */
  refresh(): void {
    this.sessions = readJsonFile<SessionRecord[]>(this.file, { fallback: () => [], validate: isSessionList, warn: this.warn });
  }

  private latestOpen(): SessionRecord | undefined {
    for (let i = this.sessions.length - 1; i >= 0; i--) if (!this.sessions[i].ended) return this.sessions[i];
    return undefined;
  }

  private find(id: string): SessionRecord {
    const session = this.sessions.find((s) => s.id === id);
    if (!session) throw new MemoryError('not_found', `no session "${id}"`);
    return session;
  }

  private save(): void {
    writeJsonAtomic(this.file, this.sessions);
  }
}

export function isSessionList(v: unknown): v is SessionRecord[] {
  return (
    Array.isArray(v) &&
    v.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof s.id === 'string' &&
        typeof s.title === 'string' &&
        typeof s.started === 'string' &&
        (s.ended === undefined || typeof s.ended === 'string') &&
        (s.importedFrom === undefined || typeof s.importedFrom === 'string'),
    )
  );
}

/** A fresh session id, named after when the session started. */
export function newSessionId(started: Date): string {
  return `s-${started.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
}
