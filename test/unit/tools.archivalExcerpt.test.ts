import { strict as assert } from 'node:assert';
import { excerpt } from '../../src/tools/archivalTools';

describe('archival search results in a small window', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `  "key-${String(i).padStart(2, '0')}": "value-${String(i + 100).padStart(3, '0')}",`);
  const text = ['{', ...lines, '}'].join('\n');

  it('keeps every line where the query occurs, with neighbours, and says what was left out', () => {
    const cut = excerpt(text, 'value-105', 200, 'read_file for the rest');
    assert.ok(cut.length < text.length);
    assert.match(cut, /"key-05": "value-105"/);
    assert.match(cut, /…\[\d+ lines left out\]/);
    assert.match(cut, /…\[\d+ more lines: read_file for the rest\]/);
    // The same identifier as a key and, far below, as a value: both places are shown.
    const twice = text.replace('"key-30"', '"value-105"');
    const both = excerpt(twice, 'value-105', 200, 'read_file for the rest');
    assert.match(both, /"key-05": "value-105"/);
    assert.match(both, /"value-105": "value-130"/);
  });

  it('returns short text whole and falls back to the head when the query is not in it', () => {
    assert.equal(excerpt('short', 'x', 100, 'more'), 'short');
    assert.match(excerpt(text, 'nowhere', 50, 'more'), /^\{\n {2}"key-00"[\s\S]*…\[\d+ more characters: more\]$/);
  });
});

describe('archival search excerpts of prose', () => {
  // F5 of the memory eval at full size: the passage ranked for "owner of /v4/disputes" because of the
  // ownership line, but lines repeating the phrase and their neighbours filled the excerpt without it.
  const filler = (i: number) => `The gateway for /internal/x${i} retries with jittered backoff, which keeps the tail latency flat; batch size ${i}.`;
  const body = [
    ...Array.from({ length: 6 }, (_, i) => filler(i)),
    'Before changing /v4/disputes, ask the owner of /v4/disputes for a review; the owner of /v4/disputes signs off on it.',
    ...Array.from({ length: 6 }, (_, i) => filler(10 + i)),
    'Incidents on /v5/disputes page the owner of /v5/disputes first.',
    ...Array.from({ length: 6 }, (_, i) => filler(20 + i)),
    'Ownership note: Gosu Nini owns /v4/disputes.',
    ...Array.from({ length: 6 }, (_, i) => filler(30 + i)),
    'Incidents on /v4/disputes page the owner of /v4/disputes first; when the owner is away, the platform lead covers it.',
    ...Array.from({ length: 6 }, (_, i) => filler(40 + i)),
  ].join('\n');

  it('shows a line holding every query word before the neighbours of lines holding the phrase', () => {
    const cut = excerpt(body, 'owner of /v4/disputes', 500, 'read_file for the rest');
    assert.ok(cut.length < body.length);
    assert.match(cut, /Ownership note: Gosu Nini owns \/v4\/disputes\./);
    assert.match(cut, /Before changing \/v4\/disputes/);
  });

  it('matches a short term only as a whole word', () => {
    const cut = excerpt(body, 'owner of /v4/disputes', 500, 'read_file for the rest');
    const v5 = excerpt(body.replace('Ownership note: Gosu Nini owns /v4/disputes.', filler(99)), 'owner v4', 120, 'more');
    assert.doesNotMatch(v5, /\/v5\/disputes/);
    assert.match(cut, /\/v4\/disputes/);
  });
});
