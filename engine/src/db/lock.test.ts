import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import { CollectionLock } from './lock.js';

const dir = tempDir('strata-lock');
after(dir.cleanup);
const fs = new NodeFileSystem();
let n = 0;
/** A fresh directory and the path of the lock file in it. */
function lockPath(): string {
  const d = join(dir.path, `c${n++}`);
  mkdirSync(d);
  return join(d, 'LOCK');
}
// Above Linux's largest pid_max (2^22), so no process has it.
const DEAD_PID = 2 ** 22 + 777;
const ownerJson = (pid: number) => JSON.stringify({ pid, host: hostname(), started: '1' });
const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('CollectionLock', () => {
  test('a lock whose owner is dead is taken over, and LOCK.break is gone afterwards', async () => {
    const path = lockPath();
    writeFileSync(path, ownerJson(DEAD_PID));
    const lock = await CollectionLock.acquire(fs, path, 'c');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    assert.equal(existsSync(`${path}.break`), false);
    await lock.release();
    assert.equal(existsSync(path), false);
  });

  test('while a live process holds LOCK.break, an opener leaves the dead lock alone and waits for it', async () => {
    const path = lockPath();
    writeFileSync(path, ownerJson(DEAD_PID));
    writeFileSync(`${path}.break`, JSON.stringify({ pid: process.pid, host: hostname(), started: null }));
    const opening = CollectionLock.acquire(fs, path, 'c');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await settled(opening), false, 'still waiting for the takeover in progress');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, DEAD_PID, 'the dead lock is untouched while another takes it over');
    rmSync(`${path}.break`);
    const lock = await opening;
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    await lock.release();
  });

  test('a takeover that never finishes makes the opener give up with COLLECTION_LOCKED naming the taker', async () => {
    const path = lockPath();
    writeFileSync(path, ownerJson(DEAD_PID));
    writeFileSync(`${path}.break`, JSON.stringify({ pid: process.pid, host: hostname(), started: null }));
    await assert.rejects(
      CollectionLock.acquire(fs, path, 'stuck'),
      isStorageError('COLLECTION_LOCKED', new RegExp(`"stuck" is being taken over by process ${process.pid}`)),
    );
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, DEAD_PID);
  });

  test('a LOCK.break left by a dead process does not block an open', async () => {
    const path = lockPath();
    writeFileSync(path, ownerJson(DEAD_PID));
    writeFileSync(`${path}.break`, ownerJson(DEAD_PID + 1));
    const lock = await CollectionLock.acquire(fs, path, 'c');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    assert.equal(existsSync(`${path}.break`), false);
    await lock.release();
  });

  test('of many openers in one process racing for a dead lock, exactly one wins, round after round', async () => {
    const path = lockPath();
    for (let round = 0; round < 25; round++) {
      writeFileSync(path, ownerJson(DEAD_PID));
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => CollectionLock.acquire(fs, path, 'c')));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: ${won.length} openers won`);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'COLLECTION_LOCKED');
      await (won[0] as PromiseFulfilledResult<CollectionLock>).value.release();
      assert.equal(existsSync(path), false);
      assert.equal(existsSync(`${path}.break`), false);
    }
  });

  for (const trigger of [1, 2]) {
    test(`a lock released while an opener looks at it is never removed from under the next owner (next owner after its read #${trigger} finds none)`, async () => {
      const path = lockPath();
      // Z, another live process, holds the lock and releases it right after C's create failed.
      writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), started: null }));
      let other: Promise<CollectionLock> | undefined;
      let missingReads = 0;
      class ReleasedMeanwhile extends NodeFileSystem {
        private first = true;
        override async createExclusive(p: string, data: Uint8Array): Promise<boolean> {
          const created = await super.createExclusive(p, data);
          if (p === path && this.first) {
            this.first = false;
            rmSync(path); // Z releases
          }
          return created;
        }
        override async readFile(p: string): Promise<Buffer> {
          try {
            return await super.readFile(p);
          } catch (err) {
            // The trigger-th time C finds LOCK missing, another opener takes it before C goes on.
            if (p === path && ++missingReads === trigger)
              await (other = CollectionLock.acquire(fs, path, 'c').catch((e: unknown) => e as CollectionLock));
            throw err;
          }
        }
      }
      const mine = await CollectionLock.acquire(new ReleasedMeanwhile(), path, 'c').then(
        (lock) => lock,
        (err: unknown) => err,
      );
      if (trigger === 1) assert.ok(other !== undefined, 'C found the lock missing, and the other opener came in');
      const theirs = other === undefined ? undefined : await other;
      const owners = [mine, theirs].filter((x) => x instanceof CollectionLock);
      assert.equal(owners.length, 1, 'exactly one opener owns the lock');
      await assert.rejects(CollectionLock.acquire(fs, path, 'c'), isStorageError('COLLECTION_LOCKED'));
      await (owners[0] as CollectionLock).release();
    });
  }

  test('a lock held on another host is never taken; the error says how to free it', async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 1, host: `${hostname()}-elsewhere`, started: null }));
    await assert.rejects(
      CollectionLock.acquire(fs, path, 'c'),
      isStorageError('COLLECTION_LOCKED', /another host .*if that process is gone, delete the lock file/),
    );
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, 1);
  });

  test('an unreadable lock file counts as dead', async () => {
    const path = lockPath();
    writeFileSync(path, '{"pi');
    const lock = await CollectionLock.acquire(fs, path, 'c');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    await lock.release();
  });

  test('a live lock is never taken: COLLECTION_LOCKED names its owner', async () => {
    const path = lockPath();
    const first = await CollectionLock.acquire(fs, path, 'c');
    await assert.rejects(CollectionLock.acquire(fs, path, 'c'), isStorageError('COLLECTION_LOCKED', /locked by this process/));
    await first.release();
    const second = await CollectionLock.acquire(fs, path, 'c');
    await second.release();
  });

  test('release leaves alone a lock that is no longer its own', async () => {
    const path = lockPath();
    const lock = await CollectionLock.acquire(fs, path, 'c');
    // Say another opener in this very process took over: only the nonce differs.
    const mine = JSON.parse(readFileSync(path, 'utf8'));
    const theirs = JSON.stringify({ ...mine, nonce: 'another-acquire' });
    rmSync(path);
    writeFileSync(path, theirs);
    await lock.release();
    assert.equal(readFileSync(path, 'utf8'), theirs);
  });

  test("the winner removes the temp files of dead lock takers, never a live one's", async () => {
    const path = lockPath();
    const live = `${path}.${process.pid}.abc123.tmp`;
    const dead = `${path}.${DEAD_PID}.def456.tmp`;
    const deadBreak = `${path}.break.${DEAD_PID}.x1.tmp`;
    for (const f of [live, dead, deadBreak]) writeFileSync(f, ownerJson(DEAD_PID));
    const lock = await CollectionLock.acquire(fs, path, 'c');
    assert.equal(existsSync(live), true, 'a live opener may be about to link this one');
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(deadBreak), false);
    await lock.release();
  });
});
