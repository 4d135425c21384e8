import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contract, LIMITS, type StrataApi } from '../../shared/ipc/contract';
import { OPERATIONS } from '../../shared/ipc/operations';
import { dispatch } from './dispatch';

/** A service double that records what reached it: validation must stop bad calls before this point. */
function recordingApi(): { api: StrataApi; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const api = Object.fromEntries(
    OPERATIONS.map((op) => [op, async (args: unknown) => (calls.push([op, args]), { echoed: op })]),
  ) as unknown as StrataApi;
  return { api, calls };
}

describe('IPC contract validation', () => {
  it('dispatches a well-formed call to the handler of that operation', async () => {
    const { api, calls } = recordingApi();
    const reply = await dispatch(api, 'keys.put', { collection: 'users', key: 'k', value: 'v' });
    assert.deepEqual(reply, { ok: true, result: { echoed: 'keys.put' } });
    assert.deepEqual(calls, [['keys.put', { collection: 'users', key: 'k', value: 'v' }]]);
  });

  it('refuses an unknown operation, including names inherited from Object.prototype', async () => {
    const { api, calls } = recordingApi();
    for (const op of ['keys.drop', 'constructor', '__proto__', 'toString', 42, undefined]) {
      const reply = await dispatch(api, op, {});
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'UNKNOWN_OPERATION');
    }
    assert.equal(calls.length, 0);
  });

  it('refuses arguments of the wrong type and names the field', async () => {
    const { api, calls } = recordingApi();
    const cases: [string, unknown, RegExp][] = [
      ['keys.put', { collection: 'users', key: 7, value: 'v' }, /key/],
      ['keys.put', { collection: 'users', key: 'k' }, /value/],
      ['keys.page', { collection: 'users', filter: {}, reverse: 'yes', limit: 10 }, /reverse/],
      ['keys.page', { collection: 'users', filter: {}, reverse: false, limit: 1.5 }, /limit/],
      ['keys.delete', { collection: 'users', keys: 'k' }, /keys/],
      ['collections.create', 'users', /argument|expected object/i],
      ['collections.create', null, /argument|expected object/i],
    ];
    for (const [op, args, field] of cases) {
      const reply = await dispatch(api, op, args);
      assert.equal(reply.ok, false, `${op} ${JSON.stringify(args)} should be refused`);
      if (!reply.ok) {
        assert.equal(reply.error.code, 'BAD_ARGUMENTS');
        assert.match(reply.error.message, field);
      }
    }
    assert.equal(calls.length, 0);
  });

  it('refuses unknown fields, so a typo never silently drops an option', async () => {
    const { api, calls } = recordingApi();
    const reply = await dispatch(api, 'keys.get', { collection: 'users', key: 'k', ful: true });
    assert.equal(reply.ok, false);
    assert.match(!reply.ok ? reply.error.message : '', /ful/);
    assert.equal(calls.length, 0);
  });

  it('refuses oversize arguments before they reach the engine', async () => {
    const { api, calls } = recordingApi();
    const big = [
      ['keys.put', { collection: 'users', key: 'k'.repeat(LIMITS.maxKeyChars + 1), value: '' }],
      ['keys.page', { collection: 'users', filter: {}, reverse: false, limit: LIMITS.maxPageRows + 1 }],
      ['keys.delete', { collection: 'users', keys: Array.from({ length: LIMITS.maxKeysPerCall + 1 }, (_, i) => `k${i}`) }],
      ['collections.create', { name: 'n'.repeat(65) }],
      ['folder.open', { path: '/'.repeat(LIMITS.maxPathChars + 1) }],
    ] as const;
    for (const [op, args] of big) {
      const reply = await dispatch(api, op, args);
      assert.equal(reply.ok, false, `${op} should refuse oversize input`);
      assert.equal(!reply.ok && reply.error.code, 'BAD_ARGUMENTS');
    }
    assert.equal(calls.length, 0);
  });

  it('passes engine errors through with their code and message', async () => {
    const api = recordingApi().api;
    api['collections.open'] = async () => {
      throw Object.assign(new Error('collection "users" is locked by process 123'), { code: 'COLLECTION_LOCKED' });
    };
    const reply = await dispatch(api, 'collections.open', { name: 'users' });
    assert.deepEqual(reply, {
      ok: false,
      error: { operation: 'collections.open', code: 'COLLECTION_LOCKED', message: 'collection "users" is locked by process 123' },
    });
  });

  it('declares a schema for every operation', () => {
    for (const op of OPERATIONS) assert.equal(typeof contract[op].args.safeParse, 'function', op);
  });
});
