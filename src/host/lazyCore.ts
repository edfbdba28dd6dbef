// The core (openai SDK, tokenizer, memory tiers) is most of the extension's bundle. Loading it on first
// use instead of at activation keeps startup fast; esbuild keeps a require() inside a function lazy.
import type * as OpenAgent from '../core/openAgent';

let loaded: typeof OpenAgent | undefined;

export function coreModule(): typeof OpenAgent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../core/openAgent') as typeof OpenAgent;
  return loaded;
}
