// Archival memory pulls in Vectra and tree-sitter (megabytes of code). Loading them only when
// archival memory is actually used keeps `memcode chat` and the extension's activation fast:
// esbuild keeps a require() inside a function as a lazily evaluated module.
import type * as OpenArchival from './openArchival';

let loaded: typeof OpenArchival | undefined;

export function archivalModule(): typeof OpenArchival {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./openArchival') as typeof OpenArchival;
  return loaded;
}
