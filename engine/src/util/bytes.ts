/**
 * Sign of a[aStart, aStart + aLength) - b[bStart, bStart + bLength),
 * bytewise, which for UTF-8 keys is code point order. A loop beats a native
 * call (Buffer.compare) for keys this short.
 */
export function compareBytes(a: Uint8Array, aStart: number, aLength: number, b: Uint8Array, bStart: number, bLength: number): number {
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d;
  }
  return aLength - bLength;
}
