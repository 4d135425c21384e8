import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageError } from '../errors.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import { StorageManager } from './storage-manager.js';

const dir = tempDir('strata-manager');
after(dir.cleanup);
let n = 0;
const freshManager = (opts: object = {}) => new StorageManager({ baseDataPath: join(dir.path, `m${n++}`), ...opts });

const code = isStorageError;

describe('StorageManager', () => {
  test('creates, lists, uses and closes collections like the original', async () => {
    const m = freshManager();
    assert.deepEqual(await m.listCollections(), []);
    await m.createCollection('users');
    await m.createCollection('orders');
    assert.deepEqual(await m.listCollections(), ['orders', 'users']);
    assert.equal(m.getActiveCollection(), undefined, 'create does not make a collection active');
    const users = await m.useCollection('users');
    assert.equal(m.getActiveCollection(), users);
    assert.equal(users.name, 'users');
    const orders = await m.getCollection('orders');
    assert.equal(m.getActiveCollection(), users, 'getCollection leaves the active one alone');
    assert.equal(await m.getCollection('orders'), orders, 'an open collection is reused');
    await m.closeCollection('users');
    assert.equal(m.getActiveCollection(), undefined);
    await assert.rejects(users.get('k'), code('CLOSED'));
    await m.closeAll();
  });

  test('describes a collection open from its stats, and closed from its manifest and WALs, without locking it', async () => {
    const m = freshManager();
    await m.createCollection('sum');
    const c = await m.getCollection('sum');
    await c.batch(Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v' })));
    await c.flush();
    await c.put('extra', 'v');
    const open = await m.describeCollection('sum');
    assert.equal(open.open, true);
    assert.equal(open.approximateEntries, 301);
    assert.equal(open.tableFiles, 1);
    assert.ok(open.tableBytes > 0);
    await m.closeCollection('sum');
    const other = new StorageManager({ baseDataPath: m.baseDataPath });
    const held = await other.getCollection('sum'); // holds the lock: describing must not need it
    const closed = await m.describeCollection('sum');
    assert.equal(closed.open, false);
    assert.equal(closed.approximateEntries, 301, 'tables plus the WAL not yet flushed');
    assert.ok(closed.tableFiles >= 1);
    assert.equal(held.isOpen, true);
    await other.closeAll();
    await assert.rejects(m.describeCollection('missing'), code('COLLECTION_NOT_FOUND'));
    await assert.rejects(m.describeCollection('../x'), code('INVALID_NAME'));
  });

  test('refuses bad collection names before touching the file system', async () => {
    const m = freshManager();
    for (const bad of ['../x', 'a/b', '', 'a\0b', '.hidden', 'x'.repeat(65), 'sp ace', 'é']) {
      await assert.rejects(m.createCollection(bad), code('INVALID_NAME'), JSON.stringify(bad));
      await assert.rejects(m.useCollection(bad), code('INVALID_NAME'));
      await assert.rejects(m.dropCollection(bad), code('INVALID_NAME'));
    }
    await assert.rejects(m.createCollection('a/b'), code('INVALID_NAME', /"\/"/));
    await assert.rejects(m.createCollection(42 as unknown as string), code('INVALID_NAME', /must be a string/));
    assert.equal(existsSync(m.baseDataPath) && readdirSync(m.baseDataPath).length > 0, false);
    await m.createCollection('ok_name-1.2');
  });

  test('refuses names that break on Windows: reserved device names in any case and with any extension, and trailing dots', async () => {
    const m = freshManager();
    for (const bad of ['CON', 'con', 'Nul', 'aux.txt', 'PRN.tar.gz', 'COM1', 'com9.db', 'LPT3', 'lpt0.x']) {
      await assert.rejects(m.createCollection(bad), code('INVALID_NAME', /reserved on Windows/), bad);
      await assert.rejects(m.useCollection(bad), code('INVALID_NAME', /reserved on Windows/), bad);
    }
    for (const bad of ['name.', 'a..']) await assert.rejects(m.createCollection(bad), code('INVALID_NAME', /must not end with "\."/), bad);
    assert.equal(existsSync(m.baseDataPath) && readdirSync(m.baseDataPath).length > 0, false);
    // Names that only contain a reserved word are ordinary names.
    for (const ok of ['console', 'auxiliary', 'com10', 'nul_x', 'x.con']) await m.createCollection(ok);
    assert.deepEqual(await m.listCollections(), ['auxiliary', 'com10', 'console', 'nul_x', 'x.con']);
  });

  test('says what is wrong with a name that starts with "-" or "." with the rule it broke, not a garbled character', async () => {
    const m = freshManager();
    await assert.rejects(m.createCollection('-rf'), code('INVALID_NAME', /must start with a letter, a digit or "_", not "-"/));
    await assert.rejects(m.createCollection('.hidden'), code('INVALID_NAME', /must not start with "\."/));
    await assert.rejects(m.createCollection('-rf'), (err: Error) => !err.message.includes('undefined'));
  });

  test('refuses a name that differs from an existing collection only in case, and names the existing one', async () => {
    const m = freshManager();
    await m.createCollection('foo');
    await assert.rejects(
      m.createCollection('Foo'),
      code('COLLECTION_EXISTS', /"Foo" differs from the existing collection "foo" only in case/),
    );
    await assert.rejects(m.createCollection('FOO'), code('COLLECTION_EXISTS', /"foo"/));
    assert.deepEqual(await m.listCollections(), ['foo']);
    await assert.rejects(m.useCollection('Foo'), code('COLLECTION_NOT_FOUND', /did you mean "foo"\?/));
  });

  test('a new manager removes the staging directories that dead processes left, and keeps those of live ones', async () => {
    const base = join(dir.path, `staging${n++}`);
    mkdirSync(base, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    const leftovers = [
      `.creating-users-${dead}-0a1b2c3d`,
      `.dropping-orders-${dead}-0a1b2c3e`,
      '.creating-old-0a1b2c3f', // named before the pid was recorded
      '.dropping-old-x-0a1b2c40',
    ];
    const live = [`.creating-users-${process.pid}-0a1b2c41`, `.dropping-orders-${process.pid}-0a1b2c42`];
    for (const name of [...leftovers, ...live]) {
      mkdirSync(join(base, name));
      writeFileSync(join(base, name, 'OPTIONS'), '{}');
    }
    const m = new StorageManager({ baseDataPath: base });
    assert.deepEqual(await m.listCollections(), []);
    assert.deepEqual(
      readdirSync(base).sort(),
      live.sort(),
      'leftovers of dead processes are gone; a live process may still be working in its own',
    );
  });

  test('a drop interrupted after its rename leaves nothing behind once a manager starts again', async () => {
    const base = join(dir.path, `dropcrash${n++}`);
    const m = new StorageManager({ baseDataPath: base });
    await m.createCollection('secret');
    const c = await m.useCollection('secret');
    await c.put('k', 'private value', { sync: true });
    await m.closeAll();
    // A drop renames the collection aside and then deletes it; a crash between the two
    // steps leaves the renamed folder, made by a process that is now gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    const { renameSync } = await import('node:fs');
    renameSync(join(base, 'secret'), join(base, `.dropping-secret-${dead}-0badc0de`));
    const again = new StorageManager({ baseDataPath: base });
    assert.deepEqual(await again.listCollections(), []);
    assert.deepEqual(readdirSync(base), [], 'the dropped data does not survive hidden');
  });

  test('gives COLLECTION_EXISTS and COLLECTION_NOT_FOUND with the name', async () => {
    const m = freshManager();
    await m.createCollection('a');
    await assert.rejects(m.createCollection('a'), code('COLLECTION_EXISTS', /"a"/));
    await assert.rejects(m.useCollection('missing'), code('COLLECTION_NOT_FOUND', /"missing"/));
    await assert.rejects(m.getCollection('missing'), code('COLLECTION_NOT_FOUND'));
    await assert.rejects(m.dropCollection('missing'), code('COLLECTION_NOT_FOUND'));
  });

  test('drop closes the collection and deletes its directory', async () => {
    const m = freshManager();
    await m.createCollection('gone');
    const c = await m.useCollection('gone');
    await c.put('k', 'v');
    await m.dropCollection('gone');
    assert.deepEqual(await m.listCollections(), []);
    assert.equal(existsSync(join(m.baseDataPath, 'gone')), false);
    await assert.rejects(c.put('k', 'v'), code('CLOSED'));
    await m.createCollection('gone');
    const again = await m.useCollection('gone');
    assert.equal(await again.get('k'), undefined, 'a re-created collection starts empty');
    await m.closeAll();
  });

  test('a collection open in one manager is locked for another, naming the pid, until closed', async () => {
    const base = join(dir.path, 'shared');
    const a = new StorageManager({ baseDataPath: base });
    const b = new StorageManager({ baseDataPath: base });
    await a.createCollection('c');
    await a.useCollection('c');
    await assert.rejects(b.useCollection('c'), code('COLLECTION_LOCKED', new RegExp(`${process.pid}|this process`)));
    await assert.rejects(b.dropCollection('c'), code('COLLECTION_LOCKED'));
    await a.closeAll();
    const c = await b.useCollection('c');
    await c.put('x', '1');
    await b.closeAll();
  });

  test('a lock left by a dead process does not block', async () => {
    const m = freshManager();
    await m.createCollection('stale');
    const lock = join(m.baseDataPath, 'stale', 'LOCK');
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: '1' }));
    const c = await m.useCollection('stale');
    await c.put('k', 'v');
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
    await m.closeAll();
    assert.equal(existsSync(lock), false, 'close releases the lock');
  });

  test('a slow taker of a stale lock never removes the fresh lock another opener took meanwhile', async () => {
    const base = join(dir.path, 'lock-race');
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    const { NodeFileSystem } = await import('../fs/node-fs.js');
    await new StorageManager({ baseDataPath: base }).createCollection('c');
    writeFileSync(join(base, 'c', 'LOCK'), JSON.stringify({ pid: 2 ** 22 + 999, host: hostname(), started: '1' }));
    // A judges the lock dead, then stalls right before its takeover until B
    // (another opener) has taken the lock over and opened the collection.
    const b = new StorageManager({ baseDataPath: base });
    let bOpen: Promise<unknown> | undefined;
    class StallsBeforeTakeover extends NodeFileSystem {
      override async createExclusive(path: string, data: Uint8Array): Promise<boolean> {
        if (path.endsWith('LOCK.break') && bOpen === undefined) await (bOpen = b.useCollection('c'));
        return super.createExclusive(path, data);
      }
    }
    const a = new StorageManager({ baseDataPath: base, fileSystem: new StallsBeforeTakeover() });
    const ra = await a.useCollection('c').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(bOpen !== undefined, 'A reached the takeover');
    await bOpen; // B took over the dead lock
    assert.ok(
      ra instanceof StorageError && ra.code === 'COLLECTION_LOCKED',
      `A, late, must not also own the collection (got ${String(ra)})`,
    );
    assert.match(ra.message, /this process/);
    await b.closeAll();
    await a.closeAll();
  });

  test('of several processes racing for the same stale lock, exactly one wins', async () => {
    const m = freshManager();
    await m.createCollection('contended');
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    writeFileSync(join(m.baseDataPath, 'contended', 'LOCK'), JSON.stringify({ pid: 2 ** 22 + 54321, host: hostname(), started: '1' }));
    // Each racer reports how its open went; a winner keeps the collection
    // until every racer has reported (its stdin closes), so no late starter
    // can find the lock released and win as well.
    const script = join(m.baseDataPath, 'racer.mts');
    writeFileSync(
      script,
      `import { StorageManager } from ${JSON.stringify(fileURLToPath(new URL('../index.ts', import.meta.url)))};
const m = new StorageManager({ baseDataPath: ${JSON.stringify(m.baseDataPath)} });
try {
  await m.useCollection('contended');
  console.log('WON');
  process.stdin.resume();
  await new Promise((r) => process.stdin.on('end', r));
  await m.closeAll();
} catch (err) {
  console.log(err.code ?? err.message);
}
`,
    );
    const engineRoot = fileURLToPath(new URL('../..', import.meta.url));
    const RACERS = 6;
    const children = Array.from({ length: RACERS }, () =>
      spawn(process.execPath, ['--import', 'tsx', script], { cwd: engineRoot, stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const reports = children.map(
      (child) =>
        new Promise<string>((resolve) => {
          let out = '';
          child.stdout.on('data', (d) => {
            out += d;
            if (out.includes('\n')) resolve(out.trim());
          });
          child.on('close', () => resolve(out.trim()));
        }),
    );
    const results = await Promise.all(reports);
    const exited = children.map((child) => new Promise((r) => (child.exitCode === null ? child.on('close', r) : r(null))));
    for (const child of children) child.stdin.end();
    await Promise.all(exited);
    assert.equal(results.filter((r) => r === 'WON').length, 1, results.join(', '));
    assert.equal(results.filter((r) => r === 'COLLECTION_LOCKED').length, RACERS - 1, results.join(', '));
    assert.deepEqual(
      readdirSync(join(m.baseDataPath, 'contended')).filter((f) => f.startsWith('LOCK')),
      [],
      'the winner released the lock and no scratch file is left',
    );
  });

  test('options are validated by name and persisted with the collection', async () => {
    const m = freshManager({ memtableBytes: 8192 });
    await assert.rejects(m.createCollection('x', { memtableBytez: 1 } as object), code('INVALID_OPTIONS', /memtableBytez/));
    await assert.rejects(m.createCollection('x', { blockBytes: 3 }), code('INVALID_OPTIONS', /blockBytes/));
    assert.throws(() => new StorageManager({ baseDataPath: '' }), code('INVALID_ARGUMENT'));
    await m.createCollection('x', { bloomBitsPerKey: 12 });
    const saved = JSON.parse(readFileSync(join(m.baseDataPath, 'x', 'OPTIONS'), 'utf8'));
    assert.equal(saved.memtableBytes, 8192, 'manager defaults apply');
    assert.equal(saved.bloomBitsPerKey, 12, 'per-collection options win');
    const other = new StorageManager({ baseDataPath: m.baseDataPath, memtableBytes: 1 << 20 });
    const c = await other.useCollection('x');
    assert.equal(c.options.memtableBytes, 8192, 'persisted options win over a later opener');
    await other.closeAll();
  });
});
