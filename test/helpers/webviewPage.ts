// Runs the built chat webview (dist/webview.js + media/chat.css) in headless Chromium and plays the
// extension host for it. The page is served from 127.0.0.1 with the same HTML shape and Content-Security-
// Policy as src/host/chatViewProvider.ts; `acquireVsCodeApi` is a stub that records every posted message in
// `window.__posted` and hands it to the test. The test's side is the real host messenger
// (createHostMessenger), so requests are answered and events sent in exactly the envelope format the
// extension uses, and the fixtures are validated by the same schemas as in production.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createHostMessenger, type EventNames, type Handler, type HostMessenger, type Transport } from '../../src/protocol/messenger';
import { webviewToHostSchema, type HostToWebview, type RequestOf, type WebviewToHost } from '../../src/protocol/messages';
import type { InitialState, MemorySnapshot, ModelConfig, SessionSummary } from '../../src/protocol/shapes';
import { chatPageHtml } from '../../src/host/chatHtml';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.MEMCODE_CHROMIUM ?? '/usr/bin/chromium';
/** The webview bundle under test; MEMCODE_WEBVIEW_JS points at another build (e.g. a deliberately broken one). */
const WEBVIEW_JS = path.resolve(ROOT, process.env.MEMCODE_WEBVIEW_JS ?? 'dist/webview.js');

/** Launches Debian's Chromium (CI installs it); a clear failure when it is not there or the bundle is not built. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`The webview browser tests need Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (or set MEMCODE_CHROMIUM).`);
  }
  if (!fs.existsSync(WEBVIEW_JS)) {
    throw new Error(`${path.relative(ROOT, WEBVIEW_JS)} is missing: run \`npm run build\` first.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

// ---- The page server ---------------------------------------------------------------------------

const FILES: Record<string, [string, string]> = {
  '/dist/webview.js': [WEBVIEW_JS, 'text/javascript'],
  '/media/chat.css': ['media/chat.css', 'text/css'],
  '/media/flow.css': ['media/flow.css', 'text/css'],
  '/media/layout.css': ['media/layout.css', 'text/css'],
  '/media/cards.css': ['media/cards.css', 'text/css'],
  '/dist/codicons/codicon.css': ['dist/codicons/codicon.css', 'text/css'],
  '/dist/codicons/codicon.ttf': ['dist/codicons/codicon.ttf', 'font/ttf'],
};

const NONCE = 'bWVtY29kZS10ZXN0LW5vbmNl';

// A few of the theme variables VS Code sets on a webview (Dark Modern), so the page looks and lays out as it
// does in the editor; the rest fall back to what chat.css says.
const THEME = `html {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-sideBar-background: #181818; --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc;
  --vscode-panel-border: #2b2b2b; --vscode-widget-border: #313131; --vscode-editorWidget-background: #202020;
  --vscode-input-background: #313131; --vscode-input-border: #3c3c3c; --vscode-input-foreground: #cccccc;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-textLink-foreground: #4daafc; --vscode-focusBorder: #0078d4;
  --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-charts-orange: #d18616;
  --vscode-editorWarning-foreground: #cca700; --vscode-inputValidation-errorBorder: #be1100;
}
body { background: var(--vscode-sideBar-background); color: var(--vscode-foreground); }`;

/**
 * The variables VS Code sets on a webview in its four default themes, read from a real VS Code by
 * test/e2e/themeVariables.ts (only those media/*.css uses).
 */
export const THEMES = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'webviewThemes.json'), 'utf8')) as Record<ThemeName, { kind: string; variables: Record<string, string> }>;
export type ThemeName = 'light' | 'dark' | 'highContrast' | 'highContrastLight';

function themeStyle(theme: ThemeName): string {
  const { variables } = THEMES[theme];
  const lines = Object.entries(variables).map(([name, value]) => `  ${name}: ${value};`);
  return `html {\n${lines.join('\n')}\n}\nbody { background: var(--vscode-sideBar-background); color: var(--vscode-foreground); }`;
}

/** The chat view's page exactly as the extension builds it; `csp: false` drops the policy (to test the sanitizer alone). */
function pageHtml(csp: boolean, theme?: ThemeName): string {
  const kind = theme ? THEMES[theme].kind : 'vscode-dark';
  return chatPageHtml({
    cspSource: "'self'",
    nonce: NONCE,
    scriptUri: '/dist/webview.js',
    styleUri: '/media/chat.css',
    layoutStyleUri: '/media/layout.css',
    cardsStyleUri: '/media/cards.css',
    codiconsUri: '/dist/codicons/codicon.css',
    inlineStyle: theme ? themeStyle(theme) : THEME,
    withoutCsp: !csp,
    bodyAttributes: `class="${kind}" data-vscode-theme-kind="${kind}"`,
  });
}

export class WebviewServer {
  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<WebviewServer> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        const theme = url.searchParams.get('theme');
        res.end(pageHtml(url.searchParams.get('csp') !== 'off', theme && Object.hasOwn(THEMES, theme) ? (theme as ThemeName) : undefined));
        return;
      }
      const file = FILES[url.pathname];
      const where = file && path.resolve(ROOT, file[0]);
      if (!where || !fs.existsSync(where)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
      fs.createReadStream(where).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new WebviewServer(server, `http://127.0.0.1:${port}`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---- Fixtures ----------------------------------------------------------------------------------

export const SESSION: SessionSummary = { id: 's-1', title: 'Fix the parser', started: '2025-01-02T10:00:00.000Z', current: true };

export function memorySnapshot(overrides: Partial<MemorySnapshot> = {}): MemorySnapshot {
  return {
    blocks: [
      { label: 'project', description: 'Facts about this codebase', limit: 2000, value: 'TypeScript monorepo; tests run with mocha.' },
      { label: 'user', description: 'How the person likes to work', limit: 1000, value: 'Prefers small commits.' },
      { label: 'task', description: 'Scratchpad for the current task', limit: 1000, value: '' },
    ],
    recallCount: 12,
    archivalCount: 340,
    indexState: { status: 'ready', files: 42, chunks: 340 },
    usage: { system: 1000, workingContext: 500, summary: 250, queue: 2250, total: 4000, budget: 7000, contextWindow: 8000 },
    ...overrides,
  };
}

export function initialState(overrides: Partial<InitialState> = {}): InitialState {
  return { session: SESSION, transcript: [], memory: memorySnapshot(), running: false, queued: [], ...overrides };
}

// ---- The page and its fake host ------------------------------------------------------------------

/** A message the webview posted, as the messenger's wire format has it. */
export interface Posted {
  kind: string;
  id?: string;
  name?: string;
  data?: unknown;
}

export interface OpenOptions {
  /** Send the Content-Security-Policy the extension sends (default true). */
  csp?: boolean;
  /** What vscode.getState() returns at load, as after the view was hidden and shown again. */
  savedState?: unknown;
  /** One of VS Code's four default themes (test/fixtures/webviewThemes.json); default a few Dark Modern values. */
  theme?: ThemeName;
  /** Answer for `ready`; a function may return a promise to hold the answer back. */
  initial?: InitialState | (() => InitialState | Promise<InitialState>);
  /** Answers that differ from the defaults, in place before the page loads (it asks some at once, e.g. approval/list, model/config). */
  handlers?: Handlers;
}

/**
 * The page's `acquireVsCodeApi`, as source text: tsx compiles functions with esbuild's keepNames, and
 * the `__name` helper it wraps them in does not exist in the page, so nothing here is passed as a function.
 */
function vscodeApiStub(savedState: unknown): string {
  return `(() => {
  window.__posted = [];
  window.__state = ${JSON.stringify(savedState ?? null)} ?? undefined;
  let acquired = false;
  document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage(message) {
        window.__posted.push(JSON.parse(JSON.stringify(message)));
        if (window.__memcodeToHost) window.__memcodeToHost(message);
      },
      getState() {
        return window.__state;
      },
      setState(state) {
        window.__state = state;
      },
    };
  };
})();`;
}

export type Handlers = { [K in keyof WebviewToHost]?: Handler<WebviewToHost, K> };

declare global {
  interface Window {
    __posted: Posted[];
    __state: unknown;
    __memcodeToHost?: (message: unknown) => void;
  }
}

/** The model settings the chat shows: configured unless a test says otherwise. */
export function modelConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    baseUrl: 'http://127.0.0.1:1/v1',
    model: 'fake-model',
    hasKey: false,
    configured: true,
    presets: [
      { id: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', needsKey: true, hint: 'A key.' },
      { id: 'ollama', label: 'Ollama', baseUrl: 'http://localhost:11434/v1', needsKey: false, hint: 'Local.' },
      { id: 'custom', label: 'Any OpenAI-compatible URL', baseUrl: '', needsKey: false, hint: 'Any URL.' },
    ],
    ...over,
  };
}

export class WebviewPage {
  readonly host: HostMessenger;
  /** Console warnings and errors, uncaught page errors, CSP violations, host-side protocol complaints, off-host requests. */
  readonly problems: string[] = [];
  private readonly handlers: Handlers;
  private listener: ((message: unknown) => void) | undefined;
  private delivery: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly page: Page,
    options: OpenOptions,
  ) {
    const transport: Transport = {
      post: (message) => {
        // VS Code hands host messages to the page as window 'message' events. One at a time, so they
        // arrive in the order they were sent.
        this.delivery = this.delivery.then(() =>
          page.evaluate((m) => window.postMessage(m, '*'), message).catch((e: unknown) => {
            if (!page.isClosed()) this.problems.push(`could not deliver to the page: ${String(e)}`);
          }),
        );
      },
      onMessage: (listener) => {
        this.listener = listener;
        return () => (this.listener = undefined);
      },
    };
    this.host = createHostMessenger(transport, { log: (m) => this.problems.push(`host: ${m}`) });
    const initial = options.initial ?? initialState();
    this.handlers = {
      ready: () => (typeof initial === 'function' ? initial() : initial),
      'chat/send': () => ({ queued: false }),
      'chat/stop': () => undefined,
      'chat/retry': () => undefined,
      'session/new': () => ({ ...SESSION, id: 's-2', title: '', started: '2025-01-03T10:00:00.000Z' }),
      'session/list': () => [SESSION],
      'session/open': () => ({ session: SESSION, transcript: [], readOnly: false }),
      'memory/get': () => memorySnapshot(),
      'memory/setBlock': () => ({ ok: true as const }),
      'editor/insert': () => undefined,
      'editor/selection': () => null,
      'workspace/files': () => [],
      'command/run': () => undefined,
      'session/resume': ({ id }) => ({ ...SESSION, id, current: true }),
      'session/rename': () => undefined,
      'session/delete': () => undefined,
      'session/search': () => [],
      'workspace/attach': ({ path }) => [{ attachment: { path, text: `content of ${path}\n` }, tokens: 5 }],
      'editor/attach': () => [],
      'model/config': () => modelConfig(),
      'model/test': () => ({ models: ['fake-model', 'other-model'] }),
      'model/save': ({ baseUrl, model }) => modelConfig({ baseUrl, model }),
      'model/list': () => ({ models: ['fake-model', 'other-model'] }),
      'approval/answer': () => ({ ok: true }),
      'approval/list': () => [],
      'file/open': () => undefined,
      'edit/undo': () => ({ path: '' }),
      'turn/restore': () => ({ restored: [] }),
      'turn/keep': () => undefined,
      'review/state': () => ({ edits: [] }),
      'code/apply': () => undefined,
      'code/run': () => undefined,
    };
    Object.assign(this.handlers, options.handlers ?? {});
    for (const name of Object.keys(webviewToHostSchema) as (keyof WebviewToHost)[]) {
      this.host.on(name, (data: unknown) => (this.handlers[name] as (d: unknown) => unknown)(data) as never);
    }
  }

  /**
   * Opens the chat view in a fresh page and waits for its `ready`. Pages of one context share a renderer
   * warm-up but nothing the view keeps: its saved state lives in the page (`window.__state`).
   */
  static async open(context: BrowserContext, server: WebviewServer, options: OpenOptions = {}): Promise<WebviewPage> {
    const page = await context.newPage();
    const view = new WebviewPage(page, options);
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') view.problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => view.problems.push(`page error: ${e.message}`));
    // No remote resources: anything not served by our 127.0.0.1 server is refused and reported.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.origin) || url.startsWith('data:')) return route.continue();
      view.problems.push(`request off the page's origin: ${url}`);
      return route.abort();
    });
    await page.exposeBinding('__memcodeToHost', (_source, message: unknown) => view.listener?.(message));
    await page.addInitScript(vscodeApiStub(options.savedState));
    const query = new URLSearchParams({ ...(options.csp === false ? { csp: 'off' } : {}), ...(options.theme ? { theme: options.theme } : {}) }).toString();
    await page.goto(`${server.origin}/${query ? `?${query}` : ''}`);
    await view.waitForPosted('ready');
    return view;
  }

  /** Replaces the fake host's answer to one request. */
  handle<K extends keyof WebviewToHost>(name: K, handler: Handler<WebviewToHost, K>): void {
    (this.handlers as Record<string, unknown>)[name] = handler;
  }

  /** Sends a host event and waits until it has been handed to the page (its handling is asynchronous). */
  async emit<K extends EventNames<HostToWebview> & string>(name: K, data: RequestOf<HostToWebview, K>): Promise<void> {
    (this.host.send as (n: string, d: unknown) => void)(name, data);
    await this.delivery;
  }

  /** Everything the webview posted so far, in order. */
  posted(): Promise<Posted[]> {
    return this.page.evaluate(() => window.__posted);
  }

  /** Waits for the webview to post a request named `name` (the `nth` one, 0-based) and returns it. */
  async waitForPosted(name: string, nth = 0): Promise<Posted> {
    const handle = await this.page.waitForFunction(
      ([n, i]) => (window.__posted ?? []).filter((m) => m.name === n)[i as number],
      [name, nth] as const,
    );
    return (await handle.jsonValue()) as Posted;
  }

  async close(): Promise<void> {
    this.host.dispose();
    await this.page.close();
  }
}

// ---- A describe block's browser ----------------------------------------------------------------------

/**
 * One Chromium, one page server and one browser context for a mocha describe block (registers its
 * hooks). Each test's page is closed after it, and console warnings (the messenger logs rejected
 * messages there), page errors, CSP violations, off-origin requests and the host messenger's complaints
 * about our fixtures fail the test that caused them.
 */
export class ChatPages {
  browser!: Browser;
  context!: BrowserContext;
  server!: WebviewServer;
  /** The page the running test opened. */
  view?: WebviewPage;

  static inSuite(viewport: { width: number; height: number }): ChatPages {
    const pages = new ChatPages();
    before(async () => {
      pages.browser = await launchChromium();
      pages.context = await pages.browser.newContext({ viewport });
      pages.server = await WebviewServer.start();
    });
    after(async () => {
      await pages.browser?.close();
      await pages.server?.close();
    });
    afterEach(async function () {
      const problems = [...(pages.view?.problems ?? [])];
      await pages.view?.close();
      pages.view = undefined;
      if (this.currentTest?.state === 'passed') assert.deepEqual(problems, [], 'the page or the host reported problems');
    });
    return pages;
  }

  /** Opens the chat and waits until `ready` is answered (the session title is drawn). */
  async open(options: OpenOptions = {}): Promise<WebviewPage> {
    this.view = await WebviewPage.open(this.context, this.server, options);
    await this.view.page.locator('.session-title').filter({ hasText: /\S/ }).waitFor();
    return this.view;
  }
}
