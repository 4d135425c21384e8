import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobProgress, PushEvent } from '../../shared/ipc/types';
import { MAX_PENDING_ENGINE_EVENTS } from './limits';
import { PushQueue } from './push-queue';

const engine = (collection: string, at: number[], stats: unknown = null): PushEvent => ({
  kind: 'engine',
  collection,
  events: at.map((t) => ({ type: 'background-error', at: t, payload: { message: `event at ${t}`, code: null } })),
  stats: stats as never,
});
const job = (id: string, done: number): PushEvent => ({ kind: 'job', job: { id, done } as JobProgress });

function drain(queue: PushQueue): PushEvent[] {
  const out: PushEvent[] = [];
  for (let e = queue.shift(); e; e = queue.shift()) out.push(e);
  return out;
}

describe('push queue of a slow client', () => {
  it('keeps one push per subject, in the order subjects first waited, each with its newest content', () => {
    const q = new PushQueue();
    q.add(engine('a', [1], 's1'));
    q.add(job('j', 10));
    q.add({ kind: 'collections-changed' });
    q.add(engine('b', [2]));
    q.add(engine('a', [3, 4], 's2'));
    q.add(job('j', 20));
    q.add({ kind: 'collections-changed' });
    q.add({ kind: 'folder-changed', dataDir: '/one' });
    q.add({ kind: 'folder-changed', dataDir: '/two' });
    assert.equal(q.size, 5);
    assert.deepEqual(drain(q), [
      engine('a', [1, 3, 4], 's2'),
      job('j', 20),
      { kind: 'collections-changed' },
      engine('b', [2]),
      { kind: 'folder-changed', dataDir: '/two' },
    ]);
    assert.equal(q.size, 0);
  });

  it('keeps the newest engine events of a collection when more wait than it holds, and counts the rest', () => {
    const q = new PushQueue();
    const total = MAX_PENDING_ENGINE_EVENTS * 3 + 7;
    for (let i = 0; i < total; i += 10)
      q.add(
        engine(
          'a',
          Array.from({ length: Math.min(10, total - i) }, (_, j) => i + j),
        ),
      );
    const [only] = drain(q);
    assert.ok(only?.kind === 'engine');
    assert.deepEqual(
      only.events.map((e) => e.at),
      Array.from({ length: MAX_PENDING_ENGINE_EVENTS }, (_, i) => total - MAX_PENDING_ENGINE_EVENTS + i),
    );
    assert.equal(q.droppedEngineEvents, total - MAX_PENDING_ENGINE_EVENTS);
  });
});
