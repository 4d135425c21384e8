/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameCoalescer, type Scheduler } from './coalesce';

/** A fake clock: `advance(ms)` runs what is due. */
const fakeScheduler = () => {
  let now = 0;
  let queue: { at: number; cb: () => void }[] = [];
  const scheduler: Scheduler = {
    now: () => now,
    later(cb, delayMs) {
      const entry = { at: now + delayMs, cb };
      queue.push(entry);
      return () => void (queue = queue.filter((e) => e !== entry));
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = queue.filter((e) => e.at <= now);
    queue = queue.filter((e) => e.at > now);
    for (const e of due) e.cb();
  };
  return { scheduler, advance, scheduled: () => queue.length };
};

test('everything pushed before the next frame is applied once, in order', () => {
  const f = fakeScheduler();
  const applied: number[][] = [];
  const c = frameCoalescer<number>((items) => applied.push(items), { scheduler: f.scheduler });
  c.push(1);
  c.push(2);
  c.push(3);
  assert.equal(f.scheduled(), 1);
  f.advance(16);
  assert.deepEqual(applied, [[1, 2, 3]]);
  f.advance(16);
  assert.equal(applied.length, 1);
});

test('updates are spaced by the minimum interval', () => {
  const f = fakeScheduler();
  const applied: number[][] = [];
  const c = frameCoalescer<number>((items) => applied.push(items), { minIntervalMs: 200, scheduler: f.scheduler });
  c.push(1);
  f.advance(0);
  assert.deepEqual(applied, [[1]]);
  c.push(2);
  f.advance(100);
  c.push(3);
  assert.equal(applied.length, 1, 'nothing before 200 ms have passed');
  f.advance(100);
  assert.deepEqual(applied, [[1], [2, 3]]);
});

test('without frames (hidden window) it applies every maxPending items', () => {
  const f = fakeScheduler();
  const applied: number[][] = [];
  const c = frameCoalescer<number>((items) => applied.push(items), { maxPending: 3, scheduler: f.scheduler });
  for (let i = 0; i < 7; i++) c.push(i);
  assert.deepEqual(applied, [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  f.advance(16);
  assert.deepEqual(applied.at(-1), [6]);
});

test('after dispose nothing is applied', () => {
  const f = fakeScheduler();
  const applied: number[][] = [];
  const c = frameCoalescer<number>((items) => applied.push(items), { scheduler: f.scheduler });
  c.push(1);
  c.dispose();
  f.advance(16);
  c.push(2);
  c.flush();
  assert.deepEqual(applied, []);
});
