// The activation bench's measuring process (activation.ts starts it): plain Node, no TypeScript loader,
// because the extension host loads dist/extension.js with Node's own module loader, and a loader hook
// (tsx scans every .js it loads, and turns on source maps) cost ~30 ms a load in the bench process.
// Loads the bundle `runs` times afresh, runs activate() against a stand-in for `vscode` with one
// workspace folder open, and prints the times in ms as JSON.
//
//   node test/bench/activationChild.cjs <dist/extension.js> <runs> <workspace folder>
'use strict';
const Module = require('node:module');
const path = require('node:path');

const [entry, runs, workspace] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const dist = path.dirname(entry);
const stub = vscodeStub(workspace);
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? stub : load.call(this, request, ...rest);
};
const times = [];
for (let i = 0; i < runs; i++) {
  for (const key of Object.keys(require.cache)) if (key.startsWith(dist)) delete require.cache[key];
  const subscriptions = [];
  const t0 = performance.now();
  const extension = require(entry);
  extension.activate({ subscriptions, extensionUri: stub.Uri.file(path.dirname(dist)), secrets: secretStorage() });
  times.push(performance.now() - t0);
  for (const s of subscriptions) s.dispose();
}
process.stdout.write(JSON.stringify(times));

/** Only what activation touches, answering like the editor would with one folder open and no editor. */
function vscodeStub(workspace) {
  const disposable = () => ({ dispose() {} });
  const event = () => disposable();
  class Uri {
    constructor(scheme, fsPath) {
      this.scheme = scheme;
      this.fsPath = fsPath;
    }
    get path() {
      return this.fsPath;
    }
    static file(p) {
      return new Uri('file', p);
    }
    static joinPath(base, ...parts) {
      return new Uri(base.scheme, path.join(base.fsPath, ...parts));
    }
    static from(c) {
      return new Uri(c.scheme, c.path);
    }
    toString() {
      return `${this.scheme}://${this.fsPath}`;
    }
  }
  class EventEmitter {
    constructor() {
      this.event = event;
    }
    fire() {}
    dispose() {}
  }
  class Disposable {
    constructor(fn) {
      this.fn = fn;
    }
    static from(...items) {
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
