// The wire format the messenger posts: every message travels in an envelope that says what it is (a
// request, an event, the answer or error for a request) and, for those that are answered, its id.
// Checked by hand before anything else, so a stray or broken post is refused with a short reason.
import { isPlainObject } from '../common/json';

export type MessengerErrorKind =
  /** No answer in time. */
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

export type WireError = { kind: MessengerErrorKind; message: string; remoteKind?: string };

// `event` has no id: nothing answers it.
export type Envelope =
  | { kind: 'request'; id: string; name: string; data?: unknown }
  | { kind: 'event'; name: string; data?: unknown }
  | { kind: 'response'; id: string; data?: unknown }
  | { kind: 'error'; id: string; error: WireError };

export const ENVELOPE_KINDS: readonly Envelope['kind'][] = ['request', 'event', 'response', 'error'];

/** The envelope, or the reason `message` is not one. Payloads are checked later, against the protocol. */
export function parseEnvelope(message: unknown): Envelope | string {
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
      if (!hasId) return 'a response needs a string id';
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
