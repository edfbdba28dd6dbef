// Backoff arithmetic and an abortable sleep, kept apart from the client so both are easy to test.

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** What the server asked for (retry-after); used as given, only capped. */
  retryAfterMs?: number;
  random?: () => number;
}

/** Delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const { baseDelayMs, maxDelayMs, retryAfterMs } = options;
  if (retryAfterMs !== undefined) return Math.max(0, Math.min(retryAfterMs, maxDelayMs));
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  // "Equal jitter": at least half the exponential step, so retries from many clients spread out
  // without ever collapsing to an immediate hammering of the server.
  const random = options.random ?? Math.random;
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** Resolves after `ms`; rejects with the signal's reason (an AbortError) as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}
