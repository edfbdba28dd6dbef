// The one messenger both ends use (docs/ARCHITECTURE.md; after Continue's core/protocol): typed requests
// answered by id and fire-and-forget events, over any Transport that can post a JSON-able value and listen
// for one. The host wraps webview.postMessage / onDidReceiveMessage, the webview wraps
// acquireVsCodeApi().postMessage / window 'message'. Everything that arrives is checked (the envelope, then
// the payload against the protocol's schemas) before a handler or a caller sees it. The agent's reply
// streams as events ('agent/text'), so answers are single values.
// No vscode, no DOM: this runs in the extension host, in the browser bundle and in plain Node tests.
import { isPlainObject } from '../common/json';
import { parseEnvelope, type Envelope, type MessengerErrorKind, type WireError } from './envelope';
import {
  hostToWebviewSchema,
  validatePayload,
  webviewToHostSchema,
  type HostToWebview,
  type ProtocolMap,
  type ProtocolSchema,
  type RequestOf,
  type ResponseOf,
  type WebviewToHost,
} from './messages';

export type { MessengerErrorKind };

export interface Transport {
  post(message: unknown): void;
  /** Returns a function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
}

export class MessengerError extends Error {
  constructor(
    readonly kind: MessengerErrorKind,
    message: string,
    /** The `kind` of the error the remote handler threw (e.g. a MemoryError's 'limit'), when it had one. */
    readonly remoteKind?: string,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}

export interface MessengerOptions<Outgoing extends ProtocolMap, Incoming extends ProtocolMap> {
  /** Schemas of what we send: used to check the answers we get back. */
  outgoing: ProtocolSchema<Outgoing>;
  /** Schemas of what we receive: used to check requests and events, and our own answers before they go. */
  incoming: ProtocolSchema<Incoming>;
  /** Where rejected messages and failing event handlers are reported. */
  log?: (message: string) => void;
  /** Default time to wait for an answer; 0 or Infinity waits forever. */
  timeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
}

type Payload<T> = [T] extends [void] ? [data?: undefined, options?: CallOptions] : [data: T, options?: CallOptions];
type EventPayload<T> = [T] extends [void] ? [data?: undefined] : [data: T];

/** Names that are answered with nothing: the ones `send` may fire and forget. */
export type EventNames<P extends ProtocolMap> = { [K in keyof P]: [P[K][1]] extends [void] ? K : never }[keyof P];

/** A handler returns the response or a promise of it. */
export type Handler<P extends ProtocolMap, K extends keyof P> = (
  data: RequestOf<P, K>,
) => ResponseOf<P, K> | Promise<ResponseOf<P, K>>;

type Answer = Extract<Envelope, { kind: 'response' | 'error' }>;

interface Pending {
  name: string;
  deliver(envelope: Answer): void;
  fail(error: MessengerError): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class Messenger<Outgoing extends ProtocolMap, Incoming extends ProtocolMap> {
  private readonly handlers = new Map<string, (data: unknown) => unknown>();
  private readonly pending = new Map<string, Pending>();
  private readonly log: (message: string) => void;
  private readonly stopListening: () => void;
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: MessengerOptions<Outgoing, Incoming>,
  ) {
    this.log = options.log ?? ((message) => console.warn(`[memcode] ${message}`));
    this.stopListening = transport.onMessage((message) => this.receive(message));
  }

  /** Asks the other side and waits for its answer. Rejects with a MessengerError. */
  request<K extends keyof Outgoing & string>(name: K, ...[data, options]: Payload<RequestOf<Outgoing, K>>): Promise<ResponseOf<Outgoing, K>> {
    return new Promise((resolve, reject) => {
      const id = String(this.nextId++);
      const timeoutMs = options?.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = startTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(new MessengerError('timeout', `no answer to "${name}" within ${timeoutMs} ms; is the other side loaded and handling it?`));
      });
      const settle = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        name,
        deliver: (envelope) => {
          settle();
          if (envelope.kind === 'response') resolve(envelope.data as ResponseOf<Outgoing, K>);
          else reject(fromWire(envelope.error));
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      });
      this.postRequest(id, { kind: 'request', id, name, data });
    });
  }

  /** Fires an event: nothing answers it, and a failing handler on the other side is only logged there. */
  send<K extends EventNames<Outgoing> & string>(name: K, ...[data]: EventPayload<RequestOf<Outgoing, K>>): void {
    this.post({ kind: 'event', name, data });
  }

  /** Handles one incoming message name (requests and events alike). One handler per name. */
  on<K extends keyof Incoming & string>(name: K, handler: Handler<Incoming, K>): () => void {
    if (!Object.hasOwn(this.options.incoming, name)) throw new Error(`no message "${name}" in the incoming protocol`);
    if (this.handlers.has(name)) throw new Error(`"${name}" already has a handler`);
    const h = handler as (data: unknown) => unknown;
    this.handlers.set(name, h);
    return () => {
      if (this.handlers.get(name) === h) this.handlers.delete(name);
    };
  }

  /** Stops listening; waiting requests fail with kind 'disposed'. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    const error = new MessengerError('disposed', 'the connection to the other side was closed');
    for (const p of [...this.pending.values()]) p.fail(error);
    this.pending.clear();
  }

  // ---- Receiving ---------------------------------------------------------------------------------

  private receive(message: unknown): void {
    if (this.disposed) return;
    const envelope = parseEnvelope(message);
    if (typeof envelope === 'string') {
      this.log(`rejected a message: ${envelope}`);
      // Answer what looks like a request, so its sender fails now instead of timing out.
      if (isPlainObject(message) && message.kind === 'request' && typeof message.id === 'string' && message.id) {
        this.post({ kind: 'error', id: message.id, error: { kind: 'invalid', message: `invalid message: ${envelope}` } });
      }
      return;
    }
    if (envelope.kind === 'request') void this.answer(envelope);
    else if (envelope.kind === 'event') this.dispatchEvent(envelope);
    else this.settle(envelope);
  }

  private settle(envelope: Answer): void {
    const pending = this.pending.get(envelope.id);
    if (!pending) {
      this.log(`ignored a "${envelope.kind}" for request ${envelope.id}, which is not waiting (timed out or cancelled)`);
      return;
    }
    if (envelope.kind === 'response') {
      const problem = validatePayload(this.options.outgoing, pending.name, 'response', envelope.data);
      if (problem) {
        this.log(`rejected the answer to "${pending.name}": ${problem}`);
        pending.fail(new MessengerError('invalid', `invalid answer to "${pending.name}": ${problem}`));
        return;
      }
    }
    pending.deliver(envelope);
  }

  private dispatchEvent(envelope: Extract<Envelope, { kind: 'event' }>): void {
    const problem = validatePayload(this.options.incoming, envelope.name, 'request', envelope.data);
    if (problem) {
      this.log(`rejected event "${envelope.name}": ${problem}`);
      return;
    }
    const handler = this.handlers.get(envelope.name);
    if (!handler) {
      this.log(`no handler for event "${envelope.name}"`);
      return;
    }
    try {
      const result = handler(envelope.data);
      if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.log(`handler for event "${envelope.name}" failed: ${messageOf(error)}`));
    } catch (error) {
      this.log(`handler for event "${envelope.name}" failed: ${messageOf(error)}`);
    }
  }

  private async answer(envelope: Extract<Envelope, { kind: 'request' }>): Promise<void> {
    const { id, name } = envelope;
    const fail = (error: WireError) => this.post({ kind: 'error', id, error });
    const problem = validatePayload(this.options.incoming, name, 'request', envelope.data);
    if (problem) {
      this.log(`rejected request "${name}": ${problem}`);
      fail({ kind: Object.hasOwn(this.options.incoming, name) ? 'invalid' : 'unknown_message', message: problem });
      return;
    }
    const handler = this.handlers.get(name);
    if (!handler) {
      this.log(`no handler for request "${name}"`);
      fail({ kind: 'no_handler', message: `nothing handles "${name}"` });
      return;
    }
    let result: unknown;
    try {
      result = await handler(envelope.data);
    } catch (error) {
      fail(handlerError(error));
      return;
    }
    // Our own answer is checked too, so a handler bug is reported here, where it is, and not as a puzzle on the other side.
    const bad = validatePayload(this.options.incoming, name, 'response', result);
    if (bad) {
      this.log(`the handler for "${name}" answered with an invalid value: ${bad}`);
      fail({ kind: 'invalid', message: `the handler for "${name}" answered with an invalid value: ${bad}` });
      return;
    }
    this.post({ kind: 'response', id, data: result });
  }

  // ---- Sending -----------------------------------------------------------------------------------

  /**
   * Posts an envelope, never throwing: answers and events to a closed view are dropped with a note in
   * the log (the host keeps running when the webview goes away). Returns the failure, if any.
   */
  private post(envelope: Envelope): Error | undefined {
    if (this.disposed) return new Error('the messenger is disposed');
    try {
      this.transport.post(envelope);
      return undefined;
    } catch (error) {
      const name = 'name' in envelope ? ` "${envelope.name}"` : '';
      this.log(`could not send ${/^[aeiou]/.test(envelope.kind) ? 'an' : 'a'} ${envelope.kind}${name}: ${messageOf(error)}`);
      return error instanceof Error ? error : new Error(messageOf(error));
    }
  }

  /** Posts a request; if the transport throws (or we are disposed), the waiting caller fails at once. */
  private postRequest(id: string, envelope: Envelope): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    if (this.disposed) {
      pending.fail(new MessengerError('disposed', 'the connection to the other side was closed'));
      return;
    }
    const failure = this.post(envelope);
    if (failure) pending.fail(new MessengerError('transport', `could not send "${pending.name}": ${failure.message}`));
  }
}

// ---- Helpers -----------------------------------------------------------------------------------

function fromWire(error: WireError): MessengerError {
  return new MessengerError(error.kind, error.message, error.remoteKind);
}

function handlerError(error: unknown): WireError {
  const remoteKind = isPlainObject(error) && typeof error.kind === 'string' ? error.kind : undefined;
  return { kind: 'handler', message: messageOf(error), ...(remoteKind ? { remoteKind } : {}) };
}

function startTimer(timeoutMs: number, onTimeout: () => void): ReturnType<typeof setTimeout> | undefined {
  return timeoutMs > 0 && Number.isFinite(timeoutMs) ? setTimeout(onTimeout, timeoutMs) : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

// ---- The two ends of our protocol ----------------------------------------------------------------

export type HostMessenger = Messenger<HostToWebview, WebviewToHost>;
export type WebviewMessenger = Messenger<WebviewToHost, HostToWebview>;

export type EndOptions = { log?: (message: string) => void; timeoutMs?: number };

/** The extension host's end: answers the webview's requests, sends it events. */
export function createHostMessenger(transport: Transport, options: EndOptions = {}): HostMessenger {
  return new Messenger<HostToWebview, WebviewToHost>(transport, { ...options, outgoing: hostToWebviewSchema, incoming: webviewToHostSchema });
}

/** The webview's end: asks the host, handles its events. */
export function createWebviewMessenger(transport: Transport, options: EndOptions = {}): WebviewMessenger {
  return new Messenger<WebviewToHost, HostToWebview>(transport, { ...options, outgoing: webviewToHostSchema, incoming: hostToWebviewSchema });
}
