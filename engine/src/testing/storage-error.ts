import assert from 'node:assert/strict';
import { StorageError } from '../errors.js';

/** An assert.rejects/throws validator: a StorageError with `code`, and a message matching `text` if given. */
export const isStorageError = (code: string, text?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (text) assert.match(err.message, text);
  return true;
};
