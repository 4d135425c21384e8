import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../errors.js';
import { encodeRecord, readLog, RECORD_HEADER_BYTES } from './log-format.js';

const payloads = [Buffer.from('first record'), Buffer.from(''), Buffer.alloc(300, 7), Buffer.from('last one')];
const file = Buffer.concat(payloads.map(encodeRecord));

describe('log format', () => {
  test('reads back every record it wrote, in order', () => {
    const log = readLog(file, 'x.log');
    assert.deepEqual(log.records.map((r) => r.toString('hex')), payloads.map((p) => p.toString('hex')));
    assert.equal(log.tornTail, false);
    assert.equal(log.validEnd, file.length);
  });

  test('a last record cut at every byte offset is dropped and every earlier record kept', () => {
    const lastStart = file.length - encodeRecord(payloads[3]).length;
    for (let cut = lastStart; cut < file.length; cut++) {
      const log = readLog(file.subarray(0, cut), 'x.log');
      assert.equal(log.records.length, 3, `cut at ${cut}`);
      assert.equal(log.tornTail, cut > lastStart, `cut at ${cut}`);
      assert.equal(log.validEnd, lastStart);
    }
  });

  test('a garbled last record is a torn tail, not corruption', () => {
    const damaged = Buffer.from(file);
    damaged[damaged.length - 2] ^= 0xff;
    const log = readLog(damaged, 'x.log');
    assert.equal(log.records.length, 3);
    assert.equal(log.tornTail, true);
  });

  test('zero bytes after the last record (preallocated or half-persisted space) are a torn tail', () => {
    const log = readLog(Buffer.concat([file, Buffer.alloc(64)]), 'x.log');
    assert.equal(log.records.length, 4);
    assert.equal(log.tornTail, true);
  });

  test('a bad checksum in the middle is reported as CORRUPTION naming the file and offset', () => {
    const damaged = Buffer.from(file);
    const secondRecordPayload = encodeRecord(payloads[0]).length + encodeRecord(payloads[1]).length + RECORD_HEADER_BYTES + 10;
    damaged[secondRecordPayload] ^= 0x01;
    assert.throws(
      () => readLog(damaged, '000007.log'),
      (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION' && /000007\.log/.test(err.message) && /offset/.test(err.message),
    );
  });

  test('a damaged length in the middle is caught by the header checksum, not trusted', () => {
    const damaged = Buffer.from(file);
    const third = encodeRecord(payloads[0]).length + encodeRecord(payloads[1]).length;
    damaged.writeUInt32LE(1 << 30, third); // would swallow the rest of the file as a "torn tail"
    assert.throws(() => readLog(damaged, 'x.log'), (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION');
  });
});
