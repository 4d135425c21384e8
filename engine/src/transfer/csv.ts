/**
 * CSV (RFC 4180): a header line `key,value`, then one record per entry, UTF-8.
 * A field holding a comma, a double quote, CR or LF is quoted, with quotes
 * doubled: `"say ""hi""",x`; every other field is written as is, spaces
 * and all, so nothing is trimmed or converted (a key like 007 stays a
 * string). Export ends records with LF; import takes LF or CRLF.
 *
 * Parsing and quoting are csv-parse and csv-stringify (the csv project:
 * streaming, pure JavaScript, no dependencies, maintained). csv-parse counts
 * a CR LF inside a quoted field as two lines, so line numbers are worked out
 * here from the byte offsets it reports: the line of a record is the line it
 * starts on, counting LF characters, as every format here does.
 *
 * A blank line is ignored. A record without exactly two fields, or a quote
 * in the wrong place, is a bad record. After a quote left open, the rest of
 * the file is one unterminated field: that is reported at the line where
 * the open quote's record starts.
 */
import { finished } from 'node:stream/promises';
import { type CsvError, type Info, parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { MAX_RECORD_CHARS } from './record-limit.js';
import type { Decoded, Encoder } from './records.js';
import type { SourceChunk } from './text-source.js';

export const csvEncoder: Encoder = {
  head: 'key,value\n',
  encode: (entries) => (entries.length === 0 ? '' : stringify(entries as unknown as string[][])),
  tail: () => '',
};

interface ParsedRow {
  record: string[];
  raw: string;
  info: Info;
}

export async function* decodeCsv(chunks: AsyncIterable<SourceChunk>): AsyncGenerator<Decoded[]> {
  let items: Decoded[] = [];
  const lines = new LineIndex();
  let header = true;
  let lastErrorLine = 0;
  const parser = parse({
    raw: true,
    info: true,
    relax_column_count: true, // field counts are checked here, so a bad record gets its own message
    skip_records_with_error: true, // quote errors arrive as 'skip' events, in order with the records
    record_delimiter: ['\r\n', '\n'],
    max_record_size: MAX_RECORD_CHARS,
  });
  const fail = (line: number, error: string, fatal = false) => {
    // After a broken quote, csv-parse may report the same record several times.
    if (line === lastErrorLine && !fatal) return;
    lastErrorLine = line;
    items.push({ line, error, fatal: fatal || header });
    header = false;
  };
  // Both events fire synchronously inside write(), in file order.
  parser.on('skip', (err: CsvError & { bytes?: number }) => fail(lines.lineAt(err.bytes ?? 0), describeCsvError(err)));
  parser.on('data', ({ record, raw, info }: ParsedRow) => {
    const start = info.bytes - Buffer.byteLength(raw);
    const line = lines.lineAt(start);
    lines.forgetBefore(start);
    if (record.length === 1 && record[0] === '' && raw.trim() === '') return; // a blank line
    if (header) {
      header = false;
      if (record.length !== 2 || record[0] !== 'key' || record[1] !== 'value') {
        fail(line, `expected the header line key,value, got ${JSON.stringify(raw.replace(/\r?\n$/, '').slice(0, 80))}`, true);
      }
      return;
    }
    if (record.length !== 2)
      fail(line, `expected 2 fields (key,value), got ${record.length}${record.length > 2 ? ' (a field with a comma must be quoted)' : ''}`);
    else items.push({ line, key: record[0]!, value: record[1]! });
  });
  let parserError: Error | undefined;
  parser.on('error', (err: Error) => (parserError ??= err));
  const done = finished(parser).catch(() => {}); // its error, if any, is parserError
  const broken = (): Decoded => ({ line: lines.lastLine(), error: `cannot parse the CSV: ${parserError!.message}`, fatal: true });

  try {
    for await (const chunk of chunks) {
      if (chunk.kind === 'invalid-utf8') {
        // The parser holds back the end of what it was given (looking ahead for a CRLF): let the records before this line out.
        parser.end();
        await done;
        yield [...items, { line: chunk.line, error: 'not valid UTF-8', fatal: true }];
        return;
      }
      lines.add(chunk.bytes);
      parser.write(chunk.bytes);
      if (parserError !== undefined) items.push(broken());
      const out = items;
      items = [];
      yield out;
      if (parserError !== undefined) return;
    }
    parser.end();
    await done;
    if (parserError !== undefined) items.push(broken());
    else if (header) items.push({ line: 1, error: 'the file is empty: expected the header line key,value', fatal: true });
    yield items;
  } finally {
    if (!parser.writableFinished) parser.destroy();
  }
}

const DESCRIPTIONS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a double quote inside an unquoted field (quote the whole field and double the inner quotes: "a""b")',
  CSV_INVALID_CLOSING_QUOTE: 'text right after a closing quote (a double quote inside a quoted field must be doubled: "")',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed: the file ends inside it',
  CSV_MAX_RECORD_SIZE: `the record is longer than ${MAX_RECORD_CHARS} characters (is a quote left open?)`,
};

function describeCsvError(err: CsvError): string {
  // csv-parse's own messages carry its line count, which can differ from ours; ours is given separately.
  return DESCRIPTIONS[err.code] ?? err.message.replace(/ (at|on) line \d+/g, '');
}

/**
 * Byte offset -> line, over the part of the input the parser has not finished
 * with: the offsets of the LF bytes fed and not yet forgotten.
 */
class LineIndex {
  private newlines: number[] = [];
  private head = 0;
  /** LFs before the first one kept. */
  private forgotten = 0;
  private fed = 0;

  add(bytes: Buffer): void {
    for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) this.newlines.push(this.fed + i);
    this.fed += bytes.length;
  }

  /** The 1-based line holding byte `offset`: one more than the LFs before it. */
  lineAt(offset: number): number {
    let lo = this.head;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return this.forgotten + (lo - this.head) + 1;
  }

  lastLine(): number {
    return this.forgotten + (this.newlines.length - this.head) + 1;
  }

  /** Offsets below `offset` will not be asked about again. */
  forgetBefore(offset: number): void {
    while (this.head < this.newlines.length && this.newlines[this.head]! < offset) {
      this.head++;
      this.forgotten++;
    }
    if (this.head > 4096 && this.head * 2 > this.newlines.length) {
      this.newlines = this.newlines.slice(this.head);
      this.head = 0;
    }
  }
}
