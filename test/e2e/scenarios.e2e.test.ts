// End-to-end scenarios: MemCode installed from memcode.vsix into a real VS Code (code-server 4.100.3)
// driven through Debian's chromium, talking to the scripted fake model (test/helpers/fakeLlm.ts).
// Everything is done through the UI a person sees: the activity bar, the chat webview, the command
// palette, notifications and the diff editor. See /work/shared/E2E.md.
//
//   npm run package && npm run test:e2e
//
// One code-server and one browser are shared by the scenarios; each scenario resets the fake
// model (queue, recorded requests, policy) and starts from an idle chat (beforeEach), and writes a
// screenshot of its end state to test/e2e/screenshots/<name>.png (afterEach, pass or fail).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { echoPolicy, startFakeLlm, type FakeLlm, type Policy, type RecordedRequest } from '../helpers/fakeLlm';
import {
  openBrowser,
  openByQuickOpen,
  openMemCodeView,
  readExtensionLogs,
  runCommand,
  sleep,
  startCodeServer,
  webviewFrame,
  type Browser,
  type CodeServer,
} from './codeServer';
import { setup } from './setup';

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = path.resolve(process.env.MEMCODE_E2E_VSIX ?? path.join(ROOT, 'memcode.vsix'));
const SHOTS = path.join(__dirname, 'screenshots');
const CHAT_INPUT = '[data-testid="chat-input"]';
/** Files in the workspace besides the handful the scenarios edit (the index scenario needs "a few hundred"). */
const FILLER_FILES = 300;
const NEEDLE_FILE = 'src/billing/ledgerReconciler.ts';
const NEEDLE_SYMBOL = 'reconcileQuarterlyLedger';
const SUMMARY_TEXT = 'E2E-SUMMARY: the person asked MemCode to remember the deploy command (rsync).';

/** The summarizer's requests get a fixed summary; every other request the echo reply. */
const defaultPolicy: Policy = (req) => {
  const system = String(req.body?.messages?.[0]?.content ?? '');
  if (system.startsWith('You maintain the running summary')) return { text: SUMMARY_TEXT };
  return echoPolicy(req);
};

let llm: FakeLlm;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let workspace: string;
const timings: Record<string, number> = {};

function page(): Page {
  if (!browser) throw new Error('no browser');
  return browser.page;
}

// ---------------------------------------------------------------- helpers

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last).split('\n')[0]})` : ''}`);
    await sleep(everyMs);
  }
}

/** The chat webview's own document, re-found each time (a restart or reload replaces it). */
async function chat(timeoutMs = 60_000): Promise<Frame> {
  return webviewFrame(page(), CHAT_INPUT, timeoutMs);
}

async function isRunning(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => document.body.classList.contains('agent-running'));
}

async function waitIdle(frame: Frame, timeoutMs = 60_000): Promise<void> {
  await waitFor('the agent to be idle', async () => !(await isRunning(frame)), timeoutMs);
}

async function sendMessage(text: string): Promise<Frame> {
  const frame = await chat();
  const input = frame.locator(CHAT_INPUT);
  await input.click();
  await input.fill(text);
  await input.press('Enter');
  // The composer empties itself once the message is handed to the host.
  await waitFor(`"${text.slice(0, 40)}" to be sent`, async () => (await input.inputValue()) === '', 10_000);
  return frame;
}

async function assistantTexts(frame: Frame): Promise<string[]> {
  return frame.locator('[data-testid="message-assistant"]').allInnerTexts();
}

async function waitForAssistant(frame: Frame, needle: string, timeoutMs = 60_000): Promise<string> {
  return waitFor(`an assistant message containing ${JSON.stringify(needle)}`, async () => {
    const done = (await assistantTexts(frame)).find((t) => t.includes(needle));
    return done && !(await frame.locator('[data-testid="message-assistant"].streaming').count()) ? done : undefined;
  }, timeoutMs);
}

function chatRequestsSince(n: number): RecordedRequest[] {
  return llm.chatRequests().slice(n);
}

type WireMessage = { role: string; content?: unknown; tool_call_id?: string; name?: string };

function messagesOf(req: RecordedRequest | undefined): WireMessage[] {
  return (req?.body?.messages ?? []) as WireMessage[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p?.text ?? '').join('');
  return content == null ? '' : JSON.stringify(content);
}

async function resetFakeModel(): Promise<void> {
  // The control route empties the scripted queue, the recorded requests and the chat counter.
  const res = await fetch(llm.url.replace(/\/v1$/, '/__fake/reset'), { method: 'POST' });
  assert.equal(res.status, 200, 'could not reset the fake model');
  llm.setPolicy(defaultPolicy);
}

function memoryFile(...parts: string[]): string {
  return path.join(workspace, '.memcode', ...parts);
}

/** Every line of recall/messages.jsonl, parsed; throws naming the first line that does not parse. */
function readRecall(): Array<{ id: number; role: string; content: string; kind?: string }> {
  const text = fs.readFileSync(memoryFile('recall', 'messages.jsonl'), 'utf8');
  const lines = text.split('\n');
  assert.equal(lines[lines.length - 1], '', 'recall/messages.jsonl does not end with a newline');
  return lines.slice(0, -1).map((line, i) => {
    try {
      return JSON.parse(line);
    } catch (e) {
      throw new Error(`recall/messages.jsonl line ${i + 1} does not parse (${String(e)}): ${line.slice(0, 200)}`);
    }
  });
}

function makeWorkspace(): string {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-e2e-ws-')));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    fs.writeFileSync(path.join(ws, rel), text);
  };
  write('README.md', '# Demo project\n\nA workspace for the MemCode end-to-end scenarios.\n');
  write('.gitignore', 'node_modules/\n');
  write(
    NEEDLE_FILE,
    `// Reconciles the general ledger with the bank statements at the end of each quarter.\nexport function ${NEEDLE_SYMBOL}(entries: Array<{ amount: number; cleared: boolean }>): number {\n  return entries.filter((e) => !e.cleared).reduce((sum, e) => sum + e.amount, 0);\n}\n`,
  );
  const topics = ['parser', 'router', 'cache', 'logger', 'queue', 'widget', 'session', 'config', 'metrics', 'auth'];
  for (let i = 0; i < FILLER_FILES; i++) {
    const topic = topics[i % topics.length];
    const dir = `src/${topic}`;
    if (i % 3 === 0) {
      write(`docs/${topic}/note${i}.md`, `# ${topic} note ${i}\n\nThe ${topic} module, part ${i}, handles case ${i * 7}.\n`);
    } else {
      write(
        `${dir}/${topic}${i}.ts`,
        `// ${topic} ${i}\nexport function ${topic}Step${i}(x: number): number {\n  return x * ${i} + ${i % 11};\n}\n\nexport class ${topic[0].toUpperCase()}${topic.slice(1)}${i} {\n  constructor(readonly name = '${topic}-${i}') {}\n  describe(): string {\n    return \`\${this.name}: \${${topic}Step${i}(2)}\`;\n  }\n}\n`,
      );
    }
  }
  return ws;
}

async function newBrowser(): Promise<void> {
  if (!server) throw new Error('no code-server');
  const t0 = Date.now();
  browser = await openBrowser(server.folderUrl, { timeoutMs: 120_000 });
  timings.browserOpenMs = Date.now() - t0;
}

async function closeBrowser(): Promise<void> {
  const b = browser;
  browser = undefined;
  if (b) await b.close();
}

/** Kill code-server's process group even when mocha is torn down abruptly. */
function killServerGroupSync(): void {
  const pid = server?.pid();
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/**
 * Brings the UI to a known state: a browser on the workbench, the MemCode view open, no agent
 * running, no past session shown, no quick input or notifications left over from another scenario.
 */
async function readyChat(): Promise<Frame> {
  if (!browser || browser.page.isClosed()) {
    await closeBrowser();
    await newBrowser();
  }
  const p = page();
  await p.keyboard.press('Escape').catch(() => undefined);
  await openMemCodeView(p, 60_000);
  const frame = await chat(90_000);
  if (await isRunning(frame)) {
    await frame.locator('[data-testid="stop"]').click();
    await waitIdle(frame);
  }
  if (await frame.locator('.readonly-banner').isVisible().catch(() => false)) {
    await frame.locator('.readonly-banner button[aria-label="Back to the current session"]').click();
  }
  // History, Memory and the model setup open over the chat: a scenario starts with none of them.
  await frame.evaluate(() => {
    document.querySelectorAll('details.header-overlay[open]').forEach((d) => d.removeAttribute('open'));
    document.querySelectorAll<HTMLElement>('[data-testid="onboarding"]').forEach((e) => (e.hidden = true));
  });
  // Wait for the host's `ready` answer (the usage bar is drawn from it).
  await frame.locator('[data-testid="context-usage"]').waitFor({ state: 'attached', timeout: 60_000 });
  if ((await p.locator('.notifications-toasts .notification-toast').count()) > 0) {
    await runCommand(p, 'Notifications: Clear All Notifications').catch(() => undefined);
  }
  return frame;
}

/** Drags the sash between the side bar and the editor until the side bar is `width` px wide. */
async function setSidebarWidth(p: Page, width: number): Promise<void> {
  const sidebar = p.locator('.part.sidebar');
  const box = await sidebar.boundingBox();
  if (!box || Math.abs(box.width - width) < 2) return;
  const sashes = await p.locator('.monaco-sash.vertical').evaluateAll((nodes) => nodes.map((n) => { const r = n.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height }; }));
  const sash = sashes.filter((s) => s.h > 200).sort((a, b) => Math.abs(a.x - (box.x + box.width)) - Math.abs(b.x - (box.x + box.width)))[0];
  if (!sash) throw new Error('no sash beside the side bar');
  await p.mouse.move(sash.x, sash.y);
  await p.mouse.down();
  await p.mouse.move(sash.x + (width - box.width) / 2, sash.y, { steps: 5 });
  await p.mouse.move(sash.x + (width - box.width), sash.y, { steps: 5 });
  await p.mouse.up();
  await waitFor(`a ${width} px side bar`, async () => Math.abs(((await sidebar.boundingBox())?.width ?? 0) - width) < 4, 5_000);
}

/** Preferences: Color Theme, then the theme by its label in the picker. */
async function pickColorTheme(p: Page, label: string): Promise<void> {
  // Enter on the palette could pick "Browse Color Themes in Marketplace" first: click the exact command.
  await p.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await p.keyboard.press('F1');
  const input = p.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('>Preferences: Color Theme');
  await p.locator('.quick-input-widget .monaco-list-row').filter({ has: p.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) }).first().click();
  // The palette's own input is replaced by the theme picker's (its rows are the themes).
  await p.locator('.quick-input-widget .monaco-list-row', { hasText: /Dark Modern|Light Modern/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(label);
  await p.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await p.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

function slug(title: string): string {
  return title.split(':')[0].trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

// ---------------------------------------------------------------- the suite

describe('MemCode in VS Code (code-server + chromium)', function () {
  this.timeout(240_000);

  before(async function () {
    // Installing code-server the first time takes a minute or two (npm, native modules).
    this.timeout(900_000);
    if (!fs.existsSync(VSIX)) {
      throw new Error(`no VSIX at ${VSIX}: run npm run package first (the e2e suite installs the packaged extension)`);
    }
    const s = await setup({ quiet: true });
    timings.setupMs = s.ms;
    fs.mkdirSync(SHOTS, { recursive: true });
    process.on('exit', killServerGroupSync);
    llm = await startFakeLlm({ policy: defaultPolicy });
    workspace = makeWorkspace();
    const t0 = Date.now();
    server = await startCodeServer({
      workspace,
      vsix: VSIX,
      env: { MEMCODE_BASE_URL: llm.url },
      userSettings: { 'memcode.model': 'fake-model', 'memcode.approval.edits': 'ask' },
      timeoutMs: 120_000,
    });
    timings.vsixInstallMs = server.installMs;
    timings.codeServerStartMs = server.startMs;
    timings.profileInstallStartMs = Date.now() - t0;
    await newBrowser();
  });

  after(async function () {
    this.timeout(60_000);
    await closeBrowser().catch(() => undefined);
    if (server) {
      await server.stop().catch(() => undefined);
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
    server = undefined;
    process.off('exit', killServerGroupSync);
    if (llm) await llm.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
  });

  let testStarted = 0;
  beforeEach(async function () {
    this.timeout(240_000);
    await resetFakeModel();
    // The first scenario opens the view itself: that is what it tests.
    if (this.currentTest?.title.startsWith('stream:')) return;
    await readyChat();
    testStarted = Date.now();
  });

  afterEach(async function () {
    this.timeout(60_000);
    const test = this.currentTest;
    if (!test) return;
    const name = slug(test.title);
    timings[name] = test.duration ?? Date.now() - testStarted;
    if (browser && !browser.page.isClosed()) {
      await browser.page.screenshot({ path: path.join(SHOTS, `${name}.png`) }).catch(() => undefined);
    }
    if (test.state === 'failed' && server) {
      fs.writeFileSync(path.join(SHOTS, `${name}.extension-logs.txt`), readExtensionLogs(server.logsDir));
      fs.writeFileSync(path.join(SHOTS, `${name}.console.json`), JSON.stringify(browser?.console ?? [], null, 2));
    }
  });

  it('stream: opens the view from the activity bar; a sent message streams in', async function () {
    const t0 = Date.now();
    await openMemCodeView(page(), 90_000);
    const frame = await chat(90_000);
    timings.viewOpenMs = Date.now() - t0;
    await frame.locator('[data-testid="context-usage"]').waitFor({ state: 'attached', timeout: 60_000 });

    const reply = 'Streaming reply: one two three four five six seven eight nine ten eleven twelve. END-OF-STREAM';
    llm.script({ text: reply, chunkSize: 3, delayMs: 150 });
    await sendMessage('Hello there, MemCode');
    await frame.locator('[data-testid="message-user"]', { hasText: 'Hello there, MemCode' }).waitFor({ timeout: 30_000 });
    // Partial text while the reply is still streaming: the page itself watches for it.
    const partial = await frame.waitForFunction(
      () => {
        const node = document.querySelector('[data-testid="message-assistant"].streaming');
        const text = node?.textContent ?? '';
        return text.includes('Streaming') && !text.includes('END-OF-STREAM') ? text : false;
      },
      undefined,
      { timeout: 60_000, polling: 25 },
    );
    const partialText = String(await partial.jsonValue());
    assert.ok(reply.startsWith(partialText.trim()), `the partial text is not a prefix of the reply: ${JSON.stringify(partialText)}`);
    const final = await waitForAssistant(frame, 'END-OF-STREAM');
    assert.equal(final.trim(), reply);
    const req = llm.chatRequests()[0];
    assert.equal(req?.body?.stream, true, 'the chat request did not ask for a stream');
  });

  it('memory-tool: working_context_append: the tool card, the memory inspector and the block file show the text', async function () {
    const text = 'Build with make-e2e';
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: text } }] }, { text: 'Noted: this project builds with make.' });
    const frame = await sendMessage('Remember that this project builds with make');
    const card = frame.locator('[data-testid="tool-card"][data-tool="working_context_append"]').last();
    await card.waitFor({ state: 'visible', timeout: 60_000 });
    await waitForAssistant(frame, 'builds with make');
    await waitFor('the tool card to show done', async () => /status-ok/.test((await card.getAttribute('class')) ?? ''), 30_000);

    const inspector = frame.locator('[data-testid="memory-inspector"]');
    if (!(await inspector.evaluate((d) => (d as HTMLDetailsElement).open))) await inspector.locator('summary').first().click();
    const block = frame.locator('[data-testid="memory-block"]', { hasText: 'project' }).first();
    await block.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the project block in the inspector to show the text', async () => (await block.locator('textarea').inputValue()).includes(text), 30_000);
    await block.scrollIntoViewIfNeeded();

    const disk = fs.readFileSync(memoryFile('memory', 'project.md'), 'utf8');
    assert.ok(disk.includes(text), `project.md does not hold the text: ${JSON.stringify(disk)}`);
  });

  it('restart: stop and start code-server: the transcript is back, and the next request carries working context, summary and queue', async function () {
    const remembered = 'Deploy with rsync-e2e';
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: remembered } }] }, { text: 'Noted the deploy command.' });
    let frame = await sendMessage('Remember the deploy command');
    await waitForAssistant(frame, 'Noted the deploy command');

    // New session: the queue is folded into the summary (the fake model writes SUMMARY_TEXT).
    await frame.locator('[data-testid="new-session"]').click();
    await waitFor('the summary in recall/state.json', () => fs.readFileSync(memoryFile('recall', 'state.json'), 'utf8').includes('E2E-SUMMARY'), 60_000);
    await waitFor('the transcript to clear', async () => (await frame.locator('[data-testid="message-user"]').count()) === 0, 30_000);
    frame = await sendMessage('Queued before the restart');
    await waitForAssistant(frame, 'echo: Queued before the restart');

    await closeBrowser();
    const t0 = Date.now();
    await server!.restart();
    timings.restartMs = Date.now() - t0;
    await newBrowser();
    await openMemCodeView(page(), 90_000);
    frame = await chat(90_000);
    await frame.locator('[data-testid="message-user"]', { hasText: 'Queued before the restart' }).waitFor({ timeout: 60_000 });
    await waitForAssistant(frame, 'echo: Queued before the restart');

    const before = llm.chatRequests().length;
    frame = await sendMessage('First after the restart');
    await waitForAssistant(frame, 'echo: First after the restart');
    const messages = messagesOf(chatRequestsSince(before)[0]);
    const system = textOf(messages[0]?.content);
    assert.equal(messages[0]?.role, 'system');
    assert.ok(system.includes(remembered), 'the working-context text is not in the system prompt after the restart');
    assert.ok(system.includes('E2E-SUMMARY'), 'the summary from before the restart is not in the system prompt');
    const users = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
    assert.ok(users.some((u) => u.includes('Queued before the restart')), `the queue from before the restart is not in the request: ${JSON.stringify(users)}`);
    assert.ok(users.some((u) => u.includes('First after the restart')));
  });

  it('index: MemCode: Index Workspace shows progress notification, completion, and archival_memory_search finds the file', async function () {
    const p = page();
    await runCommand(p, 'MemCode: Index Workspace');
    let sawProgress = '';
    const done = await waitFor(
      'the indexing to complete',
      async () => {
        const texts = await p.locator('.notifications-toasts .notification-toast').allInnerTexts();
        const progress = texts.find((x) => /indexing/i.test(x) && !/files indexed/.test(x));
        if (progress && !sawProgress) sawProgress = progress.replace(/\s+/g, ' ');
        return texts.find((x) => /files indexed/.test(x));
      },
      200_000,
      50,
    );
    assert.ok(sawProgress, 'no progress notification was seen while indexing');
    const indexed = Number(/(\d+) files indexed/.exec(done)?.[1] ?? 0);
    assert.ok(indexed >= FILLER_FILES, `only ${indexed} files indexed: ${done}`);

    llm.script({ toolCalls: [{ name: 'archival_memory_search', arguments: { query: `${NEEDLE_SYMBOL} ledger reconcile quarter` } }] }, { text: 'Found the ledger code.' });
    const before = llm.chatRequests().length;
    const frame = await sendMessage('Where is the quarterly ledger reconciled?');
    await waitForAssistant(frame, 'Found the ledger code');
    const second = chatRequestsSince(before)[1];
    const tool = messagesOf(second).filter((m) => m.role === 'tool').pop();
    const result = textOf(tool?.content);
    assert.ok(result.includes(NEEDLE_FILE), `the search result does not hold ${NEEDLE_FILE}: ${result.slice(0, 600)}`);
  });

  it('edit-accept: edit_file: the card waits for approval with the diff open, and the diff title bar\'s Accept changes the file on disk', async function () {
    const file = path.join(workspace, 'accept.txt');
    fs.writeFileSync(file, 'hello\n');
    llm.script({ toolCalls: [{ name: 'edit_file', arguments: { path: 'accept.txt', old_text: 'hello', new_text: 'bye' } }] }, { text: 'I changed hello to bye.' });
    const frame = await sendMessage('Change hello to bye in accept.txt');
    const p = page();
    const card = frame.locator('[data-testid="tool-card"][data-tool="edit_file"]').last();
    await card.getByTestId('approval').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await card.getByTestId('approval').innerText(), /Waiting for your approval[\s\S]*accept\.txt/);
    await p.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the proposed text on the diff\'s modified side', async () => (await p.locator('.monaco-diff-editor .editor.modified .view-lines').first().innerText()).includes('bye'), 30_000);
    assert.equal(fs.readFileSync(file, 'utf8'), 'hello\n', 'the file changed before Accept');
    assert.equal(await p.locator('.notifications-toasts .notification-toast', { hasText: 'MemCode wants' }).count(), 0, 'no notification while the chat shows the question');
    await p.locator('.editor-actions .action-label[aria-label*="Accept Proposed Edit"]').first().click();
    await waitFor('accept.txt to change on disk', () => fs.readFileSync(file, 'utf8') === 'bye\n', 30_000);
    await waitForAssistant(frame, 'hello to bye');
    await card.getByTestId('approval').waitFor({ state: 'detached', timeout: 30_000 });
    await card.getByTestId('edit-change').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await card.locator('summary').first().getAttribute('aria-label'), 'Edited accept.txt +1 −1 — done');
  });

  it('edit-reject: edit_file rejected on its card with a reason: the file stays as it was and the model receives the reason', async function () {
    const file = path.join(workspace, 'reject.txt');
    fs.writeFileSync(file, 'alpha\n');
    llm.script({ toolCalls: [{ name: 'edit_file', arguments: { path: 'reject.txt', old_text: 'alpha', new_text: 'beta' } }] }, { text: 'OK, I left reject.txt alone.' });
    const before = llm.chatRequests().length;
    const frame = await sendMessage('Change alpha to beta in reject.txt');
    const card = frame.locator('[data-testid="tool-card"][data-tool="edit_file"]').last();
    await card.getByTestId('approval-reject').click({ timeout: 60_000 });
    await card.getByTestId('approval-reason').fill('keep alpha');
    await card.getByTestId('approval-reason').press('Enter');
    await waitForAssistant(frame, 'left reject.txt alone');
    assert.equal(fs.readFileSync(file, 'utf8'), 'alpha\n', 'reject.txt changed although the edit was rejected');
    const tool = messagesOf(chatRequestsSince(before)[1]).filter((m) => m.role === 'tool').pop();
    const result = textOf(tool?.content);
    assert.match(result, /reject/i, `the model was not told about the rejection: ${result}`);
    assert.ok(result.includes('keep alpha'), `the reason did not reach the model: ${result}`);
    assert.equal(await card.locator('summary').first().getAttribute('aria-label'), 'Edit to reject.txt rejected: keep alpha');
    assert.equal(await page().locator('.monaco-diff-editor').count(), 0, 'the diff closed with the answer');
  });

  it('stop: Stop during a long streamed reply: streaming ends, the input works, memory on disk is consistent', async function () {
    const long = 'This is a very slow reply. '.repeat(30) + 'NEVER-REACHED';
    llm.script({ text: long, chunkSize: 3, delayMs: 200 });
    const frame = await sendMessage('Say something slow');
    await frame.waitForFunction(() => (document.querySelector('[data-testid="message-assistant"].streaming')?.textContent ?? '').includes('very slow'), undefined, {
      timeout: 60_000,
      polling: 25,
    });
    await frame.locator('[data-testid="stop"]').click();
    await waitIdle(frame, 30_000);
    await waitFor('streaming to end', async () => (await frame.locator('[data-testid="message-assistant"].streaming').count()) === 0, 30_000);
    const last = (await assistantTexts(frame)).pop() ?? '';
    assert.ok(last.includes('very slow') && !last.includes('NEVER-REACHED'), `the last reply was not cut: ${JSON.stringify(last.slice(0, 200))}`);

    // Memory on disk: every line parses, and the stopped reply is recorded.
    const stopped = await waitFor('the stopped reply in recall/messages.jsonl', () => {
      const records = readRecall();
      return records.filter((r) => r.role === 'assistant' && r.content.includes('[stopped by the person]') && r.content.includes('very slow')).pop();
    }, 30_000);
    assert.ok(!stopped.content.includes('NEVER-REACHED'));
    const ids = readRecall().map((r) => r.id);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'recall ids are not in order');
    assert.equal(new Set(ids).size, ids.length, 'recall ids repeat');

    // The input is usable: the next message gets its answer.
    await sendMessage('Are you still there?');
    await waitForAssistant(frame, 'echo: Are you still there?');
  });

  it('server-errors: model server errors (401, then 500s): a clear error with a hint, and the next message works', async function () {
    let mode: 'auth' | 'server' | 'ok' = 'auth';
    llm.setPolicy((req) => (mode === 'auth' ? { status: 401 } : mode === 'server' ? { status: 500 } : defaultPolicy(req)));
    const errors = () => frame.locator('[data-testid="error"]');
    let frame = await chat();
    const errorsBefore = await errors().count();

    frame = await sendMessage('This one meets a 401');
    await waitFor('the 401 error in the chat', async () => (await errors().count()) > errorsBefore, 60_000);
    const authError = errors().last();
    const authMessage = await authError.locator('.error-message').innerText();
    const authHint = await authError.locator('.error-hint').innerText();
    assert.match(authMessage, /401/);
    assert.match(authHint, /API key/i);
    await waitIdle(frame);

    mode = 'server';
    const before = llm.chatRequests().length;
    await sendMessage('This one meets 500s');
    await waitFor('the 500 error in the chat', async () => (await errors().count()) > errorsBefore + 1, 90_000);
    const serverError = errors().last();
    const serverMessage = await serverError.locator('.error-message').innerText();
    const serverHint = await serverError.locator('.error-hint').innerText();
    assert.ok(serverMessage.trim().length > 0);
    assert.ok(serverHint.trim().length > 0, 'the server error has no hint');
    timings.serverErrorAttempts = chatRequestsSince(before).length;
    assert.ok(timings.serverErrorAttempts >= 1);
    await waitIdle(frame);

    mode = 'ok';
    await sendMessage('The server is back');
    await waitForAssistant(frame, 'echo: The server is back');
  });

  it('xss: model output with <img onerror> and <script> renders as text and runs nothing', async function () {
    const payload =
      'XSS-START <img src=x onerror="window.__memcodePwned=1;document.title=\'pwned\'"> middle <script>window.__memcodePwned=2;document.title="pwned"</script>\n\n' +
      '<img src=x onerror="window.__memcodePwned=3">\n\n<script>window.__memcodePwned=4</script>\n\nXSS-END';
    llm.script({ text: payload });
    const p = page();
    const outerTitle = await p.title();
    const frame = await sendMessage('Show me some HTML');
    const text = await waitForAssistant(frame, 'XSS-END');
    const message = frame.locator('[data-testid="message-assistant"]', { hasText: 'XSS-END' }).last();
    assert.equal(await message.locator('img, script, iframe, object, embed').count(), 0, 'the message holds markup from the model');
    assert.equal(await frame.locator('[data-testid="message-assistant"] [onerror], [data-testid="message-assistant"] script').count(), 0);
    assert.ok(text.includes('<img src=x'), `the <img> tag is not shown as text: ${JSON.stringify(text)}`);
    assert.ok(text.includes('<script>'), `the <script> tag is not shown as text: ${JSON.stringify(text)}`);
    const pwned = await frame.evaluate(() => ({ flag: (window as unknown as { __memcodePwned?: number }).__memcodePwned, title: document.title }));
    assert.equal(pwned.flag, undefined, 'the payload ran in the webview');
    assert.notEqual(pwned.title, 'pwned');
    assert.equal(await p.title(), outerTitle, 'the workbench title changed');
  });
  it('scroll-follow: scrolled up, a new reply shows "New messages"; sending scrolls to the end; the activity row; light, dark and high contrast at 300 px', async function () {
    const p = page();
    await setSidebarWidth(p, 300);
    let frame = await chat();
    const transcript = () => frame.locator('.transcript');
    const distance = () => transcript().evaluate((t) => t.scrollHeight - t.scrollTop - t.clientHeight);
    // A conversation longer than the view.
    for (let i = 1; i <= 4; i++) {
      llm.script({ text: `Answer ${i}: ${'The ledger module reconciles entries against the bank statements, quarter by quarter. '.repeat(5)}` });
      frame = await sendMessage(`Question ${i} about the ledger`);
      await waitForAssistant(frame, `Answer ${i}:`);
    }
    await waitIdle(frame);
    assert.ok((await transcript().evaluate((t) => t.scrollHeight - t.clientHeight)) > 300, 'the conversation does not scroll');
    assert.ok((await distance()) < 2, 'the view is not at the latest message');

    // Before the first token the activity row says the agent is thinking.
    llm.script({ hangMs: 2500, text: 'Thought it through. END-THINK' });
    await sendMessage('Think about it first');
    await frame.locator('[data-testid="activity"]', { hasText: 'Thinking…' }).waitFor({ state: 'visible', timeout: 20_000 });
    await p.screenshot({ path: path.join(SHOTS, 'scroll-follow-thinking.png') });
    await waitForAssistant(frame, 'END-THINK');
    await waitIdle(frame);

    // A reply streams while the person scrolls up to read: the view stays, "New messages" appears.
    llm.script({ text: `Streaming answer: ${'another sentence about reconciling the ledger. '.repeat(30)}END-STREAM`, chunkSize: 12, delayMs: 120 });
    await sendMessage('One more question');
    await frame.waitForFunction(() => (document.querySelector('[data-testid="message-assistant"].streaming')?.textContent ?? '').includes('Streaming answer'), undefined, { timeout: 60_000, polling: 50 });
    const box = (await p.locator('.part.sidebar').boundingBox())!;
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.wheel(0, -800);
    await waitFor('the view to scroll up', async () => (await distance()) > 200, 10_000);
    const jump = frame.locator('[data-testid="jump-to-latest"]');
    await jump.waitFor({ state: 'visible', timeout: 30_000 });
    const readingAt = await transcript().evaluate((t) => t.scrollTop);
    await sleep(600);
    assert.equal(await transcript().evaluate((t) => t.scrollTop), readingAt, 'the streaming reply pulled the view away from the reader');
    await p.screenshot({ path: path.join(SHOTS, 'scroll-follow-new-messages.png') });
    await jump.click();
    await waitFor('the view at the end after New messages', async () => (await distance()) < 40, 10_000);
    await waitForAssistant(frame, 'END-STREAM');
    await waitIdle(frame);

    // Scrolled up, the person sends: the view goes to the end with their message.
    await p.mouse.wheel(0, -1500);
    await waitFor('the view to scroll up again', async () => (await distance()) > 200, 10_000);
    await sendMessage('Back to the bottom please');
    await waitForAssistant(frame, 'echo: Back to the bottom please');
    await waitFor('the view at the end after sending', async () => (await distance()) < 40, 10_000);
    assert.equal(await jump.isVisible(), false);

    // The same view in the light, dark and high-contrast themes, at 300 px (picked as a person does), with
    // inline code, a highlighted block and a task list in it.
    llm.script({ text: 'Run `npm test` first.\n\n- [x] reconcile entries\n- [ ] report totals\n\n```ts\n// sum what is not cleared\nconst total: number = sum(entries, "open") + 42;\n```' });
    await sendMessage('Show me the reconcile code');
    await waitForAssistant(frame, 'report totals');
    await waitIdle(frame);
    for (const [name, label, kind] of [
      ['light', 'Light Modern', 'vscode-light'],
      ['dark', 'Dark Modern', 'vscode-dark'],
      ['high-contrast', 'Dark High Contrast', 'vscode-high-contrast'],
      ['high-contrast-light', 'Light High Contrast', 'vscode-high-contrast-light'],
    ] as const) {
      await pickColorTheme(p, label);
      await waitFor(`the ${name} theme in the chat`, async () => (await frame.evaluate(() => document.body.dataset.vscodeThemeKind)) === kind, 30_000);
      await sleep(500);
      const sidebar = (await p.locator('.part.sidebar').boundingBox())!;
      await p.screenshot({ path: path.join(SHOTS, `scroll-follow-${name}.png`), clip: { x: 0, y: 0, width: Math.round(sidebar.x + sidebar.width + 40), height: p.viewportSize()!.height } });
    }
    await pickColorTheme(p, 'Light Modern');
  });

  it('onboarding: first run with no key: the panel shows; any OpenAI-compatible URL, Test connection lists the models, the pick is saved and a message works', async function () {
    this.timeout(400_000);
    // A profile of its own: no MEMCODE_BASE_URL, no settings, no key (the suite's server has all three).
    const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-e2e-first-run-')));
    fs.writeFileSync(path.join(ws, 'README.md'), '# First run\n');
    const fresh = await startCodeServer({ workspace: ws, vsix: VSIX, timeoutMs: 120_000 });
    const own = await openBrowser(fresh.folderUrl, { timeoutMs: 120_000 });
    try {
      await openMemCodeView(own.page, 90_000);
      const frame = await webviewFrame(own.page, CHAT_INPUT, 90_000);
      const panel = frame.locator('[data-testid="onboarding"]');
      await panel.waitFor({ state: 'visible', timeout: 60_000 });
      assert.equal(await frame.locator('[data-testid="onboarding-provider"]').inputValue(), 'openai', 'the default server is OpenAI, which needs a key');
      await frame.locator('[data-testid="onboarding-provider"]').selectOption({ label: 'Any OpenAI-compatible URL' });
      await frame.locator('[data-testid="onboarding-url"]').fill(llm.url);
      const before = llm.requests.length;
      await frame.locator('[data-testid="onboarding-test"]').click();
      await frame.locator('[data-testid="onboarding-status"]', { hasText: 'Connected: 1 model' }).waitFor({ timeout: 30_000 });
      assert.ok(llm.requests.slice(before).some((r) => r.method === 'GET' && r.path === '/v1/models'), 'Test connection asked the server for its models');
      assert.deepEqual(await frame.locator('[data-testid="onboarding-model"] option').allTextContents(), ['fake-model']);
      await own.page.screenshot({ path: path.join(SHOTS, 'onboarding-first-run.png') });
      await frame.locator('[data-testid="onboarding-save"]').click();
      await panel.waitFor({ state: 'hidden', timeout: 30_000 });
      await waitFor('memcode.baseUrl and memcode.model in the user settings', () => {
        const settings = JSON.parse(fs.readFileSync(path.join(fresh.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
        return settings['memcode.baseUrl'] === llm.url && settings['memcode.model'] === 'fake-model';
      }, 30_000);
      assert.equal(await frame.locator('[data-testid="model-picker"]').inputValue(), 'fake-model');
      const input = frame.locator(CHAT_INPUT);
      await input.click();
      await input.fill('Hello after the setup');
      await input.press('Enter');
      await waitForAssistant(frame, 'echo: Hello after the setup');
      await own.page.screenshot({ path: path.join(SHOTS, 'onboarding-after.png') });
    } finally {
      await own.close().catch(() => undefined);
      await fresh.stop().catch(() => undefined);
      fs.rmSync(fresh.dataDir, { recursive: true, force: true });
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('resume-session: a past session opened from History continues: its transcript stays and new messages join it', async function () {
    // A session of its own, so History names it by this first message.
    let frame = await chat();
    await frame.locator('[data-testid="new-session"]').click();
    await waitFor('the transcript to clear', async () => (await frame.locator('[data-testid="message-user"]').count()) === 0, 60_000);
    frame = await sendMessage('Resume topic alpha: the cache keys');
    await waitForAssistant(frame, 'echo: Resume topic alpha');
    await frame.locator('[data-testid="new-session"]').click();
    await waitFor('the transcript to clear', async () => (await frame.locator('[data-testid="message-user"]').count()) === 0, 60_000);
    frame = await sendMessage('Another topic entirely');
    await waitForAssistant(frame, 'echo: Another topic entirely');
    await waitIdle(frame);

    const history = frame.locator('[data-testid="session-list"]');
    await history.locator('summary').click();
    const item = history.locator('.session-item', { hasText: 'Resume topic alpha' }).first();
    await item.waitFor({ timeout: 30_000 });
    assert.doesNotMatch((await history.locator('.session-date').allInnerTexts()).join(' '), /:\d\d:\d\d/, 'no seconds in the dates');
    await item.click();
    await frame.locator('.readonly-banner').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await frame.locator('.session-title').innerText()) ?? '', /Resume topic alpha/, 'the header names the viewed session');
    await frame.locator('[data-testid="resume-session"]').click();
    await frame.locator('.readonly-banner').waitFor({ state: 'hidden', timeout: 30_000 });
    await frame.locator('[data-testid="message-user"]', { hasText: 'Resume topic alpha' }).waitFor({ timeout: 30_000 });

    const before = llm.chatRequests().length;
    frame = await sendMessage('Continue alpha: and the TTL?');
    await waitForAssistant(frame, 'echo: Continue alpha');
    const said = messagesOf(chatRequestsSince(before)[0]).map((m) => textOf(m.content)).join('\n');
    assert.match(said, /resumed the earlier session/, 'the model is told the session was resumed');
    assert.match(said, /Resume topic alpha: the cache keys/, 'with a recap of its last exchanges');
    const recall = readRecall() as Array<{ content: string; session?: string }>;
    const first = recall.find((r) => r.content === 'Resume topic alpha: the cache keys');
    const next = recall.find((r) => r.content === 'Continue alpha: and the TTL?');
    assert.ok(first && next && first.session === next.session, 'the new message is recorded in the resumed session');
  });

  it('at-file: @file attaches the file\'s content as a chip, and the model receives it', async function () {
    const frame = await chat();
    const input = frame.locator(CHAT_INPUT);
    await input.click();
    await input.fill('');
    await input.pressSequentially('Explain @ledgerRecon');
    const option = frame.locator('.mention', { hasText: NEEDLE_FILE }).first();
    await option.waitFor({ timeout: 30_000 });
    await input.press('Enter');
    const chip = frame.locator('[data-testid="attachment-chip"]', { hasText: 'ledgerReconciler.ts' });
    await chip.waitFor({ timeout: 30_000 });
    assert.match((await chip.getAttribute('title')) ?? '', /src\/billing\/ledgerReconciler\.ts, \d+ tokens/);
    const before = llm.chatRequests().length;
    await input.press('Enter');
    await waitForAssistant(frame, 'echo: Explain');
    const users = messagesOf(chatRequestsSince(before)[0]).filter((m) => m.role === 'user').map((m) => textOf(m.content));
    const last = users[users.length - 1] ?? '';
    assert.ok(last.includes(`@${NEEDLE_FILE}`), `the mention is in the message: ${last.slice(0, 200)}`);
    assert.ok(last.includes(`export function ${NEEDLE_SYMBOL}`), `the file's content reached the model: ${last.slice(0, 400)}`);
    assert.equal(await frame.locator('[data-testid="attachment-chip"]').count(), 0, 'the chip went with the message');
  });
  it('add-selection: MemCode: Add Selection to Chat attaches the editor selection as a chip; Ctrl+Alt+M focuses the chat', async function () {
    const p = page();
    await openByQuickOpen(p, 'ledgerReconciler.ts');
    const editor = p.locator('.monaco-editor .view-lines', { hasText: NEEDLE_SYMBOL }).first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    // Lines 2-3: the function's first two lines.
    await p.keyboard.press('Control+Home');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Shift+ArrowDown');
    await p.keyboard.press('Shift+End');
    await runCommand(p, 'MemCode: Add Selection to Chat');
    const frame = await chat();
    const chip = frame.locator('[data-testid="attachment-chip"]', { hasText: 'ledgerReconciler.ts:2-3' });
    await chip.waitFor({ timeout: 30_000 });
    await chip.getByRole('button', { name: /Remove/ }).click();
    await waitFor('the chip to go', async () => (await frame.locator('[data-testid="attachment-chip"]').count()) === 0, 10_000);

    // Focus Chat from the editor.
    await editor.click();
    await p.keyboard.press('Control+Alt+M');
    await waitFor('the chat input to have the focus', () => frame.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'chat-input'), 15_000);
  });

  it('approval-wait: the agent waits on the card for more than 30 s, and Accept there still applies the edit', async function () {
    const file = path.join(workspace, 'wait.txt');
    fs.writeFileSync(file, 'before the wait\n');
    llm.script({ toolCalls: [{ name: 'edit_file', arguments: { path: 'wait.txt', old_text: 'before', new_text: 'after' } }] }, { text: 'Changed wait.txt after the wait.' });
    const frame = await sendMessage('Change before to after in wait.txt');
    const card = frame.locator('[data-testid="tool-card"][data-tool="edit_file"]').last();
    await card.getByTestId('approval-accept').waitFor({ state: 'visible', timeout: 60_000 });
    const asked = Date.now();
    await sleep(15_000);
    await page().screenshot({ path: path.join(SHOTS, 'approval-wait-waiting.png') });
    await sleep(16_000);
    assert.ok(await isRunning(frame), 'the agent stopped waiting');
    assert.ok(await card.getByTestId('approval-accept').isVisible(), 'the question left its card');
    assert.equal(await card.locator('summary').first().getAttribute('aria-label'), 'Editing wait.txt — waiting for your approval');
    assert.equal(fs.readFileSync(file, 'utf8'), 'before the wait\n');
    await card.getByTestId('approval-accept').click();
    timings.approvalWaitMs = Date.now() - asked;
    await waitFor('wait.txt to change on disk', () => fs.readFileSync(file, 'utf8') === 'after the wait\n', 30_000);
    await waitForAssistant(frame, 'Changed wait.txt after the wait');
    await card.getByTestId('edit-change').waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('undo: Undo on an edit card and Undo all on the turn\'s files-changed summary put the files back, from the memory folder\'s checkpoint', async function () {
    const edited = path.join(workspace, 'undo.txt');
    const created = path.join(workspace, 'created-by-agent.txt');
    fs.writeFileSync(edited, 'one\n');
    fs.rmSync(created, { force: true });
    llm.script(
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'undo.txt', old_text: 'one', new_text: 'two' } }] },
      { toolCalls: [{ name: 'write_file', arguments: { path: 'created-by-agent.txt', content: 'fresh\nfile\n' } }] },
      { text: 'Edited undo.txt and created a file.' },
    );
    const frame = await sendMessage('Edit undo.txt and create a file');
    for (const tool of ['edit_file', 'write_file']) {
      const card = frame.locator(`[data-testid="tool-card"][data-tool="${tool}"]`).last();
      await card.getByTestId('approval-accept').click({ timeout: 60_000 });
      await card.getByTestId('edit-change').waitFor({ state: 'visible', timeout: 30_000 });
    }
    await waitForAssistant(frame, 'created a file');
    assert.equal(fs.readFileSync(edited, 'utf8'), 'two\n');
    assert.equal(fs.readFileSync(created, 'utf8'), 'fresh\nfile\n');
    const summary = frame.getByTestId('files-changed').last();
    await summary.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await summary.innerText(), /2 files changed/);
    assert.ok(fs.existsSync(memoryFile('checkpoints', 'checkpoints.json')), 'the checkpoint is in the memory folder');

    const editCard = frame.locator('[data-testid="tool-card"][data-tool="edit_file"]').last();
    await editCard.getByTestId('edit-undo').click();
    await waitFor('undo.txt to be put back', () => fs.readFileSync(edited, 'utf8') === 'one\n', 30_000);
    await editCard.locator('.edit-change .badge', { hasText: 'undone' }).waitFor({ timeout: 30_000 });
    assert.equal(await editCard.locator('summary').first().getAttribute('aria-label'), 'Edited undo.txt +1 −1 (undone) — done');

    await summary.getByTestId('undo-all').click();
    await waitFor('the created file to be removed', () => !fs.existsSync(created), 30_000);
    await summary.locator('.files-changed-title .badge', { hasText: 'undone' }).waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(edited, 'utf8'), 'one\n');
    assert.ok(!fs.existsSync(path.join(workspace, '.git')), 'nothing went into git');
    await summary.scrollIntoViewIfNeeded();
  });

  it('readable-cards: read_file, search_files and run_command read as sentences, with file links, code and terminal output; the command is always allowed from its card', async function () {
    llm.script(
      {
        toolCalls: [
          { name: 'read_file', arguments: { path: NEEDLE_FILE } },
          { name: 'search_files', arguments: { pattern: NEEDLE_SYMBOL } },
          { name: 'run_command', arguments: { command: 'echo hello-from-e2e' } },
        ],
      },
      { text: 'Read, searched and ran.' },
      { toolCalls: [{ name: 'run_command', arguments: { command: 'echo hello-from-e2e' } }] },
      { text: 'Ran it again without asking.' },
    );
    const frame = await sendMessage('Read the ledger, find its function and say hello');
    const runCard = frame.locator('[data-testid="tool-card"][data-tool="run_command"]').last();
    await runCard.getByTestId('approval-always').click({ timeout: 60_000 });
    await waitForAssistant(frame, 'Read, searched and ran');
    const label = (tool: string) => frame.locator(`[data-testid="tool-card"][data-tool="${tool}"]`).last().locator('summary').first().getAttribute('aria-label');
    assert.equal(await label('read_file'), `Read ${NEEDLE_FILE}, lines 1–4 — done`);
    assert.equal(await label('search_files'), `Searched for \`${NEEDLE_SYMBOL}\` — 1 file — done`);
    assert.equal(await label('run_command'), 'Ran `echo hello-from-e2e` — exit 0 — done');

    const readCard = frame.locator('[data-testid="tool-card"][data-tool="read_file"]').last();
    // The chevron, not the middle of the header: the file name there is a link.
    await readCard.locator('summary').first().click({ position: { x: 6, y: 6 } });
    assert.match(await readCard.locator('pre.tool-code').innerText(), new RegExp(`export function ${NEEDLE_SYMBOL}`), 'the file is shown as code');
    await runCard.locator('summary').first().click({ position: { x: 6, y: 6 } });
    assert.equal((await runCard.locator('pre.tool-terminal').innerText()).trim(), 'hello-from-e2e', 'the output as a terminal shows it, not JSON');
    await readCard.locator('.tool-sentence .file-link').click();
    await page().locator('.tabs-container .tab', { hasText: 'ledgerReconciler.ts' }).first().waitFor({ state: 'visible', timeout: 30_000 });

    // Always allowed in this workspace: the same command runs without a question the next time.
    await sendMessage('Say hello again');
    await waitForAssistant(frame, 'Ran it again without asking');
    assert.equal(await frame.getByTestId('approval').count(), 0);
    await readCard.scrollIntoViewIfNeeded();

    // The same cards in the other themes, picked as a person picks them (the settings file is not watched here).
    const p = page();
    const pickTheme = async (label: string, kind: string) => {
      // Clicked, not Enter: Enter takes the palette's first row, which here was the Marketplace's theme browser.
      await p.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      await p.keyboard.press('F1');
      await p.locator('.quick-input-widget input.input').fill('>Preferences: Color Theme');
      await p.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click({ timeout: 10_000 });
      await sleep(1_000);
      await p.locator('.quick-input-widget input.input').fill(label);
      await p.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await p.keyboard.press('Enter');
      await waitFor(`the ${label} theme`, async () => (await p.locator(`.monaco-workbench.${kind}`).count()) > 0, 15_000, 250);
      await sleep(1_000);
    };
    try {
      for (const [name, label, kind] of [['dark', 'Dark Modern', 'vs-dark'], ['hc-dark', 'Dark High Contrast', 'hc-black'], ['hc-light', 'Light High Contrast', 'hc-light']] as const) {
        await pickTheme(label, kind);
        await p.screenshot({ path: path.join(SHOTS, `readable-cards-${name}.png`) });
      }
    } finally {
      await p.keyboard.press('Escape').catch(() => undefined);
      await pickTheme('Light Modern', 'vs').catch(() => undefined);
    }
  });

  it('code-actions: a code block\'s Apply to file is proposed on a card and in the diff, Run in terminal asks first and runs in the MemCode terminal', async function () {
    const file = path.join(workspace, 'apply.ts');
    const ran = path.join(workspace, 'ran-from-block.txt');
    fs.writeFileSync(file, 'export const answer = 1;\n');
    fs.rmSync(ran, { force: true });
    const p = page();
    // The file to apply to is the one open in the editor.
    await openByQuickOpen(p, 'apply.ts');
    await p.locator('.tabs-container .tab', { hasText: 'apply.ts' }).first().waitFor({ state: 'visible', timeout: 30_000 });

    llm.script({ text: 'Use this:\n\n```ts\nexport const answer = 42;\n```\n\nthen run:\n\n```sh\necho ran-from-block > ran-from-block.txt\n```\n\nCODE-BLOCKS-END' });
    const frame = await sendMessage('Show me the fix and how to check it');
    await waitForAssistant(frame, 'CODE-BLOCKS-END');
    const message = frame.locator('[data-testid="message-assistant"]', { hasText: 'CODE-BLOCKS-END' }).last();

    await message.locator('.code-block').nth(0).getByTestId('code-apply').click();
    const applyCard = frame.locator('[data-testid="tool-card"][data-tool="apply_to_file"]').last();
    await applyCard.getByTestId('approval-accept').waitFor({ state: 'visible', timeout: 30_000 });
    await p.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(fs.readFileSync(file, 'utf8'), 'export const answer = 1;\n', 'applied before Accept');
    await applyCard.getByTestId('approval-accept').click();
    await waitFor('apply.ts to hold the code block', () => fs.readFileSync(file, 'utf8') === 'export const answer = 42;\n', 30_000);
    await applyCard.getByTestId('edit-change').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await applyCard.locator('summary').first().getAttribute('aria-label'), 'Applied a code block to apply.ts +1 −1 — done');

    assert.equal(await message.locator('.code-block').nth(0).getByTestId('code-run').count(), 0, 'Run only on shell code');
    await message.locator('.code-block').nth(1).getByTestId('code-run').click();
    const runCard = frame.locator('[data-testid="tool-card"][data-tool="run_in_terminal"]').last();
    await runCard.getByTestId('approval-accept').waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(!fs.existsSync(ran), 'ran before it was allowed');
    await runCard.getByTestId('approval-accept').click();
    await waitFor('the command to run in the terminal', () => fs.existsSync(ran), 30_000);
    assert.equal(fs.readFileSync(ran, 'utf8').trim(), 'ran-from-block');
    assert.equal(await runCard.locator('summary').first().getAttribute('aria-label'), 'Sent `echo ran-from-block > ran-from-block.txt` to the terminal — done');
  });

  it('memory-stale: an entry citing src/retry.ts shows the stale badge in the Memory overlay once the file changes on disk', async function () {
    const retry = path.join(workspace, 'src', 'retry.ts');
    fs.mkdirSync(path.dirname(retry), { recursive: true });
    fs.writeFileSync(retry, 'export const retryLimit = 3;\n');
    const entry = '- The retry limit is 3, see `src/retry.ts`';
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: entry } }] }, { text: 'Noted the retry limit.' });
    const frame = await sendMessage('Remember the retry limit');
    await waitForAssistant(frame, 'Noted the retry limit');
    const disk = fs.readFileSync(memoryFile('memory', 'project.md'), 'utf8');
    assert.match(disk, /The retry limit is 3, see `src\/retry\.ts` <!-- mc:[^\n]*c=src\/retry\.ts@/, `the entry has no provenance marker citing src/retry.ts: ${disk}`);

    fs.writeFileSync(retry, 'export const retryLimit = 5;\n');
    // The snapshot (and with it the staleness check) is fetched when the overlay opens: open it again until the badge shows.
    const inspector = frame.locator('[data-testid="memory-inspector"]');
    const summary = inspector.locator('summary').first();
    const badge = frame.locator('[data-testid="memory-block"]', { hasText: 'project' }).first().getByTestId('stale-badge');
    await waitFor('the stale badge on the project block', async () => {
      if (await inspector.evaluate((d) => (d as HTMLDetailsElement).open)) await summary.click();
      await summary.click();
      return badge.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true);
    }, 60_000, 500);
    const title = (await badge.getAttribute('title')) ?? '';
    assert.ok(title.includes('src/retry.ts'), `the badge's tooltip does not name src/retry.ts: ${title}`);
    assert.ok(title.includes('The retry limit is 3'), `the badge's tooltip does not name the entry: ${title}`);
    assert.match(await badge.innerText(), /1 stale \(src\/retry\.ts\)/);
    // The README's picture: a side bar wide enough for the badge's text; the overlay stays open for afterEach's screenshot too.
    const p = page();
    const width = (await p.locator('.part.sidebar').boundingBox())?.width ?? 0;
    await setSidebarWidth(p, 560);
    try {
      await badge.scrollIntoViewIfNeeded();
      await sleep(500);
      const shot = path.join(SHOTS, 'memory-stale.png');
      await p.screenshot({ path: shot });
      fs.copyFileSync(shot, path.join(ROOT, 'docs', 'memory-stale.png'));
    } finally {
      if (width) await setSidebarWidth(p, Math.round(width)).catch(() => undefined);
    }
  });

  it('memory-revert: MemCode: Show Memory History picks the model\'s change and Revert takes it out of the block file', async function () {
    const text = 'Revert me later: e2e-revert-text';
    llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: text } }] }, { text: 'Noted the thing to revert.' });
    const frame = await sendMessage('Remember something to revert');
    await waitForAssistant(frame, 'Noted the thing to revert');
    const file = memoryFile('memory', 'project.md');
    assert.ok(fs.readFileSync(file, 'utf8').includes(text), 'the text is not in project.md before the revert');

    const p = page();
    await runCommand(p, 'MemCode: Show Memory History');
    const input = p.locator('.quick-input-widget input.input');
    await waitFor('the memory history quick pick', async () => ((await input.getAttribute('placeholder')) ?? '').includes('revert'), 15_000);
    await input.fill('e2e-revert-text');
    const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: 'e2e-revert-text' }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await row.innerText(), /project: \+1 line/);
    await row.click();
    const dialog = p.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await dialog.innerText(), /Revert this change to the "project" block/);
    await dialog.locator('.monaco-button', { hasText: 'Revert' }).first().click();
    await waitFor('the text to leave project.md', () => !fs.readFileSync(file, 'utf8').includes(text), 30_000);
    await waitFor('the reverted notification', async () => (await p.locator('.notifications-toasts .notification-toast', { hasText: 'reverted the change' }).count()) > 0, 15_000);
  });

  it('memory-ask: with memcode.memory.review = ask, the memory edit waits on its card; Accept writes it, Reject with a reason leaves the block and tells the model', async function () {
    this.timeout(420_000);
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const hadSettings = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ ...(hadSettings ? JSON.parse(hadSettings) : {}), 'memcode.memory.review': 'ask' }, null, 2) + '\n');
    try {
      // The workspace settings file is watched, but under load the change can take a while to reach the
      // extension host: until the card asks, an edit is written as in 'auto'; then ask again with new text.
      const file = memoryFile('memory', 'project.md');
      let accepted = '';
      let reply = '';
      let frame: Frame | undefined;
      let card: ReturnType<Frame['locator']> | undefined;
      let attempt = 0;
      await waitFor('the memory edit to wait on its card (memcode.memory.review = ask)', async () => {
        attempt++;
        accepted = `Accepted entry e2e-ask-one-${attempt}`;
        reply = `Remembered the first one (${attempt}).`;
        llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: accepted } }] }, { text: reply });
        frame = await sendMessage(`Remember the first thing (${attempt})`);
        card = frame.locator('[data-testid="tool-card"][data-tool="working_context_append"]').last();
        const asked = await Promise.race([
          card.getByTestId('approval-accept').waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false),
          waitForAssistant(frame, reply, 30_000).then(() => false, () => false),
        ]);
        if (!asked) {
          await waitIdle(frame);
          await sleep(2_000);
        }
        return asked;
      }, 180_000, 0);
      assert.ok(frame && card);
      assert.ok(!fs.readFileSync(file, 'utf8').includes(accepted), 'the block changed before Accept');
      await page().screenshot({ path: path.join(SHOTS, 'memory-ask-waiting.png') });
      await card.getByTestId('approval-accept').click();
      await waitForAssistant(frame, reply);
      assert.ok(fs.readFileSync(file, 'utf8').includes(accepted), 'the accepted text is not in project.md');

      const rejected = 'Rejected entry e2e-ask-two';
      llm.script({ toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: rejected } }] }, { text: 'OK, I did not remember it.' });
      const before = llm.chatRequests().length;
      frame = await sendMessage('Remember the second thing');
      card = frame.locator('[data-testid="tool-card"][data-tool="working_context_append"]').last();
      await card.getByTestId('approval-reject').click({ timeout: 60_000 });
      await card.getByTestId('approval-reason').fill('not worth keeping');
      await card.getByTestId('approval-reason').press('Enter');
      await waitForAssistant(frame, 'I did not remember it');
      assert.ok(!fs.readFileSync(file, 'utf8').includes(rejected), 'the rejected text reached project.md');
      const tool = messagesOf(chatRequestsSince(before)[1]).filter((m) => m.role === 'tool').pop();
      const result = textOf(tool?.content);
      assert.match(result, /reject/i, `the model was not told about the rejection: ${result}`);
      assert.ok(result.includes('not worth keeping'), `the reason did not reach the model: ${result}`);
    } finally {
      if (hadSettings === undefined) fs.rmSync(settingsFile, { force: true });
      else fs.writeFileSync(settingsFile, hadSettings);
    }
  });
});
