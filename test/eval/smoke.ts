// The smoke subset (EVAL.md "Runner"): a few questions replayed through real `memcode chat` processes
// (dist/cli.js) instead of the in-process core: `--memory full --tools memory`, MEMCODE_NOW per turn,
// `--new` at each session boundary, `.memcode` snapshotted after planting and restored before each
// question. Only the turns that plant the chosen questions' facts are replayed, each session's in one
// process after another (a process costs ~2 s to start on 2 busy cores). The harness picks them with the answer key; the oracle never sees it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli } from '../helpers/cli';
import type { AnswerKey, Family, Timeline } from './generator';
import type { Backend, ModeRun, QuestionRun } from './runner';

export const SMOKE_MODE = 'smoke (memcode chat)';
/** Which questions, by family: two cross-session facts, one update, one abstention. */
export const SMOKE_PICK: Partial<Record<Family, number>> = { F1: 2, F2: 1, F6: 1 };

export interface SmokeRun extends ModeRun {
  processes: number;
  seconds: number;
}

export function cliAvailable(): boolean {
  return fs.existsSync(CLI);
}

function pick(timeline: Timeline, key: AnswerKey): string[] {
  const ids: string[] = [];
  for (const [family, n] of Object.entries(SMOKE_PICK) as Array<[Family, number]>) {
    ids.push(...timeline.questions.filter((q) => q.family === family).map((q) => q.id).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).slice(0, n));
  }
  return ids.filter((id) => key[id]);
}

export async function runSmoke(timeline: Timeline, key: AnswerKey, backend: Backend, contextWindow: number): Promise<SmokeRun> {
  const started = Date.now();
  const ids = pick(timeline, key);
  const values = ids.flatMap((id) => [...key[id].gold, ...(key[id].stale ?? [])]);
  const workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-eval-smoke-')));
  const memoryDir = path.join(workspace, '.memcode');
  const snapshot = `${workspace}.snapshot`;
  let processes = 0;
  const chat = async (text: string, now: string, fresh: boolean) => {
    processes++;
    const args = ['chat', '-C', workspace, '-m', text, '--memory', 'full', '--tools', 'memory', '--model', backend.model, '--context-window', String(contextWindow), ...(fresh ? ['--new'] : [])];
    const run = await runCli(args, { MEMCODE_BASE_URL: backend.url, MEMCODE_NOW: now });
    if (run.code !== 0) throw new Error(`memcode chat exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return run.stdout.trim();
  };
  try {
    // The sessions holding a chosen question's gold or stale value, in order, with only those turns.
    for (const session of timeline.sessions) {
      const planted = session.turns.filter((t) => values.some((v) => t.text.includes(`\`${v}\``)));
      for (const [ti, turn] of planted.entries()) await chat(turn.text, new Date(Date.parse(session.start) + ti * 180_000).toISOString(), ti === 0);
    }
    if (fs.existsSync(memoryDir)) fs.cpSync(memoryDir, snapshot, { recursive: true });
    const questions: QuestionRun[] = [];
    for (const q of timeline.questions.filter((x) => ids.includes(x.id))) {
      fs.rmSync(memoryDir, { recursive: true, force: true });
      if (fs.existsSync(snapshot)) fs.cpSync(snapshot, memoryDir, { recursive: true });
      const from = backend.requests.length;
      const run: QuestionRun = { id: q.id, mode: SMOKE_MODE, timeline: timeline.name, reply: '', requests: [], toolCalls: 0 };
      try {
        run.reply = await chat(q.text, timeline.askedAt, true);
      } catch (err) {
        run.error = err instanceof Error ? err.message : String(err);
      }
      run.requests = backend.requests
        .slice(from)
        .filter((r) => r.path.endsWith('/chat/completions'))
        .map((r) => ({ body: r.body, reply: backend.replies.get(r.body) }));
      run.toolCalls = run.requests.reduce((n, r) => n + (r.reply && 'toolCalls' in r.reply ? r.reply.toolCalls.length : 0), 0);
      questions.push(run);
    }
    return { mode: SMOKE_MODE, timeline: timeline.name, questions, blocks: '', plantRequests: 0, plantMs: 0, processes, seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(snapshot, { recursive: true, force: true });
  }
}
