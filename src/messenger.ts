// The one messenger both ends use (DESIGN.md §7, after Continue's core/protocol): typed requests answered
// by id, fire-and-forget events, and streamed answers as async iterables, over any Transport that can post
// a JSON-able value and listen for one. The host wraps webview.postMessage / onDidReceiveMessage, the
// webview wraps acquireVsCodeApi().postMessage / window 'message'. Everything that arrives is checked (the
// envelope, then the payload against the protocol schema) before a handler or a caller sees it.
// No vscode, no DOM: this runs in the extension host, in the browser bundle and in plain Node tests.
import {
  hostToWebviewSchema,
  isPlainObject,
  validatePayload,
  webviewToHostSchema,
  type ProtocolSchema,
} from './protocolValidation';
import type {
  ChunkOf,
  HostToWebview,
  ProtocolMap,
  RequestOf,
  ResponseOf,
  StreamedNames,
  UnaryNames,
  WebviewToHost,
} from './protocol';

export interface Transport {
  post(message: unknown): void;
  /** Returns a function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
}

export type MessengerErrorKind =
  /** No answer (or, for a stream, no next chunk) in time. */
  | 'timeout'
  /** The other side's handler threw; the message is its message. */
  | 'handler'
  /** A payload or envelope failed validation (on either side). */
  | 'invalid'
  | 'unknown_message'
  | 'no_handler'
  /** The messenger was disposed before the answer came. */
  | 'disposed'
  /** The transport refused to post. */
  | 'transport';

const ERROR_KINDS: readonly string[] = ['timeout', 'handler', 'invalid', 'unknown_message', 'no_handler', 'disposed', 'transport'];

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
  /** Default time to wait for an answer (or the next chunk of a stream); 0 or Infinity waits forever. */
  timeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
}

type Payload<T> = [T] extends [void] ? [data?: undefined, options?: CallOptions] : [data: T, options?: CallOptions];
type EventPayload<T> = [T] extends [void] ? [data?: undefined] : [data: T];

/** Names that are answered with nothing: the ones `send` may fire and forget. */
export type EventNames<P extends ProtocolMap> = { [K in keyof P]: [P[K][1]] extends [void] ? K : never }[keyof P];

/** A handler returns the response, a promise of it, or (for a streamed message) an async iterable of chunks. */
export type Handler<P extends ProtocolMap, K extends keyof P> = (
  data: RequestOf<P, K>,
) => ResponseOf<P, K> | Promise<ResponseOf<P, K>>;

// The wire format. `event` has no id: nothing answers it.
type WireError = { kind: MessengerErrorKind; message: string; remoteKind?: string };
type Envelope =
  | { kind: 'request'; id: string; name: string; data?: unknown }
  | { kind: 'event'; name: string; data?: unknown }
  | { kind: 'response'; id: string; data?: unknown }
  | { kind: 'chunk'; id: string; data?: unknown }
  | { kind: 'end'; id: string }
  | { kind: 'error'; id: string; error: WireError }
  | { kind: 'cancel'; id: string };

interface Pending {
  name: string;
  deliver(envelope: Extract<Envelope, { kind: 'response' | 'chunk' | 'end' | 'error' }>): void;
  fail(error: MessengerError): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class Messenger<Outgoing extends ProtocolMap, Incoming extends ProtocolMap> {
  private readonly handlers = new Map<string, (data: unknown) => unknown>();
  private readonly pending = new Map<string, Pending>();
  /** Streams we are answering, so a `cancel` from the consumer can stop the producer. */
  private readonly producing = new Map<string, AsyncIterator<unknown>>();
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
  request<K extends UnaryNames<Outgoing> & string>(name: K, ...[data, options]: Payload<RequestOf<Outgoing, K>>): Promise<ResponseOf<Outgoing, K>> {
    return new Promise((resolve, reject) => {
      const id = this.newId();
      const timeoutMs = options?.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = startTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(timeoutError(name, timeoutMs, 'an answer'));
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
          else if (envelope.kind === 'error') reject(fromWire(envelope.error));
          else reject(new MessengerError('invalid', `"${name}" was answered with a stream; use stream() for it`));
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      });
      this.postOrFail(id, { kind: 'request', id, name, data });
    });
  }

  /**
   * Asks for a streamed answer and yields its chunks in order. The request goes out when iteration
   * starts; leaving the loop early tells the producer to stop. The timeout is the longest wait for the
   * next chunk, not for the whole stream.
   */
  async *stream<K extends StreamedNames<Outgoing> & string>(
    name: K,
    ...[data, options]: Payload<RequestOf<Outgoing, K>>
  ): AsyncGenerator<ChunkOf<Outgoing, K>, void, undefined> {
    const id = this.newId();
    const timeoutMs = options?.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    type Item = { chunk: unknown } | { end: true } | { error: MessengerError };
    const queue: Item[] = [];
    let wake: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const push = (item: Item) => {
      queue.push(item);
      wake?.();
      wake = undefined;
    };
    const arm = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = startTimer(timeoutMs, () => push({ error: timeoutError(name, timeoutMs, 'the next chunk') }));
    };
    // True once the producer has said it is done (end or error); until then, leaving the loop for any
    // reason (break, timeout, an invalid chunk) tells it to stop.
    let remoteDone = false;
    this.pending.set(id, {
      name,
      deliver: (envelope) => {
        if (envelope.kind === 'chunk') {
          arm();
          push({ chunk: envelope.data });
          return;
        }
        remoteDone = true;
        if (envelope.kind === 'end') push({ end: true });
        else if (envelope.kind === 'error') push({ error: fromWire(envelope.error) });
        else push({ error: new MessengerError('invalid', `"${name}" was answered with one value, not a stream; use request() for it`) });
      },
      fail: (error) => push({ error }),
    });
    arm();
    this.postOrFail(id, { kind: 'request', id, name, data });
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const item = queue.shift()!;
        if ('error' in item) throw item.error;
        if ('end' in item) return;
        yield item.chunk as ChunkOf<Outgoing, K>;
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.pending.delete(id);
      if (!remoteDone && !this.disposed) this.post({ kind: 'cancel', id });
    }
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

  /** Stops listening; waiting requests and streams fail with kind 'disposed', streams we produce stop. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    const error = new MessengerError('disposed', 'the connection to the other side was closed');
    for (const p of [...this.pending.values()]) p.fail(error);
    this.pending.clear();
    for (const iterator of this.producing.values()) void iterator.return?.();
    this.producing.clear();
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
    switch (envelope.kind) {
      case 'request':
        void this.answer(envelope);
        return;
      case 'event':
        this.dispatchEvent(envelope);
        return;
      case 'cancel': {
        const iterator = this.producing.get(envelope.id);
        this.producing.delete(envelope.id);
        void iterator?.return?.();
        return;
      }
      default:
        this.settle(envelope);
    }
  }

  private settle(envelope: Extract<Envelope, { kind: 'response' | 'chunk' | 'end' | 'error' }>): void {
    const pending = this.pending.get(envelope.id);
    if (!pending) {
      this.log(`ignored a "${envelope.kind}" for request ${envelope.id}, which is not waiting (timed out or cancelled)`);
      return;
    }
    if (envelope.kind === 'response' || envelope.kind === 'chunk') {
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
    const checkOwn = (data: unknown): boolean => {
      const bad = validatePayload(this.options.incoming, name, 'response', data);
      if (!bad) return true;
      this.log(`the handler for "${name}" answered with an invalid value: ${bad}`);
      fail({ kind: 'invalid', message: `the handler for "${name}" answered with an invalid value: ${bad}` });
      return false;
    };
    if (!isAsyncIterable(result)) {
      if (checkOwn(result)) this.post({ kind: 'response', id, data: result });
      return;
    }
    const iterator = result[Symbol.asyncIterator]();
    this.producing.set(id, iterator);
    try {
      for (;;) {
        const next = await iterator.next();
        if (!this.producing.has(id)) return; // cancelled by the consumer, or disposed
        if (next.done) break;
        if (!checkOwn(next.value)) {
          void iterator.return?.();
          return;
        }
        this.post({ kind: 'chunk', id, data: next.value });
      }
      this.post({ kind: 'end', id });
    } catch (error) {
      if (this.producing.has(id)) fail(handlerError(error));
    } finally {
      this.producing.delete(id);
    }
  }

  // ---- Sending -----------------------------------------------------------------------------------

  private newId(): string {
    return String(this.nextId++);
  }

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
  private postOrFail(id: string, envelope: Envelope): void {
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

// ---- Envelope checks and helpers -----------------------------------------------------------------

function parseEnvelope(message: unknown): Envelope | string {
  if (!isPlainObject(message)) return `expected an object envelope, got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message}`;
  const { kind } = message;
  const hasId = typeof message.id === 'string' && message.id.length > 0;
  const hasName = typeof message.name === 'string' && message.name.length > 0;
  switch (kind) {
    case 'request':
      if (!hasId) return 'a request needs a string id';
      if (!hasName) return 'a request needs a message name';
      return message as Envelope;
    case 'event':
      if (!hasName) return 'an event needs a message name';
      return message as Envelope;
    case 'response':
    case 'chunk':
    case 'end':
    case 'cancel':
      if (!hasId) return `a ${kind} needs a string id`;
      return message as Envelope;
    case 'error': {
      if (!hasId) return 'an error needs a string id';
      const e = message.error;
      if (!isPlainObject(e) || typeof e.message !== 'string' || typeof e.kind !== 'string' || !ERROR_KINDS.includes(e.kind)) {
        return 'an error needs error.kind and error.message';
      }
      if (e.remoteKind !== undefined && typeof e.remoteKind !== 'string') return 'error.remoteKind must be a string';
      return message as Envelope;
    }
    default:
      return `unknown envelope kind ${JSON.stringify(kind) ?? 'undefined'}`;
  }
}

function fromWire(error: WireError): MessengerError {
  return new MessengerError(error.kind, error.message, error.remoteKind);
}

function handlerError(error: unknown): WireError {
  const remoteKind = isPlainObject(error) && typeof error.kind === 'string' ? error.kind : undefined;
  return { kind: 'handler', message: messageOf(error), ...(remoteKind ? { remoteKind } : {}) };
}

function timeoutError(name: string, timeoutMs: number, what: string): MessengerError {
  return new MessengerError('timeout', `no answer to "${name}" within ${timeoutMs} ms (waiting for ${what}); is the other side loaded and handling it?`);
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

// ---- The two ends of our protocol ----------------------------------------------------------------

export type HostMessenger = Messenger<HostToWebview, WebviewToHost>;
export type WebviewMessenger = Messenger<WebviewToHost, HostToWebview>;

export type EndOptions = { log?: (message: string) => void; timeoutMs?: number };

/** The extension host's end: answers the webview's requests, sends it events. */
export function createHostMessenger(transport: Transport, options: EndOptions = {}): HostMessenger {
  return new Messenger(transport, { ...options, outgoing: hostToWebviewSchema, incoming: webviewToHostSchema });
}

/** The webview's end: asks the host, handles its events. */
export function createWebviewMessenger(transport: Transport, options: EndOptions = {}): WebviewMessenger {
  return new Messenger(transport, { ...options, outgoing: webviewToHostSchema, incoming: hostToWebviewSchema });
}

/**
 * Two connected in-memory transports, for tests and for running host logic and UI in one process.
 * Delivery is asynchronous and goes through JSON, as postMessage to a webview does, so anything that
 * would not survive the real channel does not survive this one either.
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
