import { strict as assert } from 'node:assert';
import { describeDays, parseQueryDates } from '../../src/memory/queryDates';

const day = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`);
const endOf = (ymd: string) => day(ymd) + 86_400_000 - 1;
const WEEK = 7 * 86_400_000;

describe('dates in a recall query', () => {
  // A Tuesday.
  const december = new Date('2026-12-15T10:00:00Z');

  it('reads "on 9 November" asked in December as 9 November of that year, ranking the week around it first', () => {
    const d = parseQueryDates('what happened on 9 November', december);
    assert.ok(d.window);
    assert.deepEqual(d.window.matched, ['on 9 November']);
    assert.equal(d.window.startMs, day('2026-11-09'));
    assert.equal(d.window.endMs, endOf('2026-11-09'));
    assert.equal(d.window.rankStartMs, day('2026-11-09') - WEEK);
    assert.equal(d.window.rankEndMs, endOf('2026-11-09') + WEEK);
    assert.equal(d.query, 'what happened', 'the date words (and their "on") are no longer keywords');
  });

  it('reads "last Tuesday" as the Tuesday of the week before', () => {
    const d = parseQueryDates('what did we deploy last Tuesday?', december);
    assert.equal(d.window?.startMs, day('2026-12-08'));
    assert.equal(d.query, 'what did we deploy ?');
  });

  it('reads a month as the whole month, and a month still to come this year as last year\'s', () => {
    const d = parseQueryDates('the ledger rename in March', december);
    assert.equal(d.window?.startMs, day('2026-03-01'));
    assert.equal(d.window?.endMs, endOf('2026-03-31'));
    assert.equal(d.window?.rankStartMs, d.window?.startMs, 'a month is not widened');
    assert.equal(d.query, 'the ledger rename');
    const inJanuary = parseQueryDates('in March', new Date('2027-01-10T12:00:00Z'));
    assert.equal(inJanuary.window?.startMs, day('2026-03-01'), 'March asked in January is the March before, not the one after');
  });

  it('reads "yesterday", "two weeks ago", a weekday and a range against the time asked', () => {
    assert.equal(parseQueryDates('yesterday', december).window?.startMs, day('2026-12-14'));
    assert.equal(parseQueryDates('the port two weeks ago', december).window?.startMs, day('2026-12-01'));
    assert.equal(parseQueryDates('since Friday', december).window?.startMs, day('2026-12-11'), 'the Friday before, not the one coming');
    const range = parseQueryDates('from 2 March to 4 March', december).window;
    assert.equal(range?.startMs, day('2026-03-02'));
    assert.equal(range?.endMs, endOf('2026-03-04'));
  });

  it('reads a month name followed by a number as that day ("June 30" is 30 June, not June 2030), and a year after it as a year', () => {
    const june = parseQueryDates('what did Jon do on June 30?', december).window;
    assert.equal(june?.startMs, day('2026-06-30'));
    assert.equal(june?.endMs, endOf('2026-06-30'));
    assert.equal(parseQueryDates('the March 19th release', december).window?.startMs, day('2026-03-19'));
    assert.equal(parseQueryDates('what shipped in June 2023', december).window?.endMs, endOf('2023-06-30'), 'a four-digit year stays a year');
    assert.equal(parseQueryDates('on 9/11', december).window?.startMs, day('2026-11-09'), 'numbers alone still read day first');
  });

  it('leaves a question without dates unchanged, and does not read words or numbers as dates', () => {
    for (const q of ['why postgres for the ledger?', '9 out of 10 tests pass', 'the sun test', 'may I see the march plan', 'at 3pm the build broke']) {
      const d = parseQueryDates(q, december);
      assert.equal(d.window, undefined, q);
      assert.equal(d.query, q);
    }
  });

  it('reads nothing against a time it cannot read', () => {
    assert.deepEqual(parseQueryDates('on 9 November', new Date(NaN)), { query: 'on 9 November' });
  });

  it('describes a span as its UTC days', () => {
    assert.equal(describeDays(day('2026-03-02'), endOf('2026-03-04')), '2026-03-02 … 2026-03-04');
    assert.equal(describeDays(day('2026-03-02'), endOf('2026-03-02')), '2026-03-02');
  });
});
