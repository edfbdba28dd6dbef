// The agent (openai SDK, tokenizer) and archival memory (Vectra, tree-sitter) are most of the bundle.
// Loading them on first use instead of at activation or CLI start keeps both fast: esbuild keeps a
// require() inside a function as a lazily evaluated module.
import type * as ArchivalParts from './archivalParts';
import type * as OpenAgent from './openAgent';

let archival: typeof ArchivalParts | undefined;
let agent: typeof OpenAgent | undefined;

export function archivalParts(): typeof ArchivalParts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  archival ??= require('./archivalParts') as typeof ArchivalParts;
  return archival;
}

export function agentModule(): typeof OpenAgent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  agent ??= require('./openAgent') as typeof OpenAgent;
  return agent;
}
