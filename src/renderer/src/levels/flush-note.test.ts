/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flushThreadNote } from './flush-note';

test('says nothing while flushes run on the flush thread, or were never meant to', () => {
  assert.equal(flushThreadNote({ onThread: true, threadStopped: null }), undefined);
  assert.equal(flushThreadNote({ onThread: false, threadStopped: null }), undefined);
});

test('once the flush thread stopped, says that flushes run on the main thread and why', () => {
  const note = flushThreadNote({ onThread: true, threadStopped: 'the flush thread stopped: worker exited with code 1' });
  assert.equal(note, 'Flushing on the main thread until reopened (the flush thread stopped: worker exited with code 1)');
});
