import { type BatchOp, ValueKind } from '../log/write-batch.js';
import { StorageError } from '../errors.js';
import { describe } from '../util/describe.js';

export const MAX_KEY_BYTES = 64 * 1024;
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;
/** A batch is one WAL record, read back whole at recovery. */
export const MAX_BATCH_BYTES = 256 * 1024 * 1024;

/** Returns the key's UTF-8 length, or throws INVALID_KEY saying what is wrong. */
export function checkKey(key: unknown): number {
  if (typeof key !== 'string') throw new StorageError('INVALID_KEY', `key must be a string, got ${describe(key)}`);
  if (key.length === 0) throw new StorageError('INVALID_KEY', 'key must not be empty');
  if (key.length > MAX_KEY_BYTES)
    throw new StorageError('INVALID_KEY', `key is longer than ${MAX_KEY_BYTES} bytes of UTF-8 (${key.length} characters)`);
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) throw new StorageError('INVALID_KEY', `key is ${bytes} bytes of UTF-8; the limit is ${MAX_KEY_BYTES}`);
  if (!key.isWellFormed())
    throw new StorageError('INVALID_KEY', `key ${describe(key)} contains a lone surrogate, which has no UTF-8 encoding`);
  return bytes;
}

export function checkValue(value: unknown, key: string): number {
  if (typeof value !== 'string')
    throw new StorageError('INVALID_VALUE', `value for key ${describe(key)} must be a string, got ${describe(value)}`);
  if (value.length > MAX_VALUE_BYTES)
    throw new StorageError('INVALID_VALUE', `value for key ${describe(key)} is longer than ${MAX_VALUE_BYTES} bytes`);
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_VALUE_BYTES)
    throw new StorageError('INVALID_VALUE', `value for key ${describe(key)} is ${bytes} bytes of UTF-8; the limit is ${MAX_VALUE_BYTES}`);
  if (!value.isWellFormed())
    throw new StorageError('INVALID_VALUE', `value for key ${describe(key)} contains a lone surrogate, which has no UTF-8 encoding`);
  return bytes;
}

export function putOp(key: unknown, value: unknown): BatchOp {
  const keyBytes = checkKey(key);
  const valueBytes = checkValue(value, key as string);
  return { kind: ValueKind.Put, key: key as string, keyBytes, value: value as string, valueBytes };
}

export function deleteOp(key: unknown): BatchOp {
  return { kind: ValueKind.Delete, key: key as string, keyBytes: checkKey(key), value: '', valueBytes: 0 };
}

/** Validates a whole batch before anything is written: one bad op rejects all of them. */
export function batchOps(ops: unknown): BatchOp[] {
  if (!Array.isArray(ops)) throw new StorageError('INVALID_ARGUMENT', `batch expects an array of operations, got ${describe(ops)}`);
  let total = 0;
  const validated = ops.map((op, i) => {
    if (typeof op !== 'object' || op === null)
      throw new StorageError('INVALID_ARGUMENT', `batch operation ${i} must be an object, got ${describe(op)}`);
    const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
    try {
      if (type === 'put') return putOp(key, value);
      if (type === 'del' || type === 'delete') return deleteOp(key);
    } catch (err) {
      if (err instanceof StorageError) throw new StorageError(err.code, `batch operation ${i}: ${err.message}`);
      throw err;
    }
    throw new StorageError('INVALID_ARGUMENT', `batch operation ${i} has type ${describe(type)}; expected "put" or "delete"`);
  });
  for (const op of validated) total += op.keyBytes + op.valueBytes;
  if (total > MAX_BATCH_BYTES) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `batch holds ${total} bytes of keys and values; the limit is ${MAX_BATCH_BYTES} (split it into several batches)`,
    );
  }
  return validated;
}

export function checkSyncOption(opts: unknown): boolean {
  if (opts === undefined || opts === null) return false;
  if (typeof opts !== 'object') throw new StorageError('INVALID_ARGUMENT', `write options must be an object, got ${describe(opts)}`);
  const sync = (opts as { sync?: unknown }).sync;
  if (sync === undefined) return false;
  if (typeof sync !== 'boolean') throw new StorageError('INVALID_ARGUMENT', `option sync must be a boolean, got ${describe(sync)}`);
  return sync;
}
