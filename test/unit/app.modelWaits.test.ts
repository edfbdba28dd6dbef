// What the person is told while the agent waits: for a silent model server (through the observer, so
// the terminal prints it and the chat shows it as a notice) and for the memory folder's lock.
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { openAgent } from '../../src/app/openAgent';
import { TerminalPrinter } from '../../src/cli/printer';
import { acquireLock } from '../../src/memory/lock';
import { memoryRoot } from '../../src/memory/store';
import type { FakeLlm } from '../helpers/fakeLlm';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

function terminal(): { printer: TerminalPrinter; out: () => string; err: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (d) => (outText += d));
  err.on('data', (d) => (errText += d));
  return { printer: new TerminalPrinter({ out, err }), out: () => outText, err: () => errText };
}

describe('waiting, said out loud', function () {
  this.timeout(20_000);
  let llm: FakeLlm;
  let workspace: string;
  beforeEach(async () => ({ llm, workspace } = await startTestEnv()));
  afterEach(() => stopTestEnv(llm));

  const agentWith = (printer: TerminalPrinter, extra: { slowNoticeMs?: number; requestTimeoutMs?: number } = {}) =>
    openAgent({
      workspaceRoot: workspace,
      baseUrl: llm.url,
      model: 'fake-model',
      contextWindow: 16_384,
      approvals: { request: async () => ({ approved: true }) },
      autoRecall: false,
      observer: printer,
      ...extra,
    });

  it('prints "waiting for the model server" on stderr while the server is silent, then the answer on stdout', async () => {
    llm.script({ hangMs: 350, text: 'here at last' });
    const t = terminal();
    await agentWith(t.printer, { slowNoticeMs: 100 }).send('hi');
    t.printer.endReply();
    assert.equal(t.out(), 'here at last\n');
    assert.match(t.err(), /^\[warning\] waiting for the model server \(0\.1 s\)…\n\[warning\] waiting for the model server \(0\.2 s\)…\n/);
  });

  it('fails the turn with the timeout the person set, keeping the message', async () => {
    llm.script({ neverAnswer: true });
    const t = terminal();
    const agent = agentWith(t.printer, { requestTimeoutMs: 300 });
    await assert.rejects(agent.send('are you there?'), /did not answer within 0\.3 s/);
    assert.equal(agent.recall.all().filter((r) => r.role === 'user').length, 1);
  });

  it("prints whom it waits for while another holder has the memory folder's lock", async () => {
    const held = await acquireLock(`${memoryRoot(workspace)}/lock`, { purpose: 'index run' });
    const t = terminal();
    const turn = agentWith(t.printer).send('hi');
    await new Promise((r) => setTimeout(r, 1_300));
    held.release();
    await turn;
    assert.equal(t.err(), `[warning] waiting for the memory folder: in use by index run (pid ${process.pid})…\n`);
  });
});
