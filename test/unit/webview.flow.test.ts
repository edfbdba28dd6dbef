import assert from 'node:assert/strict';
import type { TranscriptItem } from '../../src/protocol/shapes';
import { activityText } from '../../src/webview/activity';
import { staleAlert } from '../../src/memory/staleness';
import { personNotice, splitStopped } from '../../src/webview/personWording';
import { staleProblems } from '../../src/webview/staleProblems';
import { withViewOnlyItems } from '../../src/webview/viewOnlyItems';

const TIME = '2026-01-01T00:00:00.000Z';
const user = (id: string, text: string): TranscriptItem => ({ type: 'user', id, text, time: TIME });
const assistant = (id: string, text: string): TranscriptItem => ({ type: 'assistant', id, text, time: TIME });
const error = (id: string, retryable = true): TranscriptItem => ({ type: 'error', id, error: { kind: 'server', message: `failed ${id}`, retryable }, time: TIME });
const warning = (id: string, text: string): TranscriptItem => ({ type: 'notice', id, kind: 'warning', text, time: TIME });

describe('webview activity row wording', () => {
  it('names the file, command or query a running tool works on', () => {
    assert.equal(activityText({ name: 'read_file', args: '{"path":"src/store.ts","start_line":1}' }), 'Reading src/store.ts…');
    assert.equal(activityText({ name: 'run_command', args: '{"command":"npm test"}' }), 'Running npm test…');
    assert.equal(activityText({ name: 'search_files', args: '{"pattern":"TodoStore"}' }), 'Searching the files for “TodoStore”…');
    assert.equal(activityText({ name: 'list_files', args: '{}' }), 'Listing the workspace…');
    assert.equal(activityText({ name: 'edit_file', args: '{"path":"a.txt","old_text":"x","new_text":"y"}' }), 'Editing a.txt…');
    assert.equal(activityText({ name: 'working_context_append', args: '{"block":"project","content":"x"}' }), 'Updating the project notes…');
    assert.equal(activityText({ name: 'archival_memory_search', args: '{"query":"ledger"}' }), 'Searching memory for “ledger”…');
    assert.equal(activityText({ name: 'github__create_issue', args: '{}' }), 'Running github__create_issue…');
  });

  it('reads the path out of almost-JSON arguments and shortens a long command to one line', () => {
    assert.equal(activityText({ name: 'read_file', args: '{"path": "src/a.ts",' }), 'Reading src/a.ts…');
    const long = activityText({ name: 'run_command', args: JSON.stringify({ command: `npm run build && ${'x'.repeat(100)}\necho done` }) });
    assert.ok(long.length <= 'Running '.length + 61, long);
    assert.doesNotMatch(long, /\n/);
  });
});

describe('webview person-facing wording', () => {
  it('says the memory-pressure and step-limit alerts in the person’s terms', () => {
    const pressure = personNotice({ type: 'notice', id: 'n', kind: 'system_alert', time: TIME, text: 'memory pressure: 83% of the context window is used. Older messages will soon be evicted to recall memory; save what matters to working context (or archival memory) now.' });
    assert.match(pressure, /^The context is 83% full/);
    assert.doesNotMatch(pressure, /save what matters|working context/);
    const steps = personNotice({ type: 'notice', id: 'n', kind: 'system_alert', time: TIME, text: 'step limit reached: 25 function-call steps without an answer. Stop calling functions and answer the person now with what you have, saying what is left to do.' });
    assert.match(steps, /^25 tool steps without an answer/);
    assert.equal(personNotice({ type: 'notice', id: 'n', kind: 'eviction', time: TIME, text: '3 older messages moved' }), '3 older messages moved');
  });

  it('says the stale-memory alert (memory/staleness.ts staleAlert) in the person’s terms', () => {
    const entry = { block: 'project', id: 'k3f9ab', text: '- The retry limit is 3', stale: [] };
    const one = personNotice({ type: 'notice', id: 'n', kind: 'system_alert', time: TIME, text: staleAlert([entry]) });
    assert.match(one, /^A memory entry cites code that changed since it was written: MemCode was asked to check/);
    assert.doesNotMatch(one, /read_file|working_context_replace/);
    const two = personNotice({ type: 'notice', id: 'n', kind: 'system_alert', time: TIME, text: staleAlert([entry, { ...entry, id: 'x2' }]) });
    assert.match(two, /^2 memory entries cite code that changed since they were written/);
  });

  it('takes the model’s stop marker off a stopped reply', () => {
    assert.deepEqual(splitStopped('Half an answer\n\n[stopped by the person]'), { text: 'Half an answer', stopped: true });
    assert.deepEqual(splitStopped('A whole answer.'), { text: 'A whole answer.', stopped: false });
  });
});

describe('webview stale problems', () => {
  it('are the retryable errors and retry warnings since the last message, not older ones', () => {
    const items = [
      user('u1', 'first'),
      error('e1'),
      user('u2', 'second'),
      warning('w1', 'the model server answered 500; retry 1 in 1.0 s'),
      warning('w2', 'the server says the model’s window is 8,000 tokens, not 16,000: using 8,000'),
      error('e2'),
      error('e3', false),
    ];
    assert.deepEqual(staleProblems(items), ['w1', 'e2']);
  });
});

describe('webview view-only items across a reload', () => {
  it('puts errors and warnings back after the entry they followed', () => {
    const shown = [user('local-1', 'fix it'), error('local-e'), warning('n1', 'waiting for the model server (20 s)…'), assistant('local-2', 'Done.'), error('local-f')];
    const fresh = [user('m1', 'fix it'), assistant('m2', 'Done.')];
    assert.deepEqual(
      withViewOnlyItems(shown, fresh).map((i) => i.id),
      ['m1', 'local-e', 'n1', 'm2', 'local-f'],
    );
  });

  it('carries nothing into a different conversation', () => {
    const shown = [user('m1', 'old question'), error('e1')];
    assert.deepEqual(withViewOnlyItems(shown, [user('m9', 'another session')]).map((i) => i.id), ['m9']);
    assert.deepEqual(withViewOnlyItems([error('e0')], []).map((i) => i.id), ['e0'], 'an error alone (before any message) stays');
  });

  it('anchors after the right copy of a repeated message', () => {
    const shown = [user('a', 'go on'), assistant('b', 'one'), user('c', 'go on'), error('e')];
    const fresh = [user('m1', 'go on'), assistant('m2', 'one'), user('m3', 'go on')];
    assert.deepEqual(withViewOnlyItems(shown, fresh).map((i) => i.id), ['m1', 'm2', 'm3', 'e']);
  });
});
