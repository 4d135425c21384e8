import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contract } from './contract';
import { isOperation, OPERATIONS } from './operations';

test('the operation names the preload bundles are exactly the contract operations', () => {
  assert.deepEqual(Object.keys(contract).sort(), [...OPERATIONS].sort());
  assert.equal(new Set(OPERATIONS).size, OPERATIONS.length, 'no name is listed twice');
});

test('isOperation knows the names and nothing inherited or near them', () => {
  for (const op of OPERATIONS) assert.ok(isOperation(op), op);
  for (const other of ['toString', '__proto__', 'constructor', 'keys.Put', 'keys.put ', '', 42, null, undefined])
    assert.equal(isOperation(other), false, String(other));
});
