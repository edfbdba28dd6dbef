import { strict as assert } from 'node:assert';
import * as v from 'valibot';
import {
  createHostMessenger,
  createWebviewMessenger,
  Messenger,
  type HostMessenger,
  type Transport,
  type WebviewMessenger,
} from '../../src/protocol/messenger';
import { arrayOf, count, describeIssue, none, object, str } from '../../src/protocol/fields';
import {
  hostToWebviewSchema,
  validatePayload,
  webviewToHostSchema,
  type MessagesOf,
  type ProtocolSchema,
  type WebviewToHost,
} from '../../src/protocol/messages';
import type { InitialState, MemorySnapshot, SessionSummary, TranscriptItem } from '../../src/protocol/shapes';
import { rejection } from '../helpers/messengerRejection';
import { createTransportPair } from '../helpers/transportPair';

const session: SessionSummary = { id: 's-1', title: 'Fix the build', started: '2026-03-02T09:00:00.000Z', current: true };

const snapshot: MemorySnapshot = {
  blocks: [
    { label: 'project', description: 'architecture, conventions, commands', limit: 5000, value: 'Build: `npm run build`.' },
    { label: 'user', description: 'preferences', limit: 5000, value: '' },
  ],
  recallCount: 42,
  archivalCount: 1200,
  indexState: { status: 'ready', files: 80, chunks: 1200 },
  usage: { system: 1800, workingContext: 300, summary: 0, queue: 950, total: 3050, budget: 120000, contextWindow: 128000 },
};

const transcript: TranscriptItem[] = [
  { type: 'user', id: 'm1', text: 'why does the build fail?', time: '2026-03-02T09:00:01.000Z', attachments: [{ path: 'src/a.ts', startLine: 3, endLine: 9 }] },
  {
    type: 'tool',
    id: 'call_1',
    card: { callId: 'call_1', name: 'working_context_append', args: '{"block":"project","content":"x"}', status: 'ok', result: 'ok', editsMemory: true, block: 'project' },
  },
  { type: 'notice', id: 'n1', kind: 'auto_recall', text: 'recalled 2 items', time: '2026-03-02T09:00:02.000Z' },
  { type: 'assistant', id: 'm2', text: 'A missing import in `src/a.ts`.', time: '2026-03-02T09:00:03.000Z' },
  { type: 'error', id: 'e1', error: { kind: 'no_api_key', message: 'no API key', hint: 'run MemCode: Set API Key', retryable: true }, time: '2026-03-02T09:00:04.000Z' },
];

/** A messenger pair over connected in-memory transports, with each side's log kept for assertions. */
function connect(options: { timeoutMs?: number } = {}) {
  const [hostEnd, webviewEnd] = createTransportPair();
  const hostLog: string[] = [];
  const webviewLog: string[] = [];
  const host = createHostMessenger(hostEnd, { log: (m) => hostLog.push(m), ...options });
  const webview = createWebviewMessenger(webviewEnd, { log: (m) => webviewLog.push(m), ...options });
  return { host, webview, hostLog, webviewLog, hostEnd, webviewEnd };
}

/** Lets a test send what the types would refuse, the way a buggy or hostile page could. */
function untyped(messenger: WebviewMessenger | HostMessenger) {
  return messenger as unknown as { request(name: string, data?: unknown, options?: { timeoutMs?: number }): Promise<unknown>; send(name: string, data?: unknown): void };
}


const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

// A small protocol of its own, declared the way messages.ts declares the chat's: schemas first, types from them.
const calcSchema = {
  add: { request: object({ a: count, b: count }), response: object({ sum: count }) },
  hang: { request: none, response: none },
};
type Calc = MessagesOf<typeof calcSchema>;
type Nothing = Record<never, [unknown, unknown]>;
const nothingSchema: ProtocolSchema<Nothing> = {};

function connectCalc(options: { timeoutMs?: number } = {}) {
  const [a, b] = createTransportPair();
  const serverLog: string[] = [];
  const server = new Messenger<Nothing, Calc>(a, { outgoing: nothingSchema, incoming: calcSchema, log: (m) => serverLog.push(m), ...options });
  const client = new Messenger<Calc, Nothing>(b, { outgoing: calcSchema, incoming: nothingSchema, log: () => {}, ...options });
  return { server, client, serverLog };
}

describe('protocol messenger', () => {
  it('answers a typed request with the value the other side returned', async () => {
    const { host, webview } = connect();
    const state: InitialState = { session, transcript, memory: snapshot, running: true, queued: ['and the tests?'] };
    host.on('ready', () => state);
    host.on('chat/send', async ({ text, attachments }) => ({ queued: text.length > 0 && (attachments?.length ?? 0) === 1 }));
    host.on('session/list', () => [session, { ...session, id: 's-0', current: false, ended: '2026-03-01T10:00:00.000Z' }]);

    assert.deepEqual(await webview.request('ready'), state);
    const sent = await webview.request('chat/send', { text: 'look at this', attachments: [{ path: 'src/a.ts', startLine: 1, endLine: 2, text: 'let a;\n' }] });
    assert.deepEqual(sent, { queued: true });
    const sessions = await webview.request('session/list');
    assert.deepEqual(sessions.map((s) => s.id), ['s-1', 's-0']);
  });

  it('delivers host events to the webview in the order they were sent', async () => {
    const { host, webview } = connect();
    const seen: string[] = [];
    webview.on('agent/text', ({ delta }) => void seen.push(`text:${delta}`));
    webview.on('agent/status', ({ running, queued }) => void seen.push(`status:${running}:${queued.join('|')}`));
    webview.on('memory/updated', ({ snapshot: s }) => void seen.push(`memory:${s.recallCount}`));
    const done = new Promise<void>((resolve) => webview.on('agent/message', ({ item }) => (seen.push(`message:${item.id}`), resolve())));

    host.send('agent/status', { running: true, queued: [] });
    for (const delta of ['The ', 'build ', 'fails.']) host.send('agent/text', { delta });
    host.send('memory/updated', { snapshot });
    host.send('agent/message', { item: { type: 'assistant', id: 'm9', text: 'The build fails.', time: '2026-03-02T09:00:00.000Z' } });
    await done;
    assert.deepEqual(seen, ['status:true:', 'text:The ', 'text:build ', 'text:fails.', 'memory:42', 'message:m9']);
  });

  it('rejects a request with the message of the error its handler threw, keeping the error kind', async () => {
    const { host, webview } = connect();
    host.on('memory/setBlock', ({ label, value }) => {
      const error = new Error(`block "${label}" would be ${value.length - 10} characters over its limit of 10`);
      throw Object.assign(error, { kind: 'limit' });
    });
    const error = await rejection(webview.request('memory/setBlock', { label: 'project', value: 'x'.repeat(25) }));
    assert.equal(error.kind, 'handler');
    assert.equal(error.remoteKind, 'limit');
    assert.equal(error.message, 'block "project" would be 15 characters over its limit of 10');

    // The failed request leaves the messenger working.
    host.on('memory/get', () => snapshot);
    assert.deepEqual(await webview.request('memory/get'), snapshot);
  });

  it('rejects and logs a request for a message name the protocol does not have', async () => {
    const { host, webview, hostLog } = connect();
    const error = await rejection(untyped(webview).request('shell/exec', { command: 'rm -rf /' }));
    assert.equal(error.kind, 'unknown_message');
    assert.match(error.message, /unknown message "shell\/exec"/);
    assert.equal(hostLog.length, 1);
    assert.match(hostLog[0], /rejected request "shell\/exec": unknown message/);
    assert.throws(() => (host as unknown as { on(name: string, h: () => void): void }).on('shell/exec', () => {}), /no message "shell\/exec"/);
  });

  it('rejects and logs a malformed payload without calling the handler', async () => {
    const { host, webview, hostLog } = connect();
    let calls = 0;
    host.on('chat/send', () => (calls++, { queued: false }));
    host.on('command/run', () => void calls++);

    const missing = await rejection(untyped(webview).request('chat/send', { attachments: [] }));
    assert.equal(missing.kind, 'invalid');
    assert.equal(missing.message, 'data.text must be a string (got undefined)');

    const nested = await rejection(untyped(webview).request('chat/send', { text: 'hi', attachments: [{ path: 'a.ts', startLine: 0, text: '' }] }));
    assert.equal(nested.message, 'data.attachments[0].startLine must be a line number >= 1 (got 0)');

    const extra = await rejection(untyped(webview).request('chat/send', { text: 'hi', model: 'gpt-5' }));
    assert.equal(extra.message, 'data has an unknown field "model"');

    // Only the fixed list of commands may be run from the page.
    const command = await rejection(untyped(webview).request('command/run', { command: 'workbench.action.terminal.sendSequence' }));
    assert.match(command.message, /^data\.command must be one of memcode\.setApiKey, /);

    assert.equal(calls, 0);
    assert.equal(hostLog.length, 4);
    assert.ok(hostLog.every((line) => line.startsWith('rejected request "')), hostLog.join('\n'));
  });

  it('drops and logs a malformed event, and keeps handling the good ones', async () => {
    const { host, webview, webviewLog } = connect();
    const deltas: string[] = [];
    webview.on('agent/text', ({ delta }) => void deltas.push(delta));
    untyped(host).send('agent/text', { delta: 42 });
    untyped(host).send('agent/explode', {});
    host.send('agent/text', { delta: 'ok' });
    await tick();
    assert.deepEqual(deltas, ['ok']);
    assert.deepEqual(webviewLog, [
      'rejected event "agent/text": data.delta must be a string (got number)',
      'rejected event "agent/explode": unknown message "agent/explode"',
    ]);
  });

  it('answers a broken envelope that looks like a request with an error, and logs any other', async () => {
    const [raw, hostEnd] = createTransportPair();
    const log: string[] = [];
    const host = createHostMessenger(hostEnd, { log: (m) => log.push(m) });
    host.on('memory/get', () => snapshot);
    const replies: unknown[] = [];
    raw.onMessage((m) => replies.push(m));

    raw.post({ kind: 'request', id: 'r1' });
    raw.post('hello');
    raw.post({ kind: 'shout', id: 'r2', name: 'memory/get' });
    raw.post({ kind: 'request', id: 'r3', name: 'memory/get' });
    await tick();
    assert.deepEqual(replies, [
      { kind: 'error', id: 'r1', error: { kind: 'invalid', message: 'invalid message: a request needs a message name' } },
      { kind: 'response', id: 'r3', data: snapshot },
    ]);
    assert.deepEqual(log, [
      'rejected a message: a request needs a message name',
      'rejected a message: expected an object envelope, got string',
      'rejected a message: unknown envelope kind "shout"',
    ]);
  });

  it('rejects an answer that does not match the protocol, on both sides', async () => {
    const { host, webview, hostLog } = connect();
    // A handler bug: the snapshot lacks its blocks.
    host.on('memory/get', () => ({ ...snapshot, blocks: undefined }) as unknown as MemorySnapshot);
    const error = await rejection(webview.request('memory/get'));
    assert.equal(error.kind, 'invalid');
    assert.match(error.message, /the handler for "memory\/get" answered with an invalid value: data\.blocks must be an array/);
    assert.equal(hostLog.length, 1);

    // And a peer that skips its own check is caught on receipt.
    const [raw, webviewEnd] = createTransportPair();
    const log: string[] = [];
    const page = createWebviewMessenger(webviewEnd, { log: (m) => log.push(m) });
    raw.onMessage((m) => {
      const request = m as { id: string };
      raw.post({ kind: 'response', id: request.id, data: { queued: 'yes' } });
    });
    const bad = await rejection(page.request('chat/send', { text: 'hi' }));
    assert.equal(bad.kind, 'invalid');
    assert.equal(bad.message, 'invalid answer to "chat/send": data.queued must be a boolean (got a string)');
    assert.deepEqual(log, ['rejected the answer to "chat/send": data.queued must be a boolean (got a string)']);
  });

  it('rejects a request nobody handles at once, rather than letting it time out', async () => {
    const { webview, hostLog } = connect({ timeoutMs: 0 });
    const error = await rejection(webview.request('session/new'));
    assert.equal(error.kind, 'no_handler');
    assert.equal(error.message, 'nothing handles "session/new"');
    assert.deepEqual(hostLog, ['no handler for request "session/new"']);
  });

  it('times out a request that is never answered, with an error naming it', async () => {
    const { server, client, serverLog } = connectCalc();
    server.on('hang', () => new Promise<void>(() => {}));
    const error = await rejection(client.request('hang', undefined, { timeoutMs: 30 }));
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /^no answer to "hang" within 30 ms/);

    // Nobody on the other end at all: the same.
    const [lonely] = createTransportPair();
    const page = createWebviewMessenger(lonely, { timeoutMs: 20 });
    const nobody = await rejection(page.request('ready'));
    assert.equal(nobody.kind, 'timeout');
    assert.match(nobody.message, /no answer to "ready" within 20 ms/);
    assert.deepEqual(serverLog, []);
  });

  it('correlates many concurrent requests answered out of order', async () => {
    const { server, client } = connectCalc();
    server.on('add', async ({ a, b }) => {
      // Answer in a scrambled order: later requests often finish first.
      await new Promise((resolve) => setTimeout(resolve, (a * 7919) % 13));
      return { sum: a + b };
    });
    const pairs = Array.from({ length: 300 }, (_, i) => ({ a: i, b: i * 1000 }));
    const finished: number[] = [];
    const sums = await Promise.all(pairs.map(async (p) => {
      const { sum } = await client.request('add', p);
      finished.push(p.a);
      return sum;
    }));
    assert.deepEqual(sums, pairs.map((p) => p.a + p.b));
    assert.notDeepEqual(finished, pairs.map((p) => p.a), 'answers really arrived out of order');
  });

  it('runs requests in both directions over the same pair of transports', async () => {
    const [a, b] = createTransportPair();
    const left = new Messenger<Calc, Calc>(a, { outgoing: calcSchema, incoming: calcSchema, log: () => {} });
    const right = new Messenger<Calc, Calc>(b, { outgoing: calcSchema, incoming: calcSchema, log: () => {} });
    left.on('add', ({ a: x, b: y }) => ({ sum: x + y }));
    right.on('add', ({ a: x, b: y }) => ({ sum: x * 10 + y }));
    const [fromRight, fromLeft] = await Promise.all([left.request('add', { a: 1, b: 2 }), right.request('add', { a: 1, b: 2 })]);
    assert.deepEqual(fromRight, { sum: 12 });
    assert.deepEqual(fromLeft, { sum: 3 });
  });

  it('fails what is still waiting when disposed, and refuses a second handler for a name', async () => {
    const { server, client } = connectCalc({ timeoutMs: 0 });
    server.on('hang', () => new Promise<void>(() => {}));
    const waiting = client.request('hang');
    await tick();
    client.dispose();
    const error = await rejection(waiting);
    assert.equal(error.kind, 'disposed');
    assert.equal((await rejection(client.request('hang'))).kind, 'disposed');
    assert.throws(() => server.on('hang', () => undefined), /"hang" already has a handler/);
  });

  it('fails a request at once when the transport cannot post, and never throws from send', async () => {
    const log: string[] = [];
    const closed: Transport = {
      post() {
        throw new Error('Webview is disposed');
      },
      onMessage: () => () => {},
    };
    const host = createHostMessenger(closed, { log: (m) => log.push(m), timeoutMs: 0 });
    host.send('agent/text', { delta: 'lost' });
    const page = createWebviewMessenger(closed, { log: (m) => log.push(m), timeoutMs: 0 });
    const error = await rejection(page.request('memory/get'));
    assert.equal(error.kind, 'transport');
    assert.equal(error.message, 'could not send "memory/get": Webview is disposed');
    assert.deepEqual(log, ['could not send an event "agent/text": Webview is disposed', 'could not send a request "memory/get": Webview is disposed']);
  });

  it('lets an unsubscribed handler be replaced', async () => {
    const { host, webview } = connect();
    const off = host.on('session/new', () => session);
    off();
    host.on('session/new', () => ({ ...session, id: 's-2' }));
    assert.equal((await webview.request('session/new')).id, 's-2');
  });
});

describe('protocol validation', () => {
  it('has a schema for every message of both directions and refuses other names', () => {
    assert.deepEqual(Object.keys(webviewToHostSchema).sort(), [
      'chat/retry', 'chat/send', 'chat/stop', 'command/run', 'editor/attach', 'editor/insert', 'editor/selection',
      'memory/get', 'memory/setBlock', 'model/config', 'model/list', 'model/save', 'model/test', 'ready',
      'session/delete', 'session/list', 'session/new', 'session/open', 'session/rename', 'session/resume', 'session/search', 'workspace/attach', 'workspace/files',
      // The tool cards' requests (issue 16).
      'approval/answer', 'approval/list', 'code/apply', 'code/run', 'edit/undo', 'file/open', 'review/state', 'turn/keep', 'turn/restore',
    ].sort());
    assert.equal(Object.keys(hostToWebviewSchema).length, 11 + 3);
    assert.equal(validatePayload(webviewToHostSchema, 'toString', 'request', undefined), 'unknown message "toString"');
    assert.equal(validatePayload(webviewToHostSchema, '__proto__', 'request', undefined), 'unknown message "__proto__"');
  });

  it('accepts every kind of transcript item and names the field of a bad one', () => {
    const check = (items: unknown) => validatePayload(webviewToHostSchema, 'session/open', 'response', { session, transcript: items, readOnly: true });
    assert.equal(check(transcript), undefined);
    assert.equal(check([{ type: 'tool', id: 'c', card: { ...(transcript[1] as { card: object }).card, status: 'done' } }]), 'data.transcript[0].card.status must be one of running, ok, error (got "done")');
    assert.equal(check([{ type: 'thought', id: 'x' }]), 'data.transcript[0].type must be one of user, assistant, tool, notice, error, files (got "thought")');
    assert.equal(check([{ type: 'error', id: 'e', time: 't', error: { kind: 'oops', message: 'm', retryable: false } }]), 'data.transcript[0].error.kind must be one of no_api_key, auth, rate_limit, context_length, network, server, bad_response, locked, memory, busy, internal (got "oops")');
  });

  it('checks tool results, selections and file completions', () => {
    const toolResult = (data: unknown) => validatePayload(hostToWebviewSchema, 'agent/toolResult', 'request', data);
    assert.equal(toolResult({ callId: 'c1', ok: true, content: 'appended', editsMemory: true, block: 'project' }), undefined);
    assert.equal(toolResult({ callId: 'c1', ok: 'yes', content: '', editsMemory: false }), 'data.ok must be a boolean (got a string)');
    assert.equal(validatePayload(webviewToHostSchema, 'editor/selection', 'response', null), undefined);
    assert.equal(validatePayload(webviewToHostSchema, 'workspace/files', 'response', ['src/a.ts', 7]), 'data[1] must be a string (got number)');
    assert.equal(validatePayload(webviewToHostSchema, 'chat/stop', 'request', {}), 'data must be absent (got object)');
    assert.equal(v.safeParse(arrayOf(str), ['a']).success, true);
  });
});

describe('protocol schemas', () => {
  const sessionOpen = (items: unknown) => validatePayload(webviewToHostSchema, 'session/open', 'response', { session, transcript: items, readOnly: true });

  it('rejects an unknown field at any depth, naming the object that has it and the field', () => {
    const card = { ...(transcript[1] as { card: object }).card, durationMs: 12 };
    assert.equal(sessionOpen([{ type: 'tool', id: 'c', card }]), 'data.transcript[0].card has an unknown field "durationMs"');
    assert.equal(
      validatePayload(hostToWebviewSchema, 'memory/updated', 'request', { snapshot: { ...snapshot, indexState: { status: 'ready', shards: 3 } } }),
      'data.snapshot.indexState has an unknown field "shards"',
    );
    // What JSON.parse makes of a hostile page's payload: an own "__proto__" key is just an unknown field.
    assert.equal(validatePayload(webviewToHostSchema, 'chat/send', 'request', JSON.parse('{"text":"hi","__proto__":{"admin":true}}')), 'data has an unknown field "__proto__"');
  });

  it('names the path of a field of the wrong type, or a missing one, deep in a message', () => {
    const badUsage = { snapshot: { ...snapshot, usage: { ...snapshot.usage, total: '3050' } } };
    assert.equal(validatePayload(hostToWebviewSchema, 'memory/updated', 'request', badUsage), 'data.snapshot.usage.total must be a finite number (got a string)');
    const fractional = { snapshot: { ...snapshot, blocks: [{ ...snapshot.blocks[0], limit: 2.5 }] } };
    assert.equal(validatePayload(hostToWebviewSchema, 'memory/updated', 'request', fractional), 'data.snapshot.blocks[0].limit must be a whole number >= 0 (got 2.5)');
    const { name: _, ...nameless } = (transcript[1] as { card: { name: string } }).card;
    assert.equal(validatePayload(hostToWebviewSchema, 'agent/toolCall', 'request', { card: nameless }), 'data.card.name must be a string (got undefined)');
    assert.equal(sessionOpen([{ id: 'x', text: 'no type' }]), 'data.transcript[0].type must be one of user, assistant, tool, notice, error, files (got nothing)');
    assert.equal(validatePayload(webviewToHostSchema, 'memory/setBlock', 'response', { ok: false }), 'data.ok must be true');
    assert.equal(validatePayload(webviewToHostSchema, 'memory/setBlock', 'request', { label: '', value: 'x' }), 'data.label must not be empty');
  });

  it('says an array or null is not an object, wherever an object belongs', () => {
    assert.equal(validatePayload(webviewToHostSchema, 'chat/send', 'request', []), 'data must be an object (got an array)');
    assert.equal(validatePayload(webviewToHostSchema, 'chat/send', 'request', { text: 'hi', attachments: [['src/a.ts']] }), 'data.attachments[0] must be an object (got an array)');
    assert.equal(sessionOpen([[]]), 'data.transcript[0] must be an object (got an array)');
    assert.equal(sessionOpen([null]), 'data.transcript[0] must be an object (got null)');
    assert.equal(validatePayload(webviewToHostSchema, 'ready', 'response', null), 'data must be an object (got null)');
  });

  it('refuses a message with an unknown field through the messenger, naming it, without calling the handler', async () => {
    const { host, webview, hostLog } = connect();
    let calls = 0;
    host.on('chat/send', () => (calls++, { queued: false }));
    const error = await rejection(untyped(webview).request('chat/send', { text: 'hi', attachments: [{ path: 'a.ts', text: 'x', lines: '1-3' }] }));
    assert.equal(error.kind, 'invalid');
    assert.equal(error.message, 'data.attachments[0] has an unknown field "lines"');
    assert.equal(calls, 0);
    assert.deepEqual(hostLog, ['rejected request "chat/send": data.attachments[0] has an unknown field "lines"']);
  });

  it('refuses the envelopes of the streamed answers it no longer has', async () => {
    const [raw, hostEnd] = createTransportPair();
    const log: string[] = [];
    createHostMessenger(hostEnd, { log: (m) => log.push(m) });
    raw.post({ kind: 'chunk', id: '1', data: 'x' });
    raw.post({ kind: 'cancel', id: '1' });
    await tick();
    assert.deepEqual(log, ['rejected a message: unknown envelope kind "chunk"', 'rejected a message: unknown envelope kind "cancel"']);
  });

  it('puts the path of a nested issue in front of its message', () => {
    const result = v.safeParse(object({ items: arrayOf(object({ n: count })) }), { items: [{ n: 1 }, { n: -2 }] });
    assert.equal(result.success, false);
    assert.equal(describeIssue(result.issues![0], 'args'), 'args.items[1].n must be a whole number >= 0 (got -2)');
  });
});

// Compile-time checks: these lines fail `tsc` if the typing of the messenger loosens.
function typeChecks(webview: WebviewMessenger, host: HostMessenger, transport: Transport): void {
  // @ts-expect-error a request needs its payload
  void webview.request('chat/send');
  // @ts-expect-error not a name in the protocol
  void webview.request('chat/sned', { text: '' });
  // @ts-expect-error events only go host → webview here
  host.send('chat/stop');
  // @ts-expect-error `send` is only for messages answered with nothing
  webview.send('ready');
  // @ts-expect-error the handler must return the response type
  host.on('chat/send', () => ({ queued: 'yes' }));
  webview.send('chat/stop');
  // The types inferred from the schemas: a union told apart by `type`, optional fields optional.
  const item = {} as TranscriptItem;
  // @ts-expect-error only a tool item has a card
  void item.card;
  if (item.type === 'tool') void item.card.callId;
  const send: WebviewToHost['chat/send'][0] = { text: 'hi' };
  // @ts-expect-error an attachment needs its text
  send.attachments = [{ path: 'a.ts' }];
  // @ts-expect-error a schema map must declare every message of its type map
  const partial: ProtocolSchema<WebviewToHost> = { ready: webviewToHostSchema.ready };
  void partial;
  // @ts-expect-error a schema must check the type its map declares
  const mistyped: ProtocolSchema<{ add: [{ a: number; b: number }, { sum: number }] }> = { add: { request: str, response: calcSchema.add.response } };
  void mistyped;
  void new Messenger(transport, { outgoing: calcSchema, incoming: nothingSchema });
}
void typeChecks;
