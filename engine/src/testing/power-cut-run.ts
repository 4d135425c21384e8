/**
 * The power-cut model check (see doc/power-loss.md): a random workload of
 * sync and plain puts, deletes and batches runs on a PowerCutFileSystem
 * with tiny memtables, so WALs rotate and flush all the time, with
 * compactions (run in-process, see in-process-launcher.ts), clean reopens
 * and process crashes. At cut points chosen at random among the disk's
 * changes, crash images are taken (nothing unsynced kept, everything kept,
 * and random allowed subsets) together with what had been acknowledged.
 * Afterwards each image is opened as after a reboot and judged by
 * WriteHistory: acknowledged sync writes and everything before them are
 * there, plain writes form a prefix, no value is wrong, and the open
 * succeeds. With `nested`, each recovery is itself cut at random points and
 * those images judged the same way, and a sync write after the recovery
 * must survive a cut right after it with the recovered state intact.
 *
 * Used by src/db/power-cut.test.ts (a bounded run) and
 * scripts/power-cut-soak.mjs (thousands of cuts).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Collection } from '../db/collection.js';
import type { CollectionOptions } from '../options/options.js';
import { StorageManager } from '../manager/storage-manager.js';
import { LOCK_FILE } from '../version/file-names.js';
import { inertLauncher } from './controlled-launcher.js';
import { inProcessLauncher } from './in-process-launcher.js';
import {
  type CutPolicy,
  type DiskImage,
  DROP_UNSYNCED,
  type FileImage,
  KEEP_EVERYTHING,
  PowerCutFileSystem,
  randomCut,
} from './power-cut-fs.js';
import { seededRandom } from './random.js';
import { type CutBound, WriteHistory, type WriteOp } from './write-history.js';

/** Two folders the manager creates itself: their directory entries must be made durable too. */
export const BASE = '/tmp/strata-power/data';
export const COLLECTION = 'c';
const ROOT_DIRS = ['/tmp'];
const MARKER_KEY = '~after-recovery';

export interface PowerCutRunOptions {
  seed: number;
  /** Workload steps: single writes, bursts of concurrent writes, flushes, compactions, reopens. */
  steps: number;
  /** Chance that a change to the disk becomes a cut point (appends count a quarter). */
  cutRate: number;
  /** Random images per cut point, besides the two extremes (nothing unsynced kept, everything kept). */
  randomImages: number;
  /** Compactions run (in-process), as the default options have them. */
  compactions: boolean;
  /** Cut each recovery too (at this chance per change), and check a sync write made after it. 0: off. */
  nestedRate: number;
  /** Details kept of at most this many failures. */
  maxFailureDetails?: number;
  /**
   * Default true: performance.now() advances 0.05 ms per call while the run
   * lasts. The commit queue chooses between a microtask and setImmediate by
   * it (YIELD_EVERY_MS), the only timing the engine branches on here, so a
   * seed then gives the same run, and the same failure, every time.
   */
  virtualClock?: boolean;
}

export interface CutFailure {
  /** The change to the disk the cut came before, and its number in the run. */
  at: string;
  effect: number;
  policy: string;
  /** 0: a cut of the workload; 1: a cut during the recovery of such a cut. */
  depth: number;
  bound: CutBound;
  problem: string;
  files: string[];
  /** The image itself, to open again while debugging (see scripts/power-cut-soak.mjs --dump). */
  image: DiskImage;
}

export interface PowerCutReport {
  seed: number;
  /** Changes to the disk the workload made, and cut points taken among them. */
  effects: number;
  cutPoints: number;
  /** Crash images opened and judged (workload cuts and cuts during recovery). */
  cutsTried: number;
  /** Of those, images not identical to one judged before. */
  distinctStates: number;
  /** Images whose open succeeded and whose state passed (a collection not yet created counts when its creation was not acknowledged). */
  statesRecovered: number;
  lostSyncWrites: number;
  wrongValues: number;
  /** States that are no prefix of the write history. */
  holes: number;
  openFailures: number;
  /** A sync write after recovery, then a cut: the state afterwards was not the recovered one plus that write. */
  afterRecoveryFailures: number;
  failures: CutFailure[];
  coverage: {
    writes: number;
    syncWrites: number;
    flushes: number;
    compactions: number;
    cleanReopens: number;
    processCrashes: number;
    /** Recovered states missing some issued plain writes (cuts that took something away). */
    shorterPrefixes: number;
    tornWals: number;
    /** Recoveries that stopped at a gap and set later WALs aside. */
    gaps: number;
    lostFiles: number;
    nestedCuts: number;
  };
  elapsedMs: number;
}

interface Cut {
  at: string;
  effect: number;
  policy: string;
  image: DiskImage;
  bound: CutBound;
  created: boolean;
  depth: number;
}

type Outcome =
  | { ok: true; state: Map<string, string> | undefined }
  | {
      ok: false;
      kind: 'open' | 'verdict' | 'after-recovery';
      problem: string;
      lostSyncWrites?: number;
      wrongValues?: number;
      hole?: boolean;
    };

export async function runPowerCuts(opts: PowerCutRunOptions): Promise<PowerCutReport> {
  if (opts.virtualClock === false) return run(opts);
  const realNow = performance.now;
  let now = 0;
  performance.now = () => (now += 0.05);
  try {
    return await run(opts);
  } finally {
    performance.now = realNow;
  }
}

async function run(opts: PowerCutRunOptions): Promise<PowerCutReport> {
  const started = Date.now();
  const rand = seededRandom(opts.seed);
  const cutRand = seededRandom(opts.seed ^ 0x5eed);
  const history = new WriteHistory();
  const cuts: Cut[] = [];
  const report: PowerCutReport = {
    seed: opts.seed,
    effects: 0,
    cutPoints: 0,
    cutsTried: 0,
    distinctStates: 0,
    statesRecovered: 0,
    lostSyncWrites: 0,
    wrongValues: 0,
    holes: 0,
    openFailures: 0,
    afterRecoveryFailures: 0,
    failures: [],
    coverage: {
      writes: 0,
      syncWrites: 0,
      flushes: 0,
      compactions: 0,
      cleanReopens: 0,
      processCrashes: 0,
      shorterPrefixes: 0,
      tornWals: 0,
      gaps: 0,
      lostFiles: 0,
      nestedCuts: 0,
    },
    elapsedMs: 0,
  };
  const options: Partial<CollectionOptions> = {
    memtableBytes: 1024,
    blockBytes: 256,
    level1TargetBytes: 4096,
    levelSizeMultiplier: 4,
    targetFileBytes: 2048,
    autoCompaction: opts.compactions,
    // No timed slowdown (timers would make runs differ); L0 still stops writes far out.
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
  };

  // ---- the workload, with cut points ----------------------------------------------

  let fs = new PowerCutFileSystem({ dirs: ROOT_DIRS });
  let created = false;
  fs.onEffect = (at) => {
    const weight = at.startsWith('append') || at.startsWith('preallocate') ? 0.25 : 1;
    if (cutRand() >= opts.cutRate * weight) return;
    report.cutPoints++;
    const bound = history.bound();
    const policies: CutPolicy[] = [DROP_UNSYNCED, KEEP_EVERYTHING];
    for (let i = 0; i < opts.randomImages; i++) policies.push(randomCut(cutRand, `random#${i + 1}`));
    for (const policy of policies)
      cuts.push({ at, effect: fs.effects, policy: policy.name, image: fs.crashImage(policy), bound, created, depth: 0 });
  };
  const managerOn = (on: PowerCutFileSystem) =>
    new StorageManager({ baseDataPath: BASE, fileSystem: on, compactionLauncher: inProcessLauncher(on), ...options });
  let manager = managerOn(fs);
  await manager.createCollection(COLLECTION);
  created = true;
  let c = await manager.useCollection(COLLECTION);
  const watch = (col: Collection) => {
    col.on('flush', () => report.coverage.flushes++);
    col.on('compaction-end', () => report.coverage.compactions++);
  };
  watch(c);
  const live = new Map<string, string>();

  const randomKey = () => {
    const letters = 'abcdefghij';
    let k = letters[Math.floor(rand() * 10)];
    if (rand() < 0.8) k += letters[Math.floor(rand() * 10)];
    return k;
  };
  const randomOps = (index: number, count: number): WriteOp[] =>
    Array.from({ length: count }, (_, j) => ({
      key: randomKey(),
      value: rand() < 0.8 ? `${index}.${j}:${'x'.repeat(Math.floor(rand() * 40))}` : undefined,
    }));
  const write = (ops: WriteOp[], sync: boolean, asBatch: boolean): Promise<void> => {
    const index = history.issue(ops, sync);
    report.coverage.writes++;
    if (sync) report.coverage.syncWrites++;
    for (const { key, value } of ops) {
      if (value === undefined) live.delete(key);
      else live.set(key, value);
    }
    const o = { sync };
    let done: Promise<void>;
    if (asBatch)
      done = c.batch(
        ops.map(({ key, value }) => (value === undefined ? { type: 'delete' as const, key } : { type: 'put' as const, key, value })),
        o,
      );
    else if (ops[0].value === undefined) done = c.delete(ops[0].key, o);
    else done = c.put(ops[0].key, ops[0].value, o);
    return done.then(() => history.ack(index));
  };
  const oneWrite = (sync: boolean) => {
    const batch = rand() < 0.25;
    return write(randomOps(history.length, batch ? 2 + Math.floor(rand() * 5) : 1), sync, batch);
  };

  try {
    await workload();
  } finally {
    fs.onEffect = undefined;
    // On a failure too: an in-process compaction left running would keep the process alive.
    await manager.closeAll();
  }
  report.effects = fs.effects;

  async function workload(): Promise<void> {
    for (let step = 0; step < opts.steps; step++) {
      const r = rand();
      if (r < 0.5) await oneWrite(rand() < 0.2);
      else if (r < 0.8) {
        // Concurrent writes: commit groups that mix sync and plain writes.
        const n = 2 + Math.floor(rand() * 9);
        const all: Promise<void>[] = [];
        for (let i = 0; i < n; i++) all.push(oneWrite(rand() < 0.25));
        await Promise.all(all);
      } else if (r < 0.86) {
        // Plain writes left in flight while a sync write goes after them.
        const all: Promise<void>[] = [];
        for (let i = 0, n = 1 + Math.floor(rand() * 20); i < n; i++) all.push(oneWrite(false));
        all.push(oneWrite(true));
        await Promise.all(all);
      } else if (r < 0.9) {
        const k = randomKey();
        const got = await c.get(k);
        if (got !== live.get(k))
          throw new Error(
            `live read of ${JSON.stringify(k)} at step ${step}: got ${JSON.stringify(got)}, expected ${JSON.stringify(live.get(k))}`,
          );
      } else if (r < 0.95) await c.flush();
      else if (r < 0.97) {
        if (opts.compactions) await c.compact();
      } else if (r < 0.985) {
        await manager.closeAll();
        report.coverage.cleanReopens++;
        manager = managerOn(fs);
        c = await manager.useCollection(COLLECTION);
        watch(c);
      } else {
        // A process crash: the page cache (and so every unsynced write) survives, the process does not.
        const next = fs.restartProcess();
        await manager.closeAll().catch(() => {}); // a killed process closes nothing: its calls all fail
        report.coverage.processCrashes++;
        fs = next;
        forgetLockOwner(fs);
        manager = managerOn(fs);
        c = await manager.useCollection(COLLECTION);
        watch(c);
      }
    }
  }

  // ---- judging every image --------------------------------------------------------

  const seen = new Map<string, Outcome>();
  const maxDetails = opts.maxFailureDetails ?? 10;
  const judge = async (cut: Cut): Promise<void> => {
    report.cutsTried++;
    const key = `${imageHash(cut.image)}|${cut.bound.issued}|${cut.bound.syncedThrough}|${cut.created}|${cut.depth}`;
    let outcome = seen.get(key);
    if (outcome === undefined) {
      report.distinctStates++;
      const nested: Cut[] = [];
      outcome = await recoverAndCheck(cut, nested);
      seen.set(key, outcome);
      for (const n of nested) await judge(n);
    }
    if (outcome.ok) {
      report.statesRecovered++;
      return;
    }
    if (outcome.kind === 'open') report.openFailures++;
    else if (outcome.kind === 'after-recovery') report.afterRecoveryFailures++;
    report.lostSyncWrites += outcome.lostSyncWrites ?? 0;
    report.wrongValues += outcome.wrongValues ?? 0;
    if (outcome.hole) report.holes++;
    if (report.failures.length < maxDetails) {
      report.failures.push({
        at: cut.at,
        effect: cut.effect,
        policy: cut.policy,
        depth: cut.depth,
        bound: cut.bound,
        problem: outcome.problem,
        files: [...cut.image.files].filter(([p]) => p.startsWith(BASE)).map(([p, f]) => `${p.slice(BASE.length + 1)} (${f.length} B)`),
        image: cut.image,
      });
    }
  };

  const recoverAndCheck = async (cut: Cut, nested: Cut[]): Promise<Outcome> => {
    const disk = new PowerCutFileSystem({ image: afterReboot(cut.image) });
    const nestedRate = cut.depth === 0 ? opts.nestedRate : 0;
    if (nestedRate > 0) {
      disk.onEffect = (at) => {
        if (cutRand() >= nestedRate) return;
        for (const policy of [DROP_UNSYNCED, randomCut(cutRand, 'random')]) {
          report.coverage.nestedCuts++;
          nested.push({
            at: `recovery: ${at}`,
            effect: disk.effects,
            policy: policy.name,
            image: disk.crashImage(policy),
            bound: cut.bound,
            created: cut.created,
            depth: 1,
          });
        }
      };
    }
    const m = new StorageManager({ baseDataPath: BASE, fileSystem: disk, compactionLauncher: inertLauncher });
    try {
      if (!(await m.listCollections()).includes(COLLECTION)) {
        if (cut.created)
          return { ok: false, kind: 'open', problem: `collection "${COLLECTION}" is missing, though its creation was acknowledged` };
        return { ok: true, state: undefined };
      }
      let col: Collection;
      try {
        col = await m.useCollection(COLLECTION);
      } catch (err) {
        return { ok: false, kind: 'open', problem: `open failed: ${(err as Error).message}` };
      }
      const state = await readAll(col);
      const recovery = col.stats().recovery;
      report.coverage.tornWals += recovery.tornWals.length;
      report.coverage.lostFiles += recovery.lostFiles.length;
      if (recovery.gap !== undefined) report.coverage.gaps++;
      const verdict = history.check(state, cut.bound);
      if (!verdict.ok)
        return {
          ok: false,
          kind: 'verdict',
          problem: verdict.problem ?? 'failed',
          lostSyncWrites: verdict.lostSyncWrites,
          wrongValues: verdict.wrongValues,
          hole: verdict.hole,
        };
      if (verdict.prefix! < cut.bound.issued) report.coverage.shorterPrefixes++;
      if (nestedRate > 0) {
        disk.onEffect = undefined;
        // A sync write now must make the whole recovered state durable with it.
        await col.put(MARKER_KEY, 'after-recovery', { sync: true });
        const afterCut = await reopenAndRead(disk.crashImage(DROP_UNSYNCED));
        const expected = new Map(state).set(MARKER_KEY, 'after-recovery');
        if (typeof afterCut === 'string')
          return { ok: false, kind: 'after-recovery', problem: `after a sync write following recovery, a cut: ${afterCut}` };
        const diff = describeDiff(expected, afterCut);
        if (diff !== undefined) return { ok: false, kind: 'after-recovery', problem: `a sync write after recovery, then a cut: ${diff}` };
      }
      return { ok: true, state };
    } finally {
      disk.onEffect = undefined;
      await m.closeAll();
    }
  };

  for (const cut of cuts) await judge(cut);
  report.elapsedMs = Date.now() - started;
  return report;
}

async function readAll(c: Collection): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for await (const [k, v] of c.scan()) state.set(k, v);
  return state;
}

/** Opens the collection in `image` (rebooted) and reads it; a string says why that failed. */
async function reopenAndRead(image: DiskImage): Promise<Map<string, string> | string> {
  const m = new StorageManager({
    baseDataPath: BASE,
    fileSystem: new PowerCutFileSystem({ image: afterReboot(image) }),
    compactionLauncher: inertLauncher,
  });
  try {
    return await readAll(await m.useCollection(COLLECTION));
  } catch (err) {
    return `open failed: ${(err as Error).message}`;
  } finally {
    await m.closeAll();
  }
}

function describeDiff(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): string | undefined {
  const diffs: string[] = [];
  for (const [k, v] of expected)
    if (actual.get(k) !== v) diffs.push(`${JSON.stringify(k)}: expected ${JSON.stringify(v)}, found ${JSON.stringify(actual.get(k))}`);
  for (const [k, v] of actual) if (!expected.has(k)) diffs.push(`${JSON.stringify(k)}: expected absent, found ${JSON.stringify(v)}`);
  return diffs.length === 0 ? undefined : `${diffs.length} difference(s): ${diffs.slice(0, 5).join('; ')}`;
}

/**
 * The disk as a rebooted machine finds it. Only one thing differs from the
 * image: a lock file naming this process (which, in the simulated world, died
 * with the power) is made to name a process started before the reboot, as its
 * pid would on a real machine, so the lock can be taken over.
 */
export function afterReboot(image: DiskImage): DiskImage {
  let files: Map<string, FileImage> | undefined;
  for (const [path, f] of image.files) {
    const name = posix.basename(path);
    if (name !== LOCK_FILE && name !== `${LOCK_FILE}.break`) continue;
    const patched = patchOwner(Buffer.concat([f.bytes, Buffer.alloc(f.length - f.bytes.length)]));
    if (patched === undefined) continue;
    files ??= new Map(image.files);
    files.set(path, { bytes: patched, length: patched.length });
  }
  return files === undefined ? image : { dirs: image.dirs, files };
}

/** The same for a process crash: the live disk's lock files, if they name this process. */
export function forgetLockOwner(fs: PowerCutFileSystem): void {
  for (const name of [LOCK_FILE, `${LOCK_FILE}.break`]) {
    const path = posix.join(BASE, COLLECTION, name);
    try {
      fs.patchFile(path, (bytes) => patchOwner(bytes) ?? bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // no lock file: nothing to forget
    }
  }
}

function patchOwner(bytes: Buffer): Buffer | undefined {
  try {
    const owner = JSON.parse(bytes.toString('utf8')) as { pid?: number; started?: string | null };
    if (owner.pid !== process.pid) return undefined;
    return Buffer.from(JSON.stringify({ ...owner, started: 'before-the-power-cut' }));
  } catch {
    return undefined; // not a whole lock record: the lock treats it as no owner's already
  }
}

function imageHash(image: DiskImage): string {
  const h = createHash('sha1');
  for (const d of image.dirs) h.update(`d${d}\0`);
  const ids = new Map<FileImage, number>();
  for (const [path, f] of image.files) {
    let id = ids.get(f);
    if (id === undefined) ids.set(f, (id = ids.size));
    h.update(`f${path}\0${id}\0${f.length}\0`);
    h.update(f.bytes);
  }
  return h.digest('hex');
}
