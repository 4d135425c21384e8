/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DraftStore, resumeDraft } from './drafts';

const at = (key: string, collection = 'users', folder = '/data') => ({ folder, collection, key });

test('a draft is kept per folder, collection and key, and comes back for the same key only', () => {
  const store = new DraftStore();
  store.set(at('k1'), { base: 'old', value: 'new', tab: 'text' });
  assert.deepEqual(store.get(at('k1')), { base: 'old', value: 'new', tab: 'text' });
  assert.equal(store.get(at('k2')), undefined);
  assert.equal(store.get(at('k1', 'orders')), undefined);
  assert.equal(store.get(at('k1', 'users', '/other')), undefined);
});

test('listeners hear when a draft appears or goes away, not on every keystroke', () => {
  const store = new DraftStore();
  let calls = 0;
  const off = store.subscribe(() => calls++);
  store.set(at('k'), { base: '', value: 'a', tab: 'text' });
  store.set(at('k'), { base: '', value: 'ab', tab: 'text' });
  assert.equal(calls, 1);
  store.discard(at('k'));
  store.discard(at('k'));
  assert.equal(calls, 2);
  assert.equal(store.size, 0);
  off();
  store.set(at('k'), { base: '', value: 'a', tab: 'text' });
  assert.equal(calls, 2);
});

test('dropping a collection discards its drafts and only its', () => {
  const store = new DraftStore();
  store.set(at('k', 'users'), { base: '', value: 'a', tab: 'text' });
  store.set(at('k', 'users2'), { base: '', value: 'b', tab: 'text' });
  store.set(at('k', 'users', '/other'), { base: '', value: 'c', tab: 'text' });
  store.discardCollection('/data', 'users');
  assert.equal(store.get(at('k', 'users')), undefined);
  assert.equal(store.get(at('k', 'users2'))?.value, 'b');
  assert.equal(store.get(at('k', 'users', '/other'))?.value, 'c');
});

test('a resumed draft is stale when the stored value changed since the edit began', () => {
  const draft = { base: 'v1', value: 'mine', tab: 'json' as const };
  assert.deepEqual(resumeDraft(draft, 'v1'), { draft, stale: false });
  assert.deepEqual(resumeDraft(draft, 'v2'), { draft, stale: true });
  assert.equal(resumeDraft(undefined, 'v1'), null);
});
