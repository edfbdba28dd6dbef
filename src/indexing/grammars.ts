// The tree-sitter runtime and its grammars: found next to the bundle (dist/grammars) or in node_modules,
// loaded once per process and shared by every chunker. A grammar that cannot be found or loaded is
// reported and its language left out, so its files are chunked by lines instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type ParserModule from 'web-tree-sitter';
import { LANGUAGES, type SyntaxLanguage } from './languages';

export type Language = ParserModule.Language;

export interface GrammarOptions {
  /** Folder holding `tree-sitter-<lang>.wasm`; otherwise found next to the bundle or in node_modules. */
  grammarsDir?: string;
  /** Grammars to load (default all nine). */
  languages?: SyntaxLanguage[];
  /** Told once per grammar that cannot be loaded. */
  warn?: (message: string) => void;
}

export interface LoadedGrammars {
  /** Undefined when the runtime could not start: then no grammar is loaded either. */
  parser: ParserModule | undefined;
  grammars: Map<SyntaxLanguage, Language>;
}

/**
 * Loads the runtime and the grammars (about 250 ms for all nine, once per process). Never throws for a
 * missing or broken grammar: its language is missing from `grammars` and `warn` says so once.
 */
export async function loadGrammars(opts: GrammarOptions = {}): Promise<LoadedGrammars> {
  const warn = opts.warn ?? ((m: string) => console.warn(`[memcode] ${m}`));
  let Parser: typeof ParserModule;
  try {
    Parser = await loadRuntime();
  } catch (err) {
    warn(`tree-sitter could not start (${(err as Error).message}); code is chunked by lines`);
    return { parser: undefined, grammars: new Map() };
  }
  const dirs = grammarDirs(opts.grammarsDir);
  const wanted = opts.languages ?? [...LANGUAGES.keys()];
  const grammars = new Map<SyntaxLanguage, Language>();
  // One at a time: loading grammars concurrently mixes up their symbols inside the runtime.
  for (const id of wanted) {
    const spec = LANGUAGES.get(id);
    if (!spec) continue;
    const file = findFile(`tree-sitter-${spec.grammar}.wasm`, dirs);
    if (!file) {
      warn(`no tree-sitter grammar for ${id} (looked in ${dirs.join(', ')}); ${id} files are chunked by lines`);
      continue;
    }
    try {
      grammars.set(id, await loadGrammar(Parser, file));
    } catch (err) {
      warn(`the ${id} grammar ${file} failed to load (${(err as Error).message || 'WebAssembly error'}); ${id} files are chunked by lines`);
    }
  }
  return { parser: new Parser(), grammars };
}

let runtime: Promise<typeof ParserModule> | undefined;

/** The tree-sitter runtime is one WebAssembly instance per process: initialise it once. */
function loadRuntime(): Promise<typeof ParserModule> {
  if (!runtime) {
    // Required here, not imported at the top, so loading the extension does not pay for tree-sitter.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Parser = require('web-tree-sitter') as typeof ParserModule;
    const wasm = findFile('tree-sitter.wasm', runtimeDirs());
    runtime = Parser.init(wasm ? { locateFile: () => wasm } : undefined).then(() => Parser);
    runtime.catch(() => {
      runtime = undefined;
    });
  }
  return runtime;
}

function runtimeDirs(): string[] {
  const dirs = [__dirname];
  try {
    dirs.push(path.dirname(require.resolve('web-tree-sitter')));
  } catch {
    // Bundled without node_modules: the copy next to the bundle is the one.
  }
  dirs.push(path.join(__dirname, '..', '..', 'node_modules', 'web-tree-sitter'));
  return dirs;
}

function grammarDirs(explicit?: string): string[] {
  const dirs: string[] = [];
  if (explicit) dirs.push(explicit);
  // Bundled: esbuild.js copies the grammars to dist/grammars, beside dist/cli.js and dist/extension.js.
  dirs.push(path.join(__dirname, 'grammars'));
  try {
    dirs.push(path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out'));
  } catch {
    // Not installed: only the bundled copy can serve.
  }
  dirs.push(path.join(__dirname, '..', '..', 'node_modules', 'tree-sitter-wasms', 'out'));
  return dirs;
}

/** Grammars are shared by every chunker in the process, and loaded one after another (see loadGrammars). */
const grammarCache = new Map<string, Promise<Language>>();
let grammarQueue: Promise<unknown> = Promise.resolve();

function loadGrammar(Parser: typeof ParserModule, file: string): Promise<Language> {
  let loaded = grammarCache.get(file);
  if (!loaded) {
    loaded = grammarQueue.then(() => Parser.Language.load(file));
    grammarQueue = loaded.catch(() => undefined);
    grammarCache.set(file, loaded);
    loaded.catch(() => grammarCache.delete(file));
  }
  return loaded;
}

function findFile(name: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
