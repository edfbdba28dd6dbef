import { strict as assert } from 'node:assert';
import { hitLocation, lineRange } from '../../src/memory/hitLocation';

describe('archival hit locations', () => {
  const time = '2026-03-02T09:15:00.000Z';

  it('names a file chunk by path, lines and symbol', () => {
    assert.equal(hitLocation({ source: 'file', path: 'src/a.ts', startLine: 10, endLine: 40, symbol: 'parseConfig', time }), 'src/a.ts:10-40 parseConfig');
    assert.equal(hitLocation({ source: 'file', path: 'README.md', startLine: 1, endLine: 8, time }), 'README.md:1-8');
  });

  it('names a note by the day it was saved', () => {
    assert.equal(hitLocation({ source: 'note', time }), 'note 2026-03-02');
  });

  it('leaves out lines a record does not have, rather than printing "undefined"', () => {
    assert.equal(hitLocation({ source: 'file', path: 'src/a.ts', time }), 'src/a.ts');
    assert.equal(lineRange({ startLine: 7 }), '7-7');
    assert.equal(lineRange({}), undefined);
  });
});
