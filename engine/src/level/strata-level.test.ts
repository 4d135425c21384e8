import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageManager } from '../manager/storage-manager.js';
import { StrataLevel } from './strata-level.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'strata-level-test-'));
  roots.push(root);
  return root;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('data written through StrataLevel is readable through StorageManager after close', async () => {
  const root = await freshRoot();
  const db = new StrataLevel(join(root, 'users'));
  await db.batch([
    { type: 'put', key: 'alice', value: '1' },
    { type: 'put', key: 'bob', value: '2' },
    { type: 'put', key: 'carol', value: '3' },
  ]);
  await db.del('bob');
  await db.put('dave', 'x', { valueEncoding: 'json' }); // stored as the UTF-8 string "\"x\""
  await db.close();

  const manager = new StorageManager({ baseDataPath: root });
  assert.deepEqual(await manager.listCollections(), ['users']);
  const c = await manager.getCollection('users');
  assert.equal(await c.get('alice'), '1');
  assert.equal(await c.get('bob'), undefined);
  assert.deepEqual(await collect(c.scan()), [
    ['alice', '1'],
    ['carol', '3'],
    ['dave', '"x"'],
  ]);
  await manager.closeAll();
});

test('data written through StorageManager is readable through StrataLevel, and vice versa again', async () => {
  const root = await freshRoot();
  const manager = new StorageManager({ baseDataPath: root, memtableBytes: 1024 });
  await manager.createCollection('events');
  const c = await manager.getCollection('events');
  for (let i = 0; i < 200; i++) await c.put(`k${String(i).padStart(3, '0')}`, `v${i}`);
  await c.flush(); // some entries in SSTables, not only the log
  await c.put('k000', 'changed');
  await manager.closeAll();

  const db = new StrataLevel(join(root, 'events'), { createIfMissing: false });
  assert.equal(await db.get('k000'), 'changed');
  assert.equal(await db.get('k199'), 'v199');
  assert.deepEqual(await db.keys({ gte: 'k100', lt: 'k103' }).all(), ['k100', 'k101', 'k102']);
  assert.equal((await db.iterator().all()).length, 200);
  await db.put('from-level', 'yes');
  await db.close();

  const again = await manager.getCollection('events');
  assert.equal(await again.get('from-level'), 'yes');
  await manager.closeAll();
});

test('the empty key and keys starting with U+0000 are stored escaped, in order', async () => {
  const root = await freshRoot();
  const db = new StrataLevel(join(root, 'nul-keys'));
  const keys = ['', '\u0000', '\u0000a', '\u0001', 'a'];
  for (const k of [...keys].reverse()) await db.put(k, JSON.stringify(k));
  assert.deepEqual(await db.keys().all(), keys);
  assert.deepEqual(await db.keys({ reverse: true }).all(), [...keys].reverse());
  assert.deepEqual(await db.keys({ gt: '' }).all(), keys.slice(1));
  assert.deepEqual(await db.keys({ lt: '\u0001' }).all(), keys.slice(0, 3));
  await db.close();

  const manager = new StorageManager({ baseDataPath: root });
  const c = await manager.getCollection('nul-keys');
  // Keys not starting with U+0000 are stored as they are; the others get one more U+0000.
  assert.deepEqual(
    (await collect(c.scan())).map(([k]) => k),
    ['\u0000', '\u0000\u0000', '\u0000\u0000a', '\u0001', 'a'],
  );
  await manager.closeAll();
});

test('a second open of the same location in this process fails with LEVEL_LOCKED', async () => {
  const root = await freshRoot();
  const location = join(root, 'locked');
  const first = new StrataLevel(location);
  await first.open();
  const second = new StrataLevel(location);
  await assert.rejects(second.open(), (err: any) => {
    assert.equal(err.code, 'LEVEL_DATABASE_NOT_OPEN');
    assert.equal(err.cause?.code, 'LEVEL_LOCKED');
    assert.match(err.cause.message, /locked by this process/);
    return true;
  });
  await first.close();
  await second.open(); // the lock is released on close
  await second.close();
});

test('an open of a location held by another process fails with LEVEL_LOCKED naming its pid', async (t) => {
  const root = await freshRoot();
  const location = join(root, 'shared');
  const moduleUrl = new URL('./strata-level.ts', import.meta.url).href;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { StrataLevel } from ${JSON.stringify(moduleUrl)};
       const db = new StrataLevel(${JSON.stringify(location)});
       await db.open();
       process.stdout.write('ready\\n');
       process.stdin.once('data', async () => { await db.close(); process.stdout.write('closed\\n'); });`,
    ],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill();
  });
  const lines = lineReader(child);
  assert.equal(await lines(), 'ready');

  const db = new StrataLevel(location);
  await assert.rejects(db.open(), (err: any) => {
    assert.equal(err.code, 'LEVEL_DATABASE_NOT_OPEN');
    assert.equal(err.cause?.code, 'LEVEL_LOCKED');
    assert.match(err.cause.message, new RegExp(`locked by process ${child.pid}\\b`));
    return true;
  });

  child.stdin!.end('close\n');
  assert.equal(await lines(), 'closed');
  await once(child, 'exit');
  await db.open();
  await db.close();
});

test('an explicit snapshot keeps its view across memtable flushes', async () => {
  const root = await freshRoot();
  const db = new StrataLevel(join(root, 'snap'), { collection: { memtableBytes: 1024 } });
  for (let i = 0; i < 100; i++) await db.put(`k${String(i).padStart(3, '0')}`, 'before');
  const snapshot = db.snapshot();
  const it = db.iterator({ snapshot });
  for (let i = 0; i < 100; i++) await db.put(`k${String(i).padStart(3, '0')}`, 'after');
  for (let i = 100; i < 200; i++) await db.put(`k${String(i).padStart(3, '0')}`, 'after');
  await db.del('k050');
  await db.strataCollection!.flush();

  assert.ok(db.strataCollection!.stats().totals.flushes > 0, 'flushed while the snapshot was open');
  assert.equal(await db.get('k050', { snapshot }), 'before');
  assert.equal(db.getSync('k150', { snapshot }), undefined);
  assert.deepEqual(await db.hasMany(['k000', 'k150'], { snapshot }), [true, false]);
  const seen = await it.all();
  assert.equal(seen.length, 100);
  assert.ok(seen.every(([, v]) => v === 'before'));
  assert.equal((await db.values().all()).filter((v) => v === 'after').length, 199);
  await snapshot.close();
  await db.close();
});

function lineReader(child: ChildProcess): () => Promise<string> {
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  // If the child dies, pending and later reads get a line saying so instead of hanging.
  child.once('exit', (code) => {
    lines.push(`exited with code ${code}`);
    for (const w of waiting.splice(0)) w(`exited with code ${code}`);
  });
  return () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((r) => waiting.push(r)));
}
