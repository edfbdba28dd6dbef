import assert from 'node:assert/strict';
import type { ToolCard } from '../../src/protocol/shapes';
import { errorForPerson, sentenceText, statusWord, toolSentence } from '../../src/webview/toolSentences';

function card(name: string, args: unknown, result?: unknown, status: ToolCard['status'] = result === undefined ? 'running' : 'ok'): ToolCard {
  return {
    callId: 'c1',
    name,
    args: typeof args === 'string' ? args : JSON.stringify(args),
    status,
    ...(result !== undefined ? { result: typeof result === 'string' ? result : JSON.stringify(result) } : {}),
    editsMemory: false,
  };
}

const say = (c: ToolCard, change?: Parameters<typeof toolSentence>[1]) => sentenceText(toolSentence(c, change));
const error = (message: string) => ({ error: message });

describe('tool card sentences', () => {
  it('read_file: the file and the lines read', () => {
    assert.equal(say(card('read_file', { path: 'src/store.ts' })), 'Reading src/store.ts');
    assert.equal(say(card('read_file', { path: 'src/store.ts' }, { path: 'src/store.ts', start_line: 1, end_line: 27, total_lines: 27, content: '…' })), 'Read src/store.ts, lines 1–27');
    assert.equal(say(card('read_file', { path: 'a.ts', start_line: 40 }, { path: 'a.ts', start_line: 40, end_line: 80, total_lines: 300, content: '…' })), 'Read a.ts, lines 40–80 of 300');
    assert.equal(say(card('read_file', { path: 'e.ts' }, { path: 'e.ts', start_line: 1, end_line: 0, total_lines: 0, content: '' })), 'Read e.ts (empty)');
    assert.equal(say(card('read_file', { path: 'nope.ts' }, error('file "nope.ts" not found'), 'error')), 'Could not read nope.ts — failed');
    const parts = toolSentence(card('read_file', { path: 'src/store.ts' }, { start_line: 5, end_line: 9, total_lines: 9, content: '' }));
    assert.deepEqual(parts[1], { file: 'src/store.ts', line: 5 }, 'the file is a link to the first line read');
  });

  it('search_files: the pattern as code and how many files matched', () => {
    const matches = [
      { path: 'src/a.ts', line: 1, text: 'class TodoStore' },
      { path: 'src/a.ts', line: 9, text: 'new TodoStore()' },
      { path: 'src/b.ts', line: 3, text: 'TodoStore' },
      { path: 'test/c.ts', line: 2, text: 'TodoStore' },
    ];
    assert.equal(say(card('search_files', { pattern: 'TodoStore' }, { matches, total: 4, truncated: false })), 'Searched for `TodoStore` — 3 files');
    assert.equal(say(card('search_files', { pattern: 'x', glob: '*.ts' }, { matches: [], total: 0, truncated: false })), 'Searched for `x` in `*.ts` — no matches');
    assert.equal(say(card('search_files', { pattern: 'x' }, { matches: [matches[0]], total: 90, truncated: true })), 'Searched for `x` — 1 file+');
  });

  it('run_command: the command and its exit code, or what stopped it', () => {
    assert.equal(say(card('run_command', { command: 'npm test' })), 'Running `npm test`');
    assert.equal(say(card('run_command', { command: 'npm test' }, { exit_code: 0, output: 'ok', timed_out: false })), 'Ran `npm test` — exit 0');
    assert.equal(say(card('run_command', { command: 'npm test' }, { exit_code: null, output: '', timed_out: true })), 'Ran `npm test` — timed out');
    assert.equal(say(card('run_command', { command: 'make' }, { exit_code: null, signal: 'SIGKILL', output: '', timed_out: false })), 'Ran `make` — stopped by SIGKILL');
    assert.equal(say(card('run_command', { command: 'rm -rf x' }, error('the person rejected the command: no reason given'), 'error')), 'Did not run `rm -rf x` — rejected');
    assert.equal(say(card('run_command', { command: 'a\nb' })), 'Running `a …`', 'a multi-line command on one line');
  });

  it('edits: the file with +/− lines, created files, rejections with their reason', () => {
    assert.equal(say(card('edit_file', { path: 'src/x.ts', old_text: 'a', new_text: 'b' })), 'Editing src/x.ts');
    assert.equal(say(card('edit_file', { path: 'src/x.ts' }, { ok: true, path: 'src/x.ts', line: 3, removed_lines: 1, added_lines: 3 })), 'Edited src/x.ts +3 −1');
    assert.equal(say(card('edit_file', { path: 'src/x.ts' }, { ok: true, line: 3, removed_lines: 1, added_lines: 3 }), { path: 'src/x.ts', added: 4, removed: 2, undone: true }), 'Edited src/x.ts +4 −2 (undone)', 'the applied change wins');
    assert.equal(say(card('write_file', { path: 'new.ts', content: 'x' }, { ok: true, path: 'new.ts', created: true, lines: 12 })), 'Created new.ts +12 −0');
    assert.equal(say(card('write_file', { path: 'a.ts' }, { ok: true, path: 'a.ts', unchanged: true })), 'Left a.ts as it was (same content)');
    assert.equal(say(card('edit_file', { path: 'a.ts' }, error('the person rejected the edit: keep it'), 'error')), 'Edit to a.ts rejected: keep it');
    assert.equal(say(card('edit_file', { path: 'a.ts' }, error('old_text was found 0 times in "a.ts"'), 'error')), 'Could not edit a.ts — failed');
  });

  it('memory tools in the person’s words', () => {
    assert.equal(say(card('working_context_append', { block: 'project', content: 'x' })), 'Adding to project notes');
    assert.equal(say(card('working_context_replace', { block: 'user', old_text: 'a', new_text: 'b' }, { ok: true })), 'Changed user preferences');
    assert.equal(say(card('working_context_rewrite', { block: 'deploy', content: 'x' }, { ok: true })), 'Rewrote deploy notes');
    assert.equal(say(card('working_context_append', { block: 'project', content: 'x' }, error('the person rejected the memory edit: not worth keeping'), 'error')), 'Change to project notes rejected: not worth keeping');
    assert.equal(say(card('working_context_append', { block: 'project', content: 'x' }, error('block is full'), 'error')), 'Could not update project notes — failed');
    assert.equal(say(card('archival_memory_insert', { content: 'x' }, { ok: true })), 'Saved a note to archival memory');
    assert.equal(say(card('archival_memory_search', { query: 'ledger' }, { results: [{}, {}] })), 'Searched archival memory for `ledger` — 2 results');
    assert.equal(say(card('conversation_search', { query: 'deploy' }, { results: [] })), 'Searched the conversation for `deploy` — nothing found');
    assert.equal(say(card('conversation_search_date', { start_date: '2026-03-02', end_date: '2026-03-04' }, { results: [{}] })), 'Looked up the conversation from 2026-03-02 to 2026-03-04 — 1 message');
  });

  it('MCP tools, listings and anything unknown', () => {
    assert.equal(say(card('mcp_echo_add', { a: 1 }, 'the sum is 3')), 'Called `echo_add` (MCP)');
    assert.equal(say(card('mcp_echo_add', { a: 1 }, error('the person rejected the tool call: no'), 'error')), 'Did not call `echo_add` (MCP) — rejected');
    assert.equal(say(card('list_files', {}, { path: '.', entries: ['a.ts', 'src/'], truncated: false })), 'Listed the workspace — 2 entries');
    assert.equal(say(card('list_files', { path: 'src', recursive: true }, { path: 'src', entries: ['src/a.ts'], truncated: false })), 'Listed everything in src — 1 entry');
    assert.equal(say(card('frobnicate', '{not json')), 'Calling `frobnicate`');
  });

  it('a stopped call says stopped, not the model-facing "cancelled"', () => {
    assert.equal(say(card('read_file', { path: 'a.ts' }, error('cancelled'), 'error')), 'Could not read a.ts — stopped');
    assert.equal(errorForPerson('cancelled: the person stopped the agent'), 'Stopped before it finished.');
    assert.equal(errorForPerson('the person rejected the edit: no reason given'), 'You rejected it.');
    assert.equal(errorForPerson('the person rejected the command: use pnpm'), 'You rejected it: use pnpm');
    assert.equal(errorForPerson('file "x" not found'), 'file "x" not found');
  });

  it('a status word read after the sentence', () => {
    assert.equal(statusWord({ status: 'running' }, true), 'waiting for your approval');
    assert.equal(statusWord({ status: 'running' }, false), 'running');
    assert.equal(statusWord({ status: 'ok' }, false), 'done');
    assert.equal(statusWord({ status: 'error' }, false), 'failed');
    assert.equal(statusWord({ status: 'error' }, false, 'the person rejected the edit: no'), '', 'the sentence says "rejected" already');
    assert.equal(statusWord({ status: 'error' }, false, 'cancelled'), '');
  });
});
