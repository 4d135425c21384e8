/**
 * Log file format, shared by the write-ahead log and the manifest.
 *
 *   file   := record*
 *   record := payloadLength u32le | payloadChecksum u32le | headerCheck u32le | payload
 *
 * payloadChecksum is a masked CRC-32 of the payload. headerCheck is a 32-bit
 * mix of the first two fields (headerCheck() below), so a damaged length is
 * caught before it is trusted; it is computed in JavaScript because a native
 * CRC call for 8 bytes costs more than the mix on the write path.
 *
 * The two logs are written differently, so damage means different things in
 * each, and each has its own reader.
 *
 * The WAL (readLog, with the records' intact-before claims): appends are
 * fsynced in groups or not at all, and the file may be preallocated with
 * zeros, whose pages a power loss can leave in any order.
 *   - only zero bytes left (a preallocated WAL's unused space): the clean end.
 *   - fewer than 12 bytes left, or a record longer than what is left: a torn
 *     tail, dropped; everything before it is kept.
 *   - a bad header or payload checksum on the last record, or followed only
 *     by zero bytes (a half-persisted tail): a torn tail too. Nothing can
 *     vouch for a last record: a bit flip there reads as a torn tail, which
 *     recovery reports (stats().recovery.tornWals), never silently.
 *   - a bad checksum with more data after it: corruption in the middle,
 *     reported as CORRUPTION with the file and offset, never skipped. The
 *     exception needs evidence from the records after the damage: damage
 *     that no later intact record claims (intactBeforeOf) is a torn tail.
 *     After a power loss the unsynced pages of a preallocated WAL can reach
 *     the disk in any order, so damage followed by intact records is what
 *     an unsynced tail looks like there.
 *
 * The manifest (readManifestLog): one record per edit, each fsynced before
 * the edit takes effect and before the next is appended; never preallocated.
 * So every record but the one being appended at a crash is complete on disk,
 * and a complete record with a bad checksum is damage, not a tear (LevelDB
 * fails recovery the same way). Only these are a torn tail:
 *   - fewer than 12 bytes after the last good record;
 *   - a valid header whose record runs past the end of the file (the append
 *     was cut short);
 *   - a record whose bytes are zeros from some point inside it to the end of
 *     the file: file systems that persist a file's new size before its data
 *     (ext4 data=writeback, XFS) show an unfinished append's unwritten part
 *     as zeros after a power cut. The zero run must start inside the
 *     damaged record (inside its header if the header is what is damaged),
 *     so a complete record with a flipped byte is never mistaken for one.
 * Everything else, including a complete bad record followed by zeros, is
 * CORRUPTION naming the file and the offset. A bad record that a crash
 * cannot have produced is not dropped: dropping it would drop an edit that
 * was acknowledged, and with it the tables it added.
 *
 * scanLog (repair) reads past damage: every record whose header and payload
 * checksums hold, wherever it lies, and the byte ranges in between.
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
 * began).
 */
export type IntactBeforeOf = (payload: Buffer) => number;

export function readLog(data: Buffer, fileName: string, intactBeforeOf: IntactBeforeOf): LogContents {
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
export function intactRecordAt(data: Buffer, at: number): Buffer | undefined {
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
function classifyDamage(data: Buffer, pos: number, records: Buffer[], fileName: string, intactBeforeOf: IntactBeforeOf): LogContents {
  const torn = { records, validEnd: pos, tornTail: true };
  if (data.length - pos < RECORD_HEADER_BYTES) return torn;
  const length = data.readUInt32LE(pos);
  const headerOk = data.readUInt32LE(pos + 8) === headerCheck(length, data.readUInt32LE(pos + 4));
  const end = pos + RECORD_HEADER_BYTES + length;
  if (headerOk && end > data.length) return torn;
  if (isZero(data, headerOk ? end : pos + RECORD_HEADER_BYTES) || unsyncedFrom(data, pos, intactBeforeOf)) return torn;
  throw damagedRecord(fileName, pos, headerOk, length);
}

function damagedRecord(fileName: string, pos: number, headerOk: boolean, length: number) {
  return corruption(
    fileName,
    headerOk ? `bad record checksum at offset ${pos} (record of ${length} bytes)` : `bad record header checksum at offset ${pos}`,
  );
}

/** Reads a manifest: the rules for it are at the top of this file. */
export function readManifestLog(data: Buffer, fileName: string): LogContents {
  const records: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    const payload = intactRecordAt(data, pos);
    if (payload === undefined) {
      if (isManifestTear(data, pos)) return { records, validEnd: pos, tornTail: true };
      const headerOk = data.readUInt32LE(pos + 8) === headerCheck(data.readUInt32LE(pos), data.readUInt32LE(pos + 4));
      throw damagedRecord(fileName, pos, headerOk, data.readUInt32LE(pos));
    }
    records.push(payload);
    pos += RECORD_HEADER_BYTES + payload.length;
  }
  return { records, validEnd: pos, tornTail: false };
}

/** Whether the bad record at `pos`, the manifest's last, is an append a crash cut short (see the top of this file). */
function isManifestTear(data: Buffer, pos: number): boolean {
  if (data.length - pos < RECORD_HEADER_BYTES) return true;
  const length = data.readUInt32LE(pos);
  const headerOk = data.readUInt32LE(pos + 8) === headerCheck(length, data.readUInt32LE(pos + 4));
  const end = pos + RECORD_HEADER_BYTES + length;
  if (headerOk && end > data.length) return true;
  let zerosFrom = data.length;
  while (zerosFrom > pos && data[zerosFrom - 1] === 0) zerosFrom--;
  return zerosFrom < (headerOk ? end : pos + RECORD_HEADER_BYTES);
}

/** True if data[from, end) is all zero bytes (or empty). */
function isZero(data: Buffer, from: number): boolean {
  for (let i = from; i < data.length; i++) {
    if (data[i] !== 0) return false;
  }
  return true;
}

/**
 * For damage at `damagedAt`: true when no intact record after the damage
 * claims that offset. Intact records are
 * found by trying every later offset (header mix, then payload checksum), so
 * a damaged length cannot hide one; this runs only on a damaged log.
 */
function unsyncedFrom(data: Buffer, damagedAt: number, intactBeforeOf: IntactBeforeOf): boolean {
  for (let at = damagedAt + 1; at + RECORD_HEADER_BYTES <= data.length; at++) {
    const payload = intactRecordAt(data, at);
    if (payload !== undefined && intactBeforeOf(payload) > damagedAt) return false;
  }
  return true;
}
