import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NodeFileSystem } from '../fs/node-fs.js';
import { ValueKind } from '../log/write-batch.js';
import { tempDir } from '../testing/temp-dir.js';
import type { Compression } from './compression.js';
import { TableBuilder } from './table-builder.js';
import { decodeFooter, FOOTER_BYTES } from './table-format.js';
import { TableSalvage, type TableEntry } from './table-salvage.js';

const fs = new NodeFileSystem();
const dir = tempDir('strata-salvage');
after(dir.cleanup);

const key = (i: number) => `key${String(i).padStart(5, '0')}`;

/** A table of `count` entries with random values (so compression cannot hide block boundaries), and the entries as written. */
async function build(name: string, count: number, compression: Compression): Promise<{ data: Buffer; written: string[] }> {
  const path = join(dir.path, name);
  const b = new TableBuilder(fs.create(path), { blockBytes: 512, bloomBitsPerKey: 10, compression });
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = i % 10 === 3 ? undefined : randomBytes(20 + (i % 40)).toString('base64');
    b.addString(key(i), i + 1, value === undefined ? ValueKind.Delete : ValueKind.Put, value ?? '');
    written.push(`${key(i)}@${i + 1}=${value ?? '<deleted>'}`);
  }
  await b.finish();
  return { data: readFileSync(path), written };
}

const show = (e: TableEntry) =>
  `${e.key.toString('utf8')}@${e.sequence}=${e.kind === ValueKind.Delete ? '<deleted>' : e.value.toString('utf8')}`;

function salvage(data: Buffer): { s: TableSalvage; entries: string[] } {
  const s = new TableSalvage(data, 't.sst');
  const entries: string[] = [];
  for (const block of s.blocks()) if (block) entries.push(...block.entries.map(show));
  return { s, entries };
}

describe('TableSalvage', () => {
  for (const compression of ['snappy', 'none'] as const) {
    test(`${compression}: an intact table verifies whole through its index and yields every entry`, async () => {
      const { data, written } = await build(`intact-${compression}`, 600, compression);
      const { s, entries } = salvage(data);
      assert.deepEqual(entries, written);
      assert.equal(s.intact, true);
      assert.equal(s.via, 'index');
      assert.equal(s.cutShort, false);
    });

    test(`${compression}: a table cut short anywhere yields a prefix of its entries and reads as cut short, never intact`, async () => {
      const { data, written } = await build(`cut-${compression}`, 600, compression);
      for (let cut = 0; cut < data.length; cut += 97) {
        const { s, entries } = salvage(data.subarray(0, cut));
        assert.deepEqual(entries, written.slice(0, entries.length), `cut at ${cut}`);
        assert.equal(s.cutShort, true, `cut at ${cut}`);
        assert.equal(s.intact, false, `cut at ${cut}`);
      }
      const dataEnd = decodeFooter(data.subarray(data.length - FOOTER_BYTES), 't', data.length).filter.offset;
      assert.deepEqual(salvage(data.subarray(0, dataEnd)).entries, written, 'cut right after the data blocks: every entry');
    });

    test(`${compression}: with the footer or the index damaged, every data block is still found`, async () => {
      const { data, written } = await build(`meta-${compression}`, 600, compression);
      const footer = decodeFooter(data.subarray(data.length - FOOTER_BYTES), 't', data.length);
      const footerAt = data.length - FOOTER_BYTES;
      const cases = [
        { at: data.length - 1, via: 'index', what: 'the magic' },
        { at: footerAt + 28, via: 'index', what: 'the properties handle (the footer checksum fails)' },
        { at: footerAt + 2, via: 'scan', what: 'the index handle' },
        { at: footer.index.offset + 3, via: 'scan', what: 'the index block' },
      ];
      for (const { at, via, what } of cases) {
        const damaged = Buffer.from(data);
        damaged[at] ^= 0x40;
        const { s, entries } = salvage(damaged);
        assert.deepEqual(entries, written, what);
        assert.equal(s.via, via, what);
        assert.equal(s.intact, false, what);
        assert.equal(s.finished, true, what);
        assert.equal(s.cutShort, false, `${what}: a finished table with damage is not a cut-short one`);
      }
    });

    test(`${compression}: a damaged data block costs exactly its entries, through the index or by a scan that resyncs past it`, async () => {
      const { data, written } = await build(`block-${compression}`, 600, compression);
      const blocks = [...new TableSalvage(data, 't').blocks()].filter((b) => b !== undefined);
      const footer = decodeFooter(data.subarray(data.length - FOOTER_BYTES), 't', data.length);
      for (const victim of [blocks[0]!, blocks[3]!, blocks.at(-1)!]) {
        const lostEntries = new Set(victim.entries.map(show));
        const expected = written.filter((e) => !lostEntries.has(e));
        for (const indexToo of [false, true]) {
          const damaged = Buffer.from(data);
          damaged[victim.offset + 7] ^= 0x01;
          if (indexToo) damaged[footer.index.offset + 1] ^= 0x01;
          const { s, entries } = salvage(damaged);
          const what = `block at ${victim.offset}${indexToo ? ', and the index: a scan' : ''}`;
          assert.deepEqual(entries, expected, what);
          assert.deepEqual(
            s.damaged.filter((d) => d.offset < footer.filter.offset).map((d) => [d.offset, d.bytes]),
            [[victim.offset, victim.bytes]],
            what,
          );
        }
      }
    });
  }
});
