import { StorageError } from '../index.js';

/** A mistake in what was typed: printed as `Error: <message>`, with the command's usage line when known. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The text after `Error: ` for anything a command threw; never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return err.usage === undefined ? err.message : `${err.message}. Usage: ${err.usage}`;
  if (err instanceof StorageError) return err.message;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
