// The webview's side of the wire: acquireVsCodeApi().postMessage out, window 'message' events in. Other
// things post to a webview's window too (VS Code itself, extensions of the page), so only values shaped
// like a messenger envelope are handed on; the messenger validates them fully.
import { ENVELOPE_KINDS } from '../protocol/envelope';
import type { Transport } from '../protocol/messenger';

/** What VS Code gives a webview script (acquireVsCodeApi may be called only once per page). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** True for values that look like one of our envelopes; everything else on the window is not for us. */
export function isEnvelopeLike(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const kind = (data as { kind?: unknown }).kind;
  return typeof kind === 'string' && (ENVELOPE_KINDS as readonly string[]).includes(kind);
}

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function createVsCodeTransport(vscode: VsCodeApi, target: Window = window): Transport {
  return {
    post: (message) => vscode.postMessage(message),
    onMessage(listener) {
      const onMessage = (event: MessageEvent) => {
        if (isEnvelopeLike(event.data)) listener(event.data);
      };
      target.addEventListener('message', onMessage);
      return () => target.removeEventListener('message', onMessage);
    },
  };
}
