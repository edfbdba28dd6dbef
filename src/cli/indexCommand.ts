// `memcode index [-C DIR] [--rebuild]`: index the workspace into archival memory with a progress bar.
// Ctrl-C stops after the current batch; what was stored is recorded, the rest is done next run.
import type { EmbedderSettings } from '../indexing/embeddings';
import { type ArchivalBackendSettings, MemoryFolder } from '../app/memoryFolder';
import { ProgressBar } from './progressBar';
import { stopOnInterrupt } from './stopOnInterrupt';

export interface IndexCommandOptions {
  memoryRoot: string;
  workspaceRoot: string;
  rebuild: boolean;
  embeddings: EmbedderSettings;
  archival?: ArchivalBackendSettings;
  exclude?: string[];
  maxFileSize?: number;
  allow?: string[];
  lockWaitMs: number;
}

export async function indexCommand(opts: IndexCommandOptions): Promise<number> {
  const warn = (m: string) => process.stderr.write(`[warning] ${m}\n`);
  const folder = new MemoryFolder({
    workspaceRoot: opts.workspaceRoot,
    memoryRoot: opts.memoryRoot,
    embeddings: () => opts.embeddings,
    archival: () => opts.archival ?? { backend: 'vectra' },
    index: () => ({ exclude: opts.exclude, maxFileSize: opts.maxFileSize, allow: opts.allow }),
    warn,
    lockWaitMs: opts.lockWaitMs,
    onLockWait: warn,
  });
  const interrupt = stopOnInterrupt('the current batch');
  try {
    const bar = new ProgressBar(process.stderr);
    const report = await folder.index({ rebuild: opts.rebuild, signal: interrupt.signal, onProgress: (p) => bar.update(p) });
    bar.finish();
    const mb = report.bytes / 1e6;
    const seconds = report.ms / 1000;
    const skipped = report.skipped.length ? `; skipped ${report.skipped.length} (${summarizeSkips(report.skipped)})` : '';
    process.stdout.write(
      `${report.cancelled ? 'Stopped' : 'Indexed'}: ${report.filesIndexed} files indexed, ${report.filesUnchanged} unchanged, ${report.filesRemoved} removed${skipped}; ` +
        `${report.chunksStored} chunks in archival memory; ${mb.toFixed(1)} MB in ${seconds.toFixed(1)} s (${seconds > 0 ? (mb / seconds).toFixed(1) : '0.0'} MB/s)\n`,
    );
    return report.cancelled ? 130 : 0;
  } finally {
    folder.dispose();
    interrupt.dispose();
  }
}

function summarizeSkips(skipped: Array<{ reason: string }>): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason.replace('_', ' ')}`).join(', ');
}
