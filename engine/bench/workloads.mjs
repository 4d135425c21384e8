// The benchmark's workloads, in db_bench's shape (16-byte keys, 100-byte
// values), written once against a tiny adapter so both stores run exactly the
// same operations on exactly the same data.
//
// An adapter (see run-store.mjs) is:
//   put(key, value, sync?) / get(key) -> value | undefined / del(key)
//   batch([{ type: 'put', key, value }])
//   scan({ gte?, limit?, reverse? }) -> number of entries read, each store
//     iterating in its own idiomatic way
//   settle()  compacts the whole store and waits until background work is idle
//             (classic-level: compactRange over all keys; Strata: compact())
//   close()

export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;
const BATCH = 1000;
const WRITERS = 64;
const SEEK_NEXTS = 50;
const SYNC_ROUNDS = 5;

/** Zero-padded decimal, so key order is numeric order and fillseq is sequential. */
export const key = (i) => String(i).padStart(KEY_BYTES, '0');
/** Sorts between existing keys (like db_bench's key + '.'), so only a lookup can tell it is absent. */
const missingKey = (i) => String(i).padStart(KEY_BYTES - 1, '0') + '.';

/** mulberry32: small, fast, and seeded, so both stores see the same key sequence. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n) };
}

// Values as db_bench makes them: 50 random printable characters repeated to
// 100 bytes, so they compress to about half (classic-level uses Snappy), and
// taken from a pool so making one costs the same in both stores.
const POOL_VALUES = 10_007;
const POOL = (() => {
  const r = prng(301);
  let s = '';
  for (let i = 0; i < POOL_VALUES; i++) {
    let half = '';
    for (let j = 0; j < VALUE_BYTES / 2; j++) half += String.fromCharCode(32 + r.int(95));
    s += half + half;
  }
  return s;
})();
export const value = (i) => {
  const at = (i % POOL_VALUES) * VALUE_BYTES;
  return POOL.slice(at, at + VALUE_BYTES);
};

const syncCount = (n) => Math.max(1, Math.floor(n / 1000));

/**
 * Long workloads run in CHUNKS pieces: each `run` is an async generator that
 * yields after each piece, so the driver can alternate the two stores piece
 * by piece. The machine's speed drifts over minutes, and classic-level's
 * side of a write workload lasts 8-10 times as long as Strata's: run whole,
 * the two sides of one ratio saw different spells (overwrite read 8.4x in one
 * run and 7.4x in the next). Full scans run in one piece. Sync fills are
 * cut too (fillsync-64 by its rounds): they last under a second, but one slow
 * spell of the disk's fsyncs would otherwise land on one side only.
 */
export const CHUNKS = 10;
/** Whether operation i (of n) ends a piece. */
const chunkEnds = (i, n) => (i + 1) % Math.ceil(n / CHUNKS) === 0 && i + 1 < n;

function expect(what, actual, wanted) {
  if (actual !== wanted) throw new Error(`${what}: got ${actual}, expected ${wanted}`);
}

/**
 * In run order. `store: 'fresh'` runs on a new, empty store of its own;
 * `'main'` on the one store that fillrandom fills and the rest read, so reads
 * see every key. `settle` asks the runner to let compaction finish (untimed)
 * afterwards and record disk size and write amplification. `run` is an
 * async generator (see CHUNKS) that returns the number of operations it ran.
 */
export const workloads = [
  {
    name: 'fillseq',
    store: 'fresh',
    async *run(db, n) {
      for (let i = 0; i < n; i++) {
        await db.put(key(i), value(i));
        if (chunkEnds(i, n)) yield;
      }
      return n;
    },
  },
  {
    name: 'fillbatch',
    store: 'fresh',
    async *run(db, n) {
      for (let i = 0; i < n; i += BATCH) {
        const ops = [];
        for (let j = i; j < Math.min(n, i + BATCH); j++) ops.push({ type: 'put', key: key(j), value: value(j) });
        await db.batch(ops);
        if (chunkEnds(Math.min(n, i + BATCH) - 1, n)) yield;
      }
      return n;
    },
  },
  {
    name: 'fillsync',
    store: 'fresh',
    async *run(db, n, rng) {
      const count = syncCount(n);
      for (let i = 0; i < count; i++) {
        await db.put(key(rng.int(n)), value(i), true);
        if (chunkEnds(i, count)) yield;
      }
      return count;
    },
  },
  {
    // Many writers waiting on fsync at once: what group commit is for. With
    // 64 writers, N/1000 writes are only ~16 fsyncs, a few tens of
    // milliseconds in which one slow fsync of the disk swings the result 2x;
    // so both stores write N/1000 five times over and the ops/s is the total's.
    name: `fillsync-${WRITERS}`,
    store: 'fresh',
    async *run(db, n, rng) {
      const perRound = syncCount(n);
      let next = 0;
      for (let round = 1; round <= SYNC_ROUNDS; round++) {
        const end = round * perRound;
        const writer = async () => {
          while (next < end) {
            const i = next++;
            await db.put(key(rng.int(n)), value(i), true);
          }
        };
        await Promise.all(Array.from({ length: WRITERS }, writer));
        if (round < SYNC_ROUNDS) yield;
      }
      return perRound * SYNC_ROUNDS;
    },
  },
  {
    // A shuffled 0..n-1 rather than draws with replacement, so the store
    // afterwards holds every key and readrandom finds them all.
    name: 'fillrandom',
    store: 'main',
    settle: true,
    async *run(db, n, rng) {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let i = 0; i < n; i++) {
        await db.put(key(order[i]), value(i));
        if (chunkEnds(i, n)) yield;
      }
      return n;
    },
  },
  {
    name: 'overwrite',
    store: 'main',
    settle: true,
    async *run(db, n, rng) {
      for (let i = 0; i < n; i++) {
        await db.put(key(rng.int(n)), value(i + 1));
        if (chunkEnds(i, n)) yield;
      }
      return n;
    },
  },
  {
    name: 'readrandom',
    store: 'main',
    async *run(db, n, rng) {
      let found = 0;
      for (let i = 0; i < n; i++) {
        if ((await db.get(key(rng.int(n)))) !== undefined) found++;
        if (chunkEnds(i, n)) yield;
      }
      expect('readrandom found', found, n);
      return n;
    },
  },
  {
    name: 'readmissing',
    store: 'main',
    async *run(db, n, rng) {
      let found = 0;
      for (let i = 0; i < n; i++) {
        if ((await db.get(missingKey(rng.int(n)))) !== undefined) found++;
        if (chunkEnds(i, n)) yield;
      }
      expect('readmissing found', found, 0);
      return n;
    },
  },
  {
    name: 'readseq',
    store: 'main',
    // eslint-disable-next-line require-yield -- a full scan is one piece; the driver takes every workload as a generator
    async *run(db, n) {
      expect('readseq entries', await db.scan({}), n);
      return n;
    },
  },
  {
    name: 'readreverse',
    store: 'main',
    // eslint-disable-next-line require-yield -- a full scan is one piece; the driver takes every workload as a generator
    async *run(db, n) {
      expect('readreverse entries', await db.scan({ reverse: true }), n);
      return n;
    },
  },
  {
    // One op = a seek to a random key plus reading the next 50 entries.
    name: `seekrandom`,
    store: 'main',
    async *run(db, n, rng) {
      const seeks = Math.max(1, Math.floor(n / 10));
      for (let i = 0; i < seeks; i++) {
        const at = rng.int(n);
        expect('seekrandom entries', await db.scan({ gte: key(at), limit: SEEK_NEXTS }), Math.min(SEEK_NEXTS, n - at));
        if (chunkEnds(i, seeks)) yield;
      }
      return seeks;
    },
  },
  {
    name: 'deleterandom',
    store: 'main',
    async *run(db, n, rng) {
      for (let i = 0; i < n; i++) {
        await db.del(key(rng.int(n)));
        if (chunkEnds(i, n)) yield;
      }
      return n;
    },
  },
];

/**
 * The workloads named in `only` (all when absent), in run order. The reads
 * need the store fillrandom fills, so naming any of them runs fillrandom too.
 */
export function selectWorkloads(only) {
  if (only === undefined) return workloads;
  const names = new Set(only.split(',').map((s) => s.trim()));
  const unknown = [...names].filter((n) => !workloads.some((w) => w.name === n));
  if (unknown.length > 0)
    throw new Error(`--only: unknown workload ${unknown.join(', ')} (known: ${workloads.map((w) => w.name).join(', ')})`);
  if (workloads.some((w) => names.has(w.name) && w.store === 'main')) names.add('fillrandom');
  return workloads.filter((w) => names.has(w.name));
}
