// Filler turns: the ordinary chatter of coding work (pasted logs, code, questions) that fills the
// context window between planted facts. It never uses the fact grammar, names no service and holds
// no number of five digits, so it cannot answer a question by accident.
import type { Rng } from './rng';

const COMPONENTS = ['worker', 'scheduler', 'reaper', 'poller', 'batcher', 'router'];
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG'];
const VERBS = ['processed batch', 'flushed queue', 'retried job', 'compacted segment', 'renewed lease on shard'];
const ASKS = [
  'Here is the output from the nightly job, anything odd in it?',
  'Pasting the log from my last local run; can you check whether the retries look normal?',
  'This is what the staging box printed before it went quiet. Thoughts?',
];
const CODE_ASKS = [
  'Can you review this helper? I am not sure the loop is right.',
  'Would you split this function up, or is it fine as it is?',
  'Is there a cleaner way to write this?',
];

function logLines(rng: Rng, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = `${String(8 + rng.int(10)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}`;
    lines.push(`${t} ${rng.pick(LEVELS)} ${rng.pick(COMPONENTS)}-${rng.int(9)} ${rng.pick(VERBS)} ${rng.int(999)} in ${rng.int(900)} ms`);
  }
  return lines.join('\n');
}

function codeSnippet(rng: Rng, n: number): string {
  const fn = `${rng.word()}${rng.word().replace(/^./, (c) => c.toUpperCase())}`;
  const body: string[] = [];
  for (let i = 0; i < n; i++) body.push(`  const ${rng.word()} = items[${i % 9}] * ${rng.int(97)} + offset;`);
  return `function ${fn}(items: number[], offset: number): number {\n${body.join('\n')}\n  return items.length;\n}`;
}

/** About `tokens` tokens of chatter (≈ 4 characters a token). */
export function fillerTurn(rng: Rng, tokens: number): string {
  const chars = tokens * 4;
  if (rng.int(2) === 0) return `${rng.pick(ASKS)}\n\n${logLines(rng, Math.max(2, Math.round(chars / 62)))}`;
  return `${rng.pick(CODE_ASKS)}\n\n\`\`\`ts\n${codeSnippet(rng, Math.max(2, Math.round(chars / 48)))}\n\`\`\``;
}
