/**
 * What a power cut may take away, and what it may not (doc/power-loss.md).
 * A simulated disk (PowerCutFileSystem) keeps unsynced data apart, and a
 * crash image keeps any allowed subset of it. After a cut, the collection
 * must open; it holds every acknowledged sync write and every write issued
 * before one; the plain writes that survive form a prefix of the history;
 * no value is wrong. The named tests pin each rule to the scenario that
 * broke it; the model test at the end hunts for the rest.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import { inertLauncher } from '../testing/controlled-launcher.js';
import { type CutPolicy, type DiskImage, DROP_UNSYNCED, KEEP_EVERYTHING, PowerCutFileSystem, randomCut } from '../testing/power-cut-fs.js';
import { afterReboot, BASE, COLLECTION, forgetLockOwner, runPowerCuts } from '../testing/power-cut-run.js';
import { seededRandom } from '../testing/random.js';
import { WriteHistory } from '../testing/write-history.js';
import type { Collection } from './collection.js';
import type { CollectionOptions } from '../options/options.js';

const DIR = `${BASE}/${COLLECTION}`;
// Room for memtables whose flush a test holds: writes must not stall behind them.
const SMALL: Partial<CollectionOptions> = { memtableBytes: 1024, autoCompaction: false, maxImmutableMemtables: 16 };

function managerOn(fs: PowerCutFileSystem, options: Partial<CollectionOptions> = SMALL): StorageManager {
  return new StorageManager({ baseDataPath: BASE, fileSystem: fs, compactionLauncher: inertLauncher, ...options });
}

async function openFresh(options?: Partial<CollectionOptions>): Promise<{ fs: PowerCutFileSystem; m: StorageManager; c: Collection }> {
  const fs = new PowerCutFileSystem({ dirs: ['/tmp'] });
  const m = managerOn(fs, options);
  await m.createCollection(COLLECTION);
  return { fs, m, c: await m.useCollection(COLLECTION) };
}

/** Opens the collection in `image`, as after a reboot, and returns its contents and its recovery report. */
async function openImage(image: DiskImage) {
  const fs = new PowerCutFileSystem({ image: afterReboot(image) });
  const m = managerOn(fs);
  try {
    const c = await m.useCollection(COLLECTION);
    const state = new Map<string, string>();
    for await (const [k, v] of c.scan()) state.set(k, v);
    return { state, recovery: c.stats().recovery, fs };
  } finally {
    await m.closeAll();
  }
}

/** A process crash: the old process's handles die, the disk (page cache and all) stays; the lock's owner is gone. */
function crashProcess(fs: PowerCutFileSystem): PowerCutFileSystem {
  const next = fs.restartProcess();
  forgetLockOwner(next);
  return next;
}

/** Plain puts until the memtable rotates to a new WAL; returns what was written. */
async function fillWal(c: Collection, prefix: string): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  const wal = c.stats().memtable.walNumber;
  for (let i = 0; c.stats().memtable.walNumber === wal; i++) {
    await c.put(`${prefix}${String(i).padStart(3, '0')}`, `value ${prefix}${i} ${'x'.repeat(20)}`);
    written.set(`${prefix}${String(i).padStart(3, '0')}`, `value ${prefix}${i} ${'x'.repeat(20)}`);
  }
  return written;
}

const missing = (state: ReadonlyMap<string, string>, expected: ReadonlyMap<string, string>) =>
  [...expected].filter(([k, v]) => state.get(k) !== v).map(([k]) => k);

const isTable = (p: string) => p.endsWith('.sst');

describe('sync writes and older WALs', () => {
  test('a sync write makes the plain writes before it durable, even those still in an older WAL that is not flushed yet', async () => {
    const { fs, m, c } = await openFresh();
    const release = fs.holdSyncs(isTable); // the older WAL's flush stays in progress, so that WAL stays live
    const plain = await fillWal(c, 'p');
    assert.equal(c.stats().immutableMemtables.length, 1, 'the older WAL is waiting for its flush');
    await c.put('sync', 'yes', { sync: true });
    const image = fs.crashImage(DROP_UNSYNCED);
    release();
    await m.closeAll();
    const { state } = await openImage(image);
    assert.equal(state.get('sync'), 'yes', 'the acknowledged sync write survives');
    assert.deepEqual(missing(state, plain), [], 'the plain writes acknowledged before it, at the tail of the older WAL, survive too');
  });

  test('after a process crash, a sync write also covers the writes the reopen replayed from the old WAL', async () => {
    const first = await openFresh();
    const plain = await fillWal(first.c, 'p');
    const more = new Map([['q', 'in the current WAL, unsynced']]);
    await first.c.put('q', more.get('q')!);
    const fs = crashProcess(first.fs);
    await first.m.closeAll().catch(() => {}); // the crashed process's handles all fail
    const release = fs.holdSyncs(isTable); // the replayed memtables are not flushed away meanwhile
    const m = managerOn(fs);
    const c = await m.useCollection(COLLECTION);
    await c.put('sync', 'yes', { sync: true });
    const image = fs.crashImage(DROP_UNSYNCED);
    release();
    await m.closeAll();
    const { state } = await openImage(image);
    assert.equal(state.get('sync'), 'yes');
    assert.deepEqual(
      missing(state, new Map([...plain, ...more])),
      [],
      'writes replayed at the reopen were made durable before new writes were acknowledged',
    );
  });
});

describe('point-in-time recovery', () => {
  /** Plain writes in two WALs, the first kept live by a held flush. */
  async function twoWals() {
    const { fs, m, c } = await openFresh();
    const release = fs.holdSyncs(isTable);
    const older = c.stats().memtable.walNumber;
    const a = await fillWal(c, 'a');
    const newer = c.stats().memtable.walNumber;
    const b = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      b.set(`b${i}`, `value b${i}`);
      await c.put(`b${i}`, `value b${i}`);
    }
    return { fs, m, c, release, a, b, older: `${String(older).padStart(6, '0')}.log`, newer: `${String(newer).padStart(6, '0')}.log` };
  }

  /** Keeps every directory operation and all of every file's data, except `wal`, cut to `keep(length)` bytes. */
  const cutOne = (wal: string, keep: (length: number) => number): CutPolicy => ({
    name: `cut ${wal}`,
    keepDirOp: () => true,
    cutFile: (f) => ({
      truncated: false,
      length: f.path.endsWith(wal) ? keep(f.currentLength) : Math.max(f.durableLength, f.currentLength),
      keepPage: () => true,
    }),
  });

  test('a lost tail in an older WAL is a gap: later WALs are not replayed, they go to lost/, and the gap is reported', async () => {
    const s = await twoWals();
    const image = s.fs.crashImage(cutOne(s.older, (n) => Math.floor(n / 2)));
    s.release();
    await s.m.closeAll();
    const { state, recovery, fs } = await openImage(image);
    const keptA = [...s.a.keys()].filter((k) => state.has(k));
    assert.ok(keptA.length > 0 && keptA.length < s.a.size, `a prefix of the older WAL survives (${keptA.length} of ${s.a.size})`);
    assert.deepEqual(keptA, [...s.a.keys()].slice(0, keptA.length), 'and it is a prefix');
    assert.deepEqual(
      missing(new Map(), s.b).filter((k) => state.has(k)),
      [],
      'no write of the newer WAL comes back over the hole',
    );
    assert.equal(recovery.gap?.wal, s.newer);
    assert.match(recovery.gap?.reason ?? '', /first write has sequence \d+, but the writes before it end at \d+/);
    const lostWals = recovery.lostFiles.filter((f) => f.file.endsWith('.log'));
    assert.deepEqual(
      lostWals.map((f) => [f.file, f.movedTo]),
      [[s.newer, `lost/${s.newer}`]],
    );
    assert.match(lostWals[0].reason, /point-in-time recovery/);
    // A flush of the older WAL under way at the cut may have left a table the manifest never
    // listed. It holds the lost tail's writes, newer than what recovery kept: set aside, never deleted.
    for (const f of recovery.lostFiles.filter((f) => !f.file.endsWith('.log'))) {
      assert.match(f.file, /^\d+\.sst$/);
      assert.match(f.reason, /newer than the collection's state/);
    }
    const original = image.files.get(`${DIR}/${s.newer}`)!;
    const moved = await fs.readFile(`${DIR}/lost/${s.newer}`);
    assert.ok(moved.subarray(0, original.bytes.length).equals(original.bytes), 'the set-aside WAL keeps its bytes');
  });

  test('a WAL cut cleanly at a record boundary shows only as a jump in sequence numbers, and is a gap too', async () => {
    const s = await twoWals();
    // Drop the older WAL entirely: its directory entry is durable, none of its bytes are.
    const image = s.fs.crashImage(cutOne(s.older, () => 0));
    s.release();
    await s.m.closeAll();
    const { state, recovery } = await openImage(image);
    assert.deepEqual([...state.keys()], [], 'nothing of the newer WAL is replayed over the missing older one');
    assert.equal(recovery.gap?.wal, s.newer);
    assert.deepEqual(recovery.tornWals, [], 'no torn tail: only the sequence numbers tell');
  });

  test('a torn tail that an earlier recovery cut is no gap: the WAL it went on writing is replayed', async () => {
    const s = await twoWals();
    // A torn record at the end of the older WAL, nothing of the newer one.
    const image = s.fs.crashImage(cutOne(s.older, (n) => Math.floor(n / 2) + 3));
    s.release();
    await s.m.closeAll();
    const fs = new PowerCutFileSystem({ image: afterReboot(image) });
    const release = fs.holdSyncs(isTable); // the torn WAL stays live, unflushed
    const m = managerOn(fs);
    const c = await m.useCollection(COLLECTION);
    assert.equal(c.stats().recovery.tornWals.length, 1);
    const before = new Map<string, string>();
    for await (const [k, v] of c.scan()) before.set(k, v);
    await c.put('after', 'the torn tail', { sync: true });
    const again = fs.crashImage(DROP_UNSYNCED);
    release();
    await m.closeAll();
    const { state, recovery } = await openImage(again);
    assert.equal(recovery.gap, undefined, 'the new WAL continues the sequence where the cut left it');
    assert.equal(state.get('after'), 'the torn tail');
    assert.deepEqual(missing(state, before), []);
  });

  test('an empty WAL between two others is no gap', async () => {
    const first = await openFresh();
    const plain = await fillWal(first.c, 'p');
    // Two process crashes: the second session writes nothing, so its WAL stays empty.
    let fs = crashProcess(first.fs);
    await first.m.closeAll().catch(() => {});
    let release = fs.holdSyncs(isTable);
    let m = managerOn(fs);
    await m.useCollection(COLLECTION);
    const next = crashProcess(fs);
    await m.closeAll().catch(() => {});
    release();
    fs = next;
    release = fs.holdSyncs(isTable);
    m = managerOn(fs);
    const c = await m.useCollection(COLLECTION);
    await c.put('sync', 'yes', { sync: true });
    const image = fs.crashImage(DROP_UNSYNCED);
    const logs = [...image.files.keys()].filter((p) => p.endsWith('.log')).map((p) => image.files.get(p)!.length);
    assert.ok(logs.includes(0) && logs.length >= 3, `an empty WAL among the live ones (sizes ${logs.join(', ')})`);
    release();
    await m.closeAll();
    const { state, recovery } = await openImage(image);
    assert.equal(recovery.gap, undefined);
    assert.equal(state.get('sync'), 'yes');
    assert.deepEqual(missing(state, plain), []);
  });
});

describe('directory entries and what recovery acts on', () => {
  test('a collection whose creation was acknowledged survives a power cut, with the folders made for it', async () => {
    const fs = new PowerCutFileSystem({ dirs: ['/tmp'] });
    const m = managerOn(fs);
    await m.createCollection(COLLECTION);
    const image = fs.crashImage(DROP_UNSYNCED);
    const after = managerOn(new PowerCutFileSystem({ image: afterReboot(image) }));
    assert.deepEqual(await after.listCollections(), [COLLECTION], `${BASE} and its parent were made by createCollection`);
    await after.useCollection(COLLECTION);
    await after.closeAll();
  });

  /** Every image a cut at any change of `during` could leave, under a few policies. */
  async function cutEverywhere(
    fs: PowerCutFileSystem,
    policies: () => CutPolicy[],
    during: () => Promise<void>,
  ): Promise<{ at: string; image: DiskImage; policy: string }[]> {
    const images: { at: string; image: DiskImage; policy: string }[] = [];
    fs.onEffect = (at) => {
      for (const p of policies()) images.push({ at, image: fs.crashImage(p), policy: p.name });
    };
    try {
      await during();
    } finally {
      fs.onEffect = undefined;
    }
    return images;
  }

  /** Drops the new names of manifests, keeps every other directory operation and all data. */
  const manifestNamesLost: CutPolicy = {
    ...KEEP_EVERYTHING,
    name: 'manifest names lost',
    keepDirOp: (op) => !(op.kind === 'create' && /MANIFEST-\d+$/.test(op.path)),
  };

  test('a power cut at any point of an open leaves a collection that opens with every acknowledged write', async () => {
    const { fs, m, c } = await openFresh();
    const written = new Map<string, string>();
    for (let i = 0; i < 60; i++) {
      written.set(`k${i}`, `v${i}`);
      await c.put(`k${i}`, `v${i}`, { sync: i % 3 === 0 });
    }
    await c.put('last', 'sync', { sync: true });
    written.set('last', 'sync');
    await m.closeAll();
    const rand = seededRandom(11);
    let reopened!: StorageManager;
    const images = await cutEverywhere(
      fs,
      () => [DROP_UNSYNCED, KEEP_EVERYTHING, manifestNamesLost, randomCut(rand)],
      async () => {
        reopened = managerOn(fs);
        const again = await reopened.useCollection(COLLECTION);
        await again.flush(); // recovered memtables into a table: more manifest edits, WAL removals
      },
    );
    await reopened.closeAll();
    assert.ok(images.length > 40, `cuts at every change of the open (${images.length})`);
    for (const { at, image, policy } of images) {
      const { state } = await openImage(image).catch((err: Error) => assert.fail(`cut before "${at}" (${policy}): ${err.message}`));
      assert.deepEqual(missing(state, written), [], `cut before "${at}" (${policy})`);
    }
  });

  test('recovery makes durable what it read before deleting files by it (a manifest edit the crashed process never synced)', async () => {
    const { fs, m, c } = await openFresh();
    const history = new WriteHistory();
    const put = async (key: string, value: string, sync: boolean) => {
      const i = history.issue([{ key, value }], sync);
      await c.put(key, value, { sync });
      history.ack(i);
    };
    for (let i = 0; i < 20; i++) await put(`a${i}`, `v${i}`, i % 5 === 4);
    await c.flush(); // no flush in progress from here on but the one below
    for (let i = 20; i < 25; i++) await put(`a${i}`, `v${i}`, false);
    // A flush whose manifest edit is appended but whose fdatasync never completes: the process dies first.
    const releaseManifest = fs.holdSyncs((p) => /MANIFEST/.test(p));
    let appended = false;
    fs.onEffect = (at) => {
      if (/^append .*MANIFEST/.test(at)) appended = true;
    };
    let flushError: unknown;
    void c.flush().catch((err) => (flushError = err)); // dies with the process
    for (let turns = 0; !appended; turns++) {
      assert.ok(turns < 10_000 && flushError === undefined, `the flush never appended its manifest edit (${String(flushError)})`);
      await new Promise((r) => setImmediate(r));
    }
    fs.onEffect = undefined;
    for (let i = 0; i < 5; i++) await put(`b${i}`, `w${i}`, true);
    const next = crashProcess(fs);
    releaseManifest();
    await m.closeAll().catch(() => {});
    const bound = history.bound();
    const rand = seededRandom(12);
    const images = await cutEverywhere(
      next,
      () => [DROP_UNSYNCED, randomCut(rand), randomCut(rand)],
      async () => {
        const m2 = managerOn(next);
        await m2.useCollection(COLLECTION);
        await m2.closeAll();
      },
    );
    assert.ok(images.length > 20);
    for (const { at, image, policy } of images) {
      const { state } = await openImage(image).catch((err: Error) => assert.fail(`cut before "${at}" (${policy}): ${err.message}`));
      const verdict = history.check(state, bound);
      assert.ok(verdict.ok, `cut before "${at}" (${policy}): ${verdict.problem}`);
    }
  });
});

describe('the model', () => {
  // Runs are deterministic (runPowerCuts pins the clock the commit queue reads), so these seeds
  // give the same run every time; they were picked because their runs tear WALs and make gaps,
  // which the coverage checks below insist on. Each cut point gives four images, and one change
  // in 25 of each recovery is cut again.
  for (const [seed, compactions] of [
    [3, true],
    [4, false],
  ] as const) {
    test(`random workloads cut at random points recover every acknowledged sync write, a prefix of the rest, and no wrong value (seed ${seed}${compactions ? ', with compactions' : ''})`, async () => {
      const report = await runPowerCuts({ seed, steps: 200, cutRate: 0.04, randomImages: 2, compactions, nestedRate: 0.04 });
      const { failures, ...counts } = report;
      assert.deepEqual(
        failures.map((f) => `cut before "${f.at}" (${f.policy}, depth ${f.depth}): ${f.problem}`),
        [],
        JSON.stringify(counts),
      );
      assert.equal(report.statesRecovered, report.cutsTried);
      assert.ok(report.cutsTried >= 300, `hundreds of cuts (${report.cutsTried})`);
      // The run must have exercised what it claims to: otherwise a passing result means nothing.
      const cov = report.coverage;
      assert.ok(
        cov.flushes >= 30 && cov.syncWrites >= 50 && cov.processCrashes > 0 && cov.cleanReopens > 0,
        `flushes, sync writes, reopens: ${JSON.stringify(cov)}`,
      );
      assert.ok(
        cov.shorterPrefixes > 0 && cov.tornWals > 0 && cov.gaps > 0 && cov.nestedCuts > 0,
        `cuts took data away, tore WALs, made gaps: ${JSON.stringify(cov)}`,
      );
      if (compactions) assert.ok(cov.compactions > 0, 'compactions ran');
    });
  }
});
