// The chat UI in the MemCode sidebar (a browser bundle, dist/webview.js). It builds the page, talks to
// the extension host only through the typed messenger (src/protocol/messenger.ts), and keeps its state with
// vscode.setState so a reload draws the transcript at once, before the host's `ready` answer arrives.
import { CHAT_ERROR_KINDS, type AttachedContent, type Attachment, type ChatError, type ChatErrorKind, type InitialState, type MemorySnapshot, type ModelConfig, type SessionSummary } from '../protocol/shapes';
import { createWebviewMessenger, MessengerError } from '../protocol/messenger';
import { Composer } from './composer';
import { el } from './dom';
import { Inspector } from './inspector';
import { ModelPicker } from './modelPicker';
import { OnboardingPanel } from './onboarding';
import { SessionBar } from './sessions';
import { TranscriptView, type TranscriptSnapshot } from './transcript';
import { wireCards } from './cardWiring';
import { createVsCodeTransport, vscodeApi } from './transport';
import { withViewOnlyItems } from './viewOnlyItems';

interface SavedState {
  version: 1;
  session?: SessionSummary;
  transcript: TranscriptSnapshot;
  memory?: MemorySnapshot;
  running: boolean;
}

function isSavedState(value: unknown): value is SavedState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SavedState>;
  return v.version === 1 && typeof v.transcript === 'object' && v.transcript !== null && Array.isArray(v.transcript.items) && Array.isArray(v.transcript.queued);
}

/** A failed request as the inline error shows it; the host's own error kind is kept when it is one of ours. */
function chatErrorFrom(error: unknown, what: string): ChatError {
  const remote = error instanceof MessengerError ? error.remoteKind : undefined;
  const kind: ChatErrorKind = remote && (CHAT_ERROR_KINDS as readonly string[]).includes(remote) ? (remote as ChatErrorKind) : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  return { kind, message: `${what}: ${message}`, retryable: false };
}

const vscode = vscodeApi();
const messenger = createWebviewMessenger(createVsCodeTransport(vscode), { log: (message) => console.warn(`[memcode] ${message}`) });

let session: SessionSummary | undefined;
let memory: MemorySnapshot | undefined;
let running = false;
/** A past session open read-only; live events still arrive and are drawn when the person goes back. */
let viewing: SessionSummary | undefined;

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  if (viewing) return;
  saveTimer ??= setTimeout(() => {
    saveTimer = undefined;
    if (viewing) return;
    const state: SavedState = { version: 1, transcript: transcript.snapshot(), running, ...(session ? { session } : {}), ...(memory ? { memory } : {}) };
    vscode.setState(state);
  }, 150);
}

const transcript = new TranscriptView(
  {
    insert: (code) => void messenger.request('editor/insert', { code }).catch((e: unknown) => transcript.error(chatErrorFrom(e, 'Could not insert the code'))),
    retry: () => void messenger.request('chat/retry').catch((e: unknown) => transcript.error(chatErrorFrom(e, 'Could not retry'))),
  },
  save,
);
wireCards(messenger, transcript, (message) => transcript.error({ kind: 'internal', message, retryable: false }));

const inspector = new Inspector({
  saveBlock: async (label, value) => {
    try {
      await messenger.request('memory/setBlock', { label, value });
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    }
  },
  runCommand: (command) => void messenger.request('command/run', { command }).catch((e: unknown) => transcript.error(chatErrorFrom(e, 'Could not run the command'))),
});

const composer = new Composer({
  send: (text, attachments) => void send(text, attachments),
  stop: () => void messenger.request('chat/stop').catch((e: unknown) => transcript.error(chatErrorFrom(e, 'Could not stop'))),
  // The paperclip waits on a file dialog when no editor is open: no timeout for the person's choice.
  attach: () => attachOrSay(() => messenger.request('editor/attach', undefined, { timeoutMs: 0 }), 'Could not attach'),
  attachPath: (path, quiet) =>
    quiet ? messenger.request('workspace/attach', { path }).catch(() => []) : attachOrSay(() => messenger.request('workspace/attach', { path }), `Could not attach ${path}`),
  findFiles: (query) => messenger.request('workspace/files', { query, limit: 8 }),
}, inspector.usageElement);

async function attachOrSay(ask: () => Promise<AttachedContent[]>, what: string): Promise<AttachedContent[]> {
  try {
    return await ask();
  } catch (e) {
    transcript.error(chatErrorFrom(e, what));
    return [];
  }
}


const sessions = new SessionBar({
  newSession: () => void newSession(),
  list: () => messenger.request('session/list'),
  search: (query) => messenger.request('session/search', { query }),
  open: (id) => void openSession(id),
  resume: (id) => void resumeSession(id),
  rename: (id, title) => messenger.request('session/rename', { id, title }),
  remove: (id) => messenger.request('session/delete', { id }),
  backToCurrent: () => void backToCurrent(),
});

let modelConfig: ModelConfig | undefined;
const onboarding = new OnboardingPanel({
  test: async (baseUrl, apiKey) => (await messenger.request('model/test', apiKey ? { baseUrl, apiKey } : { baseUrl }, { timeoutMs: 30_000 })).models,
  save: (baseUrl, model, apiKey) => messenger.request('model/save', apiKey ? { baseUrl, model, apiKey } : { baseUrl, model }),
  done: (config) => {
    if (config) setModelConfig(config);
    composer.focus();
  },
});
const modelPicker = new ModelPicker({
  list: async () => (await messenger.request('model/list', undefined, { timeoutMs: 30_000 })).models,
  choose: async (model) => {
    if (!modelConfig) throw new Error('the model settings are not loaded yet');
    try {
      setModelConfig(await messenger.request('model/save', { baseUrl: modelConfig.baseUrl, model }));
    } catch (e) {
      transcript.error(chatErrorFrom(e, 'Could not switch the model'));
      throw e;
    }
  },
  setUp: () => void showOnboarding(),
});

function setModelConfig(config: ModelConfig): void {
  modelConfig = config;
  modelPicker.setConfig(config);
}

async function loadModelConfig(): Promise<void> {
  try {
    const config = await messenger.request('model/config');
    setModelConfig(config);
    // First run: nothing to talk to yet, so the panel comes first.
    if (!config.configured && !onboarding.visible) showOverlay('onboarding', config);
  } catch (e) {
    console.warn(`[memcode] could not read the model settings: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function showOnboarding(): Promise<void> {
  try {
    showOverlay('onboarding', await messenger.request('model/config'));
  } catch (e) {
    transcript.error(chatErrorFrom(e, 'Could not open the model setup'));
  }
}

/** One overlay at a time: History, Memory or the model setup. */
function showOverlay(which: 'onboarding', config: ModelConfig): void;
function showOverlay(which: 'history' | 'memory' | 'none'): void;
function showOverlay(which: 'history' | 'memory' | 'onboarding' | 'none', config?: ModelConfig): void {
  if (which !== 'history') sessions.history.open = false;
  if (which !== 'memory') inspector.element.open = false;
  if (which === 'onboarding' && config) onboarding.show(config);
  else if (onboarding.visible) onboarding.element.hidden = true;
}

async function send(text: string, attachments: Attachment[] = []): Promise<void> {
  const wasRunning = running;
  const localId = wasRunning ? undefined : transcript.addLocalUser(text);
  if (wasRunning) transcript.addQueued(text);
  try {
    const answer = await messenger.request('chat/send', attachments.length ? { text, attachments } : { text });
    if (answer.queued && localId) {
      // The agent got busy between our last status and this message: it waits in the queue.
      transcript.remove(localId);
      transcript.addQueued(text);
    }
  } catch (e) {
    transcript.error(chatErrorFrom(e, 'Could not send the message'));
  }
}

function setRunning(value: boolean): void {
  running = value;
  composer.setRunning(value);
  transcript.setRunning(value);
  document.body.classList.toggle('agent-running', value);
  save();
}

function setSession(value: SessionSummary): void {
  session = value;
  sessions.setCurrent(value, provisionalTitle());
}

/** A session is named when it ends; until then the header shows what the person first asked. */
function provisionalTitle(): string | undefined {
  const first = transcript.snapshot().items.find((item) => item.type === 'user');
  return first?.type === 'user' ? first.text.split('\n')[0] : undefined;
}

function setMemory(value: MemorySnapshot): void {
  memory = value;
  inspector.render(value);
  save();
}

function applyInitial(state: InitialState, streaming = ''): void {
  viewing = undefined;
  sessions.showReadOnly(undefined);
  composer.setReadOnly(false);
  setMemory(state.memory);
  setRunning(state.running);
  transcript.reset(withViewOnlyItems(transcript.snapshot().items, state.transcript), state.queued, state.running ? streaming : '');
  setSession(state.session);
  composer.seedHistory(state.transcript.flatMap((item) => (item.type === 'user' ? [item.text] : [])));
}

async function loadInitial(streaming = ''): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      applyInitial(await messenger.request('ready', undefined, { timeoutMs: 10_000 }), streaming);
      return;
    } catch (e) {
      if (attempt >= 3) {
        transcript.error({ ...chatErrorFrom(e, 'Could not reach the MemCode extension'), hint: 'Reload the window (Developer: Reload Window).' });
        return;
      }
    }
  }
}

async function newSession(): Promise<void> {
  try {
    const started = await messenger.request('session/new');
    if (viewing) await backToCurrent();
    transcript.reset([]);
    setSession(started);
    setMemory(await messenger.request('memory/get'));
  } catch (e) {
    transcript.error(chatErrorFrom(e, 'Could not start a new session'));
  }
}

async function openSession(id: string): Promise<void> {
  try {
    const opened = await messenger.request('session/open', { id });
    if (!opened.readOnly) {
      await backToCurrent();
      return;
    }
    viewing = opened.session;
    sessions.showReadOnly(opened.session);
    composer.setReadOnly(true);
    transcript.reset(opened.transcript);
  } catch (e) {
    transcript.error(chatErrorFrom(e, 'Could not open the session'));
  }
}

/** The viewed past session becomes the current one: its transcript stays, and the next message continues it. */
async function resumeSession(id: string): Promise<void> {
  try {
    await messenger.request('session/resume', { id });
    await backToCurrent();
  } catch (e) {
    transcript.error(chatErrorFrom(e, 'Could not continue the session'));
  }
}

async function backToCurrent(): Promise<void> {
  viewing = undefined;
  await loadInitial();
  composer.focus();
}

// ---- Events from the host -------------------------------------------------------------------------

messenger.on('agent/text', ({ delta }) => {
  if (!viewing) transcript.appendDelta(delta);
});
messenger.on('agent/message', ({ item }) => {
  if (viewing) return;
  transcript.add(item);
  if (item.type === 'user' && session && !session.title) sessions.setCurrent(session, provisionalTitle());
});
messenger.on('agent/toolCall', ({ card }) => {
  if (!viewing) transcript.toolCall(card);
});
messenger.on('agent/toolResult', (result) => {
  if (!viewing) transcript.toolResult(result);
});
messenger.on('agent/status', ({ running: value, queued }) => {
  setRunning(value);
  if (viewing) return;
  if (!value) transcript.settleStreaming();
  transcript.setQueued(queued);
});
messenger.on('agent/error', ({ error }) => {
  if (!viewing) transcript.error(error);
});
messenger.on('memory/updated', ({ snapshot }) => setMemory(snapshot));
messenger.on('session/changed', ({ session: changed }) => {
  if (session?.id === changed.id) {
    setSession(changed);
    return;
  }
  if (!viewing) transcript.reset([]);
  setSession(changed);
});

messenger.on('composer/attach', ({ items }) => {
  if (viewing) void backToCurrent();
  showOverlay('none');
  composer.addAttachments(items);
  composer.focus();
});
messenger.on('composer/focus', () => {
  showOverlay('none');
  composer.focus();
});
messenger.on('onboarding/show', () => void showOnboarding());

// ---- Page ---------------------------------------------------------------------------------------

for (const [details, which] of [[sessions.history, 'history'], [inspector.element, 'memory']] as const) {
  details.addEventListener('toggle', () => {
    if (details.open) showOverlay(which);
  });
}
const header = el('header', { className: 'chat-header' }, sessions.title, modelPicker.element, sessions.history, inspector.element, sessions.newButton);
const root = document.getElementById('root') ?? document.body;
root.replaceChildren(
  el('div', { className: 'app' }, header, sessions.banner, transcript.element, onboarding.element, composer.element),
);

const saved = vscode.getState();
let savedStreaming = '';
if (isSavedState(saved)) {
  if (saved.memory) setMemory(saved.memory);
  setRunning(saved.running);
  transcript.reset(saved.transcript.items, saved.transcript.queued, saved.transcript.streaming);
  if (saved.session) setSession(saved.session);
  savedStreaming = saved.transcript.streaming;
}
composer.focus();
void loadInitial(savedStreaming);
void loadModelConfig();
