import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, TRANSFER_FORMATS as ENGINE_FORMATS } from '@strata/engine';
import { LIMITS } from '../../shared/ipc/limits';
import { TRANSFER_FORMATS } from '../../shared/model/transfer';

// Shared declares the app's limits and choices without importing the engine
// (the renderer reaches shared); here, where the app meets the engine, they
// are held against the engine's own.

test("the contract's size limits mirror the engine's", () => {
  assert.equal(LIMITS.maxValueBytes, MAX_VALUE_BYTES);
  assert.equal(LIMITS.maxValueChars, MAX_VALUE_BYTES);
  assert.equal(LIMITS.maxKeyChars, MAX_KEY_BYTES);
});

test('the app offers exactly the transfer formats the engine reads and writes', () => {
  assert.deepEqual([...TRANSFER_FORMATS].sort(), [...ENGINE_FORMATS].sort());
});
