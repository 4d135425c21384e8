import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readUtf8, writeUtf8 } from './utf8.js';

const samples = ['', 'plain ascii key', 'é', 'naïve café', '€ and 🙂', 'ÿ\u0080\u00ff', 'lone \ud800 surrogate', '\u007f\u0000x'];

test('writes exactly what Buffer.from(text, "utf8") holds, ASCII or not, at an offset', () => {
  for (const text of samples) {
    const expected = Buffer.from(text, 'utf8');
    const buf = Buffer.alloc(expected.length + 7, 0xaa);
    const written = writeUtf8(buf, text, 3, expected.length);
    assert.equal(written, expected.length, JSON.stringify(text));
    assert.deepEqual(buf.subarray(3, 3 + written), expected, JSON.stringify(text));
    assert.equal(buf[2], 0xaa);
    assert.equal(buf[3 + written], 0xaa, 'nothing written past the text');
  }
});

test('reads back what was written', () => {
  for (const text of samples) {
    const buf = Buffer.from(`xx${text}yy`, 'utf8');
    const end = buf.length - 2;
    assert.equal(readUtf8(buf, 2, end), Buffer.from(text, 'utf8').toString('utf8'), JSON.stringify(text));
  }
});
