import type { Transport } from '../../src/protocol/messenger';

/**
 * Two connected in-memory transports, for running both ends of the messenger in one process. Delivery
 * is asynchronous and goes through JSON, as postMessage to a webview does, so anything that would not
 * survive the real channel does not survive this one either.
 */
export function createTransportPair(): [Transport, Transport] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  const end = (mine: 0 | 1): Transport => ({
    post(message) {
      const copy = message === undefined ? undefined : JSON.parse(JSON.stringify(message));
      queueMicrotask(() => {
        for (const listener of [...listeners[1 - mine]]) listener(copy);
      });
    },
    onMessage(listener) {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
  });
  return [end(0), end(1)];
}
