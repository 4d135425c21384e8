/**
 * Writes `text` as UTF-8 into `buf` at `offset` and returns the bytes
 * written; `length` must be its whole UTF-8 length (callers have it from
 * Buffer.byteLength already). It calls Buffer's `utf8Write` directly, which
 * Buffer.write calls after normalizing its arguments; on the write path that
 * normalization cost more than the copy (0.8 µs vs 0.3 µs for a put). A text
 * whose UTF-8 length equals its length is ASCII, whose UTF-8 is its Latin-1:
 * `latin1Write` copies that without the UTF-8 encoder.
 */
type Writers = {
  utf8Write(text: string, offset: number, length: number): number;
  latin1Write(text: string, offset: number, length: number): number;
};

const proto = Buffer.prototype as unknown as Partial<Writers>;
const fast = typeof proto.utf8Write === 'function' && typeof proto.latin1Write === 'function';

export function writeUtf8(buf: Buffer, text: string, offset: number, length: number): number {
  if (!fast) return buf.write(text, offset, length, 'utf8');
  const b = buf as unknown as Writers;
  return length === text.length ? b.latin1Write(text, offset, length) : b.utf8Write(text, offset, length);
}

/**
 * `buf[start, end)` decoded as UTF-8, through Buffer's `utf8Slice`, which
 * toString('utf8', …) calls after normalizing its arguments: for the short
 * values a scan returns by the thousand, that wrapper cost as much as the
 * decoding.
 */
type Utf8Reader = { utf8Slice(start: number, end: number): string };

const fastRead = typeof (Buffer.prototype as unknown as Partial<Utf8Reader>).utf8Slice === 'function';

export function readUtf8(buf: Buffer, start: number, end: number): string {
  return fastRead ? (buf as unknown as Utf8Reader).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/**
 * `buf[start, end)` as one char per byte, through Buffer's `latin1Slice`
 * (what toString('latin1', …) calls after normalizing its arguments): native
 * `<` on two such strings compares their bytes, which for UTF-8 is code
 * point order, and an ASCII text is its own Latin-1 decoding.
 */
type Latin1Reader = { latin1Slice(start: number, end: number): string };

const fastLatin1 = typeof (Buffer.prototype as unknown as Partial<Latin1Reader>).latin1Slice === 'function';

export function readLatin1(buf: Buffer, start: number, end: number): string {
  return fastLatin1 ? (buf as unknown as Latin1Reader).latin1Slice(start, end) : buf.toString('latin1', start, end);
}
