/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyRow } from '../../../shared/ipc/types';
import { clickRow, cursorIndex, emptySelection, moveCursor, withoutKeys } from './selection';

const rows: KeyRow[] = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, preview: '', valueBytes: 0 }));
const keys = (s: { keys: ReadonlySet<string> }) => [...s.keys].sort();
const plain = { shift: false, toggle: false };

test('click selects one row; ctrl/cmd-click toggles; shift-click selects the range from the anchor', () => {
  let s = clickRow(emptySelection, rows, 1, plain);
  assert.deepEqual(keys(s), ['b']);
  s = clickRow(s, rows, 3, { shift: true, toggle: false });
  assert.deepEqual(keys(s), ['b', 'c', 'd']);
  assert.equal(s.anchor, 'b');
  s = clickRow(s, rows, 0, { shift: true, toggle: false });
  assert.deepEqual(keys(s), ['a', 'b']);
  s = clickRow(s, rows, 4, { shift: false, toggle: true });
  assert.deepEqual(keys(s), ['a', 'b', 'e']);
  s = clickRow(s, rows, 4, { shift: false, toggle: true });
  assert.deepEqual(keys(s), ['a', 'b']);
});

test('keyboard moves clamp to the window and shift extends', () => {
  let s = moveCursor(emptySelection, rows, 2, false);
  assert.equal(s.cursor, 'c');
  s = moveCursor(s, rows, 99, true);
  assert.deepEqual(keys(s), ['c', 'd', 'e']);
  assert.equal(cursorIndex(s, rows), 4);
  s = moveCursor(s, rows, -5, false);
  assert.deepEqual(keys(s), ['a']);
});

test('deleted keys leave the selection', () => {
  const s = withoutKeys(clickRow(clickRow(emptySelection, rows, 0, plain), rows, 2, { shift: true, toggle: false }), new Set(['a', 'b']));
  assert.deepEqual(keys(s), ['c']);
  assert.equal(s.anchor, null);
  assert.equal(s.cursor, 'c');
});
