/**
 * Damage is never silent and never deletes data: what an open does with a
 * damaged manifest, and with files the manifest does not list.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCompaction } from '../compaction/merge.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { encodeRecord, RECORD_HEADER_BYTES, sealRecord } from '../log/log-format.js';
import type { StorageManager } from '../manager/storage-manager.js';
import { collectionFixture } from '../testing/collection-fixture.js';
import { seededRandom } from '../testing/random.js';
import { isStorageError } from '../testing/storage-error.js';
import { encodeEdit } from '../version/version-edit.js';
import { manifestFileName, tableFileName } from '../version/file-names.js';
import type { TableSummary } from '../version/table-summary.js';
import type { Collection } from './collection.js';

const fixture = collectionFixture('strata-damage');
const key = (i: number) => `key${String(i).padStart(4, '0')}`;

/** Start offsets of the records of a log file. */
function recordStarts(data: Buffer): number[] {
  const starts: number[] = [];
  for (let pos = 0; pos + RECORD_HEADER_BYTES <= data.length; pos += RECORD_HEADER_BYTES + data.readUInt32LE(pos)) starts.push(pos);
  return starts;
}

function manifestOf(dir: string): string {
  return join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());
}

describe('a damaged manifest', () => {
  test('a flipped byte in its last record is CORRUPTION naming the file and offset; the flushed table is kept', async () => {
    const { m, c, base } = await fixture.open();
    for (let i = 0; i < 100; i++) await c.put(key(i), `value ${i}`, { sync: true });
    await c.flush();
    await m.closeAll();
    const dir = join(base, 't');
    const tables = readdirSync(dir).filter((f) => f.endsWith('.sst'));
    assert.equal(tables.length, 1, 'the flush wrote one table');

    const manifest = manifestOf(dir);
    const data = readFileSync(manifest);
    const last = recordStarts(data).at(-1)!;
    // Every byte of the last record, header and payload: each flip alone must be caught.
    for (const at of [last, last + 4, last + 8, last + RECORD_HEADER_BYTES, data.length - 1]) {
      const damaged = Buffer.from(data);
      damaged[at] ^= 0x20;
      writeFileSync(manifest, damaged);
      const m2 = fixture.manager({ baseDataPath: base });
      await assert.rejects(
        m2.getCollection('t'),
        isStorageError('CORRUPTION', new RegExp(`MANIFEST-\\d+: .*offset ${last}`)),
        `byte ${at} flipped`,
      );
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.sst')),
        tables,
        `byte ${at} flipped: the table is still there`,
      );
    }

    writeFileSync(manifest, data);
    const m3 = fixture.manager({ baseDataPath: base });
    const c3 = await m3.getCollection('t');
    for (let i = 0; i < 100; i++) assert.equal(await c3.get(key(i)), `value ${i}`);
    await m3.closeAll();
  });

  test('a last record cut short (a crash during its append) is a torn tail: the edit before it stands', async () => {
    const { m, c, base } = await fixture.open();
    await c.put('a', '1', { sync: true });
    await m.closeAll();
    const dir = join(base, 't');
    // A record that never finished: a valid header and part of its payload, then nothing, or zeros.
    const record = sealRecord(Buffer.concat([Buffer.alloc(RECORD_HEADER_BYTES), Buffer.from(JSON.stringify({ logNumber: 999999 }))]));
    for (const tail of [
      record.subarray(0, record.length - 3),
      record.subarray(0, 7),
      Buffer.concat([record.subarray(0, 20), Buffer.alloc(record.length - 20)]),
    ]) {
      // Each open starts a new manifest: the tail goes on the one CURRENT names now.
      const manifest = manifestOf(dir);
      const data = readFileSync(manifest);
      writeFileSync(manifest, Buffer.concat([data, tail]));
      const m2 = fixture.manager({ baseDataPath: base });
      const c2 = await m2.getCollection('t');
      assert.equal(await c2.get('a'), '1');
      // The dropped edit is reported, with where the manifest was cut.
      assert.deepEqual(c2.stats().recovery.tornManifest, { path: manifest, cutAt: data.length, fileBytes: data.length + tail.length });
      await m2.closeAll();
    }
  });
});

describe('files the manifest does not list', () => {
  test('are kept in lost/ and reported, never deleted, when they hold data the manifest lacks', async () => {
    const { m, c, base } = await fixture.open();
    for (let i = 0; i < 50; i++) await c.put(key(i), `value ${i}`, { sync: true });
    await c.flush();
    await m.closeAll();
    const dir = join(base, 't');
    const table = readdirSync(dir).find((f) => f.endsWith('.sst'))!;
    // The manifest forgets the table (as a lost edit would): rewrite it from its first record only.
    const manifest = manifestOf(dir);
    const data = readFileSync(manifest);
    const starts = recordStarts(data);
    writeFileSync(manifest, data.subarray(0, starts[1] ?? data.length));

    const m2 = fixture.manager({ baseDataPath: base });
    const c2 = await m2.getCollection('t');
    const lost = c2.stats().recovery.lostFiles;
    assert.equal(lost.length, 1, JSON.stringify(lost));
    assert.equal(lost[0].file, table);
    assert.equal(lost[0].movedTo, `lost/${table}`);
    assert.match(lost[0].reason, /not in the manifest/);
    assert.ok(existsSync(join(dir, 'lost', table)), 'the table is in lost/');
    await m2.closeAll();
  });
});

/** Names in the collection folder, and in its lost/ folder. */
const filesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f !== 'lost' && f !== 'LOCK')
    .sort();
const lostIn = (dir: string) => (existsSync(join(dir, 'lost')) ? readdirSync(join(dir, 'lost')).sort() : []);

async function contents(c: Collection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of c.scan()) out.set(k, v);
  return out;
}

/** A copy of an open collection's folder, as a SIGKILL at this moment would leave it (no LOCK: the copy's holder is gone). */
function snapshot(dir: string, to: string): string {
  cpSync(dir, to, { recursive: true });
  rmSync(join(to, 'LOCK'), { force: true });
  return to;
}

/** Opens the collection "t" under `base` and checks the open set nothing aside and reads `expected`. */
async function openClean(fixtureManager: (base: string) => StorageManager, base: string, expected: Map<string, string>, what: string) {
  const m = fixtureManager(base);
  const c = await m.getCollection('t');
  assert.deepEqual(c.stats().recovery.lostFiles, [], `${what}: nothing set aside`);
  assert.deepEqual(await contents(c), expected, `${what}: every key reads its value`);
  await m.closeAll();
  assert.deepEqual(lostIn(join(base, 't')), [], `${what}: lost/ is empty`);
}

const managerAt = (base: string) => fixture.manager({ baseDataPath: base, autoCompaction: false });

describe('what a crash leaves behind is removed as provably obsolete, and nothing is set aside', () => {
  test('a flush output, complete or cut short at any point, whose WAL is still there to replay', async () => {
    const { m, c, base } = await fixture.open({ autoCompaction: false });
    const dir = join(base, 't');
    const expected = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      const k = key(i % 300); // overwrites too: the table holds each key's newest version only
      await c.put(k, `value ${i} ${'x'.repeat(i % 50)}`);
      expected.set(k, `value ${i} ${'x'.repeat(i % 50)}`);
    }
    for (let i = 0; i < 300; i += 7) {
      await c.delete(key(i));
      expected.delete(key(i));
    }
    const beforeFlush = snapshot(dir, join(base, 'before'));
    await c.flush();
    await m.closeAll();
    const table = readdirSync(dir).find((f) => f.endsWith('.sst'))!;
    const bytes = readFileSync(join(dir, table));
    const rand = seededRandom(15);
    const cuts = [
      bytes.length,
      0,
      1,
      100,
      bytes.length - 1,
      bytes.length - 48,
      ...Array.from({ length: 12 }, () => Math.floor(rand() * bytes.length)),
    ];
    for (const [i, cut] of cuts.entries()) {
      const crashBase = join(base, `crash-${i}`);
      snapshot(beforeFlush, join(crashBase, 't'));
      writeFileSync(join(crashBase, 't', table), bytes.subarray(0, cut));
      await openClean(managerAt, crashBase, expected, `flush output cut at ${cut} of ${bytes.length}`);
      assert.ok(!filesIn(join(crashBase, 't')).includes(table), `cut at ${cut}: the unlisted table was removed`);
    }
  });

  test('compaction outputs, complete or cut short, whose inputs are all still live', async () => {
    const { m, c, base } = await fixture.open({ autoCompaction: false });
    const dir = join(base, 't');
    const expected = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 300; i++) {
        if ((i + round) % 5 === 0) {
          await c.delete(key(i));
          expected.delete(key(i));
        } else {
          await c.put(key(i), `r${round} ${i}`);
          expected.set(key(i), `r${round} ${i}`);
        }
      }
      await c.flush();
    }
    const level0: TableSummary[] = c.stats().levels[0].files.map((f) => ({ ...f, level: 0, size: f.bytes }));
    await m.closeAll();
    // The worker's outputs, numbered above anything the manifest knows, written but never installed.
    const outputIds = Array.from({ length: 20 }, (_, i) => 500 + i);
    const result = await runCompaction(new NodeFileSystem(), {
      id: 1,
      directory: dir,
      reason: 'test',
      inputs: [{ level: 0, files: level0 }],
      outputLevel: 1,
      outputIds,
      deeperSpans: [],
      grandparents: [],
      targetFileBytes: 1024,
      maxGrandparentOverlapBytes: Number.MAX_SAFE_INTEGER,
      blockBytes: 512,
      bloomBitsPerKey: 10,
      compression: 'snappy',
    });
    assert.ok(result.outputs.length >= 3, `several outputs: ${JSON.stringify(result)}`);
    assert.ok(result.droppedTombstones > 0, 'the outputs dropped tombstones the live inputs still hold');
    const crashed = snapshot(dir, join(base, 'crashed', 't'));
    const last = tableFileName(result.outputs.at(-1)!.id);
    const lastBytes = readFileSync(join(crashed, last));
    writeFileSync(join(crashed, last), lastBytes.subarray(0, Math.floor(lastBytes.length * 0.6))); // the one being written
    await openClean(managerAt, join(base, 'crashed'), expected, 'unfinished compaction');
    for (const f of result.outputs) assert.ok(!existsSync(join(crashed, tableFileName(f.id))), `output ${f.id} removed`);
  });

  test('a WAL already flushed, an old manifest, a roll that never switched CURRENT, and a temp file', async () => {
    const { m, c, base } = await fixture.open({ autoCompaction: false });
    const dir = join(base, 't');
    for (let i = 0; i < 100; i++) await c.put(key(i), `v${i}`);
    const before = snapshot(dir, join(base, 'before'));
    await c.flush();
    await m.closeAll();
    const expected = new Map(Array.from({ length: 100 }, (_, i) => [key(i), `v${i}`]));
    const oldWal = readdirSync(before).find((f) => f.endsWith('.log') && readFileSync(join(before, f)).length > 0)!;
    const oldManifest = readdirSync(before).find((f) => f.startsWith('MANIFEST-'))!;
    cpSync(join(before, oldWal), join(dir, oldWal));
    cpSync(join(before, oldManifest), join(dir, oldManifest));
    const current = Number(/\d+/.exec(readFileSync(join(dir, 'CURRENT'), 'utf8'))![0]);
    const unusedRoll = manifestFileName(current + 50);
    writeFileSync(
      join(dir, unusedRoll),
      encodeRecord(encodeEdit({ snapshot: true, added: [], nextFileNumber: current + 51, lastSequence: 1, logNumber: 0 })),
    );
    writeFileSync(join(dir, 'CURRENT.tmp'), 'MANIFEST-0');
    await openClean(managerAt, base, expected, 'leftovers');
    const left = filesIn(dir);
    for (const gone of [oldWal, oldManifest, unusedRoll, 'CURRENT.tmp']) assert.ok(!left.includes(gone), `${gone} removed (left: ${left})`);
  });
});

describe('what could hold data the state lacks goes to lost/, with a reason, and is reported', () => {
  test('a WAL below the log number holding writes newer than the manifest, and a newer manifest with edits', async () => {
    const { m, c, base } = await fixture.open({ autoCompaction: false });
    const dir = join(base, 't');
    for (let i = 0; i < 20; i++) await c.put(key(i), `v${i}`);
    await c.flush();
    for (let i = 20; i < 30; i++) await c.put(key(i), `v${i}`, { sync: true });
    await m.closeAll();
    // The unflushed WAL renamed below the log number: the manifest says it was flushed, its sequences say not.
    const wal = readdirSync(dir).find((f) => f.endsWith('.log') && readFileSync(join(dir, f)).length > 0)!;
    renameSync(join(dir, wal), join(dir, '000001.log'));
    const current = Number(/\d+/.exec(readFileSync(join(dir, 'CURRENT'), 'utf8'))![0]);
    const newer = manifestFileName(current + 50);
    writeFileSync(
      join(dir, newer),
      Buffer.concat([encodeRecord(encodeEdit({ snapshot: true, added: [] })), encodeRecord(encodeEdit({ lastSequence: 99 }))]),
    );

    const m2 = managerAt(base);
    const c2 = await m2.getCollection('t');
    const lost = c2.stats().recovery.lostFiles;
    assert.deepEqual(
      lost.map((f) => [f.file, f.movedTo]).sort(),
      [
        ['000001.log', 'lost/000001.log'],
        [newer, `lost/${newer}`],
      ].sort(),
    );
    assert.match(lost.find((f) => f.file === '000001.log')!.reason, /newer than the manifest's last sequence/);
    assert.match(lost.find((f) => f.file === newer)!.reason, /CURRENT never pointed at/);
    assert.ok(c2.stats().lastSequence >= 30, 'new writes never reuse the sequences of the WAL set aside');
    await m2.closeAll();
    assert.deepEqual(lostIn(dir), ['000001.log', newer].sort());
  });

  test('an unlisted table that is damaged, or that disagrees with the state at the same sequence', async () => {
    const { m, c, base } = await fixture.open({ autoCompaction: false });
    const dir = join(base, 't');
    for (let i = 0; i < 200; i++) await c.put(key(i), `v${i}`);
    await c.flush();
    await m.closeAll();
    const table = readdirSync(dir).find((f) => f.endsWith('.sst'))!;
    const bytes = readFileSync(join(dir, table));
    // A copy under a new number holds the same versions as the live table: obsolete.
    writeFileSync(join(dir, tableFileName(900)), bytes);
    // A damaged copy (a flipped byte in its first data block): damage is kept, whatever the rest holds.
    const damaged = Buffer.from(bytes);
    damaged[20] ^= 0x01;
    writeFileSync(join(dir, tableFileName(901)), damaged);
    const m2 = managerAt(base);
    const c2 = await m2.getCollection('t');
    const lost = c2.stats().recovery.lostFiles;
    assert.deepEqual(
      lost.map((f) => f.file),
      [tableFileName(901)],
    );
    assert.match(lost[0].reason, /damaged \(at offset 0: checksum mismatch in data block at offset 0/);
    await m2.closeAll();
    assert.ok(!existsSync(join(dir, tableFileName(900))), 'the intact copy was obsolete and removed');
  });
});
