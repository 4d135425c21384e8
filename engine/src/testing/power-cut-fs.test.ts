import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import type { FileSystem } from '../fs/file-system.js';
import {
  type CutPolicy,
  type DiskImage,
  DROP_UNSYNCED,
  KEEP_EVERYTHING,
  PAGE_BYTES,
  PowerCutFileSystem,
  randomCut,
} from './power-cut-fs.js';
import { seededRandom } from './random.js';
import { tempDir } from './temp-dir.js';

/** The bytes of `path` in `image` (undefined if it is not there), trailing zeros included. */
function read(image: DiskImage, path: string): string | undefined {
  const f = image.files.get(path);
  if (f === undefined) return undefined;
  return Buffer.concat([f.bytes, Buffer.alloc(f.length - f.bytes.length)]).toString('latin1');
}

/** Images from many random policies, plus the two extremes. */
function manyImages(fs: PowerCutFileSystem, seed = 1, count = 200): DiskImage[] {
  const rand = seededRandom(seed);
  const out = [fs.crashImage(DROP_UNSYNCED), fs.crashImage(KEEP_EVERYTHING)];
  for (let i = 0; i < count; i++) out.push(fs.crashImage(randomCut(rand)));
  return out;
}

async function freshDir(fs: PowerCutFileSystem, path = '/d'): Promise<string> {
  await fs.mkdir(path);
  await fs.syncDir('/');
  return path;
}

describe('files', () => {
  test('a cut keeps the fsynced bytes and a prefix of what was appended since; nothing else', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/a`);
    await fs.syncDir(d);
    f.append(Buffer.from('synced:'));
    await f.sync();
    f.append(Buffer.from('one,'));
    f.append(Buffer.from('two'));
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/d/a'), 'synced:');
    assert.equal(read(fs.crashImage(KEEP_EVERYTHING), '/d/a'), 'synced:one,two');
    const seen = new Set<string>();
    for (const image of manyImages(fs)) {
      const text = read(image, '/d/a')!;
      assert.ok(
        'synced:one,two'.startsWith(text) && text.length >= 'synced:'.length,
        `not durable bytes plus a prefix: ${JSON.stringify(text)}`,
      );
      seen.add(text);
    }
    assert.ok(seen.size > 4, `random cuts should land at many points, saw ${[...seen].join(' | ')}`);
  });

  test('fdatasync persists what was written before the call, not what is appended while it runs', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/a`);
    await fs.syncDir(d);
    f.append(Buffer.from('before'));
    const syncing = f.sync();
    f.append(Buffer.from('+during'));
    await syncing;
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/d/a'), 'before');
    await f.sync();
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/d/a'), 'before+during');
  });

  test('a write into preallocated, fsynced zeros changes no length: after a cut the page holds the new byte or the zero', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/wal`);
    await fs.syncDir(d);
    f.preallocate(2 * PAGE_BYTES);
    await f.sync();
    f.append(Buffer.from('A'));
    const states = new Set(
      manyImages(fs, 2).map((image) => `${read(image, '/d/wal')!.length}:${JSON.stringify(read(image, '/d/wal')![0])}`),
    );
    assert.deepEqual([...states].sort(), ['16384:"A"', '16384:"\\u0000"']);
  });

  test('a truncate since the last fsync reached the disk or not; what was appended after it survives as a prefix', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/log`);
    await fs.syncDir(d);
    f.append(Buffer.from('abcdef'));
    await f.sync();
    f.truncate(3);
    f.append(Buffer.from('XY'));
    const states = new Set(manyImages(fs, 7).map((image) => read(image, '/d/log')));
    // Not truncated: the old length, with the overwritten page new or old. Truncated: 'abc' and a prefix of 'XY'.
    assert.deepEqual([...states].sort(), ['abc', 'abcX', 'abcXY', 'abcXYf', 'abcdef']);
  });

  test('pages of a preallocated region are kept independently: later pages can survive while an earlier one is lost', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/wal`);
    await fs.syncDir(d);
    f.preallocate(2 * PAGE_BYTES);
    await f.sync();
    const page = (c: string) => Buffer.alloc(PAGE_BYTES, c);
    f.append(page('a'));
    f.append(page('b'));
    f.append(page('c'));
    const patterns = new Set<string>();
    for (const image of manyImages(fs, 3, 400)) {
      const text = read(image, '/d/wal')!;
      assert.equal(text.length, 4 * PAGE_BYTES, 'overwrites change no length');
      patterns.add([0, 1, 2].map((p) => (text[p * PAGE_BYTES] === '\u0000' ? '-' : text[p * PAGE_BYTES])).join(''));
    }
    assert.equal(patterns.size, 8, `every subset of the three pages: ${[...patterns].sort().join(' ')}`);
  });

  test('appends past the durable end never leave a hole: what survives of them is a prefix', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/sst`);
    await fs.syncDir(d);
    const data = Buffer.alloc(5 * PAGE_BYTES);
    for (let i = 0; i < data.length; i++) data[i] = 1 + (i % 250);
    f.append(data);
    for (const image of manyImages(fs, 4)) {
      const text = Buffer.from(read(image, '/d/sst')!, 'latin1');
      assert.ok(text.equals(data.subarray(0, text.length)), 'a prefix of the appended bytes');
    }
  });
});

describe('directories', () => {
  test('a file fsynced but whose directory entry was not is gone after a cut (the bug class ALICE found)', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/a`);
    f.append(Buffer.from('data'));
    await f.sync();
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/d/a'), undefined);
    await fs.syncDir(d);
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/d/a'), 'data');
  });

  test('a new directory whose parent was not fsynced takes everything inside it along', async () => {
    const fs = new PowerCutFileSystem();
    await fs.mkdir('/x/y');
    const f = fs.create('/x/y/a');
    f.append(Buffer.from('data'));
    await f.sync();
    await fs.syncDir('/x/y');
    assert.deepEqual(fs.crashImage(DROP_UNSYNCED).dirs, ['/']);
    await fs.syncDir('/x');
    assert.deepEqual(fs.crashImage(DROP_UNSYNCED).dirs, ['/'], 'y is durable in x, but x is not in /');
    await fs.syncDir('/');
    assert.equal(read(fs.crashImage(DROP_UNSYNCED), '/x/y/a'), 'data');
  });

  test('writeFileAtomic replaces a file whole: after any cut it holds the old content or the new, never a mix or nothing', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    await fs.writeFileAtomic(`${d}/CURRENT`, Buffer.from('old-contents\n'));
    const rand = seededRandom(5);
    const seen = new Set<string | undefined>();
    fs.onEffect = () => {
      for (let i = 0; i < 30; i++)
        seen.add(read(fs.crashImage(i === 0 ? DROP_UNSYNCED : i === 1 ? KEEP_EVERYTHING : randomCut(rand)), '/d/CURRENT'));
    };
    await fs.writeFileAtomic(`${d}/CURRENT`, Buffer.from('new\n'));
    fs.onEffect = undefined;
    assert.deepEqual([...seen].sort(), ['new\n', 'old-contents\n']);
  });

  test('operations on one name reach the disk in order, and a rename carries both of its names', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const a = fs.create(`${d}/a`);
    a.append(Buffer.from('first'));
    await a.sync();
    await fs.rename(`${d}/a`, `${d}/b`);
    const a2 = fs.create(`${d}/a`);
    a2.append(Buffer.from('second'));
    await a2.sync();
    const states = new Set<string>();
    for (const image of manyImages(fs, 6, 300)) {
      const state = `a=${read(image, '/d/a') ?? '-'} b=${read(image, '/d/b') ?? '-'}`;
      states.add(state);
    }
    // Never 'first' under both names (a rename is atomic), never the second a before the rename freed the name.
    assert.deepEqual([...states].sort(), ['a=- b=-', 'a=- b=first', 'a=first b=-', 'a=second b=first']);
  });

  test('fsync of a directory makes durable the operations in it and the earlier ones they depend on, not others', async () => {
    const fs = new PowerCutFileSystem();
    await fs.mkdir('/src');
    await fs.mkdir('/dst');
    await fs.syncDir('/');
    fs.create('/src/t');
    await fs.rename('/src/t', '/dst/t');
    fs.create('/src/other');
    await fs.syncDir('/dst');
    const image = fs.crashImage(DROP_UNSYNCED);
    assert.ok(image.files.has('/dst/t'), 'the rename into /dst, and the create it depends on');
    assert.ok(!image.files.has('/src/other'), 'an unrelated create in /src stays unsynced');
    assert.deepEqual(fs.pendingDirOps(), [{ kind: 'create', path: '/src/other' }]);
  });

  test('createExclusive links a fully written file into place, or reports the name taken', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    assert.equal(await fs.createExclusive(`${d}/LOCK`, Buffer.from('one')), true);
    assert.equal(await fs.createExclusive(`${d}/LOCK`, Buffer.from('two')), false);
    assert.equal((await fs.readFile(`${d}/LOCK`)).toString(), 'one');
    assert.deepEqual(await fs.readdir(d), ['LOCK'], 'the temp files are gone');
  });
});

describe('processes and reboots', () => {
  test('restartProcess: the old handle and its files fail, the new one sees the unsynced data, and a cut still drops it', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/a`);
    await fs.syncDir(d);
    f.append(Buffer.from('cached'));
    const pending = fs.readFile(`${d}/a`);
    const next = fs.restartProcess();
    await assert.rejects(pending, /killed/, 'an in-flight call of the dead process never completes');
    assert.throws(() => f.append(Buffer.from('x')), /killed/);
    await assert.rejects(fs.readdir(d), /killed/);
    assert.equal((await next.readFile(`${d}/a`)).toString(), 'cached');
    assert.equal(read(next.crashImage(DROP_UNSYNCED), '/d/a'), '');
  });

  test('a disk built from an image holds it all durably, hard links included', async () => {
    const fs = new PowerCutFileSystem({ dirs: ['/tmp'] });
    const d = await freshDir(fs);
    const f = fs.create(`${d}/a`);
    f.append(Buffer.from('abc'));
    await f.sync();
    await fs.createExclusive(`${d}/L`, Buffer.from('lock'));
    await fs.syncDir(d);
    const image = fs.crashImage(KEEP_EVERYTHING);
    const rebooted = new PowerCutFileSystem({ image });
    assert.deepEqual(rebooted.crashImage(DROP_UNSYNCED), image);
    assert.equal((await rebooted.readFile('/d/a')).toString(), 'abc');
    assert.ok(await rebooted.exists('/tmp'));
  });

  test('holdSyncs keeps matching fdatasyncs waiting until released', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    const f = fs.create(`${d}/x.sst`);
    f.append(Buffer.from('t'));
    const release = fs.holdSyncs((p) => p.endsWith('.sst'));
    let done = false;
    const syncing = f.sync().then(() => (done = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    release();
    await syncing;
    assert.equal(done, true);
  });

  test('a policy that picks a length outside what the disk allows is refused', async () => {
    const fs = new PowerCutFileSystem();
    const d = await freshDir(fs);
    fs.create(`${d}/a`).append(Buffer.from('abc'));
    await fs.syncDir(d);
    const bad: CutPolicy = { ...KEEP_EVERYTHING, name: 'bad', cutFile: () => ({ truncated: false, length: 99, keepPage: () => true }) };
    assert.throws(() => fs.crashImage(bad), /outside \[0, 3\]/);
  });
});

describe('the running view behaves like NodeFileSystem', () => {
  const dir = tempDir('strata-power-cut-fs');
  after(dir.cleanup);

  for (const seed of [9, 10, 11])
    test(`the same random calls give the same results and the same error codes (seed ${seed})`, async () => {
      const real = new NodeFileSystem();
      const base = join(dir.path, `s${seed}`);
      await real.mkdir(base);
      const sim = new PowerCutFileSystem({ dirs: [base] });
      const rand = seededRandom(seed);
      const names = ['a', 'b', 'sub', 'sub/c', 'sub/d', 'missing/e'];
      const outcome = async (run: (fs: FileSystem) => Promise<unknown>, fs: FileSystem) => {
        try {
          const r = await run(fs);
          return Buffer.isBuffer(r) ? `bytes:${r.toString('hex')}` : JSON.stringify(Array.isArray(r) ? [...r].sort() : r);
        } catch (err) {
          return `error:${(err as NodeJS.ErrnoException).code}`;
        }
      };
      for (let step = 0; step < 300; step++) {
        const p = (n: string) => join(base, n);
        const name = names[Math.floor(rand() * names.length)];
        const other = names[Math.floor(rand() * names.length)];
        const data = Buffer.from(`s${step}`);
        const ops: [string, (fs: FileSystem) => Promise<unknown>][] = [
          ['mkdir', (fs) => fs.mkdir(p(name))],
          ['create', async (fs) => void fs.create(p(name)).close()],
          ['writeFileAtomic', (fs) => fs.writeFileAtomic(p(name), data)],
          ['readFile', (fs) => fs.readFile(p(name))],
          ['readdir', (fs) => fs.readdir(p(name === 'a' || name === 'b' ? '.' : name))],
          ['exists', (fs) => fs.exists(p(name))],
          ['remove', (fs) => fs.remove(p(name))],
          ['rename', (fs) => fs.rename(p(name), p(other))],
          ['createExclusive', (fs) => fs.createExclusive(p(name), data)],
          [
            'append',
            async (fs) => {
              const f = fs.openAppend(p(name));
              f.append(data);
              await f.close();
            },
          ],
          [
            'read',
            async (fs) => {
              const f = fs.openRead(p(name));
              try {
                return f.read(0, Math.min(2, f.size));
              } finally {
                await f.close();
              }
            },
          ],
        ];
        const [label, run] = ops[Math.floor(rand() * ops.length)];
        const expected = await outcome(run, real);
        const got = await outcome(run, sim);
        assert.equal(got, expected, `step ${step}: ${label} ${name}${label === 'rename' ? ` -> ${other}` : ''}`);
      }
    });
});
