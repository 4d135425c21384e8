import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { previewImport, sniffFormat } from './preview.js';

describe('import preview', () => {
  test('reads the first records with the import decoders, choosing the format by extension', async () => {
    const sample = ['{"key":"a","value":"1"}', '{"key":"b","value":"x,\\"y\\"\\n"}', '{"key":"c","value":""}', ''].join('\n');
    const p = await previewImport(sample, { fileName: 'dump.jsonl', limit: 2 });
    assert.equal(p.format, 'ndjson');
    assert.equal(p.formatFrom, 'extension');
    assert.deepEqual(p.records, [
      { line: 1, key: 'a', value: '1' },
      { line: 2, key: 'b', value: 'x,"y"\n' },
    ]);
    assert.equal(p.sampleEnded, false);
  });

  test('sniffs the format from the content when the name does not say', async () => {
    assert.equal(sniffFormat('  [ {"key":"a","value":"b"} ]'), 'json');
    assert.equal(sniffFormat('\uFEFF{"key":"a","value":"b"}'), 'ndjson');
    assert.equal(sniffFormat('key,value\na,b\n'), 'csv');
    const p = await previewImport('key,value\n"a,1","multi\nline"\nb,\n', { fileName: 'upload' });
    assert.equal(p.format, 'csv');
    assert.equal(p.formatFrom, 'content');
    assert.deepEqual(
      p.records.map((r) => [r.key, r.value]),
      [
        ['a,1', 'multi\nline'],
        ['b', ''],
      ],
    );
  });

  test('names bad records by line, but not a record the sample cut off', async () => {
    const sample = '{"key":"a","value":"1"}\n{"key":5,"value":"1"}\n{"key":"c","value":"3"}\n{"key":"d","val';
    const p = await previewImport(sample, { fileName: 'x.ndjson' });
    assert.deepEqual(
      p.records.map((r) => r.key),
      ['a', 'c'],
    );
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0]!.line, 2);
    const whole = await previewImport(sample, { fileName: 'x.ndjson', complete: true });
    assert.deepEqual(
      whole.problems.map((b) => b.line),
      [2, 4],
    );
  });

  test('refuses an unknown format by name', async () => {
    await assert.rejects(previewImport('x', { format: 'xml' }), /unknown format "xml"/);
  });
});
