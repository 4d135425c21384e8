import type { ArgReader, Token } from './parse.js';
import { UsageError } from './errors.js';

/** Argument access that reports mistakes with the command's usage line. */
export class Args {
  constructor(
    private readonly reader: ArgReader,
    readonly usage: string,
  ) {}

  required(what: string): string {
    const t = this.reader.next();
    if (t === undefined) throw new UsageError(`missing ${what}`, this.usage);
    return t.text;
  }

  optional(): string | undefined {
    return this.reader.next()?.text;
  }

  /** Every remaining argument, for commands with options of their own. */
  tokens(): Token[] {
    return this.reader.all();
  }

  rest(): string {
    return this.reader.rest();
  }

  /** Positional keys (at most `max`), then an optional `LIMIT n`. An empty quoted key ("") means "no bound". */
  keysAndLimit(max: number): { keys: string[]; limit: number | undefined } {
    const keys: string[] = [];
    const tokens = this.reader.all();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (!t.quoted && t.text.toUpperCase() === 'LIMIT') {
        const n = tokens[i + 1];
        if (n === undefined) throw new UsageError('LIMIT needs a number', this.usage);
        if (!/^\d{1,15}$/.test(n.text)) throw new UsageError(`LIMIT needs a whole number, got ${JSON.stringify(n.text)}`, this.usage);
        if (i + 2 < tokens.length)
          throw new UsageError(`unexpected ${JSON.stringify(tokens[i + 2]!.text)} after LIMIT ${n.text}`, this.usage);
        return { keys, limit: Number(n.text) };
      }
      if (keys.length === max) throw tooMany(t.text, this.usage);
      keys.push(t.text);
    }
    return { keys, limit: undefined };
  }

  end(): void {
    const t = this.reader.next();
    if (t !== undefined) throw tooMany(t.text, this.usage);
  }
}

function tooMany(text: string, usage: string): UsageError {
  return new UsageError(`unexpected argument ${JSON.stringify(text)} (a key with spaces must be quoted, as in "my key")`, usage);
}
