import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FaultyFileSystem } from './faulty-fs.js';
import { tempDir } from './temp-dir.js';

const dir = tempDir('strata-faulty-fs');
after(dir.cleanup);

const errno = (code: string) => (err: unknown) => (err as NodeJS.ErrnoException).code === code;

test('FaultyFileSystem fails the nth matching call (and `times` of them), only on matching paths, and counts calls', async () => {
  const fs = new FaultyFileSystem();
  const log = fs.create(join(dir.path, 'a.log'));
  const sst = fs.create(join(dir.path, 'b.sst'));
  const fault = fs.fail({ op: 'append', path: /\.log$/, nth: 2, times: 2, code: 'ENOSPC' });
  const one = Buffer.from('x');
  log.append(one);
  sst.append(one);
  assert.throws(() => log.append(one), errno('ENOSPC'));
  assert.throws(() => log.append(one), errno('ENOSPC'));
  log.append(one);
  assert.deepEqual([fault.matched, fault.failed], [4, 2]);
  assert.equal(fs.calls('append'), 5);
  assert.equal(fs.calls('append', /\.sst$/), 1);
  assert.equal(fs.failures.length, 2);
  assert.equal(log.size, 2);
  fault.remove();
  log.append(one);
  assert.equal(fault.matched, 4, 'a removed rule no longer counts');
  await log.close();
  await sst.close();
});

test('a partial append writes the first bytes before failing; an `after` fault takes effect; a slow rule only delays', async () => {
  const fs = new FaultyFileSystem();
  const path = join(dir.path, 'p.log');
  const f = fs.create(path);
  fs.fail({ op: 'append', partialBytes: 3, code: 'EIO' });
  assert.throws(
    () => f.append(Buffer.from('abcdef')),
    (err: NodeJS.ErrnoException) => err.code === 'EIO' && err.path === undefined,
  );
  assert.equal(f.size, 3);
  assert.equal(readFileSync(path, 'utf8'), 'abc');
  fs.heal();
  f.truncate(0);
  await f.close();

  const target = join(dir.path, 'CURRENT');
  fs.fail({ op: 'writeFileAtomic', path: 'CURRENT', after: true });
  await assert.rejects(fs.writeFileAtomic(target, Buffer.from('x\n')), errno('EIO'));
  assert.equal(readFileSync(target, 'utf8'), 'x\n', 'the write happened before the error');
  fs.heal();

  fs.slow({ op: 'remove', delayMs: 30 });
  const started = performance.now();
  await fs.remove(target);
  assert.ok(performance.now() - started >= 25);
  assert.equal(existsSync(target), false);
  assert.throws(() => fs.slow({ op: 'append', delayMs: 1 }), RangeError);
});
