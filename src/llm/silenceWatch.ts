// How long the model server has said nothing, across every attempt of one call. The person's timeout
// (memcode.requestTimeout) bounds that silence, not the length of an answer: each piece of a streamed
// reply starts the clock again, so a long answer is never cut, while a server that never answers — or
// fails quickly and is retried into silence — is given up on once the timeout has passed.

export interface SlowInfo {
  /** How long the server has been silent so far. */
  waitedMs: number;
}

export interface SilenceWatchOptions {
  timeoutMs: number;
  /** How often to report a silent server; the first report comes after this long. */
  noticeEveryMs: number;
  onSlow?: (info: SlowInfo) => void;
}

export class SilenceWatch {
  private lastHeard = Date.now();
  private noticeTimer: NodeJS.Timeout | undefined;
  private noticing = false;

  constructor(private readonly options: SilenceWatchOptions) {}

  /** The server sent something: the timeout and the notices count from now. */
  heard(): void {
    this.lastHeard = Date.now();
    if (this.noticing) this.armNotices();
  }

  /** Time left before the silence reaches the timeout (0 or less: it has). */
  remainingMs(): number {
    return this.options.timeoutMs - (Date.now() - this.lastHeard);
  }

  /** Reports the silence while the person has nothing else to look at (before the reply starts). */
  noticesOn(): void {
    if (this.noticing || !this.options.onSlow) return;
    this.noticing = true;
    this.armNotices();
  }

  noticesOff(): void {
    this.noticing = false;
    clearInterval(this.noticeTimer);
    this.noticeTimer = undefined;
  }

  private armNotices(): void {
    clearInterval(this.noticeTimer);
    this.noticeTimer = setInterval(() => this.options.onSlow?.({ waitedMs: Date.now() - this.lastHeard }), this.options.noticeEveryMs);
    // A notice alone must never keep the process alive.
    this.noticeTimer.unref?.();
  }
}

/** Seconds for a message: "2", "0.3", "1.5". */
export function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(1)));
}
