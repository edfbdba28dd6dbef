// The chat's session, context and model requests (host/sessionHandlers.ts, contextHandlers.ts,
// modelHandlers.ts) over the real messenger pair, against a real agent, workspace and fake model server.
import assert from 'node:assert/strict';
import type { Agent } from '../../src/core/agent';
import { openAgent } from '../../src/app/openAgent';
import { registerContextHandlers, type ContextEditor } from '../../src/host/contextHandlers';
import { registerModelHandlers, type KeyStore, type ModelSettingsStore } from '../../src/host/modelHandlers';
import { registerSessionHandlers } from '../../src/host/sessionHandlers';
import { toSessionSummary, toTranscript } from '../../src/host/transcript';
import { createTokenCounter } from '../../src/llm/tokens';
import { createHostMessenger, createWebviewMessenger, type WebviewMessenger } from '../../src/protocol/messenger';
import type { Attachment } from '../../src/protocol/shapes';
import { FAKE_MODEL, startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';
import { rejection } from '../helpers/messengerRejection';
import { createTransportPair } from '../helpers/transportPair';
import { startTestEnv, stopTestEnv, writeFile } from '../helpers/workspace';

const tokens = createTokenCounter();

describe('host: sessions, context and model requests', () => {
  let llm: FakeLlm;
  let workspace: string;
  let agent: Agent;
  let view: WebviewMessenger;
  let close: () => void;
  const editor: ContextEditor & { selected: Attachment | null; picked: string[] } = {
    selected: null,
    picked: [],
    selection() {
      return this.selected;
    },
    async pickFiles() {
      return this.picked;
    },
  };
  const settings: ModelSettingsStore & { written: string[] } = {
    written: [],
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    read() {
      return { baseUrl: this.baseUrl, model: this.model };
    },
    async write(baseUrl: string, model: string) {
      this.written.push(`${baseUrl} ${model}`);
      this.baseUrl = baseUrl;
      this.model = model;
    },
  } as ModelSettingsStore & { written: string[]; baseUrl: string; model: string };
  const keys: KeyStore & { value?: string } = {
    async get() {
      return this.value;
    },
    async set(value: string) {
      this.value = value;
    },
  };

  beforeEach(async () => {
    ({ llm, workspace } = await startTestEnv());
    agent = openAgent({ workspaceRoot: workspace, baseUrl: llm.url, model: 'fake-model', contextWindow: 16_384, approvals: { request: async () => ({ approved: true }) }, tokens, maxRetries: 0 });
    const folder = { agent: async () => agent };
    const host = {
      activeFolder: () => folder,
      resumeSession: async (id: string) => {
        await agent.resumeSession(id);
        return toSessionSummary(agent.sessions.current(), true);
      },
    };
    const [hostEnd, viewEnd] = createTransportPair();
    const hostMessenger = createHostMessenger(hostEnd, { log: () => {} });
    registerSessionHandlers(hostMessenger, host);
    registerContextHandlers(hostMessenger, host, editor);
    registerModelHandlers(hostMessenger, settings, keys);
    view = createWebviewMessenger(viewEnd, { log: () => {}, timeoutMs: 20_000 });
    close = () => (view.dispose(), hostMessenger.dispose());
    editor.selected = null;
    editor.picked = [];
  });
  afterEach(() => {
    close();
    return stopTestEnv(llm);
  });

  it('resumes, renames and deletes sessions; deleting the current one is refused with the reason', async () => {
    llm.script({ text: 'ok' });
    await agent.send('first topic');
    const first = agent.sessions.current();
    llm.script({ text: 'summary' });
    await agent.newSession();
    llm.script({ text: 'ok' });
    await agent.send('second topic');
    const second = agent.sessions.current();

    assert.deepEqual(await view.request('session/search', { query: 'FIRST topic' }), [first.id], 'the words, in any case, in a message of the session');
    assert.deepEqual(await view.request('session/search', { query: 'topic' }), [second.id, first.id], 'most recent first');
    await view.request('session/rename', { id: first.id, title: 'The first topic' });
    const resumed = await view.request('session/resume', { id: first.id });
    assert.equal(resumed.id, first.id);
    assert.equal(resumed.current, true);
    assert.equal(agent.sessions.current().id, first.id);
    const notices = toTranscript(agent.transcript()).filter((i) => i.type === 'notice');
    assert.deepEqual(notices.map((n) => n.type === 'notice' && [n.kind, n.text]), [['session', 'Continued this session (the model was given a recap of it)']], 'the person sees a short line, not the recap');
    await view.request('session/delete', { id: second.id });
    assert.deepEqual(agent.sessions.list().map((s) => s.title), ['The first topic']);
    assert.ok(agent.recall.all().some((r) => r.session === second.id && r.content === 'second topic'), 'its messages stay in recall');
    const refused = await rejection(view.request('session/delete', { id: first.id }));
    assert.match(refused.message, /current session cannot be deleted/);
  });

  it('attaches a file and a folder through the workspace policy, and the paperclip falls back to picked files', async () => {
    writeFile(workspace, 'src/store.ts', 'export class TodoStore {}\n');
    writeFile(workspace, '.env', 'KEY=1\n');
    const [file] = await view.request('workspace/attach', { path: 'src/store.ts' });
    assert.deepEqual(file.attachment, { path: 'src/store.ts', text: 'export class TodoStore {}\n' });
    assert.ok(file.tokens > 0);
    assert.match((await rejection(view.request('workspace/attach', { path: '.env' }))).message, /secrets file/);
    assert.match((await rejection(view.request('workspace/attach', { path: '../../etc/passwd' }))).message, /outside/);

    editor.selected = { path: 'src/a.ts', startLine: 2, endLine: 3, text: 'b\nc' };
    assert.deepEqual((await view.request('editor/attach')).map((a) => a.attachment.path), ['src/a.ts']);
    editor.selected = null;
    editor.picked = ['src'];
    assert.deepEqual((await view.request('editor/attach')).map((a) => a.attachment.path), ['src/store.ts']);
    editor.picked = [];
    assert.deepEqual(await view.request('editor/attach'), [], 'a cancelled picker attaches nothing');
  });

  it("tests a connection, saves the choice (key to the key store, URL and model to settings), and lists the server's models", async () => {
    const server = await startFakeLlm({ requireApiKey: 'sk-local' });
    try {
      const before = await view.request('model/config');
      assert.equal(before.configured, false, 'OpenAI without a key needs setting up');
      assert.deepEqual(before.presets.map((p) => p.id), ['openai', 'ollama', 'lmstudio', 'vllm', 'openrouter', 'custom']);
      const failed = await rejection(view.request('model/test', { baseUrl: server.url, apiKey: 'sk-wrong' }));
      assert.match(failed.message, /key|401|auth/i);
      assert.deepEqual(await view.request('model/test', { baseUrl: server.url, apiKey: 'sk-local' }), { models: [FAKE_MODEL] });
      const saved = await view.request('model/save', { baseUrl: `${server.url}/`, model: FAKE_MODEL, apiKey: 'sk-local' });
      assert.equal(keys.value, 'sk-local');
      assert.deepEqual(settings.written, [`${server.url} ${FAKE_MODEL}`], 'the URL without its trailing slash; no key in settings');
      assert.equal(saved.configured, true);
      assert.deepEqual(await view.request('model/list'), { models: [FAKE_MODEL] }, 'the picker uses the stored key');
      // An environment override wins over the setting: the save says so.
      const read = settings.read;
      settings.read = () => ({ baseUrl: 'http://127.0.0.1:1/v1', model: FAKE_MODEL });
      try {
        assert.match((await rejection(view.request('model/save', { baseUrl: server.url, model: FAKE_MODEL }))).message, /MEMCODE_BASE_URL \(http:\/\/127\.0\.0\.1:1\/v1\) overrides it/);
      } finally {
        settings.read = read;
      }
    } finally {
      await server.close();
    }
  });
});
