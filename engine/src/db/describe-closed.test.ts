import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import { collectionFixture } from '../testing/collection-fixture.js';
import { describeClosedCollection } from './describe-closed.js';

const fixture = collectionFixture('strata-describe-closed');

/** A file system that runs `between` once, right after the first directory listing. */
class ListingThenFs extends NodeFileSystem {
  constructor(private between: (() => Promise<void>) | undefined) {
    super();
  }

  override async readdir(path: string): Promise<string[]> {
    const names = await super.readdir(path);
    const run = this.between;
    this.between = undefined;
    await run?.();
    return names;
  }
}

/** A closed collection "t" with 300 flushed entries and 1 in its WAL. */
async function closedWithWalTail() {
  const { m, c, base } = await fixture.open();
  await c.batch(Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v' })));
  await c.flush();
  await c.put('extra', 'v');
  await m.closeCollection('t');
  return join(base, 't');
}

describe('describeClosedCollection', () => {
  test('counts tables from the manifest plus the operations in WALs not yet flushed', async () => {
    const dir = await closedWithWalTail();
    const s = await describeClosedCollection(new NodeFileSystem(), dir);
    assert.equal(s.tableEntries, 300);
    assert.equal(s.walEntries, 1);
    assert.equal(s.tableFiles, 1);
    assert.ok(s.tableBytes > 0);
  });

  test('an opener in another process that flushes and deletes the listed WAL mid-read does not make it fail', async () => {
    const dir = await closedWithWalTail();
    const base = join(dir, '..');
    const fs = new ListingThenFs(async () => {
      // The WAL we just listed is replayed, flushed and deleted by someone else.
      const other = fixture.manager({ baseDataPath: base });
      const c = await other.getCollection('t');
      await c.flush();
      await other.closeAll();
    });
    const s = await describeClosedCollection(fs, dir);
    assert.equal(s.tableEntries + s.walEntries, 301, 'the second look sees the WAL record in a table');
  });

  test('a collection whose CURRENT names a missing manifest is still reported as corrupt', async () => {
    const dir = await closedWithWalTail();
    const fs = new NodeFileSystem();
    await fs.writeFileAtomic(join(dir, 'CURRENT'), Buffer.from('MANIFEST-999999\n'));
    await assert.rejects(describeClosedCollection(fs, dir), /does not exist/);
  });
});
