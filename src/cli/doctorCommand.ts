// `memcode doctor [-C DIR] [--check]`: checks the memory folder and repairs what it can without losing
// anything. Exit 0 when it is healthy or was repaired, 1 when something is still broken.
import type { EmbedderSettings } from '../indexing/embeddings';
import { archivalParts } from '../app/lazyArchival';
import { checkMemoryFolder, formatDoctorReport } from '../app/memoryDoctor';
import { memoryPaths } from '../memory/store';

export interface DoctorCommandOptions {
  memoryRoot: string;
  embeddings: EmbedderSettings;
  /** Only report; change nothing. */
  checkOnly: boolean;
  lockWaitMs: number;
}

export async function doctorCommand(opts: DoctorCommandOptions): Promise<number> {
  const report = await checkMemoryFolder(memoryPaths(opts.memoryRoot), {
    repair: !opts.checkOnly,
    embedderId: archivalParts().embedderIdOf(opts.embeddings),
    lockWaitMs: opts.lockWaitMs,
  });
  process.stdout.write(formatDoctorReport(report));
  return report.broken ? 1 : 0;
}
