import assert from 'node:assert/strict';
import { relativeTime } from '../../src/webview/relativeTime';

describe('relative session dates', () => {
  // Local times, as the person's clock shows them.
  const now = new Date(2026, 11, 1, 15, 30);
  const at = (...parts: [number, number, number, number?, number?]) => new Date(parts[0], parts[1], parts[2], parts[3] ?? 0, parts[4] ?? 0).toISOString();

  it('says minutes and hours today, never seconds', () => {
    assert.equal(relativeTime(at(2026, 11, 1, 15, 29, ), now), '1 min ago');
    assert.equal(relativeTime(new Date(now.getTime() - 20_000).toISOString(), now), 'just now');
    assert.equal(relativeTime(at(2026, 11, 1, 13, 10), now), '2 h ago');
  });

  it('says yesterday, a weekday within the week, then the date', () => {
    assert.equal(relativeTime(at(2026, 10, 30, 23, 50), now), 'yesterday');
    assert.equal(relativeTime(at(2026, 10, 27, 9), now), 'Friday');
    assert.equal(relativeTime(at(2026, 2, 3, 9), now), '3 Mar');
    assert.equal(relativeTime(at(2025, 2, 3, 9), now), '3 Mar 2025');
    assert.equal(relativeTime('not a date', now), '');
  });
});
