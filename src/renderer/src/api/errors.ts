import { AppError } from './client';

export interface ErrorText {
  title: string;
  message: string;
}

/** Headlines for the codes a user can run into; the engine's message says the specifics. */
const TITLES: Record<string, string> = {
  COLLECTION_LOCKED: 'Collection is locked',
  COLLECTION_NOT_FOUND: 'Collection not found',
  COLLECTION_EXISTS: 'Collection already exists',
  INVALID_KEY: 'Invalid key',
  INVALID_VALUE: 'Invalid value',
  INVALID_ARGUMENT: 'Not possible',
  INVALID_NAME: 'Invalid name',
  DISCONNECTED: 'Connection lost',
  FORBIDDEN: 'Not allowed',
  TOO_LARGE: 'Too large',
  CLOSED: 'Collection closed',
  IO_ERROR: 'Disk error',
  CORRUPTION: 'Data is corrupted',
};

export function describeError(err: unknown, doing?: string): ErrorText {
  if (err instanceof AppError) {
    const title = TITLES[err.code] ?? (doing ? `Could not ${doing}` : err.code);
    return { title, message: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { title: doing ? `Could not ${doing}` : 'Something went wrong', message };
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof AppError ? err.code : undefined;
}
