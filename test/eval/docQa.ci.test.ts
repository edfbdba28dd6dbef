// F5's handbook at the full size (EVAL.md "Sizes": 100 items, more than the 20 resources): it must not
// contradict itself, or the ceiling falls below 100% and no memory machinery can score. Before the fix
// the near miss `/v${version - 1}/x` was another item's endpoint, with a second owner.
//   npx mocha --no-config --node-option import=tsx test/eval/docQa.ci.test.ts
import { strict as assert } from 'node:assert';
import { DOC_PATH, generateLargeDoc } from './docQa';
import { parseDocQuestion, parseDocStatements } from './docGrammar';

describe('memory eval F5 handbook at full size', function () {
  this.timeout(60_000);

  for (const seed of [31337, 7]) {
    it(`states exactly one owner per asked endpoint and one channel per asked person, the gold ones (seed ${seed})`, () => {
      const { timeline, key } = generateLargeDoc(seed, 100, 8192);
      const statements = parseDocStatements(timeline.files[DOC_PATH]).map((x) => x.s);
      const owners = (endpoint: string) => [...new Set(statements.filter((s) => s.kind === 'owner' && s.endpoint === endpoint).map((s) => s.value))];
      const channels = (person: string) => [...new Set(statements.filter((s) => s.kind === 'oncall' && s.person === person).map((s) => s.value))];
      for (const q of timeline.questions) {
        const parsed = parseDocQuestion(q.text);
        assert.ok(parsed, q.text);
        const gold = key[q.id].gold;
        if (parsed.kind === 'owner') assert.deepEqual(owners(parsed.endpoint), [gold[0]], q.text);
        if (parsed.kind === 'oncall') assert.deepEqual(channels(parsed.person), [gold[0]], q.text);
        if (parsed.kind === 'twohop') {
          assert.deepEqual(owners(parsed.endpoint), [gold[0]], q.text);
          assert.deepEqual(channels(gold[0]), [gold[1]], q.text);
        }
      }
    });
  }
});
