// The real-model path of `npm run eval -- --base-url URL --model M`, end to end, offline: a fakeLlm
// server plays an OpenAI-compatible model (the oracle policy answers chat requests; a contains-rule
// answers the judge's yes/no prompts), so the recording proxy, the trace, rules-first scoring and the
// judge for undecided items all run. Aggregation answers are phrased without the "ANSWER:" prefix, so
// the rules cannot decide them and the judge must.
//   npx mocha --no-config --node-option import=tsx --timeout 180000 test/eval/realModel.ci.test.ts
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeLlm, type FakeLlm, type FakeReply } from '../helpers/fakeLlm';
import { contentText, lastUserIndex, messageText } from './evidence';
import { parseQuestion } from './grammar';
import { oracleReply } from './oracle';
import { main } from './run';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON */

const WINDOW = 8192;
const JUDGE = /Answer yes or no only\.$/;

const isJudge = (body: any) => body?.messages?.length === 1 && JUDGE.test(contentText(body.messages[0]));

/** The judge's verdict, as a strict model would give it: the correct answer's parts all in the response, or an abstention on an unanswerable question. */
function judgeReply(prompt: string): FakeReply {
  const response = prompt.match(/Model Response: ([\s\S]*?)\n\n(?:Is|Does) the model/)?.[1] ?? '';
  if (/unanswerable question/.test(prompt)) return { text: /UNKNOWN|don't know/i.test(response) ? 'yes' : 'no' };
  const gold = prompt.match(/Correct Answer: (.*)\n/)?.[1] ?? '';
  return { text: gold.split(', ').every((g) => response.toLowerCase().includes(g.toLowerCase())) ? 'yes' : 'no' };
}

/** The oracle as a real model might speak: aggregation answers in a sentence, without the ANSWER: prefix. */
function modelReply(body: any): FakeReply {
  if (isJudge(body)) return judgeReply(contentText(body.messages[0]));
  const reply = oracleReply(body, { contextWindow: WINDOW });
  const messages = body?.messages ?? [];
  const turn = lastUserIndex(messages);
  const question = turn >= 0 ? parseQuestion(messageText(messages[turn])) : undefined;
  if (question?.kind === 'aggregate' && 'text' in reply && reply.text?.startsWith('ANSWER: ') && !reply.text.includes('UNKNOWN')) {
    return { text: `Those would be ${reply.text.slice('ANSWER: '.length)}.` };
  }
  return reply;
}

describe('memory eval, real-model path (--base-url) against a fake OpenAI-compatible server', function () {
  this.timeout(180_000);
  let server: FakeLlm;
  let out: string;

  before(async () => {
    server = await startFakeLlm({ policy: ({ body }) => modelReply(body) });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-eval-real-'));
  });
  after(async () => {
    await server.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('goes through the recording proxy, traces every request, scores by rules first and asks the judge only what the rules leave open', async () => {
    const trace = path.join(out, 'trace.jsonl');
    const code = await main(['--base-url', server.url, '--model', 'fake-real', '--modes', 'full', '--timelines', 'conversation', '--out', out, '--trace', trace]);
    assert.equal(code, 0);
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));

    // The table: every family of the conversational timeline, the real model named as the backend.
    assert.match(md, /backend: real model fake-real/);
    for (const family of ['F1', 'F2', 'F3', 'F6', 'F7']) assert.match(md, new RegExp(`^\\| ${family} \\| \\d+ \\| \\d+%`, 'm'), `${family} row`);
    assert.deepEqual(
      json.table.map((r: any) => r.family),
      ['F1', 'F2', 'F3', 'F6', 'F7'],
    );

    // The judge: the F7 sentences were undecided by the rules and judged correct; agreement on the rest is reported.
    const f7 = json.questions.filter((q: any) => q.family === 'F7' && q.mode === 'full');
    assert.ok(f7.length > 0);
    assert.ok(json.judge.judged >= f7.length, `judged ${json.judge.judged}`);
    assert.ok(f7.every((q: any) => q.correct === true && !q.answer.startsWith('ANSWER')), JSON.stringify(f7));
    assert.equal(json.judge.compared, json.questions.filter((q: any) => q.mode === 'full').length - json.judge.judged);
    assert.equal(json.judge.agreedWithRules, json.judge.compared, 'a strict judge agrees with the rules on every decided item');
    assert.match(md, new RegExp(`LLM judge: ${json.judge.judged} undecided items judged; agreement with the rules on decided items: ${json.judge.compared}/${json.judge.compared}`));

    // The trace: one JSON line per request the runner made (through the proxy); the judge's and the reachability check's go straight to the server.
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const chat = server.requests.filter((r) => r.path === '/v1/chat/completions');
    const judged = chat.filter((r) => isJudge(r.body)).length;
    assert.equal(judged, json.questions.filter((q: any) => q.mode === 'full').length, 'one judge request per scored item');
    assert.equal(lines.length, chat.length - judged);
    assert.ok(lines.every((l) => l.mode === 'full' && l.timeline === 'conversation' && ['plant', 'question'].includes(l.phase) && l.path === '/v1/chat/completions'));
    assert.ok(lines.some((l) => l.kind === 'summary'), 'summarizer requests are traced and labelled');
    assert.ok(lines.filter((l) => l.phase === 'question').every((l) => Array.isArray(l.messages)), 'question-turn lines carry the request');
    // The proxy recorded what the model said: the final answers are in the trace.
    assert.ok(lines.some((l) => l.phase === 'question' && /^Those would be /.test(l.reply?.text ?? '')));
  });
});
