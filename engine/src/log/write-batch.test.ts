import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../errors.js';
import { encodeRecord, readLog } from './log-format.js';
import { type BatchOp, batchIntactBefore, batchRecordSize, decodeBatch, encodeBatchRecordAt, ValueKind } from './write-batch.js';
import { writeVarint } from '../util/coding.js';

const op = (kind: ValueKind, key: string, value = ''): BatchOp => ({
  kind,
  key,
  keyBytes: Buffer.byteLength(key),
  value,
  valueBytes: Buffer.byteLength(value),
});
const ops = [
  op(ValueKind.Put, 'k1', 'v1'),
  op(ValueKind.Delete, 'gone'),
  op(ValueKind.Put, 'ключ', 'значение 🙂'),
  op(ValueKind.Put, '', ''),
];

function record(batch: BatchOp[], firstSequence: number, intactBefore: number | undefined): Buffer {
  const buf = Buffer.alloc(batchRecordSize(batch, firstSequence, intactBefore));
  assert.equal(encodeBatchRecordAt(batch, firstSequence, intactBefore, buf, 0), buf.length, 'batchRecordSize is exact');
  return buf;
}

describe('write batch', () => {
  test('round-trips operations, sequence and the intact-before claim through a log record', () => {
    for (const intactBefore of [0, 1, 126, 127, 128, 5 * 1024 * 1024, 2 ** 40]) {
      const [payload] = readLog(record(ops, 1_000_001, intactBefore), 'w.log', batchIntactBefore).records;
      const batch = decodeBatch(payload, 'w.log');
      assert.equal(batch.firstSequence, 1_000_001);
      assert.deepEqual(batch.ops, ops);
      assert.equal(batchIntactBefore(payload), intactBefore);
    }
  });

  test('a record appended to a file that is not preallocated claims everything before it, in two bytes', () => {
    const [payload] = readLog(record(ops, 3, undefined), 'w.log', batchIntactBefore).records;
    assert.equal(batchIntactBefore(payload), Number.POSITIVE_INFINITY);
    assert.deepEqual([...payload.subarray(0, 2)], [0x00, 0x00], 'tag and claim 0');
    assert.equal(decodeBatch(payload, 'w.log').firstSequence, 3);
  });

  test('reads records of the older format (no claim) and takes them to claim the whole file', () => {
    const old = Buffer.alloc(64);
    let pos = writeVarint(old, 0, 42); // firstSequence, then count
    pos = writeVarint(old, pos, 1);
    old[pos++] = ValueKind.Put;
    pos = writeVarint(old, pos, 1);
    pos += old.write('a', pos);
    pos = writeVarint(old, pos, 1);
    pos += old.write('b', pos);
    const [payload] = readLog(encodeRecord(old.subarray(0, pos)), 'w.log', batchIntactBefore).records;
    assert.deepEqual(decodeBatch(payload, 'w.log'), { firstSequence: 42, ops: [op(ValueKind.Put, 'a', 'b')] });
    assert.equal(batchIntactBefore(payload), Number.POSITIVE_INFINITY);
  });

  test('an undecodable batch is CORRUPTION naming the file', () => {
    const payload = record(ops, 7, 0).subarray(12, -3);
    assert.throws(
      () => decodeBatch(payload, '000009.log'),
      (e: unknown) => e instanceof StorageError && e.code === 'CORRUPTION' && /000009\.log/.test(e.message),
    );
  });
});
