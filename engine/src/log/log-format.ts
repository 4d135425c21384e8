/**
 * Log file format, shared by the write-ahead log and the manifest.
 *
 *   file   := record*
 *   record := payloadLength u32le | payloadChecksum u32le | headerCheck u32le | payload
 *
 * payloadChecksum is a masked CRC-32 of the payload. headerCheck is a 32-bit
 * mix of the first two fields (headerCheck() below), so a damaged length is
 * caught before it is trusted; it is computed in JavaScript because a native
 * CRC call for 8 bytes costs more than the mix on the write path. Recovery rules (readLog):
 *   - only zero bytes left (a preallocated WAL's unused space): the clean end.
 *   - fewer than 12 bytes left, or a record longer than what is left: a torn
 *     tail, dropped; everything before it is kept.
 *   - a bad header or payload checksum on the last record, or followed only
 *     by zero bytes (a half-persisted tail): a torn tail too.
 *   - a bad checksum with more data after it: corruption in the middle,
 *     reported as CORRUPTION with the file and offset, never skipped. The
 *     exception needs evidence from the records after the damage: in a log
 *     whose records say before which offset the file must be intact (the
 *     WAL, intactBeforeOf), damage that no later intact record claims is a
 *     torn tail. After a power loss the unsynced pages of a preallocated WAL
 *     can reach the disk in any order, so damage followed by intact records
 *     is what an unsynced tail looks like there.
 */
import { corruption } from '../errors.js';
import { checksum } from '../util/checksum.js';
import { fmix32 } from '../util/mix.js';

export const RECORD_HEADER_BYTES = 12;

/** Fills in the header of a record whose payload starts at byte 12 of `record`. */
export function sealRecord(record: Buffer): Buffer {
  sealRecordAt(record, 0, record.length);
  return record;
}

/** Fills in the header of the record occupying buf[start, end), payload from start + 12. */
export function sealRecordAt(buf: Buffer, start: number, end: number): void {
  const length = end - start - RECORD_HEADER_BYTES;
  const crc = checksum(buf.subarray(start + RECORD_HEADER_BYTES, end));
  buf.writeUInt32LE(length, start);
  buf.writeUInt32LE(crc, start + 4);
  buf.writeUInt32LE(headerCheck(length, crc), start + 8);
}

/** A murmur3-style finalizer over (length, checksum): any change to either changes it. */
export function headerCheck(length: number, crc: number): number {
  return fmix32(Math.imul(length ^ 0x5bd1e995, 0xcc9e2d51) ^ crc);
}

export function encodeRecord(payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.set(payload, RECORD_HEADER_BYTES);
  return sealRecord(record);
}

export interface LogContents {
  records: Buffer[];
  /** Offset just past the last good record: where appending may resume. */
  validEnd: number;
  /** True when bytes after validEnd were dropped as a torn tail. */
  tornTail: boolean;
}

/**
 * The offset before which this record claims the file must read back intact
 * (for the WAL: what had been fdatasynced, or where the record's write
 * began). Without it, all damage followed by data is corruption.
 */
export type IntactBeforeOf = (payload: Buffer) => number;

export function readLog(data: Buffer, fileName: string, intactBeforeOf?: IntactBeforeOf): LogContents {
  const records: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (isZero(data, pos)) break;
    const payload = intactRecordAt(data, pos);
    if (payload === undefined) return classifyDamage(data, pos, records, fileName, intactBeforeOf);
    records.push(payload);
    pos += RECORD_HEADER_BYTES + payload.length;
  }
  return { records, validEnd: pos, tornTail: false };
}

/** The payload of the record starting at `at` if its header and payload checksums hold, else undefined. */
function intactRecordAt(data: Buffer, at: number): Buffer | undefined {
  if (at + RECORD_HEADER_BYTES > data.length) return undefined;
  const length = data.readUInt32LE(at);
  const crc = data.readUInt32LE(at + 4);
  if (data.readUInt32LE(at + 8) !== headerCheck(length, crc)) return undefined;
  const end = at + RECORD_HEADER_BYTES + length;
  if (end > data.length) return undefined;
  const payload = data.subarray(at + RECORD_HEADER_BYTES, end);
  return crc === checksum(payload) ? payload : undefined;
}

/** Applies the recovery rules (see the top of this file) to a record at `pos` that is not intact. */
function classifyDamage(data: Buffer, pos: number, records: Buffer[], fileName: string, intactBeforeOf: IntactBeforeOf | undefined): LogContents {
  const torn = { records, validEnd: pos, tornTail: true };
  if (data.length - pos < RECORD_HEADER_BYTES) return torn;
  const length = data.readUInt32LE(pos);
  const headerOk = data.readUInt32LE(pos + 8) === headerCheck(length, data.readUInt32LE(pos + 4));
  const end = pos + RECORD_HEADER_BYTES + length;
  if (headerOk && end > data.length) return torn;
  if (isZero(data, headerOk ? end : pos + RECORD_HEADER_BYTES) || unsyncedFrom(data, pos, intactBeforeOf)) return torn;
  throw corruption(fileName, headerOk ? `bad record checksum at offset ${pos} (record of ${length} bytes)` : `bad record header checksum at offset ${pos}`);
}

/** True if data[from, end) is all zero bytes (or empty). */
function isZero(data: Buffer, from: number): boolean {
  for (let i = from; i < data.length; i++) {
    if (data[i] !== 0) return false;
  }
  return true;
}

/**
 * For damage at `damagedAt`: true when the log's records carry claims and no
 * intact record after the damage claims that offset. Intact records are
 * found by trying every later offset (header mix, then payload checksum), so
 * a damaged length cannot hide one; this runs only on a damaged log.
 */
function unsyncedFrom(data: Buffer, damagedAt: number, intactBeforeOf: IntactBeforeOf | undefined): boolean {
  if (intactBeforeOf === undefined) return false;
  for (let at = damagedAt + 1; at + RECORD_HEADER_BYTES <= data.length; at++) {
    const payload = intactRecordAt(data, at);
    if (payload !== undefined && intactBeforeOf(payload) > damagedAt) return false;
  }
  return true;
}
