// The dates a recall query names ("on 9 November", "last Tuesday", "in March", "two weeks ago"), read
// with chrono-node relative to when the question was asked, turned into a time window for ranking.
// The date words are cut from the keyword query: "9 November" must not find "9 out of 10".
import * as chrono from 'chrono-node';

const DAY_MS = 86_400_000;
/**
 * A named day ranks its neighbourhood first, not the day alone: people misremember by a few days and
 * an event is often talked about later. Measured on a long-term conversation benchmark (issue 11),
 * ±7 days took top-10 from 59.6% to 83.5% on questions naming a day.
 */
const DAY_SLACK_MS = 7 * DAY_MS;

export interface DateWindow {
  /** The date words as written in the query, e.g. ["on 9 November"]. */
  matched: string[];
  /** What the words name, inclusive milliseconds (whole UTC days): the day, month, year or range itself. */
  startMs: number;
  endMs: number;
  /** The span whose messages rank first: a named day widened by a week each side, otherwise the same. */
  rankStartMs: number;
  rankEndMs: number;
}

export interface DatedQuery {
  /** The query without its date words (and the preposition in front of them). */
  query: string;
  window?: DateWindow;
}

// Day-first, as in "9/11" → 9 November; ISO dates read the same either way.
const parser = chrono.en.GB;
/**
 * The day-first parser reads a month name followed by a day ("June 30", "March 19th") as month and
 * two-digit year (June 2030); the month-first parser reads it as the day people mean.
 */
const monthFirst = chrono.en.casual;
const MONTH_THEN_NUMBER = /^\p{L}+\.?\s+\d{1,2}(?:st|nd|rd|th)?$/u;

/** Three-letter names ("sun", "sat", "mar") are ordinary words far more often than dates. */
const AMBIGUOUS = /^(?:sun|sat|mon|wed|fri|thu|tue|mar|jan|feb|apr|jun|jul|aug|sep|oct|nov|dec|now|right now)$/i;
/** Months that are also verbs: only a capital makes them dates ("March", not "march on"). */
const VERB_MONTHS = /^(?:march|may)$/;
/** Cut together with the date it introduces, so "since" or "on" do not become search words. */
const PREPOSITION = /(?:\b(?:on|in|since|during|from|between|before|after|around|of|about|at|by)\s+)$/i;

/** Finds the dates in `query`, read relative to `reference` (when it was asked). */
export function parseQueryDates(query: string, reference: Date): DatedQuery {
  if (Number.isNaN(reference.getTime())) return { query };
  // Timezone 0: messages are stamped in UTC and date searches work in whole UTC days.
  const options = { instant: reference, timezone: 0 };
  const results = parser.parse(query, options, { forwardDate: false }).map((r) => {
    if (!MONTH_THEN_NUMBER.test(r.text) || r.start.isCertain('day') || !r.start.isCertain('year')) return r;
    const day = monthFirst.parse(r.text, options, { forwardDate: false })[0];
    return day?.start.isCertain('day') ? Object.assign(day, { index: r.index }) : r;
  });
  const refDay = startOfUtcDay(reference.getTime());
  let window: DateWindow | undefined;
  const cuts: Array<[number, number]> = [];
  for (const r of results) {
    const span = spanOf(r, refDay);
    if (!span) continue;
    window = window
      ? {
          matched: [...window.matched, r.text],
          startMs: Math.min(window.startMs, span.startMs),
          endMs: Math.max(window.endMs, span.endMs),
          rankStartMs: Math.min(window.rankStartMs, span.rankStartMs),
          rankEndMs: Math.max(window.rankEndMs, span.rankEndMs),
        }
      : { matched: [r.text], ...span };
    const before = PREPOSITION.exec(query.slice(0, r.index));
    cuts.push([before ? r.index - before[0].length : r.index, r.index + r.text.length]);
  }
  if (!window) return { query };
  let rest = query;
  for (const [from, to] of cuts.reverse()) rest = `${rest.slice(0, from)} ${rest.slice(to)}`;
  return { query: rest.replace(/\s+/g, ' ').trim(), window };
}

type Span = Omit<DateWindow, 'matched'>;

function spanOf(r: chrono.ParsedResult, refDay: number): Span | undefined {
  if (AMBIGUOUS.test(r.text.trim()) || VERB_MONTHS.test(r.text.trim())) return undefined;
  const s = r.start;
  const has = (c: chrono.Component) => s.isCertain(c);
  // A time of day alone ("at 3pm", "this morning") names no date to search.
  if (!has('day') && !has('weekday') && !has('month') && !has('year')) return undefined;
  let start = Date.UTC(s.get('year') ?? 0, (s.get('month') ?? 1) - 1, s.get('day') ?? 1);
  // Recall asks about the past: chrono picks the nearest match, which for "in March" asked in December
  // or "Friday" asked on a Tuesday is in the future; the one meant is the one before.
  let shiftDays = 0;
  let shiftYears = 0;
  if (start > refDay && !has('year')) {
    if (has('weekday') && !has('day') && !has('month')) shiftDays = -7;
    else if (has('month')) shiftYears = -1;
  }
  start = Date.UTC((s.get('year') ?? 0) + shiftYears, (s.get('month') ?? 1) - 1, s.get('day') ?? 1) + shiftDays * DAY_MS;
  if (r.end) {
    const e = r.end;
    const endYears = e.isCertain('year') ? 0 : shiftYears;
    const end = Date.UTC((e.get('year') ?? 0) + endYears, (e.get('month') ?? 1) - 1, e.get('day') ?? 1) + (shiftDays + 1) * DAY_MS - 1;
    if (end < start) return undefined;
    return { startMs: start, endMs: end, rankStartMs: start, rankEndMs: end };
  }
  if (has('day') || has('weekday')) {
    return { startMs: start, endMs: start + DAY_MS - 1, rankStartMs: start - DAY_SLACK_MS, rankEndMs: start + DAY_MS - 1 + DAY_SLACK_MS };
  }
  const d = new Date(start);
  const end = has('month')
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1
    : Date.UTC(d.getUTCFullYear() + 1, 0, 1) - 1;
  return { startMs: start, endMs: end, rankStartMs: start, rankEndMs: end };
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** "2026-03-02" or "2026-03-02 … 2026-03-04": the UTC days from `startMs` to `endMs`. */
export function describeDays(startMs: number, endMs: number): string {
  const a = new Date(startMs).toISOString().slice(0, 10);
  const b = new Date(endMs).toISOString().slice(0, 10);
  return a === b ? a : `${a} … ${b}`;
}
