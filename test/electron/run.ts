// `npm run test:electron`: the in-editor suite (test/electron/suite) inside a real desktop VS Code,
// downloaded by @vscode/test-electron into .vscode-test/ (git-ignored). For machines that can
// download VS Code (a laptop, a CI with internet). Offline, or when the download fails, it prints
// ONE line saying why and exits 0: the e2e suite (npm run test:e2e, code-server) covers the editor
// there. The extension must be built first (the npm script runs `npm run build`).
//
//   MEMCODE_VSCODE_VERSION=1.100.3  test a given VS Code version (default: stable)
//   MEMCODE_VSCODE_EXECUTABLE=PATH  use an installed VS Code instead of downloading one
//   On Linux without a display, run it under xvfb-run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.vscode-test', 'memcode-suite');
const DOWNLOAD_TIMEOUT_MS = Number(process.env.MEMCODE_VSCODE_DOWNLOAD_TIMEOUT_MS ?? 120_000);

function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const text = [e?.message ?? String(err), e?.cause?.code ?? e?.code].filter(Boolean).join(' ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 240);
}

async function vscodeExecutable(): Promise<string | undefined> {
  const given = process.env.MEMCODE_VSCODE_EXECUTABLE;
  if (given) return given;
  const version = process.env.MEMCODE_VSCODE_VERSION ?? 'stable';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`)), DOWNLOAD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([downloadAndUnzipVSCode({ version, timeout: DOWNLOAD_TIMEOUT_MS, reporter: quietReporter }), timeout]);
  } catch (err) {
    console.log(`test:electron skipped: could not download VS Code ${version} (${oneLine(err)}); run npm run test:e2e for the in-editor tests`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

// test-electron's default reporter prints progress bars and every retry; keep the skip to one line.
const quietReporter = {
  report(): void {},
  error(): void {},
  async flush(): Promise<void> {},
};

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    console.error('test:electron: no dist/extension.js: run npm run build first');
    return 1;
  }
  const executable = await vscodeExecutable();
  if (!executable) return 0;

  // The suite runs inside VS Code's extension host (plain Node): bundle it to CommonJS.
  await build({
    entryPoints: [path.join(__dirname, 'suite', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    outfile: path.join(OUT, 'index.js'),
    logLevel: 'warning',
  });

  const workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-electron-ws-')));
  fs.writeFileSync(path.join(workspace, 'hello.ts'), 'export const hello = 1;\n');
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-electron-user-'));
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(OUT, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userData}`],
      extensionTestsEnv: { MEMCODE_ELECTRON_WORKSPACE: workspace },
    });
    return 0;
  } catch (err) {
    console.error(`test:electron failed: ${oneLine(err)}`);
    return 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`test:electron failed: ${oneLine(err)}`);
    process.exit(1);
  },
);
