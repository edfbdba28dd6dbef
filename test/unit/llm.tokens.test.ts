import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  approximateTokenCounter,
  countTextInPieces,
  countTokens,
  countToolSchemas,
  createTokenCounter,
  exactTokens,
  loadTokenizer,
  MAX_BPE_PIECE_CHARS,
} from '../../src/llm/tokens';
import type { ChatMessage } from '../../src/llm/types';

describe('token counting', () => {
  it('counts plain text plausibly with the o200k tokenizer', () => {
    assert.equal(countTokens('hello world'), 2);
    assert.equal(countTokens(''), 0);
    const paragraph = 'MemCode keeps durable facts in working context and searches recall memory when asked. '.repeat(10);
    const tokens = countTokens(paragraph);
    assert.ok(tokens > paragraph.length / 8 && tokens < paragraph.length / 2, `implausible count ${tokens}`);
  });

  it('counts special-token text such as <|endoftext|> as ordinary text instead of throwing', () => {
    const counter = createTokenCounter();
    const tokens = counter.count('a file that mentions <|endoftext|> and <|im_start|>');
    assert.ok(tokens > 5);
  });

  it('adds message overhead and the tokens of tool calls', () => {
    const counter = createTokenCounter();
    const plain: ChatMessage = { role: 'assistant', content: 'Reading the file.' };
    const withCall: ChatMessage = {
      ...plain,
      toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"src/llm/client.ts","start_line":1}' }],
    };
    const toolResult: ChatMessage = { role: 'tool', content: 'Reading the file.', toolCallId: 'call_1' };

    assert.ok(counter.countMessage(plain) > counter.count(plain.content), 'a message costs more than its text');
    assert.ok(counter.countMessage(withCall) > counter.countMessage(plain) + 10, 'tool-call arguments are counted');
    assert.ok(counter.countMessage(toolResult) > counter.countMessage({ role: 'tool', content: 'Reading the file.' }));
  });

  it('answers a repeated keyed count from the cache without re-encoding', () => {
    const counter = createTokenCounter();
    const message: ChatMessage = { role: 'user', content: 'Remember: tests run with npm test.' };
    const first = counter.countMessage(message, 'msg-1');
    const encodesAfterFirst = counter.stats.encodes;

    const second = counter.countMessage(message, 'msg-1');
    assert.equal(second, first);
    assert.equal(counter.stats.encodes, encodesAfterFirst);
    assert.equal(counter.stats.cacheHits, 1);
  });

  it('recounts when a key is reused for a different message', () => {
    const counter = createTokenCounter();
    const short = counter.countMessage({ role: 'user', content: 'short' }, 'k');
    const long = counter.countMessage({ role: 'user', content: 'a much longer message than the first one was' }, 'k');
    assert.ok(long > short);
  });

  it('keeps the cache within its bound, dropping the oldest entries first', () => {
    let encodes = 0;
    const counter = createTokenCounter({
      cacheLimit: 3,
      countText: (text) => {
        encodes++;
        return text.length;
      },
    });
    for (const key of ['a', 'b', 'c', 'd']) counter.countMessage({ role: 'user', content: `message ${key}` }, key);
    assert.equal(counter.stats.cacheSize, 3);

    const before = encodes;
    counter.countMessage({ role: 'user', content: 'message d' }, 'd');
    assert.equal(encodes, before, 'recent entries stay cached');
    counter.countMessage({ role: 'user', content: 'message a' }, 'a');
    assert.equal(encodes, before + 1, 'the oldest entry was evicted');
  });

  it('offers a chars/4 counter and counts tool schemas', () => {
    const approx = approximateTokenCounter();
    assert.equal(approx.count('12345678'), 2);
    const schemas = countToolSchemas(approx, [
      { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
    ]);
    assert.ok(schemas > 10);
    assert.equal(countToolSchemas(approx, []), 0);
  });
});

describe('token counting on long runs without spaces', () => {
  // Deterministic stand-ins for a DNA line and a CJK paragraph with no punctuation: one BPE piece each.
  const dna = (n: number) => Array.from({ length: n }, (_, i) => 'ACGT'[(i * 7 + i * i) % 4]).join('');
  const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 37) % 2000))).join('');

  it('runs the BPE only on pieces of bounded size, however long the run', () => {
    const pieces: number[] = [];
    const spy = (piece: string) => {
      pieces.push(piece.length);
      return countTokens(piece);
    };
    countTextInPieces(`header ${dna(12_000)} trailer ${'x'.repeat(1_000_000)}`, spy);
    assert.ok(pieces.length > 1);
    assert.ok(Math.max(...pieces) <= MAX_BPE_PIECE_CHARS * 2, `a piece of ${Math.max(...pieces)} characters`);
    assert.ok(pieces.length < 400, `${pieces.length} encodes: a repeated piece is counted once`);
  });

  it('counts a 12,000-letter DNA line, 8,000 CJK characters and a 1 MB one-letter argument in bounded time', () => {
    loadTokenizer();
    // Exact BPE took 19 s, 57 s and 10 minutes on these. The bound is generous (pieces take well under
    // 0.5 s on a loaded 2-core machine); it catches a return to quadratic cost, not a slow machine.
    for (const text of [dna(12_000), cjk(8_000), 'a'.repeat(1_000_000)]) {
      const started = Date.now();
      const n = countTokens(text);
      assert.ok(n > 0);
      assert.ok(Date.now() - started < 3_000, `${text.length} characters took ${Date.now() - started} ms`);
    }
  });

  it('stays close to the exact count: equal on ordinary text, within a few percent on long runs', () => {
    const prose = 'MemCode keeps durable facts in working context and searches recall memory when asked. '.repeat(50);
    assert.equal(countTokens(prose), exactTokens(prose));
    const code = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'memory', 'recall.ts'), 'utf8');
    assert.equal(countTokens(code), exactTokens(code));
    for (const text of [dna(1_500), cjk(1_000)]) {
      const exact = exactTokens(text);
      const pieces = countTokens(text);
      assert.ok(Math.abs(pieces - exact) / exact < 0.05, `${pieces} vs exact ${exact}`);
    }
  });
});
