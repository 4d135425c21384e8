/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hexLines, utf8Bytes, utf8Length } from './hex';

test('hex lines: offset, two groups of eight, printable ASCII', () => {
  const lines = hexLines(utf8Bytes('Hello, hex world!\n'));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0], { offset: '00000000', hex: '48 65 6c 6c 6f 2c 20 68  65 78 20 77 6f 72 6c 64', ascii: 'Hello, hex world' });
  assert.equal(lines[1]!.offset, '00000010');
  assert.match(lines[1]!.hex, /^21 0a\s*$/);
  assert.equal(lines[1]!.ascii, '!.');
});

test('hex lines stop at the limit', () => {
  assert.equal(hexLines(new Uint8Array(100), 32).length, 2);
});

test('utf8Length matches TextEncoder, surrogate pairs included', () => {
  for (const s of ['', 'abc', 'é', '€', '😀x', '\ud800', 'a\udc00b']) assert.equal(utf8Length(s), utf8Bytes(s).length, JSON.stringify(s));
});
