import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeRecord, RECORD_HEADER_BYTES } from './log-format.js';
import { scanLog } from './log-scan.js';

const payloads = ['first', 'second record', 'third', 'fourth and last'].map((p) => Buffer.from(p));
const records = payloads.map(encodeRecord);
const file = Buffer.concat(records);
const offsetOf = (i: number) => records.slice(0, i).reduce((n, r) => n + r.length, 0);
const texts = async (data: Buffer) => (await scanLog(data)).records.map((r) => r.payload.toString());

describe('scanLog: every intact record, past damage', () => {
  test('an intact log, with or without zeros after it: every record, nothing skipped', async () => {
    for (const data of [file, Buffer.concat([file, Buffer.alloc(4096)])]) {
      const scan = await scanLog(data);
      assert.deepEqual(
        scan.records.map((r) => [r.offset, r.payload.toString()]),
        payloads.map((p, i) => [offsetOf(i), p.toString()]),
      );
      assert.deepEqual(scan.skipped, []);
    }
  });

  test('a damaged payload costs exactly its record: the next one is found where the header says', async () => {
    const damaged = Buffer.from(file);
    damaged[offsetOf(1) + RECORD_HEADER_BYTES + 2] ^= 0x01;
    const scan = await scanLog(damaged);
    assert.deepEqual(await texts(damaged), ['first', 'third', 'fourth and last']);
    assert.deepEqual(scan.skipped, [{ offset: offsetOf(1), bytes: records[1].length }]);
  });

  test('a record inside a damaged record whose header still checks is not read (a value may hold bytes that look like a record)', async () => {
    const inner = encodeRecord(Buffer.from('not a record of this log'));
    const outer = encodeRecord(Buffer.concat([Buffer.from('xx'), inner]));
    outer[RECORD_HEADER_BYTES] ^= 0x01; // the outer payload's CRC fails, its header still checks
    assert.deepEqual(await texts(Buffer.concat([records[0], outer, records[2]])), ['first', 'third']);
  });

  test('a damaged header: every later offset is tried, and the next intact record found', async () => {
    for (const at of [0, 4, 8]) {
      const damaged = Buffer.from(file);
      damaged[offsetOf(2) + at] ^= 0x80;
      const scan = await scanLog(damaged);
      assert.deepEqual(await texts(damaged), ['first', 'second record', 'fourth and last'], `header byte ${at}`);
      assert.deepEqual(scan.skipped, [{ offset: offsetOf(2), bytes: records[2].length }], `header byte ${at}`);
    }
  });

  test('a torn tail is skipped to the end; zeros after it are not counted', async () => {
    const torn = Buffer.concat([file.subarray(0, offsetOf(3) + 5), Buffer.alloc(100)]);
    const scan = await scanLog(torn);
    assert.deepEqual(scan.records.length, 3);
    assert.deepEqual(scan.skipped, [{ offset: offsetOf(3), bytes: 5 }]);
  });
});
