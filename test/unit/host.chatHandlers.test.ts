import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Agent } from '../../src/core/agent';
import type { QueuedMessage } from '../../src/core/events';
import { openAgent } from '../../src/app/openAgent';
import { registerChatHandlers, type ChatFolder, type ChatHost, type EditorBridge } from '../../src/host/chatHandlers';
import { toSessionSummary, toTranscript } from '../../src/host/transcript';
import { createTokenCounter } from '../../src/llm/tokens';
import { acquireLock } from '../../src/memory/lock';
import { memoryPaths, memoryRoot } from '../../src/memory/store';
import { createHostMessenger, createWebviewMessenger, type Transport, type WebviewMessenger } from '../../src/protocol/messenger';
import { createTransportPair } from '../helpers/transportPair';
import type { Attachment, MemorySnapshot, SessionSummary, TranscriptItem, WebviewCommand } from '../../src/protocol/shapes';
import type { FakeLlm } from '../helpers/fakeLlm';
import { rejection } from '../helpers/messengerRejection';
import { startTestEnv, stopTestEnv } from '../helpers/workspace';

const tokens = createTokenCounter();

/** A workspace folder over a real Agent, shaped as FolderAgent shows it to the handlers. */
class TestFolder implements ChatFolder {
  constructor(readonly instance: Agent) {}
  get running(): boolean {
    return this.instance.running;
  }
  get queued(): QueuedMessage[] {
    return this.instance.queue();
  }
  async agent(): Promise<Agent> {
    if (!this.instance.running) this.instance.reload();
    return this.instance;
  }
  async currentSession(): Promise<SessionSummary> {
    await this.agent();
    return toSessionSummary(this.instance.sessions.current(), true);
  }
  async sessions(): Promise<SessionSummary[]> {
    await this.agent();
    const current = this.instance.sessions.current().id;
    return this.instance.sessions.list().map((s) => toSessionSummary(s, s.id === current));
  }
  async transcript(sessionId?: string): Promise<TranscriptItem[]> {
    await this.agent();
    return toTranscript(this.instance.transcript(sessionId));
  }
  async snapshot(): Promise<MemorySnapshot> {
    await this.agent();
    const u = this.instance.contextUsage();
    return {
      blocks: this.instance.workingContext.blocks().map(({ label, description, limit, value }) => ({ label, description, limit, value })),
      recallCount: this.instance.recall.count(),
      archivalCount: 0,
      indexState: { status: 'not_indexed' },
      usage: { system: u.system, workingContext: u.workingContext, summary: u.summary, queue: u.queue, total: u.total, budget: u.budget, contextWindow: u.contextWindow },
    };
  }
}


/** Runs turns to completion (AgentHost runs them in the background and streams events instead). */
class TestHost implements ChatHost {
  readonly calls: string[] = [];
  memoryChanges = 0;
  constructor(public folder?: TestFolder) {}
  activeFolder(): TestFolder {
    if (!this.folder) throw new Error('open a folder first: MemCode keeps its memory per workspace folder');
    return this.folder;
  }
  async send(text: string, attachments: Attachment[] = []): Promise<{ queued: boolean }> {
    this.calls.push(`send ${text} +${attachments.length}`);
    await this.activeFolder().instance.send(attachments.length ? { text, attachments } : { text });
    return { queued: false };
  }
  stop(): void {
    this.calls.push('stop');
  }
  retry(): void {
    this.calls.push('retry');
  }
  async newSession(): Promise<SessionSummary> {
    const folderAgent = this.activeFolder();
    await folderAgent.instance.newSession();
    return folderAgent.currentSession();
  }
  memoryChanged(): void {
    this.memoryChanges++;
  }
}

class FakeEditor implements EditorBridge {
  readonly inserted: string[] = [];
  readonly commands: string[] = [];
  readonly queries: Array<{ query: string; limit: number }> = [];
  open = true;
  selected: Attachment | null = { path: 'src/a.ts', startLine: 2, endLine: 3, text: 'b\nc' };
  async insert(code: string): Promise<void> {
    if (!this.open) throw new Error('no editor is open to insert into');
    this.inserted.push(code);
  }
  selection(): Attachment | null {
    return this.selected;
  }
  async findFiles(query: string, limit: number): Promise<string[]> {
    this.queries.push({ query, limit });
    return ['src/a.ts', 'src/b.ts'].filter((p) => p.includes(query)).slice(0, limit);
  }
  async runCommand(command: WebviewCommand): Promise<void> {
    this.commands.push(command);
  }
}

/** Both ends over the in-memory transport pair (JSON-copied and asynchronous, like postMessage). */
function connect(host: ChatHost, editor = new FakeEditor()) {
  const [hostEnd, viewEnd] = createTransportPair();
  const hostLog: string[] = [];
  const hostMessenger = createHostMessenger(hostEnd, { log: (m) => hostLog.push(m) });
  registerChatHandlers(hostMessenger, { host, editor });
  const view: WebviewMessenger = createWebviewMessenger(viewEnd, { log: () => {}, timeoutMs: 10_000 });
  return { view, viewEnd, editor, hostLog, close: () => (view.dispose(), hostMessenger.dispose()) };
}

/** Posts a raw envelope from the webview's side and waits for the host's reply to it. */
function rawRequest(transport: Transport, envelope: unknown, id: string): Promise<any> {
  return new Promise((resolve) => {
    const stop = transport.onMessage((m: any) => {
      if (m?.id !== id) return;
      stop();
      resolve(m);
    });
    transport.post(envelope);
  });
}


describe('host chat handlers', () => {
  let llm: FakeLlm;
  let workspace: string;
  let host: TestHost;
  let ends: ReturnType<typeof connect>;

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    const agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: { request: async () => ({ approved: true }) }, tokens, maxRetries: 0, autoRecall: false, lockWaitMs: 200 });
    host = new TestHost(new TestFolder(agent));
    ends = connect(host);
  });
  afterEach(async () => {
    ends.close();
    await stopTestEnv(llm);
  });

  it('answers ready with the state the view draws: session, transcript, memory, running and queue', async () => {
    // Another process holds the memory folder: the turn gives up before recording anything, and the message
    // typed while it waited stays in the agent's queue.
    const { instance: agent } = host.activeFolder();
    const other = await acquireLock(memoryPaths(memoryRoot(workspace)).lockFile, { purpose: 'another process' });
    const turn = agent.send('first');
    void agent.send({ text: 'and this file?', attachments: [{ path: 'src/a.ts', text: 'x' }] }).catch(() => undefined);
    await assert.rejects(turn, /in use|locked/);
    other.release();
    const state = await ends.view.request('ready');
    assert.equal(state.session.current, true);
    assert.deepEqual(state.transcript, []);
    assert.deepEqual(state.memory.blocks.map((b) => b.label).sort(), ['project', 'task', 'user']);
    assert.equal(state.memory.usage?.contextWindow, 16_384);
    assert.equal(state.running, false);
    assert.deepEqual(state.queued, ['and this file?'], 'the queue shows what was typed, not the attached text');
  });

  it('delivers chat/send to the host with its attachments, and the reply is in the transcript after', async () => {
    llm.script({ text: 'It parses the config.' });
    const answer = await ends.view.request('chat/send', { text: 'what does this do?', attachments: [{ path: 'src/a.ts', startLine: 1, endLine: 1, text: 'parse()' }] });
    assert.deepEqual(answer, { queued: false });
    assert.deepEqual(host.calls, ['send what does this do? +1']);
    const sent = JSON.stringify(llm.chatRequests()[0].body.messages);
    assert.match(sent, /what does this do\?/);
    assert.match(sent, /parse\(\)/, 'the attached text reached the model');
    const { transcript } = await ends.view.request('ready');
    const user = transcript.find((i) => i.type === 'user');
    assert.equal(user?.type === 'user' && user.text, 'what does this do?');
    assert.deepEqual(user?.type === 'user' && user.attachments, [{ path: 'src/a.ts', startLine: 1, endLine: 1 }]);
    assert.ok(transcript.some((i) => i.type === 'assistant' && i.text === 'It parses the config.'));
  });

  it('passes Stop and Retry to the host', async () => {
    await ends.view.request('chat/stop');
    await ends.view.request('chat/retry');
    assert.deepEqual(host.calls, ['stop', 'retry']);
  });

  it('opens a past session read-only and the current one editable', async () => {
    const first = (await ends.view.request('session/list'))[0];
    const fresh = await ends.view.request('session/new');
    assert.notEqual(fresh.id, first.id);
    const past = await ends.view.request('session/open', { id: first.id });
    assert.equal(past.readOnly, true);
    assert.equal(past.session.current, false);
    assert.equal((await ends.view.request('session/open', { id: fresh.id })).readOnly, false);
  });

  it('says clearly that an unknown session does not exist', async () => {
    const error = await rejection(ends.view.request('session/open', { id: 'no-such-session' }));
    assert.equal(error.kind, 'handler');
    assert.equal(error.message, "no session no-such-session in this folder's memory");
  });

  it('writes a block edited in the inspector to its file and refreshes memory', async () => {
    assert.deepEqual(await ends.view.request('memory/setBlock', { label: 'project', value: 'Build with `make all`.' }), { ok: true });
    const file = fs.readFileSync(path.join(workspace, '.memcode', 'memory', 'project.md'), 'utf8');
    assert.match(file, /Build with `make all`\./);
    assert.equal(host.memoryChanges, 1);
    const memory = await ends.view.request('memory/get');
    assert.equal(memory.blocks.find((b) => b.label === 'project')?.value, 'Build with `make all`.');
  });

  it('rejects a block over its limit or an unknown block with the reason and its kind', async () => {
    const { blocks } = await ends.view.request('memory/get');
    const limit = blocks.find((b) => b.label === 'project')!.limit;
    const tooLong = await rejection(ends.view.request('memory/setBlock', { label: 'project', value: 'x'.repeat(limit + 1) }));
    assert.equal(tooLong.remoteKind, 'limit');
    assert.match(tooLong.message, /over its limit/);
    const unknown = await rejection(ends.view.request('memory/setBlock', { label: 'secrets', value: 'x' }));
    assert.equal(unknown.remoteKind, 'not_found');
    assert.equal(host.memoryChanges, 0);
  });

  it('rejects and logs a request whose payload does not match the protocol, without calling the handler', async () => {
    const reply = await rawRequest(ends.viewEnd, { kind: 'request', id: 'x1', name: 'memory/setBlock', data: { label: 'project', value: 42 } }, 'x1');
    assert.equal(reply.kind, 'error');
    assert.equal(reply.error.kind, 'invalid');
    assert.match(ends.hostLog.join('\n'), /rejected request "memory\/setBlock"/);
    const file = fs.readFileSync(path.join(workspace, '.memcode', 'memory', 'project.md'), 'utf8');
    assert.doesNotMatch(file, /42/);
    assert.equal(host.memoryChanges, 0);
  });

  it('rejects and logs a message name the protocol does not have, and a malformed envelope', async () => {
    const reply = await rawRequest(ends.viewEnd, { kind: 'request', id: 'x2', name: 'fs/delete', data: { path: '/' } }, 'x2');
    assert.equal(reply.error.kind, 'unknown_message');
    ends.viewEnd.post('not an envelope');
    ends.viewEnd.post({ kind: 'event', name: 'chat/stop', data: { extra: true } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const log = ends.hostLog.join('\n');
    assert.match(log, /rejected request "fs\/delete"/);
    assert.match(log, /rejected a message: expected an object envelope, got string/);
    assert.match(log, /rejected event "chat\/stop"/);
    assert.deepEqual(host.calls, [], 'nothing reached the host');
  });

  it('runs only the commands the webview is allowed to run', async () => {
    await ends.view.request('command/run', { command: 'memcode.indexWorkspace' });
    assert.deepEqual(ends.editor.commands, ['memcode.indexWorkspace']);
    const reply = await rawRequest(ends.viewEnd, { kind: 'request', id: 'x3', name: 'command/run', data: { command: 'workbench.action.terminal.sendSequence' } }, 'x3');
    assert.equal(reply.error.kind, 'invalid');
    assert.deepEqual(ends.editor.commands, ['memcode.indexWorkspace']);
  });

  it('inserts code into the editor, and says so when no editor is open', async () => {
    await ends.view.request('editor/insert', { code: 'const x = 1;' });
    assert.deepEqual(ends.editor.inserted, ['const x = 1;']);
    ends.editor.open = false;
    const error = await rejection(ends.view.request('editor/insert', { code: 'y' }));
    assert.equal(error.message, 'no editor is open to insert into');
  });

  it('returns the editor selection, or null without an editor', async () => {
    assert.deepEqual(await ends.view.request('editor/selection'), { path: 'src/a.ts', startLine: 2, endLine: 3, text: 'b\nc' });
    ends.editor.selected = null;
    assert.equal(await ends.view.request('editor/selection'), null);
  });

  it('completes file paths with 20 results by default and never more than 200', async () => {
    assert.deepEqual(await ends.view.request('workspace/files', { query: 'a.ts' }), ['src/a.ts']);
    await ends.view.request('workspace/files', { query: '', limit: 10_000 });
    await ends.view.request('workspace/files', { query: '', limit: 0 });
    assert.deepEqual(ends.editor.queries.map((q) => q.limit), [20, 200, 1]);
  });

  it('tells the view to open a folder when none is open', async () => {
    ends.close();
    ends = connect(new TestHost(undefined));
    const error = await rejection(ends.view.request('ready'));
    assert.match(error.message, /open a folder first/);
  });
});
