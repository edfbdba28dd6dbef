import assert from 'node:assert/strict';
import { splitAttachments, toSessionSummary, toTranscript, withAttachments } from '../../src/host/transcript';
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

  it('leaves a message that merely mentions "Attached" alone', () => {
    assert.deepEqual(splitAttachments('see below\n\nAttached is my plan'), { text: 'see below\n\nAttached is my plan', attachments: [] });
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
