// `memcode memory consolidate [--dry-run]`: one consolidation pass over working context, the diff printed.
import { ConsolidationError, consolidateFolder, describeConsolidation } from '../app/consolidateMemory';
import { MemoryError } from '../memory/types';
import { OpenAiChatModel } from '../llm/client';
import { MemoryStore } from '../memory/store';

export interface ConsolidateSettings {
  workspaceRoot: string;
  memoryRoot: string;
  baseUrl: string;
  model: string;
  apiKey?: string;
  requestTimeoutMs?: number;
  allow?: string[];
  lockWaitMs?: number;
}

export async function consolidateCommand(s: ConsolidateSettings, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  const store = MemoryStore.open(s.memoryRoot, { warn: (m) => process.stderr.write(`[warning] ${m}\n`) });
  const model = new OpenAiChatModel({ baseUrl: s.baseUrl, apiKey: s.apiKey, model: s.model, maxRetries: 2, timeoutMs: s.requestTimeoutMs });
  const report = await consolidateFolder(store, s.workspaceRoot, model, { allow: s.allow, dryRun: opts.dryRun, signal: opts.signal, lockWaitMs: s.lockWaitMs }).catch((err: unknown) => {
    throw err instanceof ConsolidationError ? new MemoryError('invalid', `consolidation refused: ${err.message}`) : err;
  });
  return describeConsolidation(report) + (report.dryRun && report.blocks.length ? '\nDry run: nothing was written. Run without --dry-run to apply.\n' : '');
}
