import assert from 'node:assert/strict';
import { withAttachments } from '../../src/memory/messageContent';
import { splitAttachments, toSessionSummary, toTranscript } from '../../src/host/transcript';
import { NEW_SESSION_TITLE } from '../../src/memory/sessions';
import { toChatError } from '../../src/host/chatErrors';
import { LlmError } from '../../src/llm/types';
import { MemoryError, type MessageRecord } from '../../src/memory/types';

const at = (id: number, fields: Partial<MessageRecord>): MessageRecord => ({ id, session: 's1', role: 'user', content: '', time: '2026-01-01T00:00:00Z', tokens: 1, ...fields });

describe('host transcript', () => {
  it('gives the model attached editor text and shows the person only what they typed plus references', () => {
    const message = withAttachments('why does this fail?', [
      { path: 'src/a.ts', startLine: 3, endLine: 5, text: 'const x = ```not a fence```;' },
      { path: 'README.md', text: '# Title\n```sh\nnpm test\n```' },
    ]);
    assert.match(message, /const x = ```not a fence```;/);
    assert.deepEqual(splitAttachments(message), {
      text: 'why does this fail?',
      attachments: [{ path: 'src/a.ts', startLine: 3, endLine: 5 }, { path: 'README.md' }],
    });
  });

  it('shows a reply cut short by Stop with a note, not the model-facing "[stopped by the person]"', () => {
    const [item] = toTranscript([at(1, { role: 'assistant', content: 'Half an answer\n\n[stopped by the person]' })]);
    assert.deepEqual(item, { type: 'assistant', id: 'm1', text: 'Half an answer\n\n*— stopped*', time: '2026-01-01T00:00:00Z' });
    const [quoted] = toTranscript([at(2, { role: 'assistant', content: 'The agent writes "[stopped by the person]" when cut.' })]);
    assert.equal(quoted.type === 'assistant' && quoted.text, 'The agent writes "[stopped by the person]" when cut.', 'only the mark at the end');
  });

  it('leaves a message that merely mentions "Attached" alone', () => {
    assert.deepEqual(splitAttachments('see below\n\nAttached is my plan'), { text: 'see below\n\nAttached is my plan', attachments: [] });
  });

  it('shows attachments stored as a field of the message, and those of older records written into its text, alike', () => {
    const attachments = [{ path: 'src/a.ts', startLine: 3, endLine: 5, text: 'const x = 1;' }, { path: 'README.md', text: '# Title' }];
    const [current] = toTranscript([at(1, { content: 'why does this fail?', attachments })]);
    const [old] = toTranscript([at(1, { content: withAttachments('why does this fail?', attachments) })]);
    const expected = { type: 'user', id: 'm1', text: 'why does this fail?', time: '2026-01-01T00:00:00Z', attachments: [{ path: 'src/a.ts', startLine: 3, endLine: 5 }, { path: 'README.md' }] };
    assert.deepEqual(current, expected);
    assert.deepEqual(old, expected);
  });

  it('completes tool cards from the outcome their result records carry, not from the tool name', () => {
    const call = (id: string, name: string, args: string) => ({ id, name, arguments: args });
    const items = toTranscript([
      at(1, { role: 'assistant', content: '', toolCalls: [call('c1', 'working_context_append', '{"block":"project","content":"x"}'), call('c2', 'note_to_self', '{"block":"task"}'), call('c3', 'read_file', '{"path":"a"}')] }),
      // Over its limit: the memory tool failed, so nothing was updated, whatever its name says.
      at(2, { role: 'tool', toolCallId: 'c1', name: 'working_context_append', content: '{"error":"over its limit"}', ok: false, editsMemory: false, block: 'project' }),
      // A tool the host has never heard of that declares it edits memory.
      at(3, { role: 'tool', toolCallId: 'c2', name: 'note_to_self', content: 'saved', ok: true, editsMemory: true, block: 'task' }),
      // A successful result that happens to start like an error.
      at(4, { role: 'tool', toolCallId: 'c3', name: 'read_file', content: '{"error": "a line of the file"}', ok: true, editsMemory: false }),
    ]);
    const cards = items.flatMap((i) => (i.type === 'tool' ? [i.card] : []));
    assert.deepEqual(cards.map((c) => [c.name, c.status, c.editsMemory, c.block]), [
      ['working_context_append', 'error', false, 'project'],
      ['note_to_self', 'ok', true, 'task'],
      ['read_file', 'ok', false, undefined],
    ]);
  });

  it('shows a call without a result yet as running, editing nothing so far', () => {
    const [item] = toTranscript([at(1, { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'working_context_append', arguments: '{"block":"project"}' }] })]);
    assert.deepEqual(item.type === 'tool' && [item.card.status, item.card.editsMemory, item.card.block], ['running', false, undefined]);
  });

  it('turns tool calls into cards completed by their results, marking memory edits', () => {
    const items = toTranscript([
      at(1, { content: 'remember npm test' }),
      at(2, { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'working_context_append', arguments: '{"block":"project","content":"npm test"}' }] }),
      at(3, { role: 'tool', toolCallId: 'c1', name: 'working_context_append', content: '{"ok":true}' }),
      at(4, { role: 'assistant', content: 'Saved.' }),
    ]);
    assert.deepEqual(items.map((i) => i.type), ['user', 'tool', 'assistant']);
    const tool = items[1];
    assert.ok(tool.type === 'tool');
    assert.equal(tool.card.status, 'ok');
    assert.equal(tool.card.editsMemory, true);
    assert.equal(tool.card.block, 'project');
    assert.equal(tool.card.result, '{"ok":true}');
  });

  it('guesses the outcome of tool results recorded before they carried it, from the name, text and arguments', () => {
    const items = toTranscript([
      at(1, { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'archival_memory_insert', arguments: '{"content":"x"}' }, { id: 'c2', name: 'read_file', arguments: '{"path":"a"}' }] }),
      at(2, { role: 'tool', toolCallId: 'c1', name: 'archival_memory_insert', content: 'saved' }),
      at(3, { role: 'tool', toolCallId: 'c2', name: 'read_file', content: '{"error":"no such file"}' }),
    ]);
    const cards = items.flatMap((i) => (i.type === 'tool' ? [i.card] : []));
    assert.deepEqual(cards.map((c) => [c.status, c.editsMemory, c.block]), [
      ['ok', true, undefined],
      ['error', false, undefined],
    ]);
  });
});

describe('host chat errors', () => {
  it('tells a person without a key to set one, and one with a refused key to replace it', () => {
    const refused = new LlmError('auth', '401 from server');
    assert.equal(toChatError(refused, { hasApiKey: false, baseUrl: 'x' }).kind, 'no_api_key');
    assert.match(toChatError(refused, { hasApiKey: false, baseUrl: 'x' }).hint ?? '', /MemCode: Set API Key/);
    assert.equal(toChatError(refused, { hasApiKey: true, baseUrl: 'x' }).kind, 'auth');
  });

  it('does not say a key was refused when none was sent', () => {
    const refused = new LlmError('auth', 'the model server at http://127.0.0.1:9/v1 refused the API key (401): no', { status: 401 });
    const error = toChatError(refused, { hasApiKey: false, baseUrl: 'http://127.0.0.1:9/v1' });
    assert.equal(error.message, 'the model server at http://127.0.0.1:9/v1 asks for an API key (401) and none is set');
    assert.doesNotMatch(error.message, /refused/);
  });

  it('says another MemCode process holds a locked memory folder', () => {
    const error = toChatError(new MemoryError('locked', 'memory folder /w/.memcode is in use by process 42'), { hasApiKey: true, baseUrl: 'x' });
    assert.equal(error.kind, 'locked');
    assert.match(error.hint ?? '', /another MemCode process/);
    assert.equal(error.retryable, true);
  });
});

describe('host session summaries', () => {
  it('leaves a session that has not ended untitled, so the chat can show its first message instead', () => {
    const open = { id: 's1', title: NEW_SESSION_TITLE, started: '2026-11-30T10:00:00.000Z' };
    assert.deepEqual(toSessionSummary(open, true), { id: 's1', title: '', started: '2026-11-30T10:00:00.000Z', current: true });
    const ended = { ...open, title: 'Fix the parser', ended: '2026-11-30T11:00:00.000Z' };
    assert.deepEqual(toSessionSummary(ended, false), { id: 's1', title: 'Fix the parser', started: open.started, ended: ended.ended, current: false });
  });
});
