import assert from 'node:assert/strict';
import { MessengerError } from '../../src/protocol/messenger';

/** The MessengerError a request was rejected with; fails the test when it resolved or threw something else. */
export async function rejection(promise: Promise<unknown>): Promise<MessengerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MessengerError, `expected a MessengerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to be rejected');
}
