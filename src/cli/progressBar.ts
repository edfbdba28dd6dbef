// A one-line progress bar on stderr for `memcode index`. In a terminal it redraws in place; piped
// (CI logs) it prints a line at most every few seconds so logs stay readable.
import type { IndexProgress } from '../indexing/types';

export class ProgressBar {
  private lastLine = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream | NodeJS.WritableStream,
    private readonly tty = !!(stream as NodeJS.WriteStream).isTTY,
    private readonly width = 24,
  ) {}

  update(p: IndexProgress): void {
    const now = Date.now();
    if (!this.tty && now - this.lastLine < 2_000 && p.phase !== 'done') return;
    this.lastLine = now;
    const line = formatProgress(p, (now - this.started) / 1000, this.width);
    if (this.tty) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${line}\n`);
  }

  finish(): void {
    if (this.tty) this.stream.write('\n');
  }
}

export function formatProgress(p: IndexProgress, seconds: number, width = 24): string {
  if (p.phase === 'scanning') return `scanning the workspace… ${p.filesTotal} files found`;
  const ratio = p.filesTotal ? Math.min(1, p.filesDone / p.filesTotal) : 1;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const rate = seconds > 0 ? p.bytes / 1e6 / seconds : 0;
  const current = p.currentPath ? ` · ${p.currentPath.length > 40 ? `…${p.currentPath.slice(-39)}` : p.currentPath}` : '';
  return `[${bar}] ${p.filesDone}/${p.filesTotal} files · ${p.chunks} chunks · ${rate.toFixed(1)} MB/s${current}`;
}
