// F3 "which came first?" (EVAL.md F3): every phrasing parses back to its two options, the oracle answers
// by comparing the days of both dated decisions, and says UNKNOWN (after searching) when it cannot find both.
//   npx mocha --no-config --node-option import=tsx test/eval/order.ci.test.ts
import { strict as assert } from 'node:assert';
import { messageTimeHeader } from '../../src/core/promptSections';
import { CI_SIZES, generateConversation } from './generator';
import { FIRST_QUESTIONS, parseQuestion, parseStatements, type Choice } from './grammar';
import { extractiveSummary, oracleReply } from './oracle';

const ORM: Choice = { topic: 'ORM', value: 'kavit' };
const CACHE: Choice = { topic: 'cache layer', value: 'molun' };
const system = { role: 'system', content: 'Test.\n\n<memory_metadata>\nToday: 2026-03-23\n</memory_metadata>' };
const said = (time: string, content: string) => ({ role: 'user', content: `${messageTimeHeader(time)}${content}` });
const ask = (question: string, ...earlier: object[]) => ({
  messages: [system, ...earlier, said('2026-03-23T09:00:00.000Z', question)],
  tools: ['conversation_search', 'conversation_search_date'].map((name) => ({ type: 'function', function: { name } })),
});

describe('memory eval F3 "which came first?"', () => {
  it('parses every phrasing back to both options, and no phrasing reads as a decision', () => {
    for (const phrase of FIRST_QUESTIONS) {
      const text = phrase(ORM, CACHE);
      assert.deepEqual(parseQuestion(text), { kind: 'first', options: [ORM, CACHE] }, text);
      assert.deepEqual(parseStatements(text), [], text);
    }
  });

  it('answers with the option decided on the earlier day, whichever way round it is asked', () => {
    const dated = [said('2026-03-10T09:00:00.000Z', 'We decided to go with `molun` for the cache layer.'), said('2026-03-04T09:03:00.000Z', 'Decision made: the ORM will be `kavit`.')];
    for (const phrase of FIRST_QUESTIONS) {
      assert.deepEqual(oracleReply(ask(phrase(ORM, CACHE), ...dated), { contextWindow: 8192 }), { text: 'ANSWER: kavit' });
      assert.deepEqual(oracleReply(ask(phrase(CACHE, ORM), ...dated), { contextWindow: 8192 }), { text: 'ANSWER: kavit' });
    }
  });

  it('searches for the decision it cannot see, and never guesses from one date alone', () => {
    const reply = oracleReply(ask(FIRST_QUESTIONS[0](ORM, CACHE), said('2026-03-10T09:00:00.000Z', 'We decided to go with `molun` for the cache layer.')), { contextWindow: 8192 });
    assert.deepEqual(reply, { toolCalls: [{ name: 'conversation_search', arguments: { query: 'kavit ORM' } }] });
    assert.deepEqual(oracleReply({ messages: ask(FIRST_QUESTIONS[1](ORM, CACHE)).messages }, { contextWindow: 8192 }), { text: 'ANSWER: UNKNOWN' });
  });

  it('an automatic-recall line being summarized keeps the day of the message it quotes, not the day it was recalled', () => {
    const transcript = ['[#40 2026-03-17T09:06 system] Possibly relevant memories, found automatically for the next message (check them before relying on them):', '- recall #18 (2026-03-03, user): Decision made: the ORM will be `kavit`.'].join('\n');
    assert.equal(extractiveSummary(transcript, 8192), '[2026-03-03] We decided to go with `kavit` for the ORM (on 2026-03-03).');
  });

  it('the generator asks 3 of them at CI size, on two topics and two days, scored as a choice', () => {
    const { timeline, key } = generateConversation(20260302, CI_SIZES);
    const items = timeline.questions.filter((q) => key[q.id].kind === 'choice');
    assert.equal(items.length, CI_SIZES.F3order);
    for (const q of items) {
      const parsed = parseQuestion(q.text);
      assert.ok(parsed?.kind === 'first', q.text);
      assert.notEqual(parsed.options[0].topic, parsed.options[1].topic);
      assert.deepEqual(key[q.id].options, parsed.options.map((o) => o.value));
      assert.ok(key[q.id].options!.includes(key[q.id].gold[0]));
    }
  });
});
