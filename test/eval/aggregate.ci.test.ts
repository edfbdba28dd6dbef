// F7 aggregation (EVAL.md): a set is not known to be complete from what one request happens to show.
// At the full size the working block cannot hold every fact, so a block (or an automatic recall) showed
// some members of a set and the oracle answered with those: F7 3/4 at seed 31337, a failure of the
// oracle, not of the memory.
//   npx mocha --no-config --node-option import=tsx test/eval/aggregate.ci.test.ts
import { strict as assert } from 'node:assert';
import { messageTimeHeader } from '../../src/core/promptSections';
import { AGGREGATE_QUESTIONS, FACT_TEMPLATES } from './grammar';
import { extractiveSummary, oracleReply } from './oracle';

const system = { role: 'system', content: `Test.\n\n<memory_metadata>\nToday: 2026-03-23\n</memory_metadata>` };
const said = (time: string, content: string) => ({ role: 'user', content: `${messageTimeHeader(time)}${content}` });
const tools = (...names: string[]) => names.map((name) => ({ type: 'function', function: { name } }));
const question = AGGREGATE_QUESTIONS[0]('pnpm');
const one = said('2026-03-04T09:00:00.000Z', FACT_TEMPLATES[0]('ledger-svc', 'package manager', 'pnpm'));

describe('memory eval F7 aggregation', () => {
  it('searches before answering a set when it can, even with a member already in view', () => {
    const reply = oracleReply({ messages: [system, one, said('2026-03-23T09:00:00.000Z', question)], tools: tools('conversation_search') }, { contextWindow: 8192 });
    assert.ok('toolCalls' in reply && reply.toolCalls?.[0].name === 'conversation_search', JSON.stringify(reply));
  });

  it('answers with every member it has seen once there is nothing left to search', () => {
    const two = said('2026-03-05T09:00:00.000Z', FACT_TEMPLATES[1]('atlas-api', 'package manager', 'pnpm'));
    const reply = oracleReply({ messages: [system, one, two, said('2026-03-23T09:00:00.000Z', question)] }, { contextWindow: 8192 });
    assert.deepEqual(reply, { text: 'ANSWER: atlas-api, ledger-svc' });
  });

  it('keeps the members found so far when a long search is summarized, ahead of newer facts', () => {
    // The set question is open; its first search found two members stated in March, the next ones
    // brought back a pile of facts about other things, stated later. The summary is small: what was
    // found for the open question is the current state.
    const newer = Array.from({ length: 60 }, (_, i) => `[2026-04-${String(1 + (i % 12)).padStart(2, '0')}] ${FACT_TEMPLATES[0](`other-svc-${i}`, 'dev port', String(30_000 + i))}`);
    const transcript = [
      `[#90 2026-04-13T09:00 user] ${question}`,
      `[#91 2026-04-13T09:00 tool] conversation_search results:`,
      `[2026-03-04] ${FACT_TEMPLATES[0]('ledger-svc', 'package manager', 'pnpm')}`,
      `[2026-03-05] ${FACT_TEMPLATES[0]('atlas-api', 'package manager', 'pnpm')}`,
      `[#92 2026-04-13T09:00 tool] archival_memory_search results:`,
      ...newer,
    ].join('\n');
    const summary = extractiveSummary(transcript, 8192);
    assert.match(summary, /ledger-svc/);
    assert.match(summary, /atlas-api/);
    assert.match(summary, /Open question: /);
    assert.ok(summary.split('\n').length < newer.length, 'still a summary: most newer facts are left out');
  });
});
