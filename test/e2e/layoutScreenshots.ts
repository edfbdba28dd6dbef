// `npx tsx test/e2e/layoutScreenshots.ts`: the chat's layout in a real VS Code (code-server) with the built
// memcode.vsix, in the sidebar (about 300 px) and dragged wide in a short window (the shape of the bottom
// panel), in Light Modern, Dark
// Modern, High Contrast and High Contrast Light: the conversation, Memory, History and the model setup.
// Writes test/e2e/screenshots/layout-<place>-<theme>-<state>.png. Needs `npm run package` first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startFakeLlm } from '../helpers/fakeLlm';
import { openBrowser, openMemCodeView, runCommand, startCodeServer, webviewFrame } from './codeServer';
import { setup } from './setup';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(__dirname, 'screenshots');
const THEMES: [string, string][] = [
  ['light', 'Light Modern'],
  ['dark', 'Dark Modern'],
  ['hc', 'Dark High Contrast'],
  ['hclight', 'Light High Contrast'],
];

async function main(): Promise<void> {
  await setup({ quiet: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-layout-'));
  fs.mkdirSync(path.join(workspace, 'src'));
  fs.writeFileSync(path.join(workspace, 'src', 'store.ts'), 'export class TodoStore {\n  private items: string[] = [];\n  add(item: string) {\n    this.items.push(item);\n  }\n}\n');
  const llm = await startFakeLlm();
  const server = await startCodeServer({ workspace, vsix: path.join(ROOT, 'memcode.vsix'), env: { MEMCODE_BASE_URL: llm.url }, userSettings: { 'memcode.model': 'fake-model' } });
  const browser = await openBrowser(server.folderUrl, { viewport: { width: 1280, height: 800 } });
  const setTheme = async (page: Page, theme: string) => {
    // Ctrl+K Ctrl+T: the installed themes (the palette's first match can be the marketplace's list).
    await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(theme);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'layout-theme-pick.png') });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
  };
  try {
    const { page } = browser;
    await openMemCodeView(page, 90_000);
    let frame: Frame = await webviewFrame(page, '[data-testid="chat-input"]', 90_000);
    llm.script({ text: 'The store keeps items in memory:\n\n```ts\nadd(item: string) {\n  this.items.push(item);\n}\n```\n\nPersist them with `localStorage` if they must survive a reload.' });
    const input = frame.locator('[data-testid="chat-input"]');
    await input.click();
    await input.pressSequentially('How does @store');
    await frame.locator('.mention', { hasText: 'src/store.ts' }).first().waitFor({ timeout: 30_000 });
    await input.press('Enter');
    await frame.locator('[data-testid="attachment-chip"]').waitFor();
    await input.pressSequentially('keep its items?');
    await input.press('Enter');
    await frame.locator('[data-testid="message-assistant"]', { hasText: 'localStorage' }).waitFor({ timeout: 60_000 });
    await frame.locator('body:not(.agent-running)').waitFor();
    await frame.locator('.usage-total').waitFor();

    const shoot = async (place: string, theme: string) => {
      frame = await webviewFrame(page, '[data-testid="chat-input"]', 30_000);
      await page.screenshot({ path: path.join(SHOTS, `layout-${place}-${theme}-chat.png`) });
      await frame.locator('[data-testid="memory-inspector"] summary').click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SHOTS, `layout-${place}-${theme}-memory.png`) });
      await frame.locator('[data-testid="session-list"] summary').click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(SHOTS, `layout-${place}-${theme}-history.png`) });
      await frame.locator('.session-search').press('Escape');
      await page.waitForTimeout(200);
      await frame.locator('[data-testid="context-usage"]').focus();
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(SHOTS, `layout-${place}-${theme}-usage.png`) });
      await frame.locator('[data-testid="chat-input"]').focus();
    };

    for (const [name, theme] of THEMES) {
      await setTheme(page, theme);
      await shoot('sidebar', name);
    }
    await runCommand(page, 'MemCode: Set Up Model');
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(SHOTS, 'layout-sidebar-hclight-onboarding.png') });
    await frame.locator('[data-testid="onboarding"] button[aria-label="Close"]').click();

    // A wide, short view, as in the bottom panel: the sidebar dragged wide in a short window.
    await page.setViewportSize({ width: 1400, height: 340 });
    await page.waitForTimeout(500);
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const x = sidebar.x + sidebar.width + 1;
      const y = sidebar.y + sidebar.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + 300, y, { steps: 5 });
      await page.mouse.move(1300, y, { steps: 10 });
      await page.mouse.up();
      await page.waitForTimeout(800);
    }
    for (const [name, theme] of [THEMES[1], THEMES[0]]) {
      await setTheme(page, theme);
      await shoot('panel', name);
    }
    console.log('done');
  } finally {
    await browser.close();
    await server.stop();
    await llm.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
