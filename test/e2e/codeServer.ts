// A small harness for driving MemCode in a real VS Code: code-server (installed by test/e2e/setup.ts)
// driven through Debian's chromium with playwright-core. See /work/shared/E2E.md.
//
//   const server = await startCodeServer({ workspace, vsix, env: { MEMCODE_BASE_URL: llm.url } });
//   const { page, close } = await openBrowser(server.folderUrl);
//   await openMemCodeView(page);
//   const chat = await webviewFrame(page, '.chat-input');
//   ...
//   await server.restart();           // same user-data-dir, extensions-dir and workspace
//   await server.stop();              // kills code-server's whole process group
//
// Everything lives in fresh temp folders; `server.logsDir` holds code-server's logs (the extension
// host log and the 'MemCode' output channel among them: see findLogFiles).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Frame, type Page } from 'playwright-core';
import { CHROMIUM, CODE_SERVER_BIN, isInstalled } from './setup';

export interface StartOptions {
  /** The folder to open. */
  workspace: string;
  /** A .vsix to install into the fresh extensions dir (skipped on restart). */
  vsix?: string;
  /** Extra environment for code-server and so the extension host (e.g. MEMCODE_BASE_URL). */
  env?: Record<string, string>;
  /** Merged into User/settings.json on top of {"workbench.startupEditor": "none"}. */
  userSettings?: Record<string, unknown>;
  /** Reuse an existing profile (user-data-dir and extensions-dir under this folder); default a fresh temp dir. */
  dataDir?: string;
  /** Milliseconds to wait for /healthz; default 60 s. */
  timeoutMs?: number;
  /** Port to bind; default a free one. */
  port?: number;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/?folder=WORKSPACE */
  folderUrl: string;
  workspace: string;
  dataDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server writes its own and the extension host's logs here (one sub-folder per start). */
  logsDir: string;
  /** code-server's stdout and stderr. */
  stdoutLog: string;
  /** Milliseconds the last start took (spawn until /healthz answered). */
  startMs: number;
  /** Milliseconds installing the VSIX took (0 when not installed this time). */
  installMs: number;
  pid(): number | undefined;
  stop(): Promise<void>;
  /** Stops and starts again on the same profile and workspace (same port when it is still free). */
  restart(): Promise<void>;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  if (!isInstalled()) throw new Error('code-server is not installed: run `npx tsx test/e2e/setup.ts` first');
  const workspace = path.resolve(options.workspace);
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-e2e-'));
  const userDataDir = path.join(dataDir, 'user');
  const extensionsDir = path.join(dataDir, 'ext');
  const logsDir = path.join(userDataDir, 'logs');
  const stdoutLog = path.join(dataDir, 'code-server.log');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });

  const settingsPath = path.join(userDataDir, 'User', 'settings.json');
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(fs.readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
  } catch {
    // fresh profile
  }
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    // The user block's per-user store (src/memory/userStore.ts) in this profile, never the machine's ~/.memcode.
    'memcode.memory.userStorePath': path.join(dataDir, 'user-store', 'user.md'),
    ...existing,
    ...(options.userSettings ?? {}),
  };
  fs.writeFileSync(settingsPath, JSON.stringify(settings, null, 2) + '\n');

  const env: NodeJS.ProcessEnv = { ...process.env, ...(options.env ?? {}) };
  // code-server refuses to nest inside another code-server's terminal (VSCODE_IPC_HOOK_CLI).
  delete env.VSCODE_IPC_HOOK_CLI;

  let installMs = 0;
  if (options.vsix) {
    const t0 = Date.now();
    await run(process.execPath, [CODE_SERVER_BIN, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', path.resolve(options.vsix), '--force'], env);
    installMs = Date.now() - t0;
  }

  let child: ChildProcess | undefined;
  let port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 60_000;

  const server: CodeServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    folderUrl: '',
    workspace,
    dataDir,
    userDataDir,
    extensionsDir,
    logsDir,
    stdoutLog,
    startMs: 0,
    installMs,
    pid: () => child?.pid,
    stop: async () => {
      const c = child;
      child = undefined;
      if (c) await killGroup(c);
    },
    restart: async () => {
      await server.stop();
      if (!(await isPortFree(port))) port = await freePort();
      await launch();
    },
  };

  async function launch(): Promise<void> {
    const t0 = Date.now();
    const out = fs.openSync(stdoutLog, 'a');
    const args = [
      CODE_SERVER_BIN,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      workspace,
    ];
    const c = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child = c;
    let exited: string | undefined;
    c.once('exit', (code, signal) => {
      exited = `code-server exited (code ${code}, signal ${signal}); see ${stdoutLog}`;
    });
    server.port = port;
    server.url = `http://127.0.0.1:${port}`;
    server.folderUrl = `${server.url}/?folder=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(exited + '\n' + tail(stdoutLog));
      try {
        const res = await fetch(`${server.url}/healthz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms; see ${stdoutLog}\n${tail(stdoutLog)}`);
      }
      await sleep(150);
    }
    server.startMs = Date.now() - t0;
  }

  await launch();
  return server;
}

async function killGroup(c: ChildProcess): Promise<void> {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-c.pid!, sig);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const timedOut = await Promise.race([gone.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    signal('SIGKILL');
    await Promise.race([gone, sleep(2000)]);
  } else {
    // The extension host and other children share the group: give them a moment to shut down
    // cleanly (they release locks and flush state), then make sure none outlives code-server.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && groupAlive(c.pid)) await sleep(100);
    signal('SIGKILL');
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string, chars = 3000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '';
  }
}

/** Every file under code-server's logs folder whose path matches `pattern`, newest start last. */
export function findLogFiles(logsDir: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (pattern.test(p)) found.push(p);
    }
  };
  walk(logsDir);
  return found.sort();
}

/** The extension host logs and the MemCode output channel, concatenated with headers. */
export function readExtensionLogs(logsDir: string): string {
  return findLogFiles(logsDir, /(exthost\.log|MemCode\.log|memcode[^/]*\.log|remoteagent\.log)$/i)
    .map((f) => `===== ${path.relative(logsDir, f)}\n${fs.readFileSync(f, 'utf8')}`)
    .join('\n');
}

// ---------------------------------------------------------------- browser

export interface ConsoleEntry {
  time: number;
  type: string;
  text: string;
  frameUrl: string;
  location?: string;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console messages (and page errors) from every frame, in order. */
  console: ConsoleEntry[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Debian's chromium, headless, with a fresh profile; opens `url` and waits for the workbench. */
export async function openBrowser(url: string, opts: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', ...CHROMIUM_ARGS],
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  const consoleEntries: ConsoleEntry[] = [];
  const onConsole = (msg: ConsoleMessage) => {
    const loc = msg.location();
    let frameUrl = '';
    try {
      frameUrl = msg.page()?.url() ?? '';
    } catch {
      // ignore
    }
    consoleEntries.push({ time: Date.now(), type: msg.type(), text: msg.text(), frameUrl: loc.url || frameUrl, location: loc.url ? `${loc.url}:${loc.lineNumber}` : undefined });
  };
  context.on('console', onConsole);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => consoleEntries.push({ time: Date.now(), type: 'pageerror', text: err.stack ?? err.message, frameUrl: page.url() }));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: opts.timeoutMs ?? 60_000 });
  return {
    context,
    page,
    console: consoleEntries,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Clicks the MemCode item in the activity bar (if its view is not already showing). */
export async function openMemCodeView(page: Page, timeoutMs = 30_000): Promise<void> {
  const item = page.locator('.activitybar [aria-label*="MemCode"]').first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const checked = await item.getAttribute('aria-checked').catch(() => null);
  const parentChecked = await page
    .locator('.activitybar .action-item.checked [aria-label*="MemCode"], .activitybar .action-item.checked[aria-label*="MemCode"]')
    .count();
  if (checked === 'true' || parentChecked > 0) return;
  await item.click();
}

/**
 * The webview's own document: a nested frame whose URL contains /webview/browser/pre/ and that
 * holds `selector`. Polls until found.
 */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/webview/browser/pre/')) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        // detached while we looked
      }
    }
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url()).join('\n  ');
      throw new Error(`no webview frame holds ${selector} after ${timeoutMs} ms; frames:\n  ${urls}`);
    }
    await sleep(200);
  }
}

/** Runs a command from the palette: F1, type the title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  // Focus the workbench (not a webview, which would swallow F1).
  await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Opens a workspace file by name through Quick Open, from the workbench (a focused webview can swallow
 * the keys). The file search runs ripgrep and sees a file written a moment ago only later, and on a
 * busy machine the first answer can be slow: ask again until the file is offered.
 */
export async function openByQuickOpen(page: Page, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  for (;;) {
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    const offered = await input
      .waitFor({ state: 'visible', timeout: 5_000 })
      .then(() => input.fill(name))
      .then(() => row.waitFor({ state: 'visible', timeout: 5_000 }))
      .then(() => true, () => false);
    if (offered) break;
    if (Date.now() > deadline) throw new Error(`Quick Open did not offer ${name} within ${timeoutMs} ms`);
  }
  await page.keyboard.press('Enter');
}

/** The text of every notification toast currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast').allInnerTexts();
}

/** Waits for a notification whose text contains `text` and returns its locator. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return toast;
}
