// How the app writes sizes and counts, everywhere: one style, so one size
// never shows as "1.5 KB" in one view and "1.5 KiB" in another.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Three significant digits; whole numbers from 999.5 up (1000–1023 of a unit, before the next one). */
const threeDigits = (v: number): string => (v >= 999.5 ? String(Math.round(v)) : v.toPrecision(3));

/**
 * A size in binary (IEC) units with three significant digits: 512 → "512 B",
 * 1536 → "1.50 KiB", 10 MiB → "10.0 MiB", 200 MiB → "200 MiB". Fractional
 * sizes (rates in bytes per second) show whole bytes below 1 KiB. A value
 * that rounds up to 1024 of a unit is written in the next one ("1.00 MiB",
 * never "1024 KiB"). Not a size (negative, NaN, infinite): "—".
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (Math.round(n) < 1024) return `${Math.round(n)} B`;
  let v = n / 1024;
  let u = 1;
  while (u < UNITS.length - 1 && Number(threeDigits(v)) >= 1024) {
    v /= 1024;
    u++;
  }
  return `${threeDigits(v)} ${UNITS[u]}`;
}

// Intl formatters are expensive to create (toLocaleString builds one per call); this one is built once.
const COUNT = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export const formatCount = (n: number): string => COUNT.format(n);

/** 1 → "1 key", 2000 → "2,000 keys". */
export const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
