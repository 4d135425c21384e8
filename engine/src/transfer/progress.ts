/**
 * What import and export report while they run and when they end. Progress
 * objects are plain data, so the desktop app can forward them as they are.
 */
export interface TransferProgress {
  /** Records written to the collection (import) or to the output (export) so far. */
  entries: number;
  /** Bytes read from the source (import) or written to the output (export) so far. */
  bytes: number;
  /** The source's size in bytes when known (an import from a file); undefined otherwise. */
  totalBytes: number | undefined;
  /** Bad records skipped so far (import in skip mode; always 0 for export). */
  skipped: number;
}

/** A record that could not be imported: where it is and what is wrong with it. */
export interface BadRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  message: string;
}

export interface ImportResult {
  /** Records written to the collection (a key given twice counts twice; the later value wins). */
  entries: number;
  /** Bad records skipped (skip mode only). */
  skipped: number;
  /** The first bad records skipped, in file order; `skipped` counts them all. */
  badRecords: BadRecord[];
  /** Bytes read from the source. */
  bytes: number;
}

export interface ExportResult {
  entries: number;
  bytes: number;
}

/**
 * Why a transfer ended early: the input was bad (stop mode), the caller
 * aborted it, or reading, writing or the collection failed (`cause`).
 */
export type TransferFailure = 'invalid-input' | 'aborted' | 'failed';

/**
 * An import that ended early. Every record counted in `result.entries` is
 * in the collection (whole batches were written atomically), and nothing
 * after them was written.
 */
export class ImportError extends Error {
  constructor(
    readonly reason: TransferFailure,
    message: string,
    readonly result: ImportResult,
    /** The line of the bad record, for reason 'invalid-input'. */
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    // Once reading has begun, how far it got matters; before (a missing file), it is noise.
    const sofar =
      result.bytes === 0
        ? ''
        : ` (${result.entries} record(s) imported before it${result.skipped === 0 ? '' : `, ${result.skipped} skipped`})`;
    super(`${message}${sofar}`, options);
    this.name = 'ImportError';
  }
}

/** An export that ended early; an output file is then left as it was (a stream has what was written). */
export class ExportError extends Error {
  constructor(
    readonly reason: Exclude<TransferFailure, 'invalid-input'>,
    message: string,
    readonly result: ExportResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}
