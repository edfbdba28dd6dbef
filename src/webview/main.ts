// The chat UI in the MemCode sidebar (a browser bundle, dist/webview.js). It builds the page, talks to
// the extension host only through the typed messenger (src/protocol/messenger.ts), and keeps its state with
// vscode.setState so a reload draws the transcript at once, before the host's `ready` answer arrives.
import { CHAT_ERROR_KINDS, type Attachment, type ChatError, type ChatErrorKind, type InitialState, type MemorySnapshot, type SessionSummary } from '../protocol/shapes';
import { createWebviewMessenger, MessengerError } from '../protocol/messenger';
import { Composer } from './composer';
import { el } from './dom';
import { Inspector } from './inspector';
import { SessionBar } from './sessions';
import { TranscriptView, type TranscriptSnapshot } from './transcript';
import { wireCards } from './cardWiring';
import { createVsCodeTransport, vscodeApi } from './transport';

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

const composer = new Composer({
  send: (text, attachments) => void send(text, attachments),
  stop: () => void messenger.request('chat/stop').catch((e: unknown) => transcript.error(chatErrorFrom(e, 'Could not stop'))),
  attachSelection: async () => {
    try {
      return await messenger.request('editor/selection');
    } catch (e) {
      transcript.error(chatErrorFrom(e, 'Could not read the editor selection'));
      return null;
    }
  },
  findFiles: (query) => messenger.request('workspace/files', { query, limit: 8 }),
});

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

const sessions = new SessionBar({
  newSession: () => void newSession(),
  list: () => messenger.request('session/list'),
  open: (id) => void openSession(id),
  backToCurrent: () => void backToCurrent(),
});

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
  transcript.reset(state.transcript, state.queued, state.running ? streaming : '');
  setSession(state.session);
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

// ---- Page ---------------------------------------------------------------------------------------

const root = document.getElementById('root') ?? document.body;
root.replaceChildren(
  el('div', { className: 'app' }, sessions.element, inspector.usageElement, inspector.element, sessions.banner, transcript.element, composer.element),
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
