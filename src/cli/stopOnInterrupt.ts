// Ctrl-C during a long command (index, import): the first stops it after the step in hand, so what was
// done is recorded and the next run finishes; a second quits at once.

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for Ctrl-C (the command is over). */
  dispose(): void;
}

/** `step` names what finishes before it stops ("the current batch", "the current file"). */
export function stopOnInterrupt(step: string): Interrupt {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n[stopping after ${step}… Ctrl-C again to quit at once]\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
