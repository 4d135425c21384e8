import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { exportCollection } from './export.js';
import { importCollection } from './import.js';
import { TRANSFER_FORMATS, type TransferFormat } from './format.js';
import { ExportError } from './progress.js';
import { entries, freshCollection, HOSTILE, tempFile } from '../testing/transfer-fixtures.js';

const EXTENSION: Record<TransferFormat, string> = { ndjson: 'ndjson', json: 'json', csv: 'csv' };

/** 100,000 entries: every hostile string as a key and as a value, the empty value, and numbered keys with varied values. */
function corpus(): Map<string, string> {
  const m = new Map<string, string>();
  HOSTILE.forEach((s, i) => {
    m.set(s, HOSTILE[(i + 1) % HOSTILE.length]!);
    m.set(`value-of:${i}`, s);
  });
  m.set('empty value', '');
  for (let i = 0; m.size < 100_000; i++)
    m.set(`k:${String(i).padStart(6, '0')}${HOSTILE[i % HOSTILE.length]}`, i % 7 === 0 ? '' : `${HOSTILE[i % 13]}${i}`);
  return m;
}

describe('export then import', { concurrency: 1 }, () => {
  const data = corpus();
  const expected = [...data].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  for (const format of TRANSFER_FORMATS) {
    test(`${format}: 100,000 keys, hostile strings included, come back exactly`, async () => {
      const source = await freshCollection();
      const ops = [...data].map(([key, value]) => ({ type: 'put' as const, key, value }));
      for (let i = 0; i < ops.length; i += 5000) await source.batch(ops.slice(i, i + 5000));
      const file = tempFile(`all.${EXTENSION[format]}`);
      const progress: number[] = [];
      const out = await exportCollection(source, file, { onProgress: (p) => progress.push(p.entries) });
      assert.equal(out.entries, 100_000);
      assert.equal(out.bytes, readFileSync(file).length);
      assert.equal(progress.at(-1), 100_000);

      const target = await freshCollection();
      const seen: number[] = [];
      const result = await importCollection(target, file, { onProgress: (p) => seen.push(p.bytes) });
      assert.deepEqual(result, { entries: 100_000, skipped: 0, badRecords: [], bytes: out.bytes });
      assert.ok(seen.length > 10, 'progress is reported batch by batch');
      assert.equal(seen.at(-1), out.bytes);
      assert.deepEqual(await entries(target), expected);
    });
  }

  test('the exported files are the documented layouts', async () => {
    const c = await freshCollection();
    await c.batch([
      { type: 'put', key: 'a', value: 'say "hi", then\r\nleave' },
      { type: 'put', key: 'b', value: '' },
    ]);
    const text = async (format: TransferFormat) => {
      const file = tempFile(`layout.${EXTENSION[format]}`);
      await exportCollection(c, file);
      return readFileSync(file, 'utf8');
    };
    assert.equal(await text('ndjson'), '{"key":"a","value":"say \\"hi\\", then\\r\\nleave"}\n{"key":"b","value":""}\n');
    assert.equal(await text('json'), '[\n{"key":"a","value":"say \\"hi\\", then\\r\\nleave"},\n{"key":"b","value":""}\n]\n');
    assert.equal(await text('csv'), 'key,value\na,"say ""hi"", then\r\nleave"\nb,\n');
    const empty = await freshCollection();
    for (const format of TRANSFER_FORMATS) {
      const file = tempFile(`empty.${EXTENSION[format]}`);
      await exportCollection(empty, file);
      assert.equal(readFileSync(file, 'utf8'), { ndjson: '', json: '[]\n', csv: 'key,value\n' }[format]);
      assert.deepEqual(await importCollection(await freshCollection(), file), {
        entries: 0,
        skipped: 0,
        badRecords: [],
        bytes: readFileSync(file).length,
      });
    }
  });
});

describe('export', () => {
  async function sample() {
    const c = await freshCollection();
    await c.batch(
      ['a', 'user:1', 'user:2', 'user:3', 'user;', 'users', 'v'].map((key) => ({ type: 'put' as const, key, value: key.toUpperCase() })),
    );
    return c;
  }

  test('with a prefix writes exactly the keys that start with it', async () => {
    const c = await sample();
    const file = tempFile('prefix.ndjson');
    assert.equal((await exportCollection(c, file, { range: { prefix: 'user:' } })).entries, 3);
    const back = await freshCollection();
    await importCollection(back, file);
    assert.deepEqual(
      (await entries(back)).map(([k]) => k),
      ['user:1', 'user:2', 'user:3'],
    );
  });

  test('with a range writes the keys in [gte, lt)', async () => {
    const c = await sample();
    const file = tempFile('range.csv');
    assert.equal((await exportCollection(c, file, { range: { gte: 'user:2', lt: 'users' } })).entries, 3);
    assert.equal(readFileSync(file, 'utf8'), 'key,value\nuser:2,USER:2\nuser:3,USER:3\nuser;,USER;\n');
  });

  test('sees one snapshot: writes made while it runs are not in the file', async () => {
    const c = await freshCollection();
    await c.batch(Array.from({ length: 5000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(5, '0')}`, value: 'old' })));
    const file = tempFile('snapshot.ndjson');
    let wrote = false;
    await exportCollection(c, file, {
      onProgress: () => {
        if (!wrote) void c.put('k00000', 'new').then(() => c.put('zzz', 'new'));
        wrote = true;
      },
    });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 5000);
    assert.ok(lines.every((l) => l.endsWith('"value":"old"}')));
  });

  test('cancelled, it leaves an existing file untouched and no partial file beside it', async () => {
    const c = await freshCollection();
    await c.batch(Array.from({ length: 20_000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'x'.repeat(50) })));
    const file = tempFile('keep.json');
    writeFileSync(file, 'precious');
    const ac = new AbortController();
    const err = await exportCollection(c, file, { signal: ac.signal, onProgress: () => ac.abort() }).catch((e: unknown) => e);
    assert.ok(err instanceof ExportError);
    assert.equal(err.reason, 'aborted');
    assert.ok(err.result.entries > 0 && err.result.entries < 20_000);
    assert.equal(readFileSync(file, 'utf8'), 'precious');
    assert.deepEqual(
      readdirSync(dirname(file)).filter((f) => f.includes(basename(file)) && f !== basename(file)),
      [],
    );
  });

  test('to a stream writes the text with backpressure and leaves the stream open', async () => {
    const c = await freshCollection();
    await c.batch(Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v'.repeat(200) })));
    const stream = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    const exported = exportCollection(c, stream, { format: 'ndjson' });
    // Read slowly: the export must wait for the reader rather than buffer everything.
    for (;;) {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) chunks.push(chunk);
      else if (await Promise.race([exported.then(() => true), new Promise((r) => setTimeout(() => r(false), 5))])) break;
    }
    for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null) chunks.push(chunk);
    assert.equal((await exported).entries, 3000);
    assert.equal(stream.writableEnded, false);
    assert.equal(Buffer.concat(chunks).toString().split('\n').length - 1, 3000);
  });

  test('needs a format it can tell: from the extension or given', async () => {
    const c = await freshCollection();
    await assert.rejects(exportCollection(c, tempFile('x.txt')), /cannot tell the format/);
    await assert.rejects(exportCollection(c, tempFile('x.csv'), { format: 'xml' }), /unknown format "xml"/);
    const file = tempFile('x.txt');
    await exportCollection(c, file, { format: 'JSONL' });
    assert.equal(readFileSync(file, 'utf8'), '');
  });
});
