/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyRow } from '../../../shared/ipc/types';
import { MAX_ROWS, edgeToLoad, initialPages, pagesReducer, type PageState } from './pages';

const rows = (from: number, n: number): KeyRow[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, preview: '', valueBytes: 0 }));

const replaced = (gen: number, r: KeyRow[], startDone = true, endDone = false, target: number | null = null): PageState =>
  pagesReducer(pagesReducer(initialPages, { type: 'reset', gen }), {
    type: 'replaced',
    gen,
    rows: r,
    startDone,
    endDone,
    target,
    select: target !== null,
  });

test('a reset empties the window and answers of older generations are ignored', () => {
  let s = replaced(1, rows(0, 10));
  s = pagesReducer(s, { type: 'reset', gen: 2 });
  assert.equal(s.rows.length, 0);
  assert.equal(s.loading, 'reset');
  const stale = pagesReducer(s, { type: 'extended', gen: 1, side: 'end', rows: rows(10, 5), done: false });
  assert.equal(stale, s);
});

test('extending at the end appends; done marks the end', () => {
  let s = replaced(1, rows(0, 10));
  s = pagesReducer(s, { type: 'loading', gen: 1, side: 'end' });
  assert.equal(s.loading, 'end');
  s = pagesReducer(s, { type: 'extended', gen: 1, side: 'end', rows: rows(10, 5), done: true });
  assert.deepEqual(s.rows.map((r) => r.key).slice(-2), ['k13', 'k14']);
  assert.equal(s.endDone, true);
  assert.equal(s.loading, null);
});

test('extending at the start prepends and reports the shift so the view can stay still', () => {
  let s = replaced(1, rows(100, 10), false, true);
  const before = s.seq;
  s = pagesReducer(s, { type: 'extended', gen: 1, side: 'start', rows: rows(90, 10), done: false });
  assert.equal(s.rows[0]!.key, 'k90');
  assert.deepEqual(s.shift, { seq: before + 1, rows: 10 });
  assert.equal(s.startDone, false);
});

test('the window never exceeds MAX_ROWS: the far edge is dropped and no longer counts as done', () => {
  let s = replaced(1, rows(0, MAX_ROWS - 5), true, false);
  s = pagesReducer(s, { type: 'extended', gen: 1, side: 'end', rows: rows(MAX_ROWS - 5, 20), done: false });
  assert.equal(s.rows.length, MAX_ROWS);
  assert.equal(s.rows[0]!.key, 'k15');
  assert.equal(s.startDone, false);
  assert.equal(s.shift.rows, -15);

  s = pagesReducer(s, { type: 'extended', gen: 1, side: 'start', rows: rows(0, 15), done: true });
  assert.equal(s.rows.length, MAX_ROWS);
  assert.equal(s.rows[0]!.key, 'k0');
  assert.equal(s.startDone, true);
  assert.equal(s.endDone, false);
});

test('a jump carries a target row index with a fresh sequence number', () => {
  const a = replaced(1, rows(0, 10), false, false, 4);
  assert.equal(a.target?.index, 4);
  assert.equal(a.target?.select, true);
  const b = pagesReducer(pagesReducer(a, { type: 'reset', gen: 2 }), {
    type: 'replaced',
    gen: 2,
    rows: rows(0, 10),
    startDone: false,
    endDone: false,
    target: 4,
    select: true,
  });
  assert.ok(b.target!.seq > a.target!.seq);
});

test('removed and updated rows', () => {
  let s = replaced(1, rows(0, 5));
  s = pagesReducer(s, { type: 'removed', keys: new Set(['k1', 'k3']) });
  assert.deepEqual(
    s.rows.map((r) => r.key),
    ['k0', 'k2', 'k4'],
  );
  s = pagesReducer(s, { type: 'updated', row: { key: 'k2', preview: 'new', valueBytes: 3 } });
  assert.equal(s.rows[1]!.preview, 'new');
  assert.equal(pagesReducer(s, { type: 'updated', row: { key: 'zz', preview: '', valueBytes: 0 } }), s);
});

test('edgeToLoad asks for the edge the user approaches, once at a time', () => {
  const s = replaced(1, rows(0, 500), false, false);
  assert.equal(edgeToLoad(s, 200, 260, 100), null);
  assert.equal(edgeToLoad(s, 380, 420, 100), 'end');
  assert.equal(edgeToLoad(s, 10, 60, 100), 'start');
  assert.equal(edgeToLoad({ ...s, loading: 'end' }, 380, 420, 100), null);
  assert.equal(edgeToLoad({ ...s, endDone: true }, 380, 420, 100), null);
  assert.equal(edgeToLoad({ ...s, error: 'boom' }, 380, 420, 100), null);
});
