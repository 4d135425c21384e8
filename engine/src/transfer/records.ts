import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../db/validate.js';
import type { SourceChunk } from './text-source.js';

/**
 * What a format's decoder yields, in file order: a record, or a bad record
 * with what is wrong. A `fatal` one means the file's structure is broken
 * there and nothing after it can be read reliably.
 */
export type Decoded = { line: number; key: string; value: string } | { line: number; error: string; fatal?: boolean };

/**
 * A format's reader: from validated text (see text-source.ts) to what it
 * holds, yielded a piece at a time (one array per piece of input, so that
 * a million records do not cost a million promises).
 */
export type Decoder = (chunks: AsyncIterable<SourceChunk>) => AsyncGenerator<Decoded[]>;

/** An encoder turns entries into text; `head` and `tail` frame the whole output. */
export interface Encoder {
  head: string;
  /** `before`: how many entries earlier calls encoded (a separator may depend on it). */
  encode(entries: readonly (readonly [string, string])[], before: number): string;
  tail(count: number): string;
}

/** Checks a parsed JSON object's shape: exactly the string fields "key" and "value". */
export function recordFromJson(parsed: unknown): { key: string; value: string } | string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return `expected an object {"key": …, "value": …}, got ${jsonKind(parsed)}`;
  }
  const o = parsed as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => k !== 'key' && k !== 'value');
  if (extra !== undefined) return `unexpected field ${JSON.stringify(extra)} (a record has only "key" and "value")`;
  if (!('key' in o)) return 'missing field "key"';
  if (!('value' in o)) return 'missing field "value"';
  if (typeof o.key !== 'string') return `"key" must be a string, got ${jsonKind(o.key)}`;
  if (typeof o.value !== 'string') return `"value" must be a string, got ${jsonKind(o.value)}`;
  return { key: o.key, value: o.value };
}

/** One record's JSON text, parsed and checked; `line` is where it starts. */
export function decodeJsonRecord(text: string, line: number): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { line, error: `not valid JSON: ${(err as Error).message}` };
  }
  const record = recordFromJson(parsed);
  return typeof record === 'string' ? { line, error: record } : { line, ...record };
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}

/**
 * What the collection would refuse about this key or value, said up front so
 * one bad record is reported on its own line instead of failing its batch.
 * Mirrors the engine's rules (see README: keys and values).
 */
export function recordProblem(key: string, value: string): string | undefined {
  if (key === '') return 'the key is empty (keys must be non-empty)';
  if (key.length > MAX_KEY_BYTES || Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes of UTF-8`;
  if (!key.isWellFormed()) return 'the key contains a lone surrogate (such as \\ud800), which has no UTF-8 encoding';
  if (value.length > MAX_VALUE_BYTES || Buffer.byteLength(value) > MAX_VALUE_BYTES)
    return `the value is longer than ${MAX_VALUE_BYTES} bytes of UTF-8`;
  if (!value.isWellFormed()) return 'the value contains a lone surrogate (such as \\ud800), which has no UTF-8 encoding';
  return undefined;
}
