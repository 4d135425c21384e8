/// <reference types="node" />
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { frameCoalescer } from './coalesce'

const fakeFrames = () => {
  const queue = new Map<number, () => void>()
  let next = 1
  return {
    schedule: (cb: () => void) => {
      queue.set(next, cb)
      return next++
    },
    cancel: (h: number) => void queue.delete(h),
    frame: () => {
      const cbs = [...queue.values()]
      queue.clear()
      for (const cb of cbs) cb()
    },
    scheduled: () => queue.size
  }
}

test('everything pushed before a frame is applied once, in order', () => {
  const f = fakeFrames()
  const applied: number[][] = []
  const c = frameCoalescer<number>((items) => applied.push(items), f.schedule, f.cancel)
  c.push(1)
  c.push(2)
  c.push(3)
  assert.equal(f.scheduled(), 1)
  f.frame()
  assert.deepEqual(applied, [[1, 2, 3]])
  f.frame()
  assert.equal(applied.length, 1)
})

test('without frames (hidden window) it applies every maxPending items', () => {
  const f = fakeFrames()
  const applied: number[][] = []
  const c = frameCoalescer<number>((items) => applied.push(items), f.schedule, f.cancel, 3)
  for (let i = 0; i < 7; i++) c.push(i)
  assert.deepEqual(applied, [
    [0, 1, 2],
    [3, 4, 5]
  ])
  f.frame()
  assert.deepEqual(applied.at(-1), [6])
})

test('after dispose nothing is applied', () => {
  const f = fakeFrames()
  const applied: number[][] = []
  const c = frameCoalescer<number>((items) => applied.push(items), f.schedule, f.cancel)
  c.push(1)
  c.dispose()
  f.frame()
  c.push(2)
  c.flush()
  assert.deepEqual(applied, [])
})
