/**
 * Keys are ordered bytewise over their UTF-8 encoding, which equals Unicode
 * code point order. JavaScript's `<` compares UTF-16 code units instead, and
 * the two disagree only when one side has a surrogate (U+D800..U+DFFF, part of
 * a supplementary character) and the other a code unit in U+E000..U+FFFF.
 * This comparator fixes that case so the memtable, SSTables (compared as
 * bytes) and range bounds all agree on one order.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return lift(x) - lift(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000..U+FFFF, where their code points belong. */
function lift(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
