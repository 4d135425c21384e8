import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Collection } from '../db/collection.js';
import type { RangeOptions } from '../util/key-range.js';
import { csvEncoder } from './csv.js';
import { resolveFormat, type TransferFormat } from './format.js';
import { jsonArrayEncoder } from './json-array.js';
import { ndjsonEncoder } from './ndjson.js';
import { ExportError, type ExportResult, type TransferProgress } from './progress.js';
import type { Encoder } from './records.js';

/** Which keys to export: a prefix, or bounds (gte/gt, lt/lte), and at most `limit` of them. */
export type ExportRange = Pick<RangeOptions, 'gt' | 'gte' | 'lt' | 'lte' | 'prefix' | 'limit'>;

export interface ExportOptions {
  /** ndjson, json or csv; by default the file's extension says (.ndjson/.jsonl, .json, .csv). Required for a stream. */
  format?: TransferFormat | string;
  range?: ExportRange;
  /** Stops the export; an output file is then left as it was. */
  signal?: AbortSignal;
  /** Called about every 256 KiB written, and once at the end. The total is not known ahead. */
  onProgress?: (progress: TransferProgress) => void;
}

export type ExportDestination = string | NodeJS.WritableStream;

const ENCODERS: Record<TransferFormat, Encoder> = { ndjson: ndjsonEncoder, json: jsonArrayEncoder, csv: csvEncoder };
const CHUNK_CHARS = 256 * 1024;
const ENTRIES_PER_ENCODE = 512;

/**
 * Writes the collection's entries (all, or a range or prefix), in key order,
 * from one consistent snapshot. A file is written beside its destination
 * under a temporary name, fsynced and renamed over it only when complete: a
 * failed or cancelled export never leaves a partial file or harms the old
 * one. A stream gets the text as it is produced, with backpressure, and is
 * not ended (so process.stdout can be one).
 */
export async function exportCollection(
  collection: Collection,
  destination: ExportDestination,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const format = resolveFormat(options.format, typeof destination === 'string' ? destination : undefined);
  const encoder = ENCODERS[format];
  const { signal, onProgress } = options;
  const result: ExportResult = { entries: 0, bytes: 0 };
  const name = typeof destination === 'string' ? destination : 'the stream';
  const aborted = () => new ExportError('aborted', `export to ${name} cancelled`, result, { cause: signal?.reason });
  if (signal?.aborted) throw aborted();
  // Validates the range before a file is created.
  const entries = collection.scan({ ...options.range });

  let sink: Sink;
  try {
    sink = typeof destination === 'string' ? await fileSink(destination) : streamSink(destination, signal);
  } catch (err) {
    await entries.return();
    throw new ExportError('failed', `cannot write ${name}: ${(err as Error).message}`, result, { cause: err });
  }
  let text = encoder.head;
  const flush = async () => {
    if (text === '') return;
    const chunk = text;
    text = '';
    await sink.write(chunk);
    result.bytes += Buffer.byteLength(chunk);
    onProgress?.({ entries: result.entries, bytes: result.bytes, totalBytes: undefined, skipped: 0 });
  };
  try {
    let pending: [string, string][] = [];
    let encoded = 0;
    const encode = () => {
      text += encoder.encode(pending, encoded);
      encoded += pending.length;
      pending = [];
    };
    for await (const entry of entries) {
      if (signal?.aborted) throw aborted();
      pending.push(entry);
      result.entries++;
      if (pending.length === ENTRIES_PER_ENCODE) {
        encode();
        if (text.length >= CHUNK_CHARS) await flush();
      }
    }
    if (signal?.aborted) throw aborted();
    encode();
    text += encoder.tail(result.entries);
    await flush();
    await sink.finish();
  } catch (err) {
    await sink.discard();
    if (err instanceof ExportError) throw err;
    if (signal?.aborted) throw aborted();
    throw new ExportError('failed', `export to ${name} failed: ${(err as Error).message}`, result, { cause: err });
  }
  onProgress?.({ entries: result.entries, bytes: result.bytes, totalBytes: undefined, skipped: 0 });
  return result;
}

interface Sink {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  discard(): Promise<void>;
}

async function fileSink(path: string): Promise<Sink> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: async (text) => {
      await handle.writeFile(text, 'utf8');
    },
    finish: async () => {
      await handle.sync();
      await close();
      await rename(temp, path);
      // The rename itself survives a power loss only once the directory is synced.
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    },
    discard: async () => {
      // Discarding follows a failure the caller reports: closing the partial copy loses nothing,
      await close().catch(() => {});
      // and a temp file left behind holds only that partial copy.
      await unlink(temp).catch(() => {});
    },
  };
}

function streamSink(stream: NodeJS.WritableStream, signal: AbortSignal | undefined): Sink {
  return {
    write: async (text) => {
      if (!stream.write(text)) await once(stream, 'drain', { signal });
    },
    finish: async () => {},
    discard: async () => {},
  };
}
