import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Collection, exportCollection, ImportError, importCollection, previewImport, type TransferProgress } from '@strata/engine';
import type { DownloadTicket, ImportPreviewView, JobProgress, KeyFilter, UploadTicket } from '../../shared/ipc/types';
import type { ImportMode, TransferFormat } from '../../shared/model/transfer';
import type { JobContext, JobExtra, Jobs } from './jobs';
import { scanOptions } from './key-range';
import { badRecordToWire, previewToWire } from './to-wire/transfer';

/** How much of a file the import preview reads. */
export const PREVIEW_BYTES = 64 * 1024;
/** An upload that does not start within this time is given up, so its job never hangs. */
const HANDOFF_MS = 60_000;
/**
 * A download's one-time ticket is good this long after it was issued, and
 * its export job gives up waiting then too. The page starts the download as
 * soon as it has the ticket; the time covers a busy machine, not a person.
 */
export const DOWNLOAD_TICKET_MS = 30_000;

interface Handoff<T> {
  deliver(value: T): void;
  wait(signal: AbortSignal): Promise<T>;
}

/** A value one side (the web server's HTTP route) hands to a job that is waiting for it. */
function handoff<T>(timeoutMs: number): Handoff<T> {
  let deliver!: (value: T) => void;
  const arrived = new Promise<T>((resolve) => (deliver = resolve));
  return {
    deliver,
    wait: (signal) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the transfer did not start within ${timeoutMs / 1000} s`)), timeoutMs);
        timer.unref();
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new Error('cancelled before the transfer started'));
          },
          { once: true },
        );
        void arrived.then((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      }),
  };
}

const count = (n: number) => n.toLocaleString('en-US');

interface PendingDownload {
  arrival: Handoff<Writable>;
  /** SHA-256 of the ticket: compared in constant time, and the ticket itself is not kept. */
  ticketDigest: Buffer;
  expiresAt: number;
  collection: string;
  format: TransferFormat;
}

/** What the download route gets for an id and a ticket: the export to stream, or why not. */
export type DownloadRedemption =
  | { ok: true; collection: string; format: TransferFormat; deliver(response: Writable): void }
  | { ok: false; status: number; reason: string };

const digest = (ticket: string): Buffer => createHash('sha256').update(ticket).digest();

/**
 * Import and export as jobs over the engine's streaming transfer API. The
 * desktop app reads and writes files the user picked in a native dialog; web
 * mode streams a browser upload into an import and an export into a browser
 * download, through two HTTP routes keyed by the job's id.
 */
export class Transfers {
  private readonly uploads = new Map<string, Handoff<Readable>>();
  private readonly downloads = new Map<string, PendingDownload>();
  /** Files the user chose in a native dialog: the only paths the renderer may name. */
  private readonly chosen = new Set<string>();

  /** `now`: a monotonic clock in milliseconds (tests pass their own). */
  constructor(
    private readonly jobs: Jobs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  allowPath(path: string): void {
    this.chosen.add(path);
  }

  /** The renderer may name only files the user picked in the native dialog, never any path on the machine. */
  private checkChosen(path: string): void {
    if (!this.chosen.has(path))
      throw Object.assign(new Error(`"${path}" was not chosen in the file dialog; choose the file with Import… first`), {
        code: 'FORBIDDEN',
      });
  }

  /** The first records of a file the user chose, read as `format` (detected from the file when not given). */
  async previewFile(path: string, format?: TransferFormat): Promise<ImportPreviewView> {
    this.checkChosen(path);
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const buffer = Buffer.alloc(Math.min(PREVIEW_BYTES, size));
      await file.read(buffer, 0, buffer.length, 0);
      // A sample cut inside a multi-byte character would read as invalid UTF-8: end it at a whole character.
      const text = new TextDecoder('utf-8', { fatal: false }).decode(buffer).replace(/\uFFFD$/, '');
      const preview = await previewImport(text, { fileName: path, format, complete: size <= PREVIEW_BYTES });
      return previewToWire(preview, { fileName: basename(path), sizeBytes: size, path });
    } finally {
      await file.close();
    }
  }

  async previewSample(sample: string, fileName: string, sizeBytes: number | null, format?: TransferFormat): Promise<ImportPreviewView> {
    const complete = sizeBytes !== null && Buffer.byteLength(sample) >= sizeBytes;
    return previewToWire(await previewImport(sample, { fileName, format, complete }), { fileName, sizeBytes });
  }

  importFile(name: string, c: Collection, path: string, format: TransferFormat, onError: ImportMode): JobProgress {
    this.checkChosen(path);
    return this.jobs.start('import', name, null, 'bytes', (ctx) => runImport(c, path, format, onError, basename(path), ctx));
  }

  beginUpload(
    name: string,
    c: Collection,
    fileName: string,
    sizeBytes: number | null,
    format: TransferFormat,
    onError: ImportMode,
  ): UploadTicket {
    const arrival = handoff<Readable>(HANDOFF_MS);
    const job = this.jobs.start('import', name, sizeBytes, 'bytes', async (ctx) => {
      try {
        const body = await arrival.wait(ctx.signal);
        return await runImport(c, body, format, onError, fileName, ctx, sizeBytes ?? undefined);
      } finally {
        this.uploads.delete(job.id);
      }
    });
    this.uploads.set(job.id, arrival);
    return { job, uploadPath: `/transfer/upload/${job.id}` };
  }

  exportFile(name: string, c: Collection, filter: KeyFilter, format: TransferFormat, path: string): JobProgress {
    return this.jobs.start('export', name, null, 'bytes', (ctx) => runExport(c, path, filter, format, basename(path), ctx));
  }

  beginDownload(name: string, c: Collection, filter: KeyFilter, format: TransferFormat): DownloadTicket {
    const arrival = handoff<Writable>(DOWNLOAD_TICKET_MS);
    let id = '';
    const job = this.jobs.start('export', name, null, 'bytes', async (ctx) => {
      try {
        const response = await arrival.wait(ctx.signal);
        try {
          const outcome = await runExport(c, response, filter, format, 'the download', ctx);
          response.end();
          return outcome;
        } catch (err) {
          // A broken download must not look complete to the browser.
          response.destroy(err as Error);
          throw err;
        }
      } finally {
        this.downloads.delete(id);
      }
    });
    id = job.id;
    const ticket = randomBytes(32).toString('base64url');
    this.downloads.set(id, { arrival, ticketDigest: digest(ticket), expiresAt: this.now() + DOWNLOAD_TICKET_MS, collection: name, format });
    return { job, downloadUrl: `/transfer/download/${id}?ticket=${ticket}` };
  }

  /** The web server hands an upload's request body to its waiting job. False if no such upload is waiting. */
  acceptUpload(id: string, body: Readable): boolean {
    const waiting = this.uploads.get(id);
    if (!waiting) return false;
    this.uploads.delete(id);
    waiting.deliver(body);
    return true;
  }

  /**
   * The download route's check: the ticket issued with this export, once,
   * before it expires. A wrong ticket leaves the download waiting (it cannot
   * be guessed); the right one is spent whatever happens next.
   */
  redeemDownload(id: string, ticket: string): DownloadRedemption {
    const waiting = this.downloads.get(id);
    if (!waiting)
      return {
        ok: false,
        status: 404,
        reason: 'no download is waiting under this id (it started already, finished, was cancelled, or never existed)',
      };
    if (!timingSafeEqual(digest(ticket), waiting.ticketDigest)) return { ok: false, status: 403, reason: 'wrong download ticket' };
    this.downloads.delete(id);
    if (this.now() > waiting.expiresAt) {
      this.jobs.cancel(id);
      return {
        ok: false,
        status: 410,
        reason: `this download ticket expired (they last ${DOWNLOAD_TICKET_MS / 1000} s); start the export again`,
      };
    }
    return { ok: true, collection: waiting.collection, format: waiting.format, deliver: (response) => waiting.arrival.deliver(response) };
  }

  cancel(id: string): void {
    this.jobs.cancel(id);
  }

  /** The job behind an upload or download, for the route to follow (and cancel it when the browser goes away). */
  job(id: string): ReturnType<Jobs['lookup']> {
    return this.jobs.lookup(id);
  }
}

function progressExtra(p: TransferProgress): JobExtra {
  return { records: p.entries, skipped: p.skipped, ...(p.totalBytes !== undefined ? { total: p.totalBytes } : {}) };
}

async function runImport(
  c: Collection,
  source: string | Readable,
  format: TransferFormat,
  onError: ImportMode,
  what: string,
  { signal, progress }: JobContext,
  totalBytes?: number,
): Promise<{ message: string; extra: JobExtra }> {
  try {
    const result = await importCollection(c, source, {
      format,
      onError,
      signal,
      totalBytes,
      onProgress: (p) => progress(p.bytes, `${count(p.entries)} records imported`, progressExtra(p)),
    });
    const skipped = result.skipped === 0 ? '' : `; ${count(result.skipped)} bad record${result.skipped === 1 ? '' : 's'} skipped`;
    return {
      message: `imported ${count(result.entries)} records from ${what}${skipped}`,
      extra: { records: result.entries, skipped: result.skipped, badRecords: result.badRecords.map(badRecordToWire) },
    };
  } catch (err) {
    if (err instanceof ImportError) {
      // Whole batches only: the records counted here are in the collection, nothing after them.
      throw Object.assign(new Error(err.message), {
        jobExtra: { records: err.result.entries, skipped: err.result.skipped, badRecords: err.result.badRecords.map(badRecordToWire) },
      });
    }
    throw err;
  }
}

async function runExport(
  c: Collection,
  destination: string | Writable,
  filter: KeyFilter,
  format: TransferFormat,
  what: string,
  { signal, progress }: JobContext,
): Promise<{ message: string; extra: JobExtra }> {
  const { reverse: _reverse, ...range } = scanOptions(filter, { reverse: false });
  const result = await exportCollection(c, destination, {
    format,
    range,
    signal,
    onProgress: (p) => progress(p.bytes, `${count(p.entries)} records exported`, { records: p.entries }),
  });
  return { message: `exported ${count(result.entries)} records to ${what}`, extra: { records: result.entries } };
}
