// Long synchronous work on a thread others wait on (the extension host's: keystrokes, the chat) is cut
// into slices of a few milliseconds, giving way to waiting events between them.
export class TimeSlice {
  private started = performance.now();

  constructor(private readonly ms = 8) {}

  /** The slice is used up: the caller should `giveWay` before going on. */
  get due(): boolean {
    return performance.now() - this.started >= this.ms;
  }

  /** Lets the event loop run what waits (timers, I/O, messages), then starts a new slice. */
  async giveWay(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}

/** Work written as a generator that yields between small steps: run here in one go. */
export function runToEnd<T>(work: Generator<void, T>): T {
  let step = work.next();
  while (!step.done) step = work.next();
  return step.value;
}

/** The same work in slices, giving way between them: for a caller on the editor's thread. */
export async function runInSlices<T>(work: Generator<void, T>, slice = new TimeSlice()): Promise<T> {
  let step = work.next();
  for (; !step.done; step = work.next()) if (slice.due) await slice.giveWay();
  return step.value;
}
