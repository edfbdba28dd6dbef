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
