// Activation cost of the built extension: loading dist/extension.js and running activate() against a
// recording stand-in for the `vscode` module, with one workspace folder open. This is our share of
// VS Code's "activation time" (the editor's own work is not in it); each run is a fresh module load.
import * as fs from 'node:fs';
import Module from 'node:module';
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
  const stub = vscodeStub(workspace);
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : original.call(this, request, ...rest);
  };
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const key of Object.keys(require.cache)) if (key.startsWith(DIST)) delete require.cache[key];
      const subscriptions: Array<{ dispose(): unknown }> = [];
      const t0 = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const extension = require(entry) as { activate(context: unknown): void };
      extension.activate({ subscriptions, extensionUri: stub.Uri.file(path.dirname(DIST)), secrets: secretStorage() });
      times.push(performance.now() - t0);
      for (const s of subscriptions) s.dispose();
    }
  } finally {
    loader._load = original;
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

/** Only what activation touches, answering like the editor would with one folder open and no editor. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function vscodeStub(workspace: string): any {
  const disposable = () => ({ dispose() {} });
  const event = () => disposable();
  class Uri {
    constructor(readonly scheme: string, readonly fsPath: string) {}
    get path() {
      return this.fsPath;
    }
    static file(p: string) {
      return new Uri('file', p);
    }
    static joinPath(base: Uri, ...parts: string[]) {
      return new Uri(base.scheme, path.join(base.fsPath, ...parts));
    }
    static from(c: { scheme: string; path: string }) {
      return new Uri(c.scheme, c.path);
    }
    toString() {
      return `${this.scheme}://${this.fsPath}`;
    }
  }
  class EventEmitter {
    event = event;
    fire() {}
    dispose() {}
  }
  class Disposable {
    constructor(private readonly fn: () => void) {}
    static from(...items: Array<{ dispose(): unknown }>) {
      return new Disposable(() => items.forEach((i) => i.dispose()));
    }
    dispose() {
      this.fn();
    }
  }
  const folder = { uri: Uri.file(workspace), name: path.basename(workspace), index: 0 };
  const config = { get: () => undefined, has: () => false, inspect: () => undefined, update: async () => undefined };
  const item = { show() {}, hide() {}, dispose() {} };
  return {
    Uri,
    EventEmitter,
    Disposable,
    ThemeColor: class {},
    RelativePattern: class {},
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { Notification: 15 },
    window: {
      activeTextEditor: undefined,
      visibleTextEditors: [],
      createOutputChannel: () => ({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, appendLine() {}, dispose() {} }),
      createStatusBarItem: () => ({ ...item }),
      registerWebviewViewProvider: disposable,
      onDidChangeActiveTextEditor: event,
      tabGroups: { all: [] },
    },
    workspace: {
      workspaceFolders: [folder],
      getWorkspaceFolder: () => folder,
      getConfiguration: () => config,
      registerTextDocumentContentProvider: disposable,
      onDidChangeConfiguration: event,
      onDidChangeWorkspaceFolders: event,
      onDidSaveTextDocument: event,
      onDidCreateFiles: event,
      onDidDeleteFiles: event,
      onDidRenameFiles: event,
      createFileSystemWatcher: () => ({ onDidCreate: event, onDidChange: event, onDidDelete: event, dispose() {} }),
    },
    commands: { registerCommand: disposable, executeCommand: async () => undefined },
  };
}

function secretStorage() {
  return { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) };
}
