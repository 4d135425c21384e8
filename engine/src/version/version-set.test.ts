/**
 * The invariants run: a manifest whose replay breaks one does not open
 * (CORRUPTION naming the manifest and what is wrong), and an edit that would
 * break one is never logged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import { encodeRecord } from '../log/log-format.js';
import { StorageManager } from '../manager/storage-manager.js';
import { isStorageError } from '../testing/storage-error.js';
import { tempDir } from '../testing/temp-dir.js';
import { CURRENT_FILE, manifestFileName } from './file-names.js';
import type { TableSummary } from './table-summary.js';
import { encodeEdit, type VersionEdit } from './version-edit.js';
import { VersionSet } from './version-set.js';

const dir = tempDir('strata-version-set');
after(() => dir.cleanup());
const fs = new NodeFileSystem();
const LEVELS = 7;
let n = 0;

function table(id: number, level: number, minKey: string, maxKey: string): TableSummary {
  return { id, level, bytes: 100, entries: 1, tombstones: 0, minKey, maxKey, minSequence: 1, maxSequence: id };
}

/** A collection directory whose CURRENT names a manifest holding `edits`; returns the directory and the manifest's path. */
function manifestWith(edits: VersionEdit[]): { path: string; manifest: string } {
  const path = join(dir.path, `c${n++}`);
  mkdirSync(path);
  const manifest = join(path, manifestFileName(3));
  writeFileSync(manifest, Buffer.concat(edits.map((e) => encodeRecord(encodeEdit(e)))));
  writeFileSync(join(path, CURRENT_FILE), `${manifestFileName(3)}\n`);
  return { path, manifest };
}

const snapshot = (added: TableSummary[], nextFileNumber = 50): VersionEdit => ({
  snapshot: true,
  added,
  nextFileNumber,
  lastSequence: 0,
  logNumber: 0,
});

async function replay(path: string): Promise<VersionSet> {
  const versions = new VersionSet(fs, path, LEVELS);
  await versions.recover();
  return versions;
}

describe('replaying a manifest checks the state it records', () => {
  test('overlapping L1 tables: the collection does not open, CORRUPTION names the manifest and the tables', async () => {
    const base = join(dir.path, 'manager');
    const m = new StorageManager({ baseDataPath: base });
    await m.createCollection('t');
    await m.closeAll();
    const current = readFileSync(join(base, 't', CURRENT_FILE), 'utf8').trim();
    const manifest = join(base, 't', current);
    writeFileSync(manifest, encodeRecord(encodeEdit(snapshot([table(10, 1, 'a', 'm'), table(11, 1, 'k', 'z')]))));
    await assert.rejects(
      new StorageManager({ baseDataPath: base }).getCollection('t'),
      isStorageError(
        'CORRUPTION',
        new RegExp(`${current}: the state it records is inconsistent: L1 tables 10 \\["a", "m"\\] and 11 \\["k", "z"\\] overlap`),
      ),
    );
  });

  test('an edit deleting a table the state does not hold: CORRUPTION naming the record', async () => {
    const { path, manifest } = manifestWith([snapshot([table(10, 1, 'a', 'c')]), { deleted: [{ level: 1, id: 12 }] }]);
    await assert.rejects(
      replay(path),
      isStorageError('CORRUPTION', new RegExp(`${manifest}: record 1 deletes table 12 from L1, which does not hold it`)),
    );
  });

  test('a table deleted from the wrong level is absent there too', async () => {
    const { path } = manifestWith([snapshot([table(10, 1, 'a', 'c')]), { deleted: [{ level: 2, id: 10 }] }]);
    await assert.rejects(replay(path), isStorageError('CORRUPTION', /record 1 deletes table 10 from L2/));
  });

  test('a table numbered at or above the next file number', async () => {
    const { path } = manifestWith([snapshot([table(60, 1, 'a', 'c')], 50)]);
    await assert.rejects(replay(path), isStorageError('CORRUPTION', /L1 table 60 is not below the next file number 50/));
  });

  test('a table listed twice, at two levels', async () => {
    const { path } = manifestWith([snapshot([table(10, 1, 'a', 'c')]), { added: [table(10, 3, 'a', 'c')] }]);
    await assert.rejects(replay(path), isStorageError('CORRUPTION', /table 10 is listed twice, in L1 and in L3/));
  });

  test('a consistent manifest replays: moves, compactions and L0 tables that overlap', async () => {
    const { path } = manifestWith([
      snapshot([table(10, 0, 'a', 'z'), table(11, 0, 'b', 'y'), table(12, 1, 'a', 'c')]),
      { deleted: [{ level: 1, id: 12 }], added: [table(12, 2, 'a', 'c')] },
      {
        deleted: [
          { level: 0, id: 10 },
          { level: 0, id: 11 },
        ],
        added: [table(13, 1, 'a', 'm'), table(14, 1, 'n', 'z')],
      },
    ]);
    const versions = await replay(path);
    assert.deepEqual(
      versions.current.levels.map((files) => files.map((f) => f.id)),
      [[], [13, 14], [12], [], [], [], []],
    );
  });
});

describe('an edit that would break an invariant is never logged', () => {
  async function openSet(): Promise<{ versions: VersionSet; manifest: string }> {
    const { path } = manifestWith([snapshot([table(10, 1, 'a', 'c')])]);
    const versions = await replay(path);
    await versions.writeSnapshotManifest();
    return { versions, manifest: join(path, versions.manifestFile) };
  }

  test('deleting a table the state does not hold: refused with CORRUPTION, the manifest unchanged', async () => {
    const { versions, manifest } = await openSet();
    const before = readFileSync(manifest);
    await assert.rejects(
      versions.logAndApply({ deleted: [{ level: 1, id: 11 }] }),
      isStorageError('CORRUPTION', /refused to log a version edit to .*MANIFEST-\d+: it deletes table 11 from L1/),
    );
    assert.deepEqual(readFileSync(manifest), before);
    assert.deepEqual(
      [...versions.current.files()].map((f) => f.id),
      [10],
    );
    await versions.close();
  });

  test('adding an L1 table that overlaps one there (checked before every edit under the test runner)', async () => {
    assert.equal(process.env.STRATA_CHECK_INVARIANTS, '1', 'run through scripts/run-tests.mjs, which turns the full check on');
    const { versions, manifest } = await openSet();
    const before = readFileSync(manifest);
    await assert.rejects(
      versions.logAndApply({ added: [table(versions.newFileNumber(), 1, 'b', 'd')] }),
      isStorageError('CORRUPTION', /the state it makes is inconsistent: L1 tables 10 \["a", "c"\] and \d+ \["b", "d"\] overlap/),
    );
    assert.deepEqual(readFileSync(manifest), before);
    await versions.close();
  });
});
