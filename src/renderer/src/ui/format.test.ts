/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatCount, plural } from './format';

const POWERS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5, EiB: 1024 ** 6 };

/** The size a formatted string stands for, and the number as written. */
function parse(text: string): { bytes: number; shown: string; unit: string } {
  const m = /^(\d+(?:\.\d+)?) (B|[KMGTPE]iB)$/.exec(text);
  assert.ok(m, `"${text}" is a number and an IEC unit`);
  return { bytes: Number(m[1]) * POWERS[m[2]!]!, shown: m[1]!, unit: m[2]! };
}

test('formatBytes writes sizes in IEC units with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.00 KiB');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(10 * 1024 * 1024), '10.0 MiB');
  assert.equal(formatBytes(200 * 1024 * 1024), '200 MiB');
  assert.equal(formatBytes(1000 * 1024), '1000 KiB');
});

test('formatBytes rounds fractional rates to whole bytes, and carries into the next unit rather than show 1024 of one', () => {
  assert.equal(formatBytes(12.158752007341134), '12 B');
  assert.equal(formatBytes(1023.6), '1.00 KiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1.00 MiB');
  assert.equal(formatBytes(99.996 * 1024), '100 KiB');
});

test('formatBytes says "—" for what is not a size', () => {
  for (const n of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(formatBytes(n), '—', String(n));
});

test('formatBytes stays within rounding of the size it shows, from bytes to exbibytes', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(2 ** (random() * 62)) * (random() < 0.5 ? 1 : random());
    const { bytes, shown, unit } = parse(formatBytes(n));
    if (unit === 'B') assert.equal(bytes, Math.round(n));
    else {
      assert.ok(Math.abs(bytes - n) <= n * 0.005, `${formatBytes(n)} for ${n}`);
      assert.ok(Number(shown) >= 1 && (Number(shown) < 1024 || unit === 'EiB'), `${formatBytes(n)}: a number from 1 to 1023 of its unit`);
      assert.ok(shown.replace('.', '').replace(/^0+/, '').length >= 3, `${formatBytes(n)}: three significant digits`);
    }
  }
});

test('counts are grouped by thousands, and plural agrees with the count', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(plural(1, 'key'), '1 key');
  assert.equal(plural(0, 'key'), '0 keys');
  assert.equal(plural(2000, 'record'), '2,000 records');
});
