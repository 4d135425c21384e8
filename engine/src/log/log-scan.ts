/**
 * Reading a log past its damage, for repair (and for recovery's look at the
 * bytes after a WAL's cut): every record whose header check and payload
 * checksum hold, wherever it lies, and the byte ranges that are no such
 * record. The recovery rules of log-format.ts decide what an open may use;
 * this decides nothing, it only finds what is intact.
 *
 * After a bad record whose header still checks, the next record starts
 * where that header says the bad one ends, so nothing inside its payload is
 * read as a record (a value may hold bytes that look like one). Only when the
 * header itself is damaged is every later offset tried (header mix first,
 * then the payload CRC). Zero bytes from the last record to the end are a
 * preallocated WAL's unused space, not damage.
 */
import { headerCheck, intactRecordAt, RECORD_HEADER_BYTES } from './log-format.js';

export interface ScannedRecord {
  offset: number;
  payload: Buffer;
}

export interface SkippedRange {
  offset: number;
  bytes: number;
}

export interface LogScan {
  records: ScannedRecord[];
  /** Byte ranges between intact records that hold no intact record (damage, or a torn tail). */
  skipped: SkippedRange[];
}

/**
 * Scans `data`. `pause` is awaited every so often (every record, and every
 * 64 KiB of a byte-by-byte search): with a time slicer it keeps a long scan
 * from blocking the event loop.
 */
export async function scanLog(data: Buffer, pause: () => Promise<void> = noPause): Promise<LogScan> {
  const records: ScannedRecord[] = [];
  const skipped: SkippedRange[] = [];
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  let pos = 0;
  while (pos < end) {
    const payload = intactRecordAt(data, pos);
    if (payload !== undefined) {
      records.push({ offset: pos, payload });
      pos += RECORD_HEADER_BYTES + payload.length;
    } else {
      const next = await nextRecordAfter(data, pos, end, pause);
      skipped.push({ offset: pos, bytes: next - pos });
      pos = next;
    }
    await pause();
  }
  return { records, skipped };
}

const noPause = () => Promise.resolve();
const SEARCH_SLICE_BYTES = 64 * 1024;

/** Where the next record may start after the bad one at `pos` (`end` if nowhere). */
async function nextRecordAfter(data: Buffer, pos: number, end: number, pause: () => Promise<void>): Promise<number> {
  if (pos + RECORD_HEADER_BYTES <= end) {
    const length = data.readUInt32LE(pos);
    if (data.readUInt32LE(pos + 8) === headerCheck(length, data.readUInt32LE(pos + 4))) {
      const after = pos + RECORD_HEADER_BYTES + length;
      if (after <= end) return after;
    }
  }
  for (let at = pos + 1; at + RECORD_HEADER_BYTES <= end; at++) {
    if (intactRecordAt(data, at) !== undefined) return at;
    if ((at - pos) % SEARCH_SLICE_BYTES === 0) await pause();
  }
  return end;
}
