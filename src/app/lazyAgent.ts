// The agent (openai SDK, tokenizer, memory tiers) is most of the extension's bundle: it loads on the first
// message or look at memory, not at activation. esbuild keeps a require() inside a function lazy.
import type * as OpenAgent from './openAgent';

let loaded: typeof OpenAgent | undefined;

export function agentModule(): typeof OpenAgent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./openAgent') as typeof OpenAgent;
  return loaded;
}
