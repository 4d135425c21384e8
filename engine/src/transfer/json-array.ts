/**
 * JSON array: `[` then records `{"key":"…","value":"…"}` separated by commas,
 * then `]`, UTF-8. Export writes one record per line:
 *
 *   [
 *   {"key":"a","value":"1"},
 *   {"key":"b","value":"2"}
 *   ]
 *
 * Import accepts any whitespace layout. It reads the file as a stream with a
 * small tokenizer for exactly this shape, rather than a general streaming
 * JSON parser: the tokenizer only finds where each array element begins and
 * ends (tracking strings, escapes and nesting, and counting lines), and
 * JSON.parse — V8's own, exact parser — decodes each element. So every
 * element is decoded by the same parser as NDJSON, each bad record is named
 * by the line it starts on (general streaming parsers report byte offsets or
 * none), a malformed element is skipped without losing the ones after it, and
 * memory is bounded by the largest record. Broken structure outside the
 * elements (no `[`, a missing comma, text after `]`, an unterminated string or
 * array) cannot be resynchronised and is fatal.
 */
import { MAX_RECORD_CHARS } from './record-limit.js';
import { type Decoded, type Encoder, recordFromJson } from './records.js';
import type { SourceChunk } from './text-source.js';

export const jsonArrayEncoder: Encoder = {
  head: '[',
  encode(entries, before) {
    let out = '';
    let n = before;
    for (const [key, value] of entries) out += `${n++ === 0 ? '\n' : ',\n'}{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}}`;
    return out;
  },
  tail: (count) => (count === 0 ? ']\n' : '\n]\n'),
};

const enum State {
  Start, // before "["
  First, // after "[": an element or "]"
  Next, // after ",": an element
  InElement,
  After, // after an element: "," or "]"
  End, // after "]": only whitespace
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

export async function* decodeJsonArray(chunks: AsyncIterable<SourceChunk>): AsyncGenerator<Decoded[]> {
  let state = State.Start as State;
  let line = 1;
  // The element being read: where it started, its text from earlier chunks, nesting depth, string state.
  let elementLine = 0;
  let parts: string[] = [];
  let partsLength = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;
  const fatal = (message: string, at = line): Decoded => ({ line: at, error: message, fatal: true });

  for await (const chunk of chunks) {
    if (chunk.kind === 'invalid-utf8') {
      yield [fatal('not valid UTF-8', chunk.line)];
      return;
    }
    const text = chunk.bytes.toString('utf8');
    const out: Decoded[] = [];
    let elementStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (state === State.InElement) {
        let done = false;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            done = depth === 0;
          }
        } else if (scalar) {
          if (c === 0x2c || c === 0x5d || isSpace(c)) {
            i--; // the delimiter belongs to the array: read it again in state After
            done = true;
          }
        } else if (c === QUOTE) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) done = --depth === 0;
        if (c === NEWLINE && !done) line++;
        if (!done) continue;
        const end = i + 1;
        const elementText = parts.length === 0 ? text.slice(elementStart, end) : parts.join('') + text.slice(0, end);
        parts = [];
        partsLength = 0;
        state = State.After;
        out.push(decodeElement(elementText, elementLine));
        continue;
      }
      if (c === NEWLINE) {
        line++;
        continue;
      }
      if (isSpace(c)) continue;
      const ch = String.fromCharCode(c);
      switch (state) {
        case State.Start:
          if (c !== 0x5b) {
            out.push(fatal(`expected "[" to open the array, got ${JSON.stringify(ch)}`));
            yield out;
            return;
          }
          state = State.First;
          break;
        case State.First:
        case State.Next:
          if (c === 0x5d) {
            if (state === State.Next) {
              out.push(fatal('a comma before "]" (a trailing comma is not JSON)'));
              yield out;
              return;
            }
            state = State.End;
            break;
          }
          state = State.InElement;
          elementLine = line;
          elementStart = i;
          depth = c === 0x7b || c === 0x5b ? 1 : 0;
          inString = c === QUOTE;
          escaped = false;
          scalar = !inString && depth === 0;
          break;
        case State.After:
          if (c === 0x2c) state = State.Next;
          else if (c === 0x5d) state = State.End;
          else {
            out.push(fatal(`expected "," or "]" after the record on line ${elementLine}, got ${JSON.stringify(ch)}`));
            yield out;
            return;
          }
          break;
        case State.End:
          out.push(fatal(`unexpected ${JSON.stringify(ch)} after the closing "]"`));
          yield out;
          return;
      }
    }
    yield out;
    if (state === State.InElement) {
      const rest = parts.length === 0 ? text.slice(elementStart) : text;
      parts.push(rest);
      partsLength += rest.length;
      if (partsLength > MAX_RECORD_CHARS) {
        out.push(fatal(`the record is longer than ${MAX_RECORD_CHARS} characters (is a string or a bracket left open?)`, elementLine));
        yield out;
        return;
      }
    }
  }
  const out: Decoded[] = [];
  if (state === State.InElement && scalar) {
    state = State.After;
    out.push(decodeElement(parts.join(''), elementLine));
  }
  if (state === State.InElement)
    out.push(fatal(`the file ends inside the record that starts on line ${elementLine} (a string or a bracket is left open)`, elementLine));
  else if (state === State.Start) out.push(fatal('the file is empty: expected a JSON array "[…]"'));
  else if (state !== State.End) out.push(fatal('the file ends before the array is closed with "]"'));
  yield out;
}

function decodeElement(text: string, line: number): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { line, error: `not valid JSON: ${(err as Error).message}` };
  }
  const record = recordFromJson(parsed);
  return typeof record === 'string' ? { line, error: record } : { line, ...record };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
