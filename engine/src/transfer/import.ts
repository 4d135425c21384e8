import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { addAbortSignal, Readable } from 'node:stream';
import type { BatchOperation, Collection, WriteOptions } from '../db/collection.js';
import { StorageError } from '../errors.js';
import { decodeCsv } from './csv.js';
import { resolveFormat, type TransferFormat } from './format.js';
import { decodeJsonArray } from './json-array.js';
import { decodeNdjson } from './ndjson.js';
import { type BadRecord, ImportError, type ImportResult, type TransferProgress } from './progress.js';
import { type Decoded, type Decoder, recordProblem } from './records.js';
import { LineTooLongError, readSource } from './text-source.js';

export interface ImportOptions {
  /** ndjson, json or csv; by default the file's extension says (.ndjson/.jsonl, .json, .csv). Required for a stream. */
  format?: TransferFormat | string;
  /** On a bad record: 'stop' (default) ends the import there; 'skip' reports it and goes on. */
  onError?: 'stop' | 'skip';
  /** How many skipped records to list in the result (all are counted); default 100. */
  maxBadRecords?: number;
  /** Records per atomic batch (default 1000); a batch is also cut at about `batchBytes` (default 4 MiB). */
  batchEntries?: number;
  batchBytes?: number;
  /** Write each batch with { sync: true } (see the durability contract). */
  sync?: WriteOptions['sync'];
  /** Stops the import: the batch being written completes, nothing after it is written. */
  signal?: AbortSignal;
  /** Called after every batch written, and once at the end. */
  onProgress?: (progress: TransferProgress) => void;
  /** The size of a stream source, if known, for progress (a file's size is read from the file). */
  totalBytes?: number;
}

export type ImportSource = string | NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>;

export const DECODERS: Record<TransferFormat, Decoder> = { ndjson: decodeNdjson, json: decodeJsonArray, csv: decodeCsv };

/**
 * Reads records from a file (path) or a stream into `collection`, in
 * batches, each written atomically with Collection.batch. Memory holds one
 * batch and the record being read, never the whole file. Resolves with what
 * was written and skipped; an import that ends early rejects with an
 * ImportError whose `result.entries` records — the first good records of the
 * file, in order — are exactly the ones written.
 */
export async function importCollection(collection: Collection, source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const format = resolveFormat(options.format, typeof source === 'string' ? source : undefined);
  const mode = options.onError ?? 'stop';
  if (mode !== 'stop' && mode !== 'skip')
    throw new StorageError('INVALID_ARGUMENT', `onError must be "stop" or "skip", got ${JSON.stringify(mode)}`);
  const maxBadRecords = positive(options.maxBadRecords ?? 100, 'maxBadRecords', true);
  const batchEntries = positive(options.batchEntries ?? 1000, 'batchEntries');
  const batchBytes = positive(options.batchBytes ?? 4 * 1024 * 1024, 'batchBytes');
  const { signal, onProgress } = options;
  const result: ImportResult = { entries: 0, skipped: 0, badRecords: [], bytes: 0 };
  const name = typeof source === 'string' ? source : 'the stream';
  const aborted = () => new ImportError('aborted', `import from ${name} cancelled`, result, undefined, { cause: signal?.reason });
  if (signal?.aborted) throw aborted();

  let totalBytes = options.totalBytes;
  let input: AsyncIterable<Uint8Array | string>;
  if (typeof source === 'string') {
    try {
      const s = await stat(source);
      if (s.isDirectory()) throw Object.assign(new Error(`${source} is a directory`), { code: 'EISDIR' });
      totalBytes = s.size;
    } catch (err) {
      throw new ImportError('failed', `cannot read ${source}: ${(err as Error).message}`, result, undefined, { cause: err });
    }
    input = createReadStream(source, { highWaterMark: 256 * 1024, signal });
  } else if (source instanceof Readable) {
    input = signal === undefined ? source : addAbortSignal(signal, source);
  } else {
    input = source as AsyncIterable<Uint8Array | string>;
  }
  const progress = (): TransferProgress => ({ entries: result.entries, bytes: result.bytes, totalBytes, skipped: result.skipped });

  let batch: BatchOperation[] = [];
  let pendingBytes = 0;
  const commit = async () => {
    if (batch.length === 0) return;
    const ops = batch;
    batch = [];
    pendingBytes = 0;
    try {
      await collection.batch(ops, { sync: options.sync === true });
    } catch (err) {
      throw new ImportError('failed', `writing to collection ${collection.name} failed: ${(err as Error).message}`, result, undefined, {
        cause: err,
      });
    }
    result.entries += ops.length;
    onProgress?.(progress());
  };
  const bad = async (item: Extract<Decoded, { error: string }>) => {
    if (mode === 'stop' || item.fatal === true) {
      // Everything before the bad record goes in, nothing after it.
      await commit();
      throw new ImportError('invalid-input', `line ${item.line}: ${item.error}`, result, item.line);
    }
    result.skipped++;
    if (result.badRecords.length < maxBadRecords) result.badRecords.push({ line: item.line, message: item.error } satisfies BadRecord);
  };

  const records = DECODERS[format](readSource(input, (n) => (result.bytes += n), format === 'ndjson' ? 'lines' : 'text'));
  try {
    for await (const items of records) {
      for (const item of items) {
        if (signal?.aborted) throw aborted();
        if ('error' in item) {
          await bad(item);
          continue;
        }
        const problem = recordProblem(item.key, item.value);
        if (problem !== undefined) {
          await bad({ line: item.line, error: problem });
          continue;
        }
        batch.push({ type: 'put', key: item.key, value: item.value });
        pendingBytes += item.key.length + item.value.length;
        if (batch.length >= batchEntries || pendingBytes >= batchBytes) await commit();
      }
    }
    if (signal?.aborted) throw aborted();
    await commit();
  } catch (err) {
    if (err instanceof ImportError) throw err;
    if (signal?.aborted) throw aborted();
    if (err instanceof LineTooLongError) throw new ImportError('invalid-input', err.message, result, err.line);
    throw new ImportError('failed', `reading ${name} failed: ${(err as Error).message}`, result, undefined, { cause: err });
  } finally {
    // Releases the file when the import ends early.
    await records.return(undefined);
    if (typeof source === 'string') (input as Readable).destroy();
  }
  onProgress?.(progress());
  return result;
}

function positive(n: number, name: string, zeroAllowed = false): number {
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new StorageError('INVALID_ARGUMENT', `${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got ${n}`);
  }
  return n;
}
