// The agent's own wording is written for the model ("save what matters to working context now", a reply
// marked "[stopped by the person]"); the chat says the same things to the person in their terms.
import type { TranscriptItem } from '../protocol/shapes';

const STOPPED = /\n*\[stopped by the person\]\s*$/;

/** A reply the person stopped: its text without the model's marker, and whether it was stopped. */
export function splitStopped(text: string): { text: string; stopped: boolean } {
  return STOPPED.test(text) ? { text: text.replace(STOPPED, ''), stopped: true } : { text, stopped: false };
}

/** The text a notice shows the person. */
export function personNotice(item: Extract<TranscriptItem, { type: 'notice' }>): string {
  if (item.kind !== 'system_alert') return item.text;
  const pressure = /^memory pressure: (\d+)% of the context window is used/.exec(item.text);
  if (pressure) return `The context is ${pressure[1]}% full: older messages will soon move to recall memory, where they stay searchable. MemCode was asked to note what matters first.`;
  const steps = /^step limit reached: (\d+) function-call steps/.exec(item.text);
  if (steps) return `${steps[1]} tool steps without an answer: MemCode was asked to answer now with what it has (memcode.maxSteps).`;
  const stale = /^(An entry|(\d+) entries) of your memory cites? code that changed since/.exec(item.text);
  if (stale) {
    const what = stale[2] ? `${stale[2]} memory entries cite` : 'A memory entry cites';
    return `${what} code that changed since ${stale[2] ? 'they were' : 'it was'} written: MemCode was asked to check against the code and update ${stale[2] ? 'them' : 'it'} (Memory shows which).`;
  }
  return item.text;
}
