// `memcode import <path...> [--from claude-code|codex|cline|jsonl]`: other tools' past conversations
// into this project's recall memory (app/importConversations.ts). Ctrl-C stops after the current file.
import * as os from 'node:os';
import { importConversations, type ImportReport, type ImportSource, SOURCE_NAMES } from '../app/importConversations';
import { stopOnInterrupt } from './stopOnInterrupt';

export interface ImportCommandOptions {
  memoryRoot: string;
  paths: string[];
  from?: ImportSource;
  lockWaitMs: number;
  json: boolean;
}

export async function importCommand(opts: ImportCommandOptions): Promise<number> {
  const warn = (m: string) => process.stderr.write(`[warning] ${m}\n`);
  const interrupt = stopOnInterrupt('the current file');
  try {
    const report = await importConversations({
      memoryRoot: opts.memoryRoot,
      paths: opts.paths,
      from: opts.from,
      lockWaitMs: opts.lockWaitMs,
      onLockWait: warn,
      signal: interrupt.signal,
      warn,
      onProgress: (p) => {
        if (p.file && p.filesTotal > 1) process.stderr.write(`[${p.filesDone + 1}/${p.filesTotal}] ${tilde(p.file)}\n`);
      },
    });
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatImportReport(report));
    if (report.cancelled) return 130;
    return report.failed.length || (!report.files.length && !report.skipped.length) ? 1 : 0;
  } finally {
    interrupt.dispose();
  }
}

export function formatImportReport(report: ImportReport): string {
  const out: string[] = [];
  for (const f of report.files) {
    const again = f.duplicates ? ` (${f.duplicates} already imported)` : '';
    out.push(`${SOURCE_NAMES[f.source]}: ${tilde(f.path)}: ${plural(f.sessions, 'session')}, ${plural(f.added, 'message')} added${again}`);
  }
  for (const s of report.skipped) out.push(`skipped ${tilde(s.path)}: ${s.reason}`);
  for (const s of report.failed) out.push(`could not import ${tilde(s.path)}: ${s.reason}`);
  if (!report.files.length && !report.skipped.length && !report.failed.length) out.push('No conversation files found there.');
  else if (report.files.length) {
    out.push(
      `${report.cancelled ? 'Stopped: ' : ''}${plural(report.added, 'message')} imported into ${plural(report.newSessions, 'new session')}` +
        `${report.duplicates ? `; ${plural(report.duplicates, 'message')} were already in memory` : ''}.` +
        (report.added ? ' The agent finds them with conversation_search; `memcode memory search <words>` shows them.' : ''),
    );
  }
  return `${out.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function tilde(p: string): string {
  const home = os.homedir();
  return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}
