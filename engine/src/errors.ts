/**
 * Every failure the engine reports is a StorageError with a stable `code`, so
 * callers (the CLI, the app, the abstract-level adapter) can branch on it
 * without parsing messages. Messages always name the thing that was wrong.
 */
export type StorageErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_OPTIONS'
  | 'INVALID_ARGUMENT'
  | 'CLOSED'
  | 'COLLECTION_EXISTS'
  | 'COLLECTION_NOT_FOUND'
  | 'COLLECTION_LOCKED'
  | 'CORRUPTION'
  | 'IO_ERROR';

export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

export function corruption(file: string, what: string): StorageError {
  return new StorageError('CORRUPTION', `corruption in ${file}: ${what}`);
}

/** Wraps an OS error so the caller sees which operation on which file failed. */
export function ioError(operation: string, file: string, cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  const message = (cause as Error | undefined)?.message ?? String(cause);
  return new StorageError('IO_ERROR', `${operation} failed for ${file}: ${code} (${message})`, { cause });
}
