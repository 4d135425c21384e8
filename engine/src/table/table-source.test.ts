import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { join } from 'node:path';
import { NodeFileSystem } from '../fs/node-fs.js';
import { ValueKind } from '../log/write-batch.js';
import { tempDir } from '../testing/temp-dir.js';
import { BlockCache } from './block-cache.js';
import { TableBuilder } from './table-builder.js';
import { TableReader } from './table-reader.js';
import { compareKeys } from '../util/key-order.js';
import { summaryOf, type TableSummary } from '../version/table-summary.js';
import type { EntrySource } from './entry-source.js';
import { LevelSource } from './level-source.js';
import { TableSource } from './table-source.js';

const fs = new NodeFileSystem();
const dir = tempDir('strata-table-source');
after(dir.cleanup);

interface Entry {
  key: string;
  sequence: number;
  kind: ValueKind;
  value: string;
}

/**
 * Keys k0002, k0004, ... (odd numbers are absent, so seeks land between
 * keys), every fifth key with a second, older version, every seventh newest
 * version a tombstone, and a few keys beyond ASCII whose UTF-8 order differs
 * from JavaScript's string order.
 */
function entries(from: number, to: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i < to; i += 2) {
    const key = `k${String(i).padStart(4, '0')}`;
    out.push({
      key,
      sequence: 2 * i + 2,
      kind: i % 7 === 0 ? ValueKind.Delete : ValueKind.Put,
      value: i % 7 === 0 ? '' : `v${i}-${'x'.repeat(i % 40)}`,
    });
    if (i % 5 === 0) out.push({ key, sequence: 2 * i + 1, kind: ValueKind.Put, value: `old${i}` });
  }
  return out;
}
const WIDE = ['k\uffff', 'k\u{1f600}', 'k\u{1f600}z'];

let nextId = 1;
async function build(list: Entry[], cacheBytes = 64 * 1024): Promise<{ meta: TableSummary; reader: TableReader }> {
  const id = nextId++;
  const path = join(dir.path, `${id}.sst`);
  // Uncompressed, so block and file sizes are what the read-ahead windows are sized against.
  const builder = new TableBuilder(fs.create(path), { blockBytes: 256, bloomBitsPerKey: 10, compression: 'none' });
  for (const e of list) builder.addString(e.key, e.sequence, e.kind, e.value);
  const built = await builder.finish();
  const meta = summaryOf(id, 1, built);
  return { meta, reader: TableReader.open(fs.openRead(path), id, new BlockCache(cacheBytes)) };
}

function wideEntries(): Entry[] {
  return WIDE.map((key, i) => ({ key, sequence: 100000 + i, kind: ValueKind.Put, value: `wide${i}` }));
}

function drain(s: EntrySource): Entry[] {
  const out: Entry[] = [];
  for (; s.valid; s.next()) out.push({ key: s.key, sequence: s.sequence, kind: s.kind, value: s.kind === ValueKind.Put ? s.value() : '' });
  return out;
}

/** What a seek must return: the model's entries from the target on, in the scan's direction. */
function expected(all: Entry[], target: string | undefined, inclusive: boolean, reverse: boolean): Entry[] {
  const ordered = reverse ? [...all].reverse() : all;
  if (target === undefined) return ordered;
  return ordered.filter((e) => {
    const c = compareKeys(e.key, target);
    return reverse ? c < 0 || (inclusive && c === 0) : c > 0 || (inclusive && c === 0);
  });
}

const targets = () => [
  undefined,
  'a',
  'k',
  'k0000',
  'k0001',
  'k0002',
  'k0150',
  'k0151',
  'k0998',
  'k0999',
  'k1000',
  'z',
  ...WIDE,
  'k\ue000',
];

describe('table scan sources', () => {
  test('a table source seeks to every kind of target in both directions and walks on to the end in the scan direction', async () => {
    const all = [...entries(0, 1000), ...wideEntries()];
    const { reader } = await build(all);
    assert.ok(reader.blockCount > 20, 'entries span many blocks');
    for (const reverse of [false, true]) {
      for (const inclusive of [true, false]) {
        for (const target of targets()) {
          const got = drain(new TableSource(reader, reverse).seek(target, inclusive));
          assert.deepEqual(got, expected(all, target, inclusive, reverse), `reverse=${reverse} inclusive=${inclusive} target=${target}`);
        }
      }
    }
    await reader.close();
  });

  test('a long walk through a table larger than the read-ahead window returns every entry, with or without a block cache', async () => {
    const all = entries(0, 9998);
    for (const cacheBytes of [0, 32 * 1024]) {
      const { meta, reader } = await build(all, cacheBytes);
      assert.ok(meta.bytes > 2 * 64 * 1024, 'the table spans several windows');
      for (const reverse of [false, true]) {
        for (const target of [undefined, 'k4321']) {
          const got = drain(new TableSource(reader, reverse).seek(target, true));
          assert.deepEqual(got, expected(all, target, true, reverse), `reverse=${reverse} cache=${cacheBytes} target=${target}`);
        }
      }
      await reader.close();
    }
  });

  test('a source that ended gives its window to the next scan without disturbing scans still open, and reads nothing more', async () => {
    const all = entries(0, 9998);
    for (const cacheBytes of [0, 32 * 1024]) {
      const { reader } = await build(all, cacheBytes);
      // A window given back before the long scan starts, so that scan reads through a reused one.
      new TableSource(reader, false).seek('k0050', true).release();
      const open = new TableSource(reader, false).seek('k0100', true);
      const firstThree = [0, 1, 2].map(() => {
        const e = { key: open.key, sequence: open.sequence };
        open.next();
        return e;
      });
      assert.deepEqual(
        firstThree.map((e) => e.key),
        ['k0100', 'k0100', 'k0102'],
      );
      for (const [i, target] of ['k5000', 'k7000', 'k0200', 'k9000'].entries()) {
        const ended = new TableSource(reader, i % 2 === 1).seek(target, true);
        assert.equal(ended.key, target);
        ended.release();
        assert.equal(ended.valid, false, 'a released source is exhausted');
        const next = new TableSource(reader, false).seek('k3000', true);
        assert.deepEqual(
          drain(next)
            .slice(0, 4)
            .map((e) => e.key),
          ['k3000', 'k3000', 'k3002', 'k3004'],
        );
        next.release();
      }
      // The scan that stayed open still walks its own window from where it was.
      const rest = drain(open);
      assert.deepEqual(rest, expected(all, 'k0100', true, false).slice(3), `cache=${cacheBytes}`);
      await reader.close();
    }
  });

  test('a level source seeks into the one file that holds the target and continues across files both ways', async () => {
    const parts = [entries(0, 300), entries(300, 700), [...entries(700, 1000), ...wideEntries()]];
    const tables = await Promise.all(parts.map(build));
    const all = parts.flat();
    const byId = new Map(tables.map((t) => [t.meta.id, t.reader]));
    const opened: number[] = [];
    const open = (meta: TableSummary) => {
      opened.push(meta.id);
      return byId.get(meta.id)!;
    };
    const files = tables.map((t) => t.meta);
    for (const reverse of [false, true]) {
      for (const inclusive of [true, false]) {
        for (const target of [...targets(), 'k0299', 'k0300', 'k0301', 'k0698', 'k0700']) {
          const got = drain(new LevelSource(files, open, reverse, target, inclusive));
          assert.deepEqual(got, expected(all, target, inclusive, reverse), `reverse=${reverse} inclusive=${inclusive} target=${target}`);
        }
      }
    }
    opened.length = 0;
    const s = new LevelSource(files, open, false, 'k0500', true);
    assert.equal(s.key, 'k0500');
    assert.deepEqual(opened, [files[1].id], 'a seek opens only the file holding the target');
    for (const t of tables) await t.reader.close();
  });
});
