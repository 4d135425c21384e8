/**
 * Write-batch encoding: the payload of one WAL record. A batch is atomic
 * because it is exactly one checksummed record.
 *
 *   payload := 0x00 | claim varint | firstSequence varint | count varint | op{count}
 *   op      := kind u8 (0 delete, 1 put) | keyLength varint | key utf8
 *              [ valueLength varint | value utf8 ]      (puts only)
 *
 * Operation i gets sequence number firstSequence + i. claim says before
 * which WAL offset damage found by recovery is corruption rather than a torn
 * tail (see readLog): 0 = everything before this record (an append to a file
 * that was not preallocated leaves no hole behind it); n > 0 = offset n - 1,
 * how far a preallocated WAL had been fdatasynced. Records of the older
 * format have no leading 0x00 and start with firstSequence, whose varint
 * never begins with a zero byte (sequences start at 1); they are still read,
 * and claim everything before them.
 */
import { corruption } from '../errors.js';
import { Cursor, varintLength, writeVarint } from '../util/coding.js';
import { RECORD_HEADER_BYTES, sealRecordAt } from './log-format.js';
import { readUtf8, writeUtf8 } from '../util/utf8.js';

export const enum ValueKind {
  Delete = 0,
  Put = 1,
}

/** One validated operation; byte lengths were computed once during validation. */
export interface BatchOp {
  kind: ValueKind;
  key: string;
  keyBytes: number;
  value: string;
  valueBytes: number;
}

/** varintLength with the one-byte case inline: most keys and values are shorter than 128 bytes. */
function lengthOfLength(n: number): number {
  return n < 0x80 ? 1 : varintLength(n);
}

const TAG_CLAIM = 0x00;

/** The claim field for an intactBefore offset; undefined: everything before the record. */
const claimOf = (intactBefore: number | undefined) => (intactBefore === undefined ? 0 : intactBefore + 1);

function encodedBatchSize(ops: readonly BatchOp[], firstSequence: number, intactBefore: number | undefined): number {
  let size = 1 + varintLength(claimOf(intactBefore)) + varintLength(firstSequence) + varintLength(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    size += 1 + lengthOfLength(op.keyBytes) + op.keyBytes;
    if (op.kind === ValueKind.Put) size += lengthOfLength(op.valueBytes) + op.valueBytes;
  }
  return size;
}

/** Bytes of the sealed log record encodeBatchRecordAt writes. */
export function batchRecordSize(ops: readonly BatchOp[], firstSequence: number, intactBefore: number | undefined): number {
  return RECORD_HEADER_BYTES + encodedBatchSize(ops, firstSequence, intactBefore);
}

/**
 * Encodes a batch as a sealed log record into `buf` at `start`, which must
 * have batchRecordSize bytes free there, and returns where the record ends.
 * Lets the commit queue encode a group into one reused buffer.
 */
export function encodeBatchRecordAt(
  ops: readonly BatchOp[],
  firstSequence: number,
  intactBefore: number | undefined,
  buf: Buffer,
  start: number,
): number {
  buf[start + RECORD_HEADER_BYTES] = TAG_CLAIM;
  let pos = writeVarint(buf, start + RECORD_HEADER_BYTES + 1, claimOf(intactBefore));
  pos = writeVarint(buf, pos, firstSequence);
  pos = writeVarint(buf, pos, ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    buf[pos++] = op.kind;
    pos = writeVarint(buf, pos, op.keyBytes);
    pos += writeUtf8(buf, op.key, pos, op.keyBytes);
    if (op.kind === ValueKind.Put) {
      pos = writeVarint(buf, pos, op.valueBytes);
      pos += writeUtf8(buf, op.value, pos, op.valueBytes);
    }
  }
  sealRecordAt(buf, start, pos);
  return pos;
}

export interface DecodedBatch {
  firstSequence: number;
  ops: BatchOp[];
}

/**
 * readLog's IntactBeforeOf for WAL records. A record that claims everything
 * before it (claim 0, the older format, or unreadable) answers Infinity:
 * readLog only asks records that lie after the damage.
 */
export function batchIntactBefore(payload: Buffer): number {
  if (payload.length === 0 || payload[0] !== TAG_CLAIM) return Number.POSITIVE_INFINITY;
  try {
    const claim = new Cursor(payload, 1).varint();
    return claim === 0 ? Number.POSITIVE_INFINITY : claim - 1;
  } catch {
    // Unreadable: answered as claim 0 is (see above).
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Called once per operation of a batch, in order, with its sequence number
 * and where its key (and, for a put, its value) lie in the payload: flush
 * reads a WAL as bytes this way, without making a string of anything.
 */
export type OpVisitor = (
  kind: ValueKind,
  sequence: number,
  keyStart: number,
  keyBytes: number,
  valueStart: number,
  valueBytes: number,
) => void;

/** Walks a batch payload's operations; returns its first sequence. Throws CORRUPTION naming `fileName` if it does not decode. */
export function visitBatch(payload: Buffer, fileName: string, visit: OpVisitor): number {
  try {
    const cursor = new Cursor(payload, 0);
    if (payload.length > 0 && payload[0] === TAG_CLAIM) {
      cursor.u8();
      cursor.varint();
    }
    const firstSequence = cursor.varint();
    const count = cursor.varint();
    for (let i = 0; i < count; i++) {
      const kind = cursor.u8();
      if (kind !== ValueKind.Put && kind !== ValueKind.Delete) throw new RangeError(`unknown operation kind ${kind}`);
      const keyBytes = cursor.varint();
      const keyStart = cursor.pos;
      cursor.skip(keyBytes);
      let valueStart = cursor.pos;
      let valueBytes = 0;
      if (kind === ValueKind.Put) {
        valueBytes = cursor.varint();
        valueStart = cursor.pos;
        cursor.skip(valueBytes);
      }
      visit(kind, firstSequence + i, keyStart, keyBytes, valueStart, valueBytes);
    }
    if (!cursor.done) throw new RangeError('trailing bytes after the last operation');
    return firstSequence;
  } catch (err) {
    throw corruption(fileName, `undecodable write batch (${(err as Error).message})`);
  }
}

export function decodeBatch(payload: Buffer, fileName: string): DecodedBatch {
  const ops: BatchOp[] = [];
  const firstSequence = visitBatch(payload, fileName, (kind, _sequence, keyStart, keyBytes, valueStart, valueBytes) => {
    const key = readUtf8(payload, keyStart, keyStart + keyBytes);
    const value = valueBytes === 0 ? '' : readUtf8(payload, valueStart, valueStart + valueBytes);
    ops.push({ kind, key, keyBytes, value, valueBytes });
  });
  return { firstSequence, ops };
}
