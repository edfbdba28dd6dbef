import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLineRange } from '../../src/tools/lineReader';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';

/** What String#split gives for the same text, the way read_file numbers lines. */
function expected(text: string, start: number, end: number, max: number) {
  const all = text === '' ? [] : text.split(/\r?\n/);
  if (all.length && all[all.length - 1] === '') all.pop();
  return { lines: all.slice(start - 1, end).map((l) => ({ text: l.slice(0, max), length: l.length })), total: all.length };
}

describe('readLineRange: lines in bounded chunks', () => {
  after(removeTempWorkspaces);
  const file = (content: string | Buffer) => {
    const abs = path.join(tempWorkspace(), 'f.txt');
    fs.writeFileSync(abs, content);
    return abs;
  };

  it('agrees with splitting the whole text, for every chunk size, across multi-byte characters and CRLF', async () => {
    const texts = ['', '\n', 'one', 'one\n', 'a\r\nb\r\n\r\nc', 'héllo wörld ✓ 𝄞 end\r\nnext 𝄞𝄞\n\nlast', `${'x'.repeat(50)}\r\n${'é'.repeat(40)}\nz\r`];
    for (const text of texts) {
      const abs = file(text);
      for (const chunkBytes of [1, 2, 3, 5, 7, 64]) {
        for (const [start, end] of [[1, 400], [2, 3], [3, 3], [9, 12]]) {
          const got = await readLineRange(abs, start, end, { maxLineChars: 10, chunkBytes });
          assert.deepEqual(got, expected(text, start, end, 10), `${JSON.stringify(text)} chunk ${chunkBytes} lines ${start}-${end}`);
        }
      }
    }
  });

  it('never holds more of a long line than the cut, however the chunks fall', async () => {
    // A line of 20,000 characters read 7 bytes at a time: kept text stays at the cut, the length is whole.
    const abs = file(`short\n${'y'.repeat(20_000)}\nend`);
    const got = await readLineRange(abs, 1, 3, { maxLineChars: 20, chunkBytes: 7 });
    assert.deepEqual(got, { lines: [{ text: 'short', length: 5 }, { text: 'y'.repeat(20), length: 20_000 }, { text: 'end', length: 3 }], total: 3 });
  });

  it('stops when the signal aborts', async () => {
    const abs = file('a\n'.repeat(1000));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readLineRange(abs, 1, 10, { maxLineChars: 10, signal: controller.signal }), { name: 'AbortError' });
  });
});
