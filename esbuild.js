// Bundles the extension host and the CLI for Node; `vscode` is provided by the editor at run time.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // vectra's optional local-model loader; we never use it (DESIGN.md §10).
  // pg's optional native binding (pg-native, libpq): MemCode uses the pure-JS client.
  external: ['vscode', '@huggingface/transformers', 'pg-native'],
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'info',
};

// Vectra drags in ~7 MB (wink's language model, gpt-tokenizer) that only archival memory uses. Bundled
// inline, V8 would parse all of it on every start of the CLI and the extension; as its own file in
// dist/vendor/ it is read only when archival memory is first opened (src/memory/archivalShard.ts).
// The same holds for the tokenizer's 2.3 MB rank table: loaded on the first token count, not at start.
const vendorVectra = {
  name: 'vendor-vectra',
  setup(build) {
    build.onResolve({ filter: /^vectra$/ }, () => ({ path: './vendor/vectra.js', external: true }));
    build.onResolve({ filter: /^js-tiktoken\/ranks\/o200k_base$/ }, () => ({ path: './vendor/o200k_base.js', external: true }));
  },
};

// The MCP SDK (with zod and ajv, ~1 MB) is used only when MCP servers are configured: its own file,
// read when the first server starts (src/app/mcpServers.ts requires src/app/mcpSdk.ts).
const vendorMcp = {
  name: 'vendor-mcp',
  setup(build) {
    build.onResolve({ filter: /^\.\/mcpSdk$/ }, () => ({ path: './vendor/mcp.js', external: true }));
  },
};

// pg (the PostgreSQL client, ~100 KB) is used only by the postgres archival backend: its own file,
// read when that backend is first opened (src/memory/postgresArchival.ts), not parsed at every start.
const vendorPg = {
  name: 'vendor-pg',
  setup(build) {
    build.onResolve({ filter: /^pg$/ }, () => ({ path: './vendor/pg.js', external: true }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [vendorVectra, vendorMcp, vendorPg] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [vendorVectra, vendorMcp, vendorPg] },
  { ...common, entryPoints: [require.resolve('pg')], outfile: 'dist/vendor/pg.js', sourcemap: false },
  { ...common, entryPoints: ['src/app/mcpSdk.ts'], outfile: 'dist/vendor/mcp.js', sourcemap: false },
  // Indexing's CPU work (tree-sitter chunking, the local embedder) runs in this worker beside the bundle
  // (src/indexing/indexWorker.ts starts it), off the extension host's thread.
  { ...common, entryPoints: ['src/indexing/indexWorkerMain.ts'], outfile: 'dist/indexWorker.js' },
  { ...common, entryPoints: [require.resolve('vectra')], outfile: 'dist/vendor/vectra.js', sourcemap: false },
  { ...common, entryPoints: [require.resolve('js-tiktoken/ranks/o200k_base')], outfile: 'dist/vendor/o200k_base.js', sourcemap: false },
  // The chat UI runs in the webview (a browser): no Node built-ins, talks to the host through src/protocol/.
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022', external: [] },
];

// tree-sitter loads its runtime and grammars as .wasm files at run time (src/indexing/grammars.ts looks
// beside the bundle): ship the runtime and only the grammars the chunker knows.
const GRAMMARS = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp'];

function copyWasm() {
  const fs = require('node:fs');
  const path = require('node:path');
  const runtimeDir = path.dirname(require.resolve('web-tree-sitter'));
  const grammarsDir = path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out');
  fs.mkdirSync(path.join('dist', 'grammars'), { recursive: true });
  fs.copyFileSync(path.join(runtimeDir, 'tree-sitter.wasm'), path.join('dist', 'tree-sitter.wasm'));
  for (const lang of GRAMMARS) {
    const name = `tree-sitter-${lang}.wasm`;
    fs.copyFileSync(path.join(grammarsDir, name), path.join('dist', 'grammars', name));
  }
}

/**
 * The WordNet lexicon's text (0.7 MB, with its license notice), read by src/memory/lexicon.ts beside
 * the bundle on the first recall search: as a file it is neither parsed at start nor held twice.
 */
function copyLexicon() {
  const fs = require('node:fs');
  fs.copyFileSync('src/memory/lexicon.txt', 'dist/lexicon.txt');
}

/** The webview's icon font, from @vscode/codicons (the chat view links dist/codicons/codicon.css). */
function copyCodicons() {
  const fs = require('node:fs');
  const path = require('node:path');
  const from = path.join(path.dirname(require.resolve('@vscode/codicons/package.json')), 'dist');
  fs.mkdirSync(path.join('dist', 'codicons'), { recursive: true });
  for (const name of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, name), path.join('dist', 'codicons', name));
}

async function main() {
  copyWasm();
  copyCodicons();
  copyLexicon();
  if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
