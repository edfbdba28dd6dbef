// Recall memory (DESIGN.md §5): every message, append-only, one JSON line each in
// recall/messages.jsonl, plus recall/state.json (the running summary and where the queue starts).
// Lines are only ever appended, never rewritten, so a crash can at worst cut off the last line.
import * as fs from 'node:fs';
import type { Role } from '../common/types';
import { appendDurably, readJsonFile, writeJsonAtomic } from './atomicFile';
import { type DateWindow, parseQueryDates } from './queryDates';
import { checkPage, DEFAULT_SEARCH_ROLES, documentFrequencies, hasKeywords, inSpan, paginate, parseDateRange, rankDocs, type SearchDoc, type SearchFilter, searchable, type TimeSpan } from './recallSearch';
import { WordFrequencies } from './wordFrequencies';
import type { MemoryPaths } from './store';
import { type Clock, type MessageAttachment, MemoryError, type MessageRecord, type Page, type RecallState } from './types';

export interface RecallSearchOptions {
  /** 1-based. */
  page?: number;
  /** Default 5. */
  pageSize?: number;
  excludeIds?: Set<number>;
  /** Only messages up to this id (`pagingCutoff`). */
  upToId?: number;
  roles?: Role[];
  /**
   * When the question was asked, to read its relative dates ("last Tuesday") against. Default: the time
   * of the person's latest message, else the clock.
   */
  reference?: Date;
  /** False: the query is keywords only, dates in it are not read. */
  dates?: boolean;
}

/** A page of search results, with the time window the query's dates set, when they set one. */
export type RecallSearchPage = Page<MessageRecord> & { window?: DateWindow };

export type NewMessage = Omit<MessageRecord, 'id' | 'time'> & { time?: string };

const ROLES = new Set<string>(['system', 'user', 'assistant', 'tool']);
/** Paged searches whose page-1 cut-off is remembered. */
const MAX_PAGED_SEARCHES = 32;
const NEWLINE = 0x0a;

export class RecallLog {
  private readonly records: MessageRecord[] = [];
  private readonly docs: SearchDoc[] = [];
  private readonly indexById = new Map<number, number>();
  /** `pagingCutoff`'s memory: search key → the newest id when its page 1 was asked. */
  private readonly cutoffs = new Map<string, number>();
  private readonly appendListeners: Array<(record: MessageRecord) => void> = [];
  /** Bumped whenever `docs` changes other than by appending, so the word counts start over. */
  private generation = 0;
  private readonly words = new WordFrequencies();
  /** Bytes of complete lines already read; what follows is new (or an unfinished last line). */
  private offset = 0;
  /** Lines read so far, to name a bad line by its number. */
  private lineNo = 0;
  /** Byte offsets of bad lines already reported, so each is reported once. */
  private readonly reported = new Set<number>();
  /** Set when the file ends in a line without its newline (a write cut off by a crash). */
  private hasTail = false;
  /**
   * Set when that last line is nonetheless a whole record (only its newline was lost): it is read, but as
   * the last entry of `records`, to be dropped and read again once a newline completes it.
   */
  private tailRecord = false;

  private constructor(
    private readonly file: string,
    private readonly stateFile: string,
    private readonly clock: Clock,
    private readonly warn: (msg: string) => void,
  ) {}

  static open(paths: MemoryPaths, opts: { clock?: Clock; warn?: (msg: string) => void } = {}): RecallLog {
    const log = new RecallLog(
      paths.messagesFile,
      paths.stateFile,
      opts.clock ?? (() => new Date()),
      opts.warn ?? ((msg) => console.warn(`[memcode] ${msg}`)),
    );
    log.refresh();
    log.checkAgainstState();
    return log;
  }

  /** Adds a message; once this returns, the line is on disk (fsync) and survives a kill -9. */
  append(entry: NewMessage): MessageRecord {
    // Another process may have appended since we last looked (it held the lock then, we hold it now).
    this.refresh();
    const record = withoutUndefined({ id: this.nextId(), ...entry, time: entry.time ?? this.clock().toISOString() }) as MessageRecord;
    // A line cut off by a crash must not swallow ours: start on a fresh line, never rewrite earlier bytes.
    const line = `${this.hasTail ? '\n' : ''}${JSON.stringify(record)}\n`;
    appendDurably(this.file, line);
    // Read it back rather than trusting our own bookkeeping: the offset then stays exact.
    this.refresh();
    const stored = this.get(record.id) ?? record;
    for (const listener of this.appendListeners) listener(stored);
    return stored;
  }

  /** Calls `listener` after each message this process appends (the message vectors follow the log this way). */
  onAppend(listener: (record: MessageRecord) => void): void {
    this.appendListeners.push(listener);
  }

  /** Reads lines appended by another process since our last read; returns how many messages are new. */
  refresh(): number {
    // Another process may also have saved the state: read it again on next use.
    this.cachedState = undefined;
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw new MemoryError('io', `could not read ${this.file}: ${(err as Error).message}`);
    }
    const before = this.records.length;
    const shrunk = size < this.offset;
    if (shrunk) {
      this.warn(`${this.file} got shorter (someone edited or replaced it); reading it again from the start`);
      this.reset();
    }
    if (size !== this.offset + this.tailLength) {
      this.dropTailRecord();
      const bytes = this.readFrom(this.offset, size - this.offset);
      let lineStart = 0;
      for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, lineStart)) {
        this.lineNo++;
        this.addLine(bytes.toString('utf8', lineStart, nl), this.offset + lineStart);
        lineStart = nl + 1;
      }
      this.offset += lineStart;
      this.tailLength = bytes.length - lineStart;
      this.hasTail = this.tailLength > 0;
      if (this.hasTail) this.readTail(bytes.toString('utf8', lineStart));
    }
    if (shrunk) this.checkAgainstState();
    return Math.max(0, this.records.length - before);
  }

  /** Bytes after the last newline (see hasTail). */
  private tailLength = 0;

  /**
   * A last line without its newline: a whole record whose newline was lost is kept (no proper prefix of a
   * JSON object parses, so a line still being written cannot pass for one); anything else is a write cut
   * off mid-way, reported and ignored. Either way the next append starts on a fresh line.
   */
  private readTail(text: string): void {
    const record = text.trim() ? parseRecord(text.trim()) : undefined;
    const whole = record !== undefined && record.id > this.lastId();
    if (whole) {
      this.push(record);
      this.tailRecord = true;
    }
    if (this.reported.has(this.offset)) return;
    this.reported.add(this.offset);
    this.warn(
      whole
        ? `${this.file} ends without a newline after message ${record.id}; kept it, and the next message starts on a fresh line`
        : `${this.file} ends with an incomplete line (${this.tailLength} bytes, probably cut off when a process was killed mid-write); ignoring it`,
    );
  }

  private dropTailRecord(): void {
    if (!this.tailRecord) return;
    const last = this.records.pop();
    this.docs.pop();
    this.generation++;
    if (last) this.indexById.delete(last.id);
    this.tailRecord = false;
  }

  /**
   * The next id: after the last message, and never below where the queue starts. A log cut short (emptied,
   * truncated, replaced by an older copy) while state.json still points past its end would otherwise number
   * new messages below the queue's start, and the model would never see them. Ids are never reused.
   */
  private nextId(): number {
    return Math.max(this.lastId(), this.state().firstInContextId - 1) + 1;
  }

  /** Warns when state.json says the queue starts past the end of the log: messages were lost from it. */
  private checkAgainstState(): void {
    const first = this.state().firstInContextId;
    if (first <= this.lastId() + 1) return;
    // Another process may have appended and saved the state since we read the log: look again first.
    this.refresh();
    const again = this.state().firstInContextId;
    if (again <= this.lastId() + 1) return;
    this.warn(
      `${this.file} ends at message ${this.lastId()}, but ${this.stateFile} says the conversation queue starts at message ${again}: ` +
        `messages ${this.lastId() + 1}–${again - 1} and later are missing from the log (it was emptied, cut short or replaced). ` +
        `The summary and the ${this.lastId()} messages left are kept; new messages are numbered from ${again} so the model sees them. ` +
        'Run `memcode doctor` to check the memory folder.',
    );
  }

  all(): readonly MessageRecord[] {
    return this.records;
  }

  get(id: number): MessageRecord | undefined {
    const i = this.indexById.get(id);
    return i === undefined ? undefined : this.records[i];
  }

  /** Whether message `id` may be a search hit under `filter` (roles, exclusions, cut-off, span): what keyword search lets through. */
  isSearchable(id: number, filter: SearchFilter, roles: ReadonlySet<Role>): boolean {
    const i = this.indexById.get(id);
    return i !== undefined && searchable(this.docs[i], filter, roles);
  }

  /**
   * The conversation from message `id` on, in order: messages with id >= `id`, without imported history.
   * Every reader of the conversation queue comes through here, so a conversation imported while a session
   * is open (its records numbered after the queue's start) is never sent to the model as context.
   */
  since(id: number): MessageRecord[] {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return this.records.slice(lo).filter((r) => r.importedFrom === undefined);
  }

  count(): number {
    return this.records.length;
  }

  /** How many messages a search would find each term in (one pass over the log, whatever the number of terms). */
  documentFrequencies(terms: readonly string[]): number[] {
    return documentFrequencies(this.docs, terms);
  }

  /** How often each word is used across the conversation's turns (counted on first use, then kept up to date). */
  wordFrequencies(): WordFrequencies {
    this.words.sync(this.docs, this.generation);
    return this.words;
  }

  /** How many messages a search would look at in `span` (inclusive milliseconds). */
  countWithin(span: TimeSpan): number {
    const roles = new Set<Role>(DEFAULT_SEARCH_ROLES);
    let n = 0;
    for (const doc of this.docs) if (searchable(doc, { within: span }, roles)) n++;
    return n;
  }

  lastId(): number {
    return this.records.length ? this.records[this.records.length - 1].id : 0;
  }

  /**
   * Ranked keyword search over user and assistant messages and tool results (see recallSearch.ts). Dates
   * in the query (queryDates.ts) become a window: its messages come first, the others after, so a date
   * read wrongly costs ranking, never results. A query of nothing but a date lists that date's messages.
   */
  search(query: string, opts: RecallSearchOptions = {}): RecallSearchPage {
    const page = opts.page ?? 1;
    const pageSize = opts.pageSize ?? 5;
    checkPage(page, pageSize);
    const filter = { excludeIds: opts.excludeIds, roles: opts.roles, upToId: opts.upToId };
    const dated = opts.dates === false ? undefined : parseQueryDates(query, opts.reference ?? this.askedAt());
    const window = dated?.window;
    if (!window) {
      const ranked = rankDocs(this.docs, query, filter, page * pageSize);
      return this.page(ranked.top, ranked.total, page, pageSize);
    }
    const rest = dated.query;
    if (!hasKeywords(rest)) {
      const found = this.chronological({ ...filter, within: window });
      // Nothing on that date: the words themselves may still find something ("May release").
      if (found.length === 0) return this.search(query, { ...opts, dates: false });
      return { ...this.page(found, found.length, page, pageSize), window };
    }
    const ranked = rankDocs(this.docs, rest, { ...filter, prefer: { startMs: window.rankStartMs, endMs: window.rankEndMs } });
    const hits = ranked.top;
    const firstOutside = hits.findIndex((i) => !(this.docs[i].timeMs >= window.rankStartMs && this.docs[i].timeMs <= window.rankEndMs));
    const split = firstOutside < 0 ? hits.length : firstOutside;
    // The named dates' own messages follow the keyword hits near them even when no word matches
    // ("what happened on 9 November"); a month of them would bury everything else, so days only.
    const hitSet = new Set(hits);
    const sameDays = window.endMs - window.startMs <= 7 * 86_400_000 ? this.chronological({ ...filter, within: window }).filter((i) => !hitSet.has(i)) : [];
    const order = [...hits.slice(0, split), ...sameDays, ...hits.slice(split)];
    return { ...this.page(order, order.length, page, pageSize), window };
  }

  /**
   * Messages between two dates (YYYY-MM-DD, whole UTC days, or ISO timestamps), inclusive. Oldest first;
   * with a query, those matching it first, best first, then the rest of the range oldest first.
   */
  searchByDate(start: string, end: string, opts: { page?: number; pageSize?: number; query?: string; upToId?: number } = {}): Page<MessageRecord> {
    const within = parseDateRange(start, end);
    const all = this.chronological({ within, upToId: opts.upToId });
    let order = all;
    if (opts.query !== undefined && hasKeywords(opts.query)) {
      const hits = rankDocs(this.docs, opts.query, { within, upToId: opts.upToId }).top;
      const hitSet = new Set(hits);
      order = [...hits, ...all.filter((i) => !hitSet.has(i))];
    }
    const page = paginate(order, opts.page ?? 1, opts.pageSize ?? 5);
    return { ...page, results: page.results.map((i) => this.records[i]) };
  }

  /** Indices of the searchable messages `filter` lets through, oldest first. */
  private chronological(filter: SearchFilter & { within: TimeSpan }): number[] {
    const roles = new Set<Role>(filter.roles ?? DEFAULT_SEARCH_ROLES);
    const found: number[] = [];
    for (let i = 0; i < this.docs.length; i++) if (searchable(this.docs[i], filter, roles) && inSpan(this.docs[i], filter.within)) found.push(i);
    // The log is in append order; with a settable clock that need not be time order.
    found.sort((a, b) => this.docs[a].timeMs - this.docs[b].timeMs || this.docs[a].id - this.docs[b].id);
    return found;
  }

  /** Page `page` of `order` (best first, at least up to that page). */
  private page(order: readonly number[], total: number, page: number, pageSize: number): Page<MessageRecord> {
    const results = order.slice((page - 1) * pageSize, page * pageSize);
    return { total, page, pages: Math.ceil(total / pageSize), results: results.map((i) => this.records[i]) };
  }

  /**
   * The newest id a paged search for `key` ranks: on page 1 the log's newest message, remembered;
   * on later pages the same. A search's own call and result are logged between its pages, and an
   * agent's turn goes on appending; without the cut-off page 2 would repeat page 1's end.
   */
  pagingCutoff(key: string, page: number): number {
    const newest = this.records.length > 0 ? this.records[this.records.length - 1].id : 0;
    const remembered = this.cutoffs.get(key);
    if (page > 1 && remembered !== undefined) return remembered;
    this.cutoffs.delete(key);
    this.cutoffs.set(key, newest);
    // A few searches page at once; the oldest cut-offs go.
    if (this.cutoffs.size > MAX_PAGED_SEARCHES) this.cutoffs.delete(this.cutoffs.keys().next().value!);
    return newest;
  }

  /** When the question now being asked was asked: the person's latest message, else now. */
  askedAt(): Date {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i];
      if (r.role === 'user') {
        const t = Date.parse(r.time);
        if (!Number.isNaN(t)) return new Date(t);
      }
    }
    return this.clock();
  }

  /** The log's clock: what a message appended now would be stamped with. */
  now(): Date {
    return this.clock();
  }

  /** The agent asks for the state several times a step; it changes only through saveState or another process (see refresh). */
  private cachedState?: RecallState;

  state(): RecallState {
    if (this.cachedState) return { ...this.cachedState };
    const fallback = (): RecallState => ({ summary: '', firstInContextId: 1, pressureAlerted: false, updated: this.clock().toISOString() });
    const raw = readJsonFile<Partial<RecallState>>(this.stateFile, { fallback, validate: isRecallState, warn: this.warn });
    const base = fallback();
    this.cachedState = {
      summary: raw.summary ?? base.summary,
      firstInContextId: raw.firstInContextId ?? base.firstInContextId,
      pressureAlerted: raw.pressureAlerted ?? base.pressureAlerted,
      updated: raw.updated ?? base.updated,
    };
    return { ...this.cachedState };
  }

  saveState(patch: Partial<RecallState>): RecallState {
    const next: RecallState = { ...this.state(), updated: this.clock().toISOString(), ...withoutUndefined(patch) };
    writeJsonAtomic(this.stateFile, next);
    this.cachedState = next;
    return { ...next };
  }

  private readFrom(position: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    const fd = fs.openSync(this.file, 'r');
    try {
      let read = 0;
      while (read < length) {
        const n = fs.readSync(fd, buf, read, length - read, position + read);
        if (n === 0) break;
        read += n;
      }
      return read === length ? buf : buf.subarray(0, read);
    } finally {
      fs.closeSync(fd);
    }
  }

  private addLine(text: string, at: number): void {
    const line = text.trim();
    if (!line) return;
    const record = parseRecord(line);
    let problem: string | undefined;
    if (!record) problem = 'is not a message record';
    else if (record.id <= this.lastId()) problem = `repeats or goes back to id ${record.id} (the last was ${this.lastId()})`;
    if (problem || !record) {
      // Reported once, kept on disk: never delete what might be someone's only copy.
      if (!this.reported.has(at)) {
        this.reported.add(at);
        this.warn(`${this.file} line ${this.lineNo} ${problem ?? 'is unreadable'}; skipping it (left in the file)`);
      }
      return;
    }
    this.push(record);
  }

  private push(record: MessageRecord): void {
    this.indexById.set(record.id, this.records.length);
    this.records.push(record);
    this.docs.push(toSearchDoc(record));
  }

  private reset(): void {
    this.records.length = 0;
    this.docs.length = 0;
    this.generation++;
    this.indexById.clear();
    this.offset = 0;
    this.lineNo = 0;
    this.hasTail = false;
    this.tailRecord = false;
    this.tailLength = 0;
  }
}

/** One line of the log as a record, or undefined when the log skips it (the doctor judges lines the same way). */
export function parseRecord(line: string): MessageRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Partial<MessageRecord>;
  if (!Number.isInteger(r.id) || (r.id as number) < 1 || typeof r.role !== 'string' || !ROLES.has(r.role)) return undefined;
  // Lenient about the rest: a message with a missing field is still worth remembering. A malformed
  // optional field is dropped rather than passed on to code that trusts its type.
  const { attachments, ok, editsMemory, block, importedFrom, ...rest } = r;
  const goodAttachments = Array.isArray(attachments) ? attachments.filter(isAttachment) : [];
  return withoutUndefined({
    ...rest,
    id: r.id as number,
    role: r.role,
    session: typeof r.session === 'string' ? r.session : '',
    content: typeof r.content === 'string' ? r.content : '',
    time: typeof r.time === 'string' ? r.time : '',
    tokens: typeof r.tokens === 'number' ? r.tokens : 0,
    attachments: goodAttachments.length ? goodAttachments : undefined,
    ok: typeof ok === 'boolean' ? ok : undefined,
    editsMemory: typeof editsMemory === 'boolean' ? editsMemory : undefined,
    block: typeof block === 'string' ? block : undefined,
    // Any value marks it imported: a damaged marker must not let history into the queue.
    importedFrom: importedFrom === undefined ? undefined : typeof importedFrom === 'string' ? importedFrom : 'unknown',
  });
}

function isAttachment(v: unknown): v is MessageAttachment {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  const line = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) >= 1);
  return typeof a.path === 'string' && typeof a.text === 'string' && line(a.startLine) && line(a.endLine);
}

function toSearchDoc(r: MessageRecord): SearchDoc {
  let text = r.content;
  // Attached code is part of what was said: a search for it finds the message that carried it.
  for (const a of r.attachments ?? []) text += `\n${a.path}\n${a.text}`;
  // What the agent did (commands run, files edited) is worth finding too.
  if (r.toolCalls?.length) text += `\n${r.toolCalls.map((c) => `${c.name} ${c.arguments}`).join('\n')}`;
  return { id: r.id, role: r.role, kind: r.kind, text: text.toLowerCase(), timeMs: Date.parse(r.time), session: r.session };
}

function isRecallState(v: unknown): v is Partial<RecallState> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  return (
    (s.summary === undefined || typeof s.summary === 'string') &&
    (s.firstInContextId === undefined || (Number.isInteger(s.firstInContextId) && (s.firstInContextId as number) >= 1)) &&
    (s.pressureAlerted === undefined || typeof s.pressureAlerted === 'boolean') &&
    (s.updated === undefined || typeof s.updated === 'string')
  );
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
