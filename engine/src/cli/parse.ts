import { UsageError } from './errors.js';

/**
 * Tokenizing a command line. Arguments are separated by whitespace. An
 * argument that starts with `"` is a quoted string in JSON syntax (so
 * `"my key"`, `"say \"hi\""`, `"tab\there"`, `""`); any other argument is
 * taken literally, quotes and backslashes included, as in the original.
 * PUT's value is never tokenized: it is the raw rest of the line.
 */
export interface Token {
  text: string;
  /** True when written in quotes: a quoted token is never a keyword such as LIMIT. */
  quoted: boolean;
}

export class ArgReader {
  private pos = 0;

  constructor(readonly line: string) {}

  /** The next argument, or undefined at the end of the line. */
  next(): Token | undefined {
    this.skipSpace();
    if (this.pos >= this.line.length) return undefined;
    if (this.line[this.pos] === '"') return this.quoted();
    const start = this.pos;
    while (this.pos < this.line.length && !isSpace(this.line[this.pos]!)) this.pos++;
    return { text: this.line.slice(start, this.pos), quoted: false };
  }

  /** Everything after the whitespace that follows the last argument read, verbatim (trailing spaces kept). */
  rest(): string {
    this.skipSpace();
    const out = this.line.slice(this.pos);
    this.pos = this.line.length;
    return out;
  }

  /** All remaining arguments. */
  all(): Token[] {
    const out: Token[] = [];
    for (let t = this.next(); t !== undefined; t = this.next()) out.push(t);
    return out;
  }

  private quoted(): Token {
    const start = this.pos;
    let i = start + 1;
    while (i < this.line.length && this.line[i] !== '"') i += this.line[i] === '\\' ? 2 : 1;
    if (i >= this.line.length) throw new UsageError(`unterminated quote in ${this.line.slice(start)}; close it with "`);
    const literal = this.line.slice(start, i + 1);
    this.pos = i + 1;
    if (this.pos < this.line.length && !isSpace(this.line[this.pos]!)) {
      throw new UsageError(`unexpected text after closing quote: ${literal}${this.line.slice(this.pos).split(/\s/)[0]}`);
    }
    try {
      return { text: JSON.parse(literal) as string, quoted: true };
    } catch {
      throw new UsageError(`bad escape in ${literal}; quoted arguments use JSON escapes (\\" \\\\ \\n \\t \\uXXXX)`);
    }
  }

  private skipSpace(): void {
    while (this.pos < this.line.length && isSpace(this.line[this.pos]!)) this.pos++;
  }
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

/** Splits a line into its command word (as typed) and a reader over the arguments. */
export function splitCommand(line: string): { word: string; args: ArgReader } | undefined {
  const trimmed = line.replace(/^[ \t]+/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const end = trimmed.search(/[ \t]/);
  const word = end === -1 ? trimmed : trimmed.slice(0, end);
  return { word, args: new ArgReader(end === -1 ? '' : trimmed.slice(end)) };
}

/** Shows a key so it can be read back and typed again: as is, or JSON-quoted when it would be ambiguous. */
export function quoteArg(key: string): string {
  // eslint-disable-next-line no-control-regex -- a key with control characters must be quoted to be typed back
  return key === '' || /[\s"\\\x00-\x1f\x7f]/.test(key) || key.toUpperCase() === 'LIMIT' ? JSON.stringify(key) : key;
}
