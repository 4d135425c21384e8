import { extname } from 'node:path';
import { StorageError } from '../errors.js';

/**
 * The interchange formats. Every one holds (key, value) string pairs only,
 * in key order as exported, and round-trips any key and value exactly.
 */
export type TransferFormat = 'ndjson' | 'json' | 'csv';

export const TRANSFER_FORMATS: readonly TransferFormat[] = ['ndjson', 'json', 'csv'];

const BY_EXTENSION: Record<string, TransferFormat> = {
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'json',
  '.csv': 'csv',
};

/** The format a file name implies by its extension (case-insensitive), or undefined. */
export function formatFromPath(path: string): TransferFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/** The given format if there is one (checked), else the file's extension; INVALID_ARGUMENT when neither says. */
export function resolveFormat(format: string | undefined, path: string | undefined): TransferFormat {
  if (format !== undefined) {
    const f = format.toLowerCase() === 'jsonl' ? 'ndjson' : format.toLowerCase();
    if ((TRANSFER_FORMATS as readonly string[]).includes(f)) return f as TransferFormat;
    throw new StorageError('INVALID_ARGUMENT', `unknown format "${format}" (known: ${TRANSFER_FORMATS.join(', ')})`);
  }
  const inferred = path === undefined ? undefined : formatFromPath(path);
  if (inferred === undefined) {
    const what = path === undefined ? 'a stream' : `"${path}"`;
    throw new StorageError(
      'INVALID_ARGUMENT',
      `cannot tell the format of ${what}: name it .ndjson, .jsonl, .json or .csv, or give a format`,
    );
  }
  return inferred;
}
