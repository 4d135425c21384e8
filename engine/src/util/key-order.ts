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

const NEEDS_LIFT = /[\ud800-\uffff]/;

/**
 * A string whose UTF-16 order (JavaScript's native `<`) equals the code point
 * order of `key`: code units from U+D800 up are remapped by the same `lift`
 * as compareKeys. Most keys have no such code unit and are returned as they
 * are, so ordered containers can use the native comparison.
 */
export function sortableKey(key: string): string {
  if (!NEEDS_LIFT.test(key)) return key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    out += String.fromCharCode(c >= 0xd800 ? lift(c) : c);
  }
  return out;
}

export function nativeCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
