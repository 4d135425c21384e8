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
import { type Decoded, decodeJsonRecord, type Encoder } from './records.js';
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

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;

const isSpace = (c: number) => c === SPACE || c === TAB || c === NEWLINE || c === CARRIAGE_RETURN;
const shown = (c: number) => JSON.stringify(String.fromCharCode(c));

/** Where the array's structure stands, outside its elements. */
const enum State {
  Start, // before "["
  First, // after "[": an element or "]"
  Next, // after ",": an element
  InElement,
  After, // after an element: "," or "]"
  End, // after "]": only whitespace
}

/** How a character ends the element being read. */
const enum Ends {
  Not,
  /** The character is the element's last one (a closing quote or bracket). */
  At,
  /** The character is the delimiter after a bare scalar (a number, true, null…): it belongs to the array. */
  Before,
}

/** Finds where one element ends: tracks strings, escapes and nesting. */
class ElementEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;
  scalar = false;

  /** The element's first character. */
  begin(c: number): void {
    this.depth = c === OPEN_BRACE || c === OPEN_BRACKET ? 1 : 0;
    this.inString = c === QUOTE;
    this.escaped = false;
    this.scalar = !this.inString && this.depth === 0;
  }

  /** Each following character, in order. */
  next(c: number): Ends {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) {
        this.inString = false;
        if (this.depth === 0) return Ends.At;
      }
      return Ends.Not;
    }
    if (this.scalar) return c === COMMA || c === CLOSE_BRACKET || isSpace(c) ? Ends.Before : Ends.Not;
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --this.depth === 0) return Ends.At;
    return Ends.Not;
  }
}

/**
 * Reads the array a piece of text at a time: decodes each element as it
 * ends, and reports the first structural error as a fatal record, after
 * which it reads nothing more.
 */
class ArrayReader {
  private state = State.Start;
  private line = 1;
  private readonly element = new ElementEnd();
  /** The line the element being read starts on. */
  private elementLine = 0;
  /** The element's text from earlier pieces, and their length. */
  private parts: string[] = [];
  private partsLength = 0;
  /** Where the element being read starts in the current piece (0 when it began in an earlier one). */
  private elementStart = 0;
  stopped = false;

  constructor(private readonly maxRecordChars: number) {}

  /** The records that end in `text`, and a fatal one last if the structure breaks there. */
  read(text: string): Decoded[] {
    const out: Decoded[] = [];
    this.elementStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.state === State.InElement) {
        const ends = this.element.next(c);
        if (ends === Ends.Not) {
          if (c === NEWLINE) this.line++;
          continue;
        }
        out.push(this.endElement(text.slice(this.elementStart, ends === Ends.At ? i + 1 : i)));
        if (ends === Ends.Before) i--; // read the delimiter again, as the array's
        continue;
      }
      if (c === NEWLINE) this.line++;
      if (isSpace(c)) continue;
      const broken = this.structure(c, i);
      if (broken !== undefined) return this.stop(out, broken);
    }
    if (this.state === State.InElement) {
      const rest = text.slice(this.elementStart);
      this.parts.push(rest);
      this.partsLength += rest.length;
      if (this.partsLength > this.maxRecordChars) {
        const message = `the record is longer than ${this.maxRecordChars} characters (is a string or a bracket left open?)`;
        return this.stop(out, this.fatal(message, this.elementLine));
      }
    }
    return out;
  }

  /** What the end of the file leaves: a last bare scalar, or what is left open. */
  end(): Decoded[] {
    const out: Decoded[] = [];
    if (this.state === State.InElement && this.element.scalar) out.push(this.endElement(''));
    if (this.state === State.InElement) {
      const at = this.elementLine;
      out.push(this.fatal(`the file ends inside the record that starts on line ${at} (a string or a bracket is left open)`, at));
    } else if (this.state === State.Start) out.push(this.fatal('the file is empty: expected a JSON array "[…]"'));
    else if (this.state !== State.End) out.push(this.fatal('the file ends before the array is closed with "]"'));
    return out;
  }

  /** One character outside the elements; a fatal record if it breaks the array's structure. */
  private structure(c: number, i: number): Decoded | undefined {
    switch (this.state) {
      case State.Start:
        if (c !== OPEN_BRACKET) return this.fatal(`expected "[" to open the array, got ${shown(c)}`);
        this.state = State.First;
        return undefined;
      case State.First:
      case State.Next:
        if (c === CLOSE_BRACKET) {
          if (this.state === State.Next) return this.fatal('a comma before "]" (a trailing comma is not JSON)');
          this.state = State.End;
          return undefined;
        }
        this.state = State.InElement;
        this.elementLine = this.line;
        this.elementStart = i;
        this.element.begin(c);
        return undefined;
      case State.After:
        if (c === COMMA) this.state = State.Next;
        else if (c === CLOSE_BRACKET) this.state = State.End;
        else return this.fatal(`expected "," or "]" after the record on line ${this.elementLine}, got ${shown(c)}`);
        return undefined;
      default:
        return this.fatal(`unexpected ${shown(c)} after the closing "]"`);
    }
  }

  /** The element ends with `tail`, the part of it in the current piece. */
  private endElement(tail: string): Decoded {
    const text = this.parts.length === 0 ? tail : this.parts.join('') + tail;
    this.parts = [];
    this.partsLength = 0;
    this.state = State.After;
    return decodeJsonRecord(text, this.elementLine);
  }

  private fatal(message: string, line = this.line): Decoded {
    return { line, error: message, fatal: true };
  }

  private stop(out: Decoded[], fatal: Decoded): Decoded[] {
    this.stopped = true;
    out.push(fatal);
    return out;
  }
}

/** `maxRecordChars` bounds the memory one record may take (tests lower it). */
export async function* decodeJsonArray(chunks: AsyncIterable<SourceChunk>, maxRecordChars = MAX_RECORD_CHARS): AsyncGenerator<Decoded[]> {
  const reader = new ArrayReader(maxRecordChars);
  for await (const chunk of chunks) {
    if (chunk.kind === 'invalid-utf8') {
      yield [{ line: chunk.line, error: 'not valid UTF-8', fatal: true }];
      return;
    }
    yield reader.read(chunk.bytes.toString('utf8'));
    if (reader.stopped) return;
  }
  yield reader.end();
}
