import { isUtf8 } from 'node:buffer';
import { MAX_RECORD_CHARS } from './record-limit.js';

/**
 * Turns a byte stream into pieces of whole lines of valid UTF-8, so the
 * decoders never see a character or a line cut in two and always know the
 * line they are on. A leading byte-order mark is dropped: no format's
 * content can start with one, and editors (Excel) add it. Invalid UTF-8 is
 * never decoded into replacement characters: its line is reported instead.
 */
export type SourceChunk =
  /** Whole lines (the last one of the file may lack its "\n"); `firstLine` is the 1-based line of the first byte. */
  | { kind: 'text'; bytes: Buffer; firstLine: number }
  /** One line that is not valid UTF-8. */
  | { kind: 'invalid-utf8'; line: number };

export class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_RECORD_CHARS} bytes without a line break; no record can be that long`);
  }
}

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * `lines`: pieces hold whole lines (NDJSON, whose records are lines; a line is
 * bounded by MAX_RECORD_CHARS). `text`: pieces end on a whole character but
 * may end mid-line (CSV and JSON, whose records may span lines and lines may
 * hold many records; their decoders bound a record's size themselves).
 */
export type Cut = 'lines' | 'text';

export async function* readSource(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  onBytes: (n: number) => void,
  cut: Cut,
): AsyncGenerator<SourceChunk> {
  let line = 1;
  let first = true;
  // The tail after the last "\n" seen, kept as a list so a long line costs one copy, not one per chunk.
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  function* emit(piece: Buffer): Generator<SourceChunk> {
    if (first) {
      first = false;
      if (piece.subarray(0, 3).equals(BOM)) piece = piece.subarray(3);
    }
    if (piece.length === 0) return;
    if (isUtf8(piece)) {
      const firstLine = line;
      line += countNewlines(piece);
      yield { kind: 'text', bytes: piece, firstLine };
      return;
    }
    // Rare: find the bad lines, pass the good runs between them on.
    let runStart = 0;
    let runLine = line;
    let start = 0;
    while (start < piece.length) {
      const nl = piece.indexOf(NEWLINE, start);
      const end = nl === -1 ? piece.length : nl + 1;
      if (!isUtf8(piece.subarray(start, end))) {
        if (start > runStart) yield { kind: 'text', bytes: piece.subarray(runStart, start), firstLine: runLine };
        yield { kind: 'invalid-utf8', line };
        runStart = end;
        runLine = line + 1;
      }
      line++;
      start = end;
    }
    if (piece[piece.length - 1] !== NEWLINE) line--; // the last line has no "\n": it was counted as ended
    if (runStart < piece.length) yield { kind: 'text', bytes: piece.subarray(runStart), firstLine: runLine };
  }

  for await (const chunk of source) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    onBytes(buf.length);
    if (cut === 'text') {
      // At most three bytes of a character are ever pending here.
      const whole = pending.length === 0 ? buf : Buffer.concat([...pending, buf]);
      const end = wholeCharacters(whole);
      pending = end === whole.length ? [] : [whole.subarray(end)];
      pendingBytes = whole.length - end;
      if (end > 0) yield* emit(whole.subarray(0, end));
      continue;
    }
    const end = buf.lastIndexOf(NEWLINE) + 1;
    if (end === 0) {
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes > MAX_RECORD_CHARS) throw new LineTooLongError(line);
      continue;
    }
    const head = buf.subarray(0, end);
    const piece = pending.length === 0 ? head : Buffer.concat([...pending, head]);
    pending = [buf.subarray(end)];
    pendingBytes = pending[0]!.length;
    yield* emit(piece);
  }
  if (pendingBytes > 0) yield* emit(Buffer.concat(pending));
}

/** The length of the longest prefix of `buf` that does not end inside a UTF-8 sequence. */
function wholeCharacters(buf: Buffer): number {
  let i = buf.length - 1;
  while (i >= 0 && buf.length - i < 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return buf.length; // only continuation bytes: invalid, and reported as such
  const lead = buf[i]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= needed ? buf.length : i;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}
