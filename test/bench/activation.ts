// Activation cost of the built extension: loading dist/extension.js and running activate() against a
// recording stand-in for the `vscode` module, with one workspace folder open. This is our share of
// VS Code's "activation time" (the editor's own work is not in it); each run is a fresh module load, in
// a plain Node process (activationChild.cjs), as the extension host loads it.
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const DIST = path.join(__dirname, '../../dist');

export interface ActivationResult {
  runs: number;
  /** require('dist/extension.js') + activate(), fresh each run. */
  medianMs: number;
  maxMs: number;
  /** The first run, with a cold file cache and V8 code cache. */
  firstMs: number;
  bundles: { extensionKB: number; webviewKB: number; cliKB: number; vsixKB?: number };
}

export function runActivation(log: (m: string) => void, runs = 15): ActivationResult {
  const entry = path.join(DIST, 'extension.js');
  if (!fs.existsSync(entry)) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-activate-'));
  let times: number[];
  try {
    // Without this process's TypeScript loader (NODE_OPTIONS may carry it too): see activationChild.cjs.
    const env = { ...process.env, NODE_OPTIONS: '' };
    const child = spawnSync(process.execPath, [path.join(__dirname, 'activationChild.cjs'), entry, String(runs), workspace], { env, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`activation probe failed: ${child.stderr || child.error?.message}`);
    times = JSON.parse(child.stdout) as number[];
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const kb = (file: string) => (fs.existsSync(file) ? Math.round(fs.statSync(file).size / 1024) : undefined);
  const result: ActivationResult = {
    runs,
    firstMs: +times[0].toFixed(1),
    medianMs: +sorted[Math.floor(sorted.length / 2)].toFixed(1),
    maxMs: +sorted[sorted.length - 1].toFixed(1),
    bundles: {
      extensionKB: kb(entry) ?? 0,
      webviewKB: kb(path.join(DIST, 'webview.js')) ?? 0,
      cliKB: kb(path.join(DIST, 'cli.js')) ?? 0,
      vsixKB: kb(path.join(DIST, '..', 'memcode.vsix')),
    },
  };
  log(`activation: first ${result.firstMs} ms, median ${result.medianMs} ms over ${runs} fresh loads`);
  log(`bundles: extension ${result.bundles.extensionKB} KB, webview ${result.bundles.webviewKB} KB, vsix ${result.bundles.vsixKB ?? '(run npm run package)'} KB`);
  return result;
}
