import { strict as assert } from 'node:assert';
import { MainContext } from '../../src/core/mainContext';
import { countTokens, createTokenCounter } from '../../src/llm/tokens';
import type { MessageRecord } from '../../src/memory/types';

const record = (id: number, fields: Partial<MessageRecord>): MessageRecord =>
  ({ id, session: 's-1', role: 'user', kind: 'message', content: '', time: '2026-03-02T09:00:00.000Z', tokens: 0, ...fields }) as MessageRecord;
const input = (queue: MessageRecord[]) => ({ instructions: 'You are MemCode.', tools: [], metadata: { today: '2026-03-02' }, summary: '', queue });

describe('main context', () => {
  it('reuses the token count stored with each record instead of running its text through the tokenizer again', () => {
    const counted: string[] = [];
    const counter = createTokenCounter({ countText: (t) => (counted.push(t), countTokens(t)) });
    const content = (i: number) => `Message ${i}: the ledger service reconciles nightly and reports drift to #ops. `.repeat(20);
    const queue = Array.from({ length: 40 }, (_, i) => {
      const role = i % 2 ? 'assistant' : 'user';
      const text = content(i);
      return record(i + 1, { role, content: text, tokens: createTokenCounter().countMessage({ role, content: text }) });
    });
    const fresh = new MainContext(counter, 128_000, 4_096).assemble(input(queue));
    assert.ok(!counted.some((t) => t.includes('the ledger service')), 'no stored message was recounted');

    const recounted = new MainContext(createTokenCounter(), 128_000, 4_096).assemble(input(queue.map((r) => ({ ...r, tokens: 0 }))));
    const diff = Math.abs(fresh.usage.queue - recounted.usage.queue);
    assert.ok(diff <= queue.length, `stored counts give ${fresh.usage.queue}, recounting ${recounted.usage.queue}`);
  });

  it('recounts a record whose stored count cannot be right for its length (a hand-edited line)', () => {
    const counter = createTokenCounter();
    const text = 'word '.repeat(2_000);
    const usage = new MainContext(counter, 128_000, 4_096).assemble(input([record(1, { role: 'assistant', content: text, tokens: 3 })])).usage;
    assert.ok(usage.queue > 1_000, `counted ${usage.queue}`);
  });
});
