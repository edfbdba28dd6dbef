// The layer rules of docs/ARCHITECTURE.md, checked by `npm run check:layers` (part of `npm test`).
// Whitelist: an import is allowed only if a rule below allows it; anything else fails the build.
// There is no exceptions list: an import that needs one means the code is in the wrong layer.

/** Each layer and the layers it may import (besides itself). Bottom of the house first. */
const layers = {
  common: [],
  llm: ['common'],
  workspace: ['common'],
  memory: ['common', 'llm'],
  indexing: ['common', 'llm', 'memory', 'workspace'],
  tools: ['common', 'llm', 'memory', 'workspace'],
  core: ['common', 'llm', 'memory', 'workspace', 'tools'],
  app: ['common', 'llm', 'memory', 'workspace', 'tools', 'indexing', 'core'],
  protocol: ['common'],
  webview: ['common', 'protocol'],
  host: ['common', 'llm', 'memory', 'workspace', 'tools', 'indexing', 'core', 'app', 'protocol'],
  cli: ['common', 'llm', 'memory', 'workspace', 'tools', 'indexing', 'core', 'app'],
};

const inLayers = (names) => `^src/(${names.join('|')})/`;

/** Code that runs in the browser (the chat page) may not reach Node's built-in modules or npm packages meant for Node. */
const browserLayers = ['common', 'protocol', 'webview'];

module.exports = {
  allowed: [
    // Every layer may import npm packages and Node's built-ins (the browser layers are narrowed below).
    { from: { path: '^src/' }, to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'core', 'type-only'], pathNot: '^src/' } },
    ...Object.entries(layers).map(([layer, below]) => ({
      from: { path: `^src/${layer}/` },
      to: { path: inLayers([layer, ...below]) },
    })),
    // The entry point registers the host and nothing else.
    { from: { path: '^src/extension\\.ts$' }, to: { path: '^src/host/' } },
  ],
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'vscode-only-in-host',
      comment: 'Only the host (and the entry point) talk to the editor; everything else is driven through small interfaces.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(host/|extension\\.ts$)' },
      // The editor's API resolves to its type declarations (it exists only inside VS Code at run time).
      to: { path: '^(vscode$|node_modules/@types/vscode/)' },
    },
    {
      name: 'browser-code-has-no-node',
      comment: 'common/, protocol/ and webview/ are bundled into the chat page: no Node built-ins there.',
      severity: 'error',
      from: { path: inLayers(browserLayers) },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-loose-files',
      comment: 'Every module lives in a layer folder; only extension.ts sits at src/.',
      severity: 'error',
      from: {},
      to: { path: '^src/[^/]+\\.ts$', pathNot: '^src/extension\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: split the shared part out.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^vscode$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
