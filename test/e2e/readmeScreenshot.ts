// `npx tsx test/e2e/readmeScreenshot.ts`: the README's picture of the chat (docs/chat.png), taken in a
// real VS Code (code-server) with the built memcode.vsix and a scripted model, so it shows the product
// as it is today. Needs `npm run package` first and code-server installed (test/e2e/setup.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeLlm } from '../helpers/fakeLlm';
import { openBrowser, openMemCodeView, startCodeServer, webviewFrame } from './codeServer';
import { setup } from './setup';

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  await setup({ quiet: true });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-shot-'));
  fs.mkdirSync(path.join(workspace, 'src'));
  fs.writeFileSync(path.join(workspace, 'src', 'parse.ts'), 'export function parseConfig(text: string) {\n  return JSON.parse(text);\n}\n');
  fs.writeFileSync(path.join(workspace, 'package.json'), '{ "scripts": { "test": "vitest run" } }\n');
  const llm = await startFakeLlm();
  const server = await startCodeServer({ workspace, vsix: path.join(ROOT, 'memcode.vsix'), env: { MEMCODE_BASE_URL: llm.url, MEMCODE_MODEL: 'fake-model' } });
  const browser = await openBrowser(server.folderUrl, { viewport: { width: 1100, height: 760 } });
  try {
    const { page } = browser;
    await openMemCodeView(page);
    const view = await webviewFrame(page, '[data-testid="chat-input"]');
    llm.script(
      { toolCalls: [{ name: 'working_context_append', arguments: { block: 'project', content: 'Tests: `npm test` (vitest). Config parsing lives in src/parse.ts.' } }] },
      {
        text:
          'Noted in the project notes: tests run with `npm test` (vitest).\n\n`parseConfig` throws on invalid JSON; a safer version:\n\n```ts\nexport function parseConfig(text: string) {\n  try {\n    return JSON.parse(text);\n  } catch (error) {\n    throw new Error(`bad config: ${(error as Error).message}`);\n  }\n}\n```',
        chunkSize: 24,
      },
    );
    await view.locator('[data-testid="chat-input"]').fill('How do I run the tests here? And make parseConfig fail with a clearer error.');
    await view.locator('[data-testid="chat-input"]').press('Enter');
    await view.locator('[data-testid="message-assistant"]', { hasText: 'bad config' }).waitFor({ timeout: 60_000 });
    await view.locator('body:not(.agent-running)').waitFor();
    await view.locator('.usage-total').waitFor();
    // The file the conversation is about, open beside the chat.
    await page.keyboard.press('Control+P');
    await page.keyboard.type('parse.ts');
    await page.waitForTimeout(800);
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'parseConfig' }).first().waitFor();
    await page.waitForTimeout(800);
    const out = path.join(ROOT, 'docs', 'chat.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(ROOT, out)}`);
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
