import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../errors.js';
import { encodeRecord, readLog, readManifestLog, RECORD_HEADER_BYTES } from './log-format.js';

const payloads = [Buffer.from('first record'), Buffer.from(''), Buffer.alloc(300, 7), Buffer.from('last one')];
const file = Buffer.concat(payloads.map(encodeRecord));
/** Records that claim everything before them was intact (a WAL that was never preallocated). */
const claimsAll = () => Number.POSITIVE_INFINITY;

describe('log format: the WAL', () => {
  test('reads back every record it wrote, in order', () => {
    const log = readLog(file, 'x.log', claimsAll);
    assert.deepEqual(
      log.records.map((r) => r.toString('hex')),
      payloads.map((p) => p.toString('hex')),
    );
    assert.equal(log.tornTail, false);
    assert.equal(log.validEnd, file.length);
  });

  test('a last record cut at every byte offset is dropped and every earlier record kept', () => {
    const lastStart = file.length - encodeRecord(payloads[3]).length;
    for (let cut = lastStart; cut < file.length; cut++) {
      const log = readLog(file.subarray(0, cut), 'x.log', claimsAll);
      assert.equal(log.records.length, 3, `cut at ${cut}`);
      assert.equal(log.tornTail, cut > lastStart, `cut at ${cut}`);
      assert.equal(log.validEnd, lastStart);
    }
  });

  test('a garbled last record is a torn tail, not corruption', () => {
    const damaged = Buffer.from(file);
    damaged[damaged.length - 2] ^= 0xff;
    const log = readLog(damaged, 'x.log', claimsAll);
    assert.equal(log.records.length, 3);
    assert.equal(log.tornTail, true);
  });

  test('zero bytes after the last record (a preallocated WAL) are the clean end, not a torn tail', () => {
    const log = readLog(Buffer.concat([file, Buffer.alloc(64 * 1024)]), 'x.log', claimsAll);
    assert.equal(log.records.length, 4);
    assert.equal(log.tornTail, false);
    assert.equal(log.validEnd, file.length);
  });

  test('a half-written record followed by zeros is a torn tail', () => {
    const last = encodeRecord(Buffer.alloc(100, 9));
    const log = readLog(Buffer.concat([file, last.subarray(0, 50), Buffer.alloc(4096)]), 'x.log', claimsAll);
    assert.equal(log.records.length, 4);
    assert.equal(log.tornTail, true);
    assert.equal(log.validEnd, file.length);
  });

  test('a bad checksum in the middle is reported as CORRUPTION naming the file and offset', () => {
    const damaged = Buffer.from(file);
    const secondRecordPayload = encodeRecord(payloads[0]).length + encodeRecord(payloads[1]).length + RECORD_HEADER_BYTES + 10;
    damaged[secondRecordPayload] ^= 0x01;
    assert.throws(
      () => readLog(damaged, '000007.log', claimsAll),
      (err: unknown) =>
        err instanceof StorageError && err.code === 'CORRUPTION' && /000007\.log/.test(err.message) && /offset/.test(err.message),
    );
  });

  test('a damaged length in the middle is caught by the header checksum, not trusted', () => {
    const damaged = Buffer.from(file);
    const third = encodeRecord(payloads[0]).length + encodeRecord(payloads[1]).length;
    damaged.writeUInt32LE(1 << 30, third); // would swallow the rest of the file as a "torn tail"
    assert.throws(
      () => readLog(damaged, 'x.log', claimsAll),
      (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION',
    );
  });
});

describe('log format: damage followed by intact records that carry claims (the WAL)', () => {
  // Each payload here starts with its claim as a u32: "the file is intact before this offset".
  const claimed = (claim: number, body: string) => {
    const p = Buffer.alloc(4 + body.length);
    p.writeUInt32LE(claim, 0);
    p.write(body, 4);
    return encodeRecord(p);
  };
  const claimOf = (payload: Buffer) => payload.readUInt32LE(0);
  const a = claimed(0, 'first, synced');
  const b = claimed(0, 'second, written before the sync that covered it ended');
  const c = claimed(0, 'third, never synced');
  const damagedAt = a.length + b.length;

  /** The log a, b, c, d with c's bytes zeros (its page never reached the disk) and d claiming `dClaim`. */
  const withLostThird = (dClaim: number) => Buffer.concat([a, b, Buffer.alloc(c.length), claimed(dClaim, 'fourth, intact on disk')]);

  test('is a torn tail when no later record claims the damaged offset: the records before it are kept, the rest dropped', () => {
    const log = readLog(withLostThird(a.length), 'w.log', claimOf);
    assert.equal(log.records.length, 2);
    assert.equal(log.tornTail, true);
    assert.equal(log.validEnd, damagedAt);
  });

  test('is CORRUPTION when a later record claims the damaged offset was intact (synced past it)', () => {
    assert.throws(
      () => readLog(withLostThird(damagedAt + 1), 'w.log', claimOf),
      (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION' && new RegExp(`offset ${damagedAt}`).test(err.message),
    );
  });

  test('is CORRUPTION for a log without claims (the manifest), whatever follows', () => {
    assert.throws(
      () => readManifestLog(withLostThird(0), 'MANIFEST-000001'),
      (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION',
    );
  });

  test('finds the claiming record even when the damage destroyed the length that would lead to it', () => {
    const log = Buffer.concat([a, b, c, claimed(damagedAt + 1, 'claims c')]);
    log.writeUInt32LE(7, damagedAt); // c's length now points into its own payload
    assert.throws(
      () => readLog(log, 'w.log', claimOf),
      (err: unknown) => err instanceof StorageError && err.code === 'CORRUPTION',
    );
  });
});

describe('log format: the manifest', () => {
  const lastStart = file.length - encodeRecord(payloads[3]).length;
  const isCorruptionAt = (offset: number) => (err: unknown) =>
    err instanceof StorageError &&
    err.code === 'CORRUPTION' &&
    /MANIFEST-000003/.test(err.message) &&
    new RegExp(`offset ${offset}\\b`).test(err.message);

  test('a complete last record with any one byte flipped, header or payload, is CORRUPTION naming the file and its offset', () => {
    for (let at = lastStart; at < file.length; at++) {
      const damaged = Buffer.from(file);
      damaged[at] ^= 0x10;
      assert.throws(() => readManifestLog(damaged, 'MANIFEST-000003'), isCorruptionAt(lastStart), `byte ${at} flipped`);
    }
  });

  test('a last record cut at every byte offset is a torn tail: every earlier record is kept', () => {
    for (let cut = lastStart + 1; cut < file.length; cut++) {
      const log = readManifestLog(file.subarray(0, cut), 'MANIFEST-000003');
      assert.equal(log.records.length, 3, `cut at ${cut}`);
      assert.equal(log.tornTail, true, `cut at ${cut}`);
      assert.equal(log.validEnd, lastStart);
    }
  });

  test('an append whose unwritten part reads as zeros (size persisted before data) is a torn tail', () => {
    for (let written = 0; written < file.length - lastStart; written++) {
      const tail = Buffer.alloc(file.length - lastStart);
      file.copy(tail, 0, lastStart, lastStart + written);
      const log = readManifestLog(Buffer.concat([file.subarray(0, lastStart), tail]), 'MANIFEST-000003');
      assert.equal(log.records.length, 3, `${written} bytes written`);
      assert.equal(log.tornTail, true, `${written} bytes written`);
    }
  });

  test('a complete bad record followed by zeros, or by more records, is CORRUPTION', () => {
    const damaged = Buffer.from(file);
    damaged[lastStart + RECORD_HEADER_BYTES + 1] ^= 0x01;
    assert.throws(() => readManifestLog(Buffer.concat([damaged, Buffer.alloc(100)]), 'MANIFEST-000003'), isCorruptionAt(lastStart));
    const second = encodeRecord(payloads[0]).length;
    const middle = Buffer.from(file);
    middle[second + 3] ^= 0x01;
    assert.throws(() => readManifestLog(middle, 'MANIFEST-000003'), isCorruptionAt(second));
  });
});
