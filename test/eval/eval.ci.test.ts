// The memory eval's CI gates (EVAL.md) as a mocha test:
//   npx mocha --no-config --node-option import=tsx --timeout 180000 test/eval/eval.ci.test.ts
// In the default spec (npm test); the results go to a temp folder so the committed results.md stays as run.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from './run';

describe('memory eval (oracle, CI size)', function () {
  this.timeout(180_000);

  it('passes every gate (full ≥ 95% on F1–F5 and F7, F6 = 100%, none ≤ 40%, empty memory answers UNKNOWN, ceiling = 100%)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-eval-ci-'));
    try {
      const code = await main(['--ci', '--out', out, '--trace', path.join(out, 'trace.jsonl')]);
      assert.equal(code, 0, fs.readFileSync(path.join(out, 'results.md'), 'utf8'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
