import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { importCollection } from './import.js';
import { ImportError } from './progress.js';
import { entries, freshCollection, tempFile } from '../testing/transfer-fixtures.js';

function file(name: string, content: string | Buffer): string {
  const path = tempFile(name);
  writeFileSync(path, content);
  return path;
}

/** Imports and expects it to stop: returns the ImportError. */
async function failure(path: string, options: Parameters<typeof importCollection>[2] = {}) {
  const c = await freshCollection();
  const err = await importCollection(c, path, options).then(
    () => assert.fail('the import should have stopped'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ImportError, String(err));
  return { err, c };
}

describe('import: malformed input names the line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['bad.ndjson', '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n{"key":"c","value":\n{"key":"d","value":"4"}\n', 3, /not valid JSON/],
    ['shape.ndjson', '{"key":"a","value":"1"}\n\n{"key":"b","value":2}\n', 3, /"value" must be a string, got a number/],
    ['extra.jsonl', '{"key":"a","value":"1","ttl":5}\n', 1, /unexpected field "ttl"/],
    ['missing.ndjson', '{"key":"a","value":"1"}\r\n{"value":"1"}\r\n', 2, /missing field "key"/],
    ['empty-key.ndjson', '{"key":"","value":"1"}\n', 1, /key is empty/],
    ['surrogate.ndjson', '{"key":"a","value":"1"}\n{"key":"\\ud800","value":"1"}\n', 2, /lone surrogate/],
    ['bad.json', '[\n{"key":"a","value":"1"},\n{"key":"b","value":"2"},\n{"key":"c","value":"3",}\n]\n', 4, /not valid JSON/],
    ['shape.json', '[{"key":"a","value":"1"},\n\n  "just a string"]', 3, /expected an object/],
    ['comma.json', '[\n{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n]', 3, /expected "," or "\]" after the record on line 2/],
    ['open.json', '[\n{"key":"a","value":"1"},\n{"key":"b","value":"2\n', 3, /ends inside the record that starts on line 3/],
    ['unclosed.json', '[\n{"key":"a","value":"1"},\n', 3, /ends before the array is closed/],
    ['trailing.json', '[\n{"key":"a","value":"1"},\n]', 3, /trailing comma/],
    ['object.json', '{"key":"a","value":"1"}', 1, /expected "\[" to open the array/],
    ['bad.csv', 'key,value\na,1\nb,2\nc"x,3\nd,4\n', 4, /double quote inside an unquoted field/],
    ['fields.csv', 'key,value\na,1\nb,2,3\n', 3, /expected 2 fields \(key,value\), got 3/],
    // A quote error is named by the line where it is found, which may be after the line its record starts on.
    ['closing.csv', 'key,value\na,1\n"b\nb","2"x\nc,3\n', 4, /text right after a closing quote/],
    ['header.csv', 'name,value\na,1\n', 1, /expected the header line key,value/],
    ['empty.csv', '', 1, /the file is empty/],
  ];
  for (const [name, content, line, message] of cases) {
    test(`${name}: line ${line}, ${message.source}`, async () => {
      const { err, c } = await failure(file(name, content));
      assert.equal(err.reason, 'invalid-input');
      assert.equal(err.line, line);
      assert.match(err.message, new RegExp(`^line ${line}: `));
      assert.match(err.message, message);
      // Everything before the bad record is written, nothing after it.
      const written = await entries(c);
      assert.equal(written.length, err.result.entries);
      assert.ok(written.every(([k]) => k < 'd'));
    });
  }

  test('invalid UTF-8 is reported on its line, never decoded into replacement characters', async () => {
    const bad = Buffer.from([0xff, 0xfe]);
    const contents: Record<string, Buffer> = {
      'u.ndjson': Buffer.concat([Buffer.from('{"key":"a","value":"1"}\n{"key":"b","value":"'), bad, Buffer.from('"}\n')]),
      'u.json': Buffer.concat([Buffer.from('[{"key":"a","value":"1"},\n{"key":"b","value":"'), bad, Buffer.from('"}]\n')]),
      'u.csv': Buffer.concat([Buffer.from('key,value\na,1\nb,'), bad, Buffer.from('\n')]),
    };
    for (const [name, content] of Object.entries(contents)) {
      const { err, c } = await failure(file(name, content));
      assert.equal(err.line, name.endsWith('.csv') ? 3 : 2, name);
      assert.match(err.message, /not valid UTF-8/);
      assert.deepEqual(await entries(c), [['a', '1']], name);
    }
  });

  test('a byte-order mark at the start of the file is ignored; inside keys it is kept', async () => {
    for (const [name, content] of [
      ['bom.ndjson', '\uFEFF{"key":"\uFEFFa","value":"1"}\n'],
      ['bom.json', '\uFEFF[{"key":"\uFEFFa","value":"1"}]'],
      ['bom.csv', '\uFEFFkey,value\r\n\uFEFFa,1\r\n'],
    ]) {
      const c = await freshCollection();
      await importCollection(c, file(name!, content!));
      assert.deepEqual(await entries(c), [['\uFEFFa', '1']], name);
    }
  });
});

describe('import: skip mode', () => {
  const cases: [string, string, { line: number; message: RegExp }[]][] = [
    [
      'skip.ndjson',
      '{"key":"a","value":"1"}\nnot json\n{"key":"b","value":"2"}\n{"key":"c"}\n{"key":"d","value":"4"}\n',
      [
        { line: 2, message: /not valid JSON/ },
        { line: 4, message: /missing field "value"/ },
      ],
    ],
    [
      'skip.json',
      '[{"key":"a","value":"1"},\n{"key":"x","value":[1,\n2]},\n{"key":"b","value":"2"},\n{"key":"c" "value":"3"},{"key":"d","value":"4"}]',
      [
        { line: 2, message: /"value" must be a string, got an array/ },
        { line: 5, message: /not valid JSON/ },
      ],
    ],
    [
      'skip.csv',
      'key,value\na,1\nx"y,2\nb,2\nc\n"d",4\n',
      [
        { line: 3, message: /double quote inside an unquoted field/ },
        { line: 5, message: /expected 2 fields \(key,value\), got 1/ },
      ],
    ],
  ];
  for (const [name, content, bad] of cases) {
    test(`${name}: reports the bad lines and imports the rest`, async () => {
      const c = await freshCollection();
      const result = await importCollection(c, file(name, content), { onError: 'skip' });
      assert.equal(result.entries, 3);
      assert.equal(result.skipped, bad.length);
      assert.deepEqual(
        result.badRecords.map((b) => b.line),
        bad.map((b) => b.line),
      );
      result.badRecords.forEach((b, i) => assert.match(b.message, bad[i]!.message));
      assert.deepEqual(
        (await entries(c)).map(([k]) => k),
        ['a', 'b', 'd'],
      );
    });
  }

  test('the list of bad records is bounded; the count is not', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? `{"key":"k${i}","value":"v"}` : `oops ${i}`));
    const c = await freshCollection();
    const result = await importCollection(c, file('many.ndjson', lines.join('\n')), { onError: 'skip', maxBadRecords: 3 });
    assert.equal(result.entries, 250);
    assert.equal(result.skipped, 250);
    assert.deepEqual(
      result.badRecords.map((b) => b.line),
      [2, 4, 6],
    );
  });

  test('a broken structure still stops a JSON import, with what was imported before it', async () => {
    const { err, c } = await failure(file('broken.json', '[{"key":"a","value":"1"} {"key":"b","value":"2"}]'), { onError: 'skip' });
    assert.equal(err.reason, 'invalid-input');
    assert.equal(err.result.entries, 1);
    assert.deepEqual(await entries(c), [['a', '1']]);
  });
});

describe('import: batches, cancel and streams', () => {
  const records = (n: number) => Array.from({ length: n }, (_, i) => `{"key":"k${String(i).padStart(6, '0')}","value":"${i}"}\n`).join('');

  test('cancelled midway, the collection holds exactly the records reported written: the first ones of the file', async () => {
    const c = await freshCollection();
    const ac = new AbortController();
    const path = file('cancel.ndjson', records(50_000));
    const err = await importCollection(c, path, {
      batchEntries: 1000,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.entries >= 7000) ac.abort();
      },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ImportError);
    assert.equal(err.reason, 'aborted');
    assert.equal(err.result.entries, 7000);
    const keys = (await entries(c)).map(([k]) => k);
    assert.equal(keys.length, err.result.entries);
    assert.deepEqual(
      keys,
      Array.from({ length: 7000 }, (_, i) => `k${String(i).padStart(6, '0')}`),
    );
  });

  test('an abort while waiting for the source stops at once', async () => {
    const c = await freshCollection();
    const ac = new AbortController();
    const source = new Readable({ read() {} });
    source.push('{"key":"a","value":"1"}\n');
    const importing = importCollection(c, source, { format: 'ndjson', signal: ac.signal, batchEntries: 1 });
    setTimeout(() => ac.abort(), 50);
    const err = await importing.catch((e: unknown) => e);
    assert.ok(err instanceof ImportError);
    assert.equal(err.reason, 'aborted');
    assert.equal(err.result.entries, 1);
    assert.deepEqual(await entries(c), [['a', '1']]);
  });

  test('reads a stream, any chunking, with a multi-byte character split between chunks', async () => {
    const text = 'key,value\n"é😀\r\nx",1\nb,"2,\n😀"\n';
    const bytes = Buffer.from(text);
    const chunks = Array.from(bytes, (b) => Buffer.from([b])); // one byte at a time
    const c = await freshCollection();
    const result = await importCollection(c, Readable.from(chunks), { format: 'csv' });
    assert.equal(result.entries, 2);
    assert.equal(result.bytes, bytes.length);
    assert.deepEqual(await entries(c), [
      ['b', '2,\n😀'],
      ['é😀\r\nx', '1'],
    ]);
  });

  test('a key given twice counts twice and the later value wins', async () => {
    const c = await freshCollection();
    const result = await importCollection(c, file('dup.ndjson', '{"key":"a","value":"1"}\n{"key":"a","value":"2"}\n'));
    assert.equal(result.entries, 2);
    assert.deepEqual(await entries(c), [['a', '2']]);
  });

  test('a failing collection stops the import with its error and the count written', async () => {
    const c = await freshCollection();
    const path = file('closed.ndjson', records(5000));
    const err = await importCollection(c, path, {
      batchEntries: 1000,
      onProgress: (p) => {
        if (p.entries === 2000) void c.close();
      },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ImportError);
    assert.equal(err.reason, 'failed');
    assert.equal(err.result.entries, 2000);
    assert.match(err.message, /closed/);
  });

  test('a missing file is a clear failure', async () => {
    const { err } = await failure(tempFile('nowhere.ndjson'));
    assert.equal(err.reason, 'failed');
    assert.match(err.message, /cannot read .*nowhere\.ndjson: ENOENT/);
  });
});
