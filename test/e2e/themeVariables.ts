// `npx tsx test/e2e/themeVariables.ts`: reads the --vscode-* variables VS Code sets on the chat webview in
// each of the four default themes (Light Modern, Dark Modern, High Contrast, High Contrast Light) and
// writes the ones media/*.css uses to test/fixtures/webviewThemes.json, for the browser tests' contrast
// checks (test/unit/webview.browser.test.ts). Taken from a real VS Code (code-server) so the fixture holds
// the colours people see, not guesses. Needs `npm run package` first and code-server installed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeLlm } from '../helpers/fakeLlm';
import { openBrowser, openMemCodeView, sleep, startCodeServer, webviewFrame } from './codeServer';
import { setup } from './setup';

const ROOT = path.resolve(__dirname, '../..');
export const THEMES = {
  light: 'Default Light Modern',
  dark: 'Default Dark Modern',
  highContrast: 'Default High Contrast',
  highContrastLight: 'Default High Contrast Light',
} as const;

/** Every --vscode-* variable the stylesheets name, plus the fonts (they set the layout). */
function usedVariables(): string[] {
  const names = new Set<string>();
  for (const file of fs.readdirSync(path.join(ROOT, 'media')).filter((f) => f.endsWith('.css'))) {
    for (const m of fs.readFileSync(path.join(ROOT, 'media', file), 'utf8').matchAll(/--vscode-[\w-]+/g)) names.add(m[0]);
  }
  return [...names].sort();
}

type Dump = Record<string, { kind: string; variables: Record<string, string> }>;
/** The whole dump, so a stylesheet that starts using another variable needs only `--refilter`. */
const ALL = path.join(os.tmpdir(), 'memcode-webviewThemes.all.json');

function writeFixture(everything: Dump): void {
  const wanted = new Set(usedVariables());
  const out: Dump = {};
  for (const [key, { kind, variables }] of Object.entries(everything)) {
    out[key] = { kind, variables: Object.fromEntries(Object.entries(variables).filter(([name]) => wanted.has(name) || /font/.test(name)).sort(([a], [b]) => a.localeCompare(b))) };
  }
  const file = path.join(ROOT, 'test', 'fixtures', 'webviewThemes.json');
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--refilter')) return writeFixture(JSON.parse(fs.readFileSync(ALL, 'utf8')) as Dump);
  await setup({ quiet: true });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-themes-'));
  fs.writeFileSync(path.join(workspace, 'README.md'), '# themes\n');
  const llm = await startFakeLlm();
  const server = await startCodeServer({ workspace, vsix: path.join(ROOT, 'memcode.vsix'), env: { MEMCODE_BASE_URL: llm.url } });
  const settingsPath = path.join(server.userDataDir, 'User', 'settings.json');
  const everything: Record<string, { kind: string; variables: Record<string, string> }> = {};
  try {
    for (const [key, theme] of Object.entries(THEMES)) {
      const settings = JSON.parse(fs.readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(settingsPath, JSON.stringify({ ...settings, 'workbench.colorTheme': theme }, null, 2));
      const browser = await openBrowser(server.folderUrl, { viewport: { width: 1100, height: 760 } });
      try {
        await openMemCodeView(browser.page, 60_000);
        const frame = await webviewFrame(browser.page, '[data-testid="chat-input"]', 60_000);
        let read: { kind: string; all: Record<string, string> } | undefined;
        for (let attempt = 0; attempt < 50; attempt++) {
          read = await frame.evaluate(() => {
            const style = document.documentElement.style;
            const all: Record<string, string> = {};
            for (let i = 0; i < style.length; i++) {
              const name = style.item(i);
              if (name.startsWith('--vscode-')) all[name] = style.getPropertyValue(name).trim();
            }
            return { kind: document.body.dataset.vscodeThemeKind ?? document.body.className, all };
          });
          if (read.kind.includes(key === 'light' ? 'vscode-light' : key === 'dark' ? 'vscode-dark' : key === 'highContrast' ? 'vscode-high-contrast' : 'vscode-high-contrast-light')) break;
          await sleep(200);
        }
        if (!read) throw new Error(`could not read ${theme}`);
        everything[key] = { kind: read.kind, variables: read.all };
        console.log(`${theme}: ${Object.keys(read.all).length} variables (${read.kind})`);
      } finally {
        await browser.close();
      }
    }
    fs.writeFileSync(ALL, JSON.stringify(everything, null, 2));
    writeFixture(everything);
  } finally {
    await server.stop();
    await llm.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
