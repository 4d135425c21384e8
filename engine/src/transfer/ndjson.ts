/**
 * NDJSON (also .jsonl): one record per line, `{"key":"…","value":"…"}\n`,
 * UTF-8, no header. JSON escaping keeps CR, LF and every other character of
 * a key or value inside its line. On import, lines may end in CRLF, blank
 * lines are ignored, and each line stands alone: a bad one is reported by
 * its line number and (in skip mode) the next line is read as usual.
 */
import { type Decoded, decodeJsonRecord, type Encoder } from './records.js';
import type { SourceChunk } from './text-source.js';

export const ndjsonEncoder: Encoder = {
  head: '',
  encode(entries) {
    let out = '';
    for (const [key, value] of entries) out += `{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}}\n`;
    return out;
  },
  tail: () => '',
};

export async function* decodeNdjson(chunks: AsyncIterable<SourceChunk>): AsyncGenerator<Decoded[]> {
  for await (const chunk of chunks) {
    if (chunk.kind === 'invalid-utf8') {
      yield [{ line: chunk.line, error: 'not valid UTF-8' }];
      continue;
    }
    const text = chunk.bytes.toString('utf8');
    const out: Decoded[] = [];
    let line = chunk.firstLine;
    for (let start = 0; start < text.length; line++) {
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl;
      const item = decodeLine(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end), line);
      if (item !== undefined) out.push(item);
      start = end + 1;
    }
    yield out;
  }
}

function decodeLine(text: string, line: number): Decoded | undefined {
  return text.trim() === '' ? undefined : decodeJsonRecord(text, line);
}
