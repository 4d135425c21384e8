/**
 * The JSON array decoder on its own, fed pieces of text as the import's
 * reader hands them over: whatever the layout and wherever the pieces are
 * cut, it yields each record once, in order, with the line it starts on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { decodeJsonArray } from './json-array.js';
import type { Decoded } from './records.js';
import type { SourceChunk } from './text-source.js';

async function* pieces(texts: readonly string[]): AsyncGenerator<SourceChunk> {
  for (const text of texts) yield { kind: 'text', bytes: Buffer.from(text, 'utf8'), firstLine: 0 };
}

async function decodeAll(texts: readonly string[], maxRecordChars?: number): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for await (const batch of decodeJsonArray(pieces(texts), maxRecordChars)) out.push(...batch);
  return out;
}

describe('JSON array decoder', () => {
  test('a record too long to hold stops the import once, and the records before it in the same piece come out once', async () => {
    const text = `[{"key":"a","value":"1"},\n{"key":"b","value":"2"},\n{"key":"c","value":"${'x'.repeat(100)}`;
    const decoded = await decodeAll([text], 64);
    assert.deepEqual(decoded, [
      { line: 1, key: 'a', value: '1' },
      { line: 2, key: 'b', value: '2' },
      { line: 3, error: 'the record is longer than 64 characters (is a string or a bracket left open?)', fatal: true },
    ]);
  });

  test('any layout, cut into pieces anywhere: every element once, in order, with the line it starts on (against JSON.parse)', async () => {
    const rand = seededRandom(1717);
    const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '[', ']', '{', '}', ',', ':', '\n', '\r', '\t', 'é', '€', '😀', '\u2028'];
    const word = () => Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const space = () => [' ', '\n', '\t', '\r\n', ''][Math.floor(rand() * 5)].repeat(Math.floor(rand() * 3));
    for (let round = 0; round < 200; round++) {
      // Mostly records; now and then a bare scalar, which is read as an element and rejected as a record.
      const elements = Array.from({ length: Math.floor(rand() * 6) }, () =>
        rand() < 0.85 ? { key: word() || 'k', value: word() } : [42, -1.5e3, true, null][Math.floor(rand() * 4)],
      );
      // The elements as an exporter might lay them out, remembering the line each one starts on.
      let text = `${space()}[`;
      const expected: (Decoded | { line: number; rejected: true })[] = [];
      elements.forEach((e, i) => {
        text += `${i === 0 ? '' : ','}${space()}`;
        const line = text.split('\n').length;
        text += rand() < 0.5 ? JSON.stringify(e) : JSON.stringify(e, null, 2);
        text += space();
        expected.push(typeof e === 'object' && e !== null ? { line, ...e } : { line, rejected: true });
      });
      text += `]${space()}`;
      assert.deepEqual((JSON.parse(text) as unknown[]).length, elements.length, 'the generated text is the JSON array it means to be');
      // Cut between characters, never inside one (the reader hands over whole characters).
      const chars = Array.from(text);
      const cuts: string[] = [];
      for (let at = 0; at < chars.length;) {
        const n = 1 + Math.floor(rand() * 12);
        cuts.push(chars.slice(at, at + n).join(''));
        at += n;
      }
      const decoded = (await decodeAll(cuts)).map((d) =>
        'error' in d && d.error.startsWith('expected an object') ? { line: d.line, rejected: true } : d,
      );
      assert.deepEqual(decoded, expected, `round ${round}: ${JSON.stringify(cuts)}`);
    }
  });
});
