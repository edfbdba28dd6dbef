// Exploratory drive of MemCode in a real VS Code (code-server + chromium), as a person would use it.
// Each step takes a screenshot into test/e2e/screenshots/; the run ends with a JSON summary
// (timings, failures, console errors, log excerpts) in test/e2e/screenshots/summary.json.
//
//   npx tsx test/e2e/setup.ts        # once
//   npm run package                  # a fresh memcode.vsix
//   npx tsx test/e2e/explore.ts [--vsix PATH] [--keep]
//
// The model is test/helpers/fakeLlm.ts, started in-process and scripted per step.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { startFakeLlm, type FakeLlm } from '../helpers/fakeLlm';
import {
  findLogFiles,
  openBrowser,
  openMemCodeView,
  readExtensionLogs,
  runCommand,
  sleep,
  startCodeServer,
  waitForNotification,
  webviewFrame,
  type Browser,
  type CodeServer,
} from './codeServer';
import { setup } from './setup';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const shots = path.join(here, 'screenshots');
const argv = process.argv.slice(2);
const vsix = path.resolve(argValue('--vsix') ?? path.join(root, 'memcode.vsix'));
const keep = argv.includes('--keep');

function argValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  notes: string[];
  error?: string;
  screenshot?: string;
}

const results: StepResult[] = [];
const timings: Record<string, number> = {};
let page: Page;
let browser: Browser;
let server: CodeServer;
let llm: FakeLlm;
const allConsole: Browser['console'] = [];

async function shot(name: string): Promise<string | undefined> {
  try {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  } catch {
    return undefined;
  }
}

const only = argValue('--only')?.split(',');

async function step(name: string, fn: (notes: string[]) => Promise<void>): Promise<boolean> {
  if (only && !name.startsWith('01') && !only.some((o) => name.startsWith(o))) return true;
  const notes: string[] = [];
  const t0 = Date.now();
  let error: string | undefined;
  try {
    await fn(notes);
  } catch (e) {
    error = e instanceof Error ? e.message.split('\n').slice(0, 6).join('\n') : String(e);
  }
  const ms = Date.now() - t0;
  const screenshot = await shot(name);
  results.push({ name, ok: !error, ms, notes, error, screenshot });
  console.log(`${error ? 'FAIL' : 'ok  '} ${name} (${(ms / 1000).toFixed(1)} s)${notes.length ? '\n       ' + notes.join('\n       ') : ''}${error ? '\n       ERROR: ' + error.replace(/\n/g, '\n       ') : ''}`);
  return !error;
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

/** The chat webview's frame (re-found each time: a reload or restart replaces it). */
async function chat(timeoutMs = 30_000): Promise<Frame> {
  return webviewFrame(page, '.chat-input', timeoutMs);
}

async function sendMessage(text: string): Promise<void> {
  const frame = await chat();
  const input = frame.locator('textarea.chat-input');
  await input.click();
  await input.fill(text);
  await input.press('Enter');
}

async function assistantTexts(frame: Frame): Promise<string[]> {
  return frame.locator('[data-testid="message-assistant"]').allInnerTexts();
}

function makeWorkspace(): string {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-e2e-ws-')));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'hello\n');
  fs.writeFileSync(path.join(ws, 'README.md'), '# Demo project\n\nA small project for the MemCode e2e drive.\n');
  fs.writeFileSync(path.join(ws, '.gitignore'), 'node_modules/\n');
  const src = path.join(ws, 'src');
  fs.mkdirSync(src);
  for (let i = 0; i < 50; i++) {
    fs.writeFileSync(
      path.join(src, `module${i}.ts`),
      `// Module ${i}\nexport function compute${i}(x: number): number {\n  return x * ${i} + ${i % 7};\n}\n\nexport class Widget${i} {\n  constructor(readonly name = 'widget-${i}') {}\n  describe(): string {\n    return \`\${this.name} computes \${compute${i}(2)}\`;\n  }\n}\n`,
    );
  }
  return ws;
}

function interestingConsole(): string[] {
  return allConsole
    .filter((c) => c.type === 'error' || c.type === 'pageerror' || c.type === 'warning' || /Content Security Policy|Refused to|CSP|memcode/i.test(c.text))
    .map((c) => `[${c.type}] ${c.text.slice(0, 400)}${c.location ? `  @ ${c.location}` : ''}`);
}

function cspProblems(): string[] {
  return allConsole.filter((c) => /Content Security Policy|Refused to (load|execute|apply|connect|frame)|securitypolicyviolation/i.test(c.text)).map((c) => c.text.slice(0, 400));
}

async function newBrowser(): Promise<void> {
  const t0 = Date.now();
  browser = await openBrowser(server.folderUrl);
  page = browser.page;
  // Report CSP violations from every frame (webviews included) as console errors.
  await browser.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  timings.browserOpenMs = Date.now() - t0;
}

async function closeBrowser(): Promise<void> {
  if (!browser) return;
  allConsole.push(...browser.console);
  browser.console.length = 0;
  await browser.close();
}

async function main(): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  for (const f of fs.readdirSync(shots)) fs.rmSync(path.join(shots, f), { force: true });
  check(fs.existsSync(vsix), `no VSIX at ${vsix}: run \`npm run package\``);

  const s = await setup({ quiet: true });
  timings.setupMs = s.ms;

  llm = await startFakeLlm();
  const workspace = makeWorkspace();
  console.log(`workspace ${workspace}\nfake LLM ${llm.url}`);

  const t0 = Date.now();
  server = await startCodeServer({
    workspace,
    vsix,
    env: { MEMCODE_BASE_URL: llm.url },
    userSettings: { 'memcode.model': 'fake-model', 'memcode.approval.edits': 'ask' },
  });
  timings.vsixInstallMs = server.installMs;
  timings.codeServerStartMs = server.startMs;
  timings.profileInstallStartMs = Date.now() - t0;
  console.log(`code-server ${server.url} (data ${server.dataDir}); install ${server.installMs} ms, start ${server.startMs} ms`);

  await newBrowser();

  // 1. The view opens, the webview renders, no CSP errors.
  await step('01-open-view', async (notes) => {
    const t = Date.now();
    await openMemCodeView(page);
    notes.push(`activity bar item clicked after ${Date.now() - t} ms`);
    const frame = await chat();
    notes.push(`chat webview frame found after ${Date.now() - t} ms`);
    const ready = await waitFor('the host\'s ready answer (session title and usage bar drawn)', async () => (await frame.locator('.usage-bar').count()) > 0 && (await frame.locator('.session-title').innerText()).trim().length > 0, 30_000)
      .then(() => `${Date.now() - t} ms`, () => 'NOT within 30 s');
    notes.push(`session title + usage bar drawn after ${ready}`);
    const rootChildren = await frame.evaluate(() => document.getElementById('root')?.childElementCount ?? document.body.childElementCount);
    check(rootChildren > 0, 'the chat webview is blank (#root has no children)');
    await frame.locator('textarea.chat-input').waitFor({ state: 'visible' });
    const box = await frame.locator('.app').boundingBox();
    notes.push(`webview .app size ${box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'none'}`);
    // Let the host's `ready` answer arrive, then look at what it drew.
    await sleep(1500);
    const errors = await frame.locator('[data-testid="error"]').allInnerTexts();
    if (errors.length) notes.push(`errors shown in the chat on open: ${JSON.stringify(errors)}`);
    const usage = await frame.locator('[data-testid="context-usage"]').innerText().catch(() => '');
    notes.push(`context usage: ${JSON.stringify(usage.slice(0, 200))}`);
    const codicon = await frame.evaluate(() => {
      const icon = document.querySelector('.codicon');
      return icon ? getComputedStyle(icon, '::before').fontFamily : 'no .codicon element';
    });
    notes.push(`codicon ::before font-family: ${codicon}`);
    const fontsOk = await frame.evaluate(async () => {
      await document.fonts.ready;
      const out: string[] = [];
      document.fonts.forEach((f) => out.push(`${f.family}:${f.status}`));
      return out.join(', ');
    });
    notes.push(`document.fonts: ${fontsOk || '(none)'}`);
    const meta = await frame.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '(no CSP meta)');
    notes.push(`CSP: ${meta}`);
    const csp = cspProblems();
    check(csp.length === 0, `CSP violations: ${csp.join(' | ')}`);
  });

  // 2. Send a message: the echo reply streams in.
  await step('02-send-message', async (notes) => {
    llm.setPolicy(({ body }) => {
      const msgs = body.messages as Array<{ role: string; content: unknown }>;
      const last = [...msgs].reverse().find((m) => m.role === 'user');
      const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
      return { text: `echo: ${text}`, chunkSize: 3, delayMs: 60 };
    });
    const before = llm.chatRequests().length;
    const t = Date.now();
    await sendMessage('Hello there, MemCode');
    const frame = await chat();
    let sawStreaming = false;
    let sawPartial = '';
    const final = await waitFor('the echo reply', async () => {
      if (await frame.locator('.message.assistant.streaming').count()) {
        sawStreaming = true;
        const partial = await frame.locator('.message.assistant.streaming').first().innerText({ timeout: 300 }).catch(() => '');
        if (partial && !sawPartial) sawPartial = partial;
      }
      const texts = await assistantTexts(frame);
      const done = texts.find((x) => x.includes('Hello there, MemCode') && x.includes('echo'));
      return done && !(await frame.locator('.message.assistant.streaming').count()) ? done : undefined;
    }, 30_000, 50);
    notes.push(`reply after ${Date.now() - t} ms: ${JSON.stringify(final.slice(0, 120))}`);
    notes.push(`streaming seen: ${sawStreaming}; first partial: ${JSON.stringify(sawPartial.slice(0, 60))}`);
    const reqs = llm.chatRequests().slice(before);
    notes.push(`chat requests made: ${reqs.length}; model=${reqs[0]?.body?.model}; stream=${reqs[0]?.body?.stream}; tools=${reqs[0]?.body?.tools?.length ?? 0}`);
    const users = await frame.locator('[data-testid="message-user"]').allInnerTexts();
    check(users.some((u) => u.includes('Hello there, MemCode')), `the user message is not in the transcript: ${JSON.stringify(users)}`);
    const echoed = final.split('echo:').length - 1;
    if (!final.trim().startsWith('echo: Hello there, MemCode')) notes.push(`NOTE: reply text is not exactly the echo: ${JSON.stringify(final)}`);
    if (echoed !== 1) notes.push(`NOTE: "echo:" appears ${echoed} times in the reply`);
    check(sawStreaming, 'the reply was never shown while streaming (no .message.assistant.streaming seen)');
  });
  llm.setPolicy(({ body }) => {
    const msgs = body.messages as Array<{ role: string; content: unknown }>;
    const last = [...msgs].reverse().find((m) => m.role === 'user');
    return { text: `echo: ${typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content)}` };
  });

  // 3. A memory tool call: the card, the inspector, the file on disk.
  await step('03-memory-tool', async (notes) => {
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: 'Build with make' } }] },
      { text: 'Noted: this project builds with make.' },
    );
    await sendMessage('Remember that this project builds with make');
    const frame = await chat();
    const card = frame.locator('[data-testid="tool-card"]', { hasText: 'working_context_append' }).first();
    await card.waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor('the final reply', async () => (await assistantTexts(frame)).some((t) => t.includes('builds with make')));
    const cardText = await card.innerText();
    const cardClass = await card.getAttribute('class');
    notes.push(`tool card: ${JSON.stringify(cardText.replace(/\s+/g, ' ').slice(0, 160))} class="${cardClass}"`);
    const overflow = await card.evaluate((d) => {
      const mark = d.querySelector('.memory-mark');
      const view = document.documentElement.clientWidth;
      if (!mark) return 'no .memory-mark';
      const r = mark.getBoundingClientRect();
      return `badge right ${Math.round(r.right)} px, card right ${Math.round(d.getBoundingClientRect().right)} px, view width ${view} px, badge height ${Math.round(r.height)} px`;
    });
    notes.push(`memory badge geometry: ${overflow}`);
    await card.locator('summary').click();
    const result = await card.locator('.tool-result').innerText().catch(() => '(no result)');
    notes.push(`tool result: ${JSON.stringify(result.slice(0, 200))}`);
    check(!/"error"/.test(result), `the tool failed: ${result}`);

    // The memory inspector.
    const inspector = frame.locator('[data-testid="memory-inspector"]');
    const open = await inspector.evaluate((d) => (d as HTMLDetailsElement).open);
    if (!open) await inspector.locator('summary').first().click();
    const block = frame.locator('[data-testid="memory-block"]', { hasText: 'project' }).first();
    await block.waitFor({ state: 'visible', timeout: 10_000 });
    const value = await waitFor('the project block to show the text', async () => {
      const v = await block.locator('textarea.block-input').inputValue();
      return v.includes('Build with make') ? v : undefined;
    }, 10_000).catch(async () => `NOT FOUND; textarea holds ${JSON.stringify(await block.locator('textarea.block-input').inputValue())}`);
    notes.push(`inspector project block: ${JSON.stringify(value.slice(0, 200))}`);
    const counts = await inspector.locator('.counts').innerText().catch(() => '');
    notes.push(`inspector counts: ${JSON.stringify(counts.replace(/\s+/g, ' '))}`);
    await block.scrollIntoViewIfNeeded();
    check(value.includes('Build with make'), 'the memory inspector does not show "Build with make"');

    const file = path.join(server.workspace, '.memcode', 'memory', 'project.md');
    const disk = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    notes.push(`project.md on disk: ${JSON.stringify(disk.slice(0, 300))}`);
    check(disk.includes('Build with make'), `${file} does not contain "Build with make"`);
  });

  // 4. edit_file: a diff editor, Accept/Reject, the file changes.
  await step('04-edit-file', async (notes) => {
    llm.script(
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', old_text: 'hello', new_text: 'bye' } }] },
      { text: 'I changed hello to bye in a.txt.' },
    );
    await sendMessage('Change hello to bye in a.txt');
    const toast = await waitForNotification(page, /MemCode wants to edit/, 20_000);
    notes.push(`notification: ${JSON.stringify((await toast.innerText()).replace(/\s+/g, ' '))}`);
    const diffTab = await page.locator('.tabs-container .tab', { hasText: 'MemCode proposes' }).count();
    const diffEditor = await page.locator('.monaco-diff-editor').count();
    notes.push(`diff tab: ${diffTab}, .monaco-diff-editor: ${diffEditor}`);
    const title = await page.locator('.tabs-container .tab.active').first().innerText().catch(() => '');
    notes.push(`active tab: ${JSON.stringify(title)}`);
    const diffText = await page.locator('.monaco-diff-editor .modified .view-lines').first().innerText().catch(() => '(no modified side)');
    notes.push(`diff modified side: ${JSON.stringify(diffText.slice(0, 100))}`);
    await shot('04a-diff-and-notification');
    check(diffEditor > 0, 'no diff editor opened');
    const frameBefore = await chat();
    const pendingCard = await frameBefore.locator('[data-testid="tool-card"]', { hasText: 'edit_file' }).first().innerText().catch(() => '(no edit_file card yet)');
    notes.push(`edit_file card while waiting: ${JSON.stringify(pendingCard.replace(/\s+/g, ' ').slice(0, 120))}`);
    const accept = toast.locator('a.monaco-button, .monaco-button', { hasText: 'Accept' }).first();
    await accept.click();
    const disk = await waitFor('a.txt to change on disk', () => {
      const t = fs.readFileSync(path.join(server.workspace, 'a.txt'), 'utf8');
      return t.includes('bye') ? t : undefined;
    }, 15_000).catch(() => fs.readFileSync(path.join(server.workspace, 'a.txt'), 'utf8'));
    notes.push(`a.txt on disk: ${JSON.stringify(disk)}`);
    const frame = await chat();
    await waitFor('the final reply', async () => (await assistantTexts(frame)).some((t) => t.includes('hello to bye'))).catch(() => notes.push('NOTE: no final reply after Accept'));
    const diffAfter = await page.locator('.monaco-diff-editor').count();
    notes.push(`diff editors left open after Accept: ${diffAfter}`);
    const card = await frame.locator('[data-testid="tool-card"]', { hasText: 'edit_file' }).first().innerText().catch(() => '');
    notes.push(`edit_file card: ${JSON.stringify(card.replace(/\s+/g, ' ').slice(0, 160))}`);
    check(disk.includes('bye') && !disk.includes('hello'), `a.txt did not change: ${JSON.stringify(disk)}`);
  });

  // 5. Index Workspace from the palette: progress, then a completion message.
  await step('05-index-workspace', async (notes) => {
    const t = Date.now();
    await runCommand(page, 'MemCode: Index Workspace');
    let sawProgress = '';
    const progressTexts: string[] = [];
    const done = await waitFor('the completion message', async () => {
      const texts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
      const progress = texts.find((x) => /indexing/i.test(x) && !/files indexed/.test(x));
      if (progress && !sawProgress) {
        sawProgress = progress;
        await shot('05a-index-progress');
      }
      if (progress && !progressTexts.includes(progress.replace(/\s+/g, ' '))) progressTexts.push(progress.replace(/\s+/g, ' '));
      return texts.find((x) => /files indexed/.test(x));
    }, 120_000, 50);
    notes.push(`progress notification: ${JSON.stringify(sawProgress.replace(/\s+/g, ' ').slice(0, 160))}`);
    notes.push(`distinct progress texts (${progressTexts.length}): ${JSON.stringify(progressTexts.slice(0, 6))}`);
    notes.push(`completion after ${Date.now() - t} ms: ${JSON.stringify(done.replace(/\s+/g, ' ').slice(0, 200))}`);
    const m = /(\d+) files indexed/.exec(done);
    if (m && Number(m[1]) < 50) notes.push(`NOTE: only ${m[1]} files indexed; the workspace has 52 text files + .gitignore`);
    const frame = await chat();
    await sleep(500);
    const counts = await frame.locator('[data-testid="memory-inspector"] .counts').innerText().catch(() => '');
    notes.push(`inspector counts after indexing: ${JSON.stringify(counts.replace(/\s+/g, ' '))}`);
    const status = await page.locator('.statusbar-item', { hasText: /MemCode|index/i }).allInnerTexts().catch(() => []);
    notes.push(`status bar items: ${JSON.stringify(status)}`);
    check(sawProgress, 'no progress notification was seen');
  });

  // 6. Restart code-server on the same profile and workspace: the transcript is back.
  await step('06-restart', async (notes) => {
    const before = await assistantTexts(await chat());
    await closeBrowser();
    const t = Date.now();
    await server.restart();
    timings.restartMs = Date.now() - t;
    notes.push(`restart took ${timings.restartMs} ms (start ${server.startMs} ms)`);
    await newBrowser();
    await openMemCodeView(page);
    const frame = await chat();
    const after = await waitFor('the transcript to come back', async () => {
      const texts = await assistantTexts(frame);
      return texts.length >= 1 ? texts : undefined;
    }, 20_000).catch(() => [] as string[]);
    await sleep(1000);
    const final = await assistantTexts(frame);
    const users = await frame.locator('[data-testid="message-user"]').allInnerTexts();
    const cards = await frame.locator('[data-testid="tool-card"]').allInnerTexts();
    notes.push(`assistant messages before ${before.length}, after ${final.length} (first poll ${after.length}); user messages after: ${users.length}; tool cards after: ${cards.length}`);
    const inspectorValue = await frame.locator('[data-testid="memory-block"]', { hasText: 'project' }).locator('textarea.block-input').inputValue().catch(() => '(none)');
    notes.push(`project block after restart: ${JSON.stringify(inspectorValue.slice(0, 100))}`);
    check(users.some((u) => u.includes('Hello there, MemCode')), `the first user message is not back: ${JSON.stringify(users)}`);
    check(final.some((u) => u.includes('echo: Hello there')), `the echo reply is not back: ${JSON.stringify(final)}`);
    // And it still answers after the restart.
    const t1 = Date.now();
    await sendMessage('Still there?');
    await waitFor('a reply after the restart', async () => (await assistantTexts(frame)).some((x) => x.includes('echo: Still there?')), 20_000);
    notes.push(`first reply after the restart took ${Date.now() - t1} ms`);
    const t2 = Date.now();
    await sendMessage('And again?');
    await waitFor('a second reply', async () => (await assistantTexts(frame)).some((x) => x.includes('echo: And again?')), 20_000);
    notes.push(`next reply took ${Date.now() - t2} ms`);
  });

  // 7. A 401: the chat shows an error with a hint.
  await step('07-auth-error', async (notes) => {
    llm.script({ status: 401 });
    const before = llm.chatRequests().length;
    await sendMessage('This one fails');
    const frame = await chat();
    const err = frame.locator('[data-testid="error"]').last();
    await err.waitFor({ state: 'visible', timeout: 20_000 });
    const message = await err.locator('.error-message').innerText();
    const hint = await err.locator('.error-hint').innerText().catch(() => '');
    notes.push(`error: ${JSON.stringify(message)}; hint: ${JSON.stringify(hint)}`);
    notes.push(`chat requests for this message: ${llm.chatRequests().length - before}`);
    const retry = await err.locator('button', { hasText: 'Retry' }).count();
    notes.push(`Retry button: ${retry}`);
    check(hint.length > 0, 'the error has no hint');
    if (retry) {
      await err.locator('button', { hasText: 'Retry' }).click();
      const ok = await waitFor('a reply after Retry', async () => (await assistantTexts(frame)).some((x) => x.includes('echo: This one fails')), 15_000).then(() => true, () => false);
      notes.push(`Retry worked: ${ok}`);
    }
  });

  // 8. Stop a slow reply.
  await step('08-stop', async (notes) => {
    llm.script({ text: 'This is a very slow reply that goes on and on and on and on and on and on and on.', chunkSize: 2, delayMs: 300 });
    await sendMessage('Say something slow');
    const frame = await chat();
    await frame.locator('.message.assistant.streaming').first().waitFor({ state: 'visible', timeout: 15_000 });
    const stop = frame.locator('[data-testid="stop"]');
    notes.push(`Stop enabled while running: ${await stop.isEnabled()}`);
    await sleep(600);
    await stop.click();
    await waitFor('the agent to stop', async () => !(await frame.evaluate(() => document.body.classList.contains('agent-running'))), 10_000);
    await sleep(500);
    const texts = await assistantTexts(frame);
    const last = texts[texts.length - 1] ?? '';
    notes.push(`last assistant message after Stop: ${JSON.stringify(last.slice(0, 120))}`);
    const errors = await frame.locator('[data-testid="error"]').allInnerTexts();
    notes.push(`errors shown after Stop: ${JSON.stringify(errors.slice(-1))}`);
    const notices = await frame.locator('.notice').allInnerTexts();
    notes.push(`notices: ${JSON.stringify(notices.slice(-2))}`);
    check(last.length < 80, 'the reply was not cut by Stop');
  });

  // 9. Reject an edit: the file stays, the model is told.
  await step('09-reject-edit', async (notes) => {
    fs.writeFileSync(path.join(server.workspace, 'b.txt'), 'alpha\n');
    llm.script(
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'b.txt', old_text: 'alpha', new_text: 'beta' } }] },
      { text: 'OK, I left b.txt alone.' },
    );
    const before = llm.chatRequests().length;
    await sendMessage('Change alpha to beta in b.txt');
    const toast = await waitForNotification(page, /MemCode wants to edit b\.txt/, 20_000);
    await toast.locator('.monaco-button', { hasText: 'Reject' }).first().click();
    const box = page.locator('.quick-input-widget input.input');
    const asked = await box.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
    notes.push(`asked for a reason: ${asked}`);
    if (asked) {
      await box.fill('keep alpha');
      await page.keyboard.press('Enter');
    }
    const frame = await chat();
    await waitFor('the final reply', async () => (await assistantTexts(frame)).some((t) => t.includes('left b.txt alone')), 15_000);
    const disk = fs.readFileSync(path.join(server.workspace, 'b.txt'), 'utf8');
    notes.push(`b.txt on disk: ${JSON.stringify(disk)}`);
    const toolMsg = llm.chatRequests().slice(before)[1]?.body?.messages?.filter((m: { role: string }) => m.role === 'tool').pop();
    notes.push(`tool result the model saw: ${JSON.stringify(String(toolMsg?.content ?? '').slice(0, 200))}`);
    const card = await frame.locator('[data-testid="tool-card"]', { hasText: 'edit_file' }).last().innerText();
    notes.push(`edit_file card: ${JSON.stringify(card.replace(/\s+/g, ' ').slice(0, 120))}`);
    const diffs = await page.locator('.monaco-diff-editor').count();
    notes.push(`diff editors left open: ${diffs}`);
    check(disk === 'alpha\n', 'b.txt changed although the edit was rejected');
  });

  // 10. Set an API key from the palette, then a 401: the hint talks about the key.
  await step('10-api-key-401', async (notes) => {
    await runCommand(page, 'MemCode: Set API Key');
    const box = page.locator('.quick-input-widget input.input');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    const type = await box.getAttribute('type');
    notes.push(`key input type: ${type}`);
    await box.fill('sk-test-e2e');
    await page.keyboard.press('Enter');
    await waitForNotification(page, /API key saved/, 10_000).then(() => notes.push('"API key saved" shown'), () => notes.push('NOTE: no "API key saved" notification'));
    const before = llm.chatRequests().length;
    llm.script({ status: 401 });
    await sendMessage('Fail with a key');
    const frame = await chat();
    const err = frame.locator('[data-testid="error"]', { hasText: 'refused' }).last();
    await waitFor('a new error', async () => (await frame.locator('[data-testid="error"]').count()) >= 2, 20_000);
    const hint = await frame.locator('[data-testid="error"]').last().locator('.error-hint').innerText().catch(() => '');
    notes.push(`hint: ${JSON.stringify(hint)}; error count ${await err.count()}`);
    const auth = llm.chatRequests().slice(before)[0]?.headers.authorization;
    notes.push(`Authorization header sent: ${JSON.stringify(auth)}`);
    const logs = readExtensionLogs(server.logsDir);
    notes.push(`key in logs: ${logs.includes('sk-test-e2e')}`);
    check(auth === 'Bearer sk-test-e2e', 'the saved key was not sent');
    check(/API key/.test(hint), `hint does not mention the key: ${hint}`);
  });

  // 13. Search Memory from the palette finds indexed code.
  await step('13-search-memory', async (notes) => {
    await runCommand(page, 'MemCode: Search Memory');
    const box = page.locator('.quick-input-widget input.input');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await box.fill('compute17');
    await page.keyboard.press('Enter');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    const got = await waitFor('search results', async () => {
      const n = await rows.count();
      const toast = await page.locator('.notifications-toasts .notification-toast', { hasText: 'nothing in memory' }).count();
      return n > 0 ? 'rows' : toast ? 'nothing' : undefined;
    }, 20_000);
    const texts = got === 'rows' ? (await rows.allInnerTexts()).slice(0, 5).map((x) => x.replace(/\s+/g, ' ').slice(0, 140)) : [];
    notes.push(`result: ${got}; first rows: ${JSON.stringify(texts)}`);
    await shot('13a-search-results');
    check(got === 'rows' && texts.some((x) => x.includes('module17')), 'compute17 (src/module17.ts) not found by Search Memory');
    await page.keyboard.press('Enter');
    await sleep(1500);
    const tab = await page.locator('.tabs-container .tab.active').first().innerText().catch(() => '');
    notes.push(`opened tab: ${JSON.stringify(tab)}`);
  });

  // 14. Edit a block in the memory inspector and save: the file on disk changes.
  await step('14-inspector-save', async (notes) => {
    const frame = await chat();
    const inspector = frame.locator('[data-testid="memory-inspector"]');
    if (!(await inspector.evaluate((d) => (d as HTMLDetailsElement).open))) await inspector.locator('summary').first().click();
    const block = frame.locator('[data-testid="memory-block"]', { hasText: 'user' }).first();
    const input = block.locator('textarea.block-input');
    await input.fill('Prefers tabs over spaces');
    const counter = await block.locator('.block-counter').innerText();
    await block.locator('button[aria-label="Save user"]').click();
    const status = await waitFor('Saved', async () => {
      const t = await block.locator('.block-status').innerText();
      return t && t !== 'Saving…' ? t : undefined;
    }, 10_000);
    const file = path.join(server.workspace, '.memcode', 'memory', 'user.md');
    const disk = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    notes.push(`counter after typing: ${counter}; status: ${JSON.stringify(status)}; user.md: ${JSON.stringify(disk.slice(-60))}`);
    check(disk.includes('Prefers tabs over spaces'), 'user.md did not change');
    // The model sees it on the next turn.
    const before = llm.chatRequests().length;
    await sendMessage('What do I prefer?');
    await waitFor('the reply', async () => (await assistantTexts(frame)).some((x) => x.includes('echo: What do I prefer?')), 15_000);
    const sys = String(llm.chatRequests().slice(before)[0]?.body?.messages?.[0]?.content ?? '');
    notes.push(`system prompt has the saved text: ${sys.includes('Prefers tabs over spaces')}`);
    check(sys.includes('Prefers tabs over spaces'), 'the saved block did not reach the model');
  });

  // 11. New session, then the history lists the old one with a title and opens it read-only.
  await step('11-new-session-history', async (notes) => {
    const frame = await chat();
    const before = (await frame.locator('[data-testid="message-user"]').count());
    await frame.locator('[data-testid="new-session"]').click();
    await waitFor('the transcript to clear', async () => (await frame.locator('[data-testid="message-user"]').count()) === 0, 10_000);
    notes.push(`user messages before ${before}, after New session 0; title: ${JSON.stringify(await frame.locator('.session-title').innerText())}`);
    const history = frame.locator('[data-testid="session-list"]');
    await history.locator('summary').click();
    await waitFor('the session list', async () => (await history.locator('.session-item').count()) >= 2, 10_000);
    const items = await history.locator('.session-item').allInnerTexts();
    notes.push(`history: ${JSON.stringify(items.map((x) => x.replace(/\s+/g, ' ')))}`);
    const past = history.locator('.session-item', { hasNotText: '(current)' }).first();
    await past.click();
    await frame.locator('.readonly-banner').waitFor({ state: 'visible', timeout: 10_000 });
    const banner = await frame.locator('.readonly-banner').innerText();
    const shown = await frame.locator('[data-testid="message-user"]').count();
    const readonly = await frame.locator('textarea.chat-input').evaluate((t) => (t as HTMLTextAreaElement).readOnly || (t as HTMLTextAreaElement).disabled);
    notes.push(`banner: ${JSON.stringify(banner.replace(/\s+/g, ' '))}; user messages shown: ${shown}; input read-only: ${readonly}`);
    await shot('11a-past-session');
    await frame.locator('.readonly-banner button[aria-label="Back to the current session"]').click();
    await waitFor('back to the current session', async () => !(await frame.locator('.readonly-banner').isVisible()), 10_000);
    check(shown === before, `the past session shows ${shown} user messages, expected ${before}`);
    check(!items.some((x) => x.startsWith('New session') && !x.includes('(current)')), `a past session is still titled "New session": ${JSON.stringify(items)}`);
  });

  // 12. Developer: Reload Window: the webview comes back with its transcript.
  await step('12-reload-window', async (notes) => {
    const frame = await chat();
    await sendMessage('Before reload');
    await waitFor('the reply', async () => (await assistantTexts(frame)).some((x) => x.includes('echo: Before reload')), 15_000);
    const oldFrame = frame;
    const t = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
    notes.push(`reload at ${iso(t)} (UTC)`);
    await runCommand(page, 'Developer: Reload Window');
    await waitFor('the old webview to go', () => oldFrame.isDetached(), 30_000, 50);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const f2 = await chat(60_000);
    const tFrame = Date.now();
    const inputAt = Date.now() - t;
    const immediately = (await assistantTexts(f2)).length;
    const usageAt = await waitFor('the usage bar', async () => (await f2.locator('.usage-bar').count()) > 0, 30_000, 50).then(() => Date.now() - t, () => -1);
    const texts = await waitFor('the transcript after reload', async () => {
      const x = await assistantTexts(f2);
      return x.some((y) => y.includes('echo: Before reload')) ? x : undefined;
    }, 30_000, 50);
    const transcriptAt = Date.now() - t;
    notes.push(`new webview (chat input) at +${inputAt} ms (${iso(tFrame)}); assistant messages drawn at once: ${immediately}; usage bar at +${usageAt} ms; transcript at +${transcriptAt} ms; ${texts.length} assistant messages`);
    const webviewWarnings = (browser.console as Array<{ text: string; time: number }>).filter((c) => c.time >= t && /\[memcode\]|timed out|ready/i.test(c.text)).map((c) => `${iso(c.time)} ${c.text.slice(0, 200)}`);
    notes.push(`webview console since reload: ${JSON.stringify(webviewWarnings)}`);
  });

  await closeBrowser();
}

async function finish(fatal?: unknown): Promise<void> {
  if (fatal) console.error('FATAL:', fatal instanceof Error ? fatal.stack : fatal);
  try {
    await closeBrowser();
  } catch {
    // ignore
  }
  const logs = server ? readExtensionLogs(server.logsDir) : '';
  const summary = {
    vsix,
    timings,
    results,
    consoleProblems: interestingConsole(),
    csp: cspProblems(),
    logFiles: server ? findLogFiles(server.logsDir, /\.log$/).map((f) => path.relative(server.logsDir, f)) : [],
    fakeLlmRequests: llm?.requests.map((r) => ({ path: r.path, stream: r.body?.stream, model: r.body?.model })),
  };
  fs.mkdirSync(shots, { recursive: true });
  fs.writeFileSync(path.join(shots, 'summary.json'), JSON.stringify(summary, null, 2));
  fs.writeFileSync(path.join(shots, 'console.json'), JSON.stringify(allConsole, null, 2));
  fs.writeFileSync(path.join(shots, 'extension-logs.txt'), logs);
  if (server) {
    try {
      fs.copyFileSync(server.stdoutLog, path.join(shots, 'code-server.log'));
    } catch {
      // ignore
    }
  }
  console.log(`\ntimings: ${JSON.stringify(timings)}`);
  console.log(`console problems (${summary.consoleProblems.length}):\n  ${summary.consoleProblems.slice(0, 40).join('\n  ')}`);
  const logErrors = logs.split('\n').filter((l) => /\[error\]|\[warning\]|Error:|error/i.test(l) && !/^=====/.test(l));
  console.log(`extension log error/warning lines (${logErrors.length}):\n  ${logErrors.slice(0, 40).join('\n  ')}`);
  console.log(`\nsteps: ${results.filter((r) => r.ok).length}/${results.length} ok; screenshots and logs in ${shots}`);
  if (server && !keep) await server.stop();
  if (llm) await llm.close();
  if (server && !keep) fs.rmSync(server.dataDir, { recursive: true, force: true });
  process.exit(fatal || results.some((r) => !r.ok) ? 1 : 0);
}

main().then(() => finish(), (e: unknown) => finish(e));
