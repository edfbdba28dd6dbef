// Archival memory's heavy half (Vectra, tree-sitter: megabytes of code) loads on first use, not at the
// extension's activation or the CLI's start: esbuild keeps a require() inside a function lazy.
import type * as ArchivalParts from './archivalParts';

let loaded: typeof ArchivalParts | undefined;

export function archivalParts(): typeof ArchivalParts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./archivalParts') as typeof ArchivalParts;
  return loaded;
}
