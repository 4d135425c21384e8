import type { Context } from './command.js';
import { quoteArg } from './parse.js';

/**
 * Prints scan entries as `key: value` (keys quoted when ambiguous), or
 * `(empty)`. In the interactive shell the output is paged; stopping (q or
 * Ctrl-C) prints the command that continues from the next key.
 */
export async function listEntries(
  ctx: Context,
  entries: AsyncIterable<[string, string]>,
  limit: number | undefined,
  continueFrom: (nextKey: string) => string,
): Promise<void> {
  const rows = ctx.terminal?.pageRows();
  let shown = 0;
  const hint = (next: string) => `${continueFrom(next)}${limit === undefined ? '' : ` LIMIT ${limit - shown}`}`;
  for await (const [key, value] of entries) {
    if (ctx.signal.aborted) {
      ctx.out.line(`(interrupted after ${shown} keys; continue with: ${hint(key)})`);
      return;
    }
    if (rows !== undefined && shown > 0 && shown % rows === 0) {
      const answer = await ctx.terminal!.ask(`-- ${shown} shown, more follow: Enter for more, q to stop -- `, ctx.signal);
      if (answer === undefined || /^\s*q/i.test(answer)) {
        ctx.out.line(`(stopped after ${shown} keys; continue with: ${hint(key)})`);
        return;
      }
    }
    ctx.out.line(`${quoteArg(key)}: ${value}`);
    shown++;
  }
  if (shown === 0) ctx.out.line('(empty)');
}

/** The first key after every key starting with `prefix`, or undefined if there is none. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    let next = points.pop()!.codePointAt(0)! + 1;
    if (next === 0xd800) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}
