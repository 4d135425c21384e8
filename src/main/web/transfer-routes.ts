import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { TransferFormat } from '../../shared/model/transfer';
import { checkDownloadAccess, checkSocketAccess, type AccessPolicy } from './access';
import type { RequestTarget } from './request-target';
import { refuse, respond } from './respond';
import { SECURITY_HEADERS } from '../security-headers';

/** The service side of web mode's two transfer routes (Transfers in the app service). */
export interface TransferRoutes {
  acceptUpload(id: string, body: Readable): boolean;
  redeemDownload(
    id: string,
    ticket: string,
  ):
    | { ok: true; collection: string; format: TransferFormat; deliver(response: Writable): void }
    | { ok: false; status: number; reason: string };
  job(id: string): { ended: Promise<{ state: string; message: string }> } | undefined;
  cancel(id: string): void;
}

export const TRANSFER_ROUTE = /^\/transfer\/(upload|download)\/([0-9a-f-]{36})$/;

const CONTENT_TYPES: Record<TransferFormat, string> = { ndjson: 'application/x-ndjson', json: 'application/json', csv: 'text/csv' };

/**
 * Uploads (POST, from the page: Host, Origin and the session checked) feed
 * an import job; downloads (GET, a navigation: Host, the session, and the
 * download's one-time ticket) receive an export job's stream. Either way the
 * job was started over the contract first, and reports progress as usual.
 */
export function serveTransfer(
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
  kind: 'upload' | 'download',
  id: string,
  transfers: TransferRoutes,
  policy: AccessPolicy,
  report: (message: string) => void,
): void {
  const access = kind === 'upload' ? checkSocketAccess(req, policy) : checkDownloadAccess(req, policy);
  if (!access.ok) return refuse(res, access.status, access.reason);
  if (req.method !== (kind === 'upload' ? 'POST' : 'GET'))
    return refuse(res, 405, 'method not allowed', { Allow: kind === 'upload' ? 'POST' : 'GET' });
  if (kind === 'upload') return serveUpload(req, res, id, transfers, report);

  const redeemed = transfers.redeemDownload(id, target.query.get('ticket') ?? '');
  if (!redeemed.ok) return refuse(res, redeemed.status, redeemed.reason);
  const extension = redeemed.format === 'json' ? 'json' : redeemed.format;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': `${CONTENT_TYPES[redeemed.format]}; charset=utf-8`,
    // The collection name is checked by the engine: letters, digits, "-", "_" and "." only, so it needs no quoting here.
    'Content-Disposition': `attachment; filename="${redeemed.collection}.${extension}"`,
  });
  // The browser cancelling its download cancels the export job.
  res.on('close', () => {
    if (!res.writableFinished) transfers.cancel(id);
  });
  // A write after the browser went away fails here, not as an unhandled 'error' event; the close above cancelled the job.
  res.on('error', () => {});
  redeemed.deliver(res);
}

function serveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  transfers: TransferRoutes,
  report: (message: string) => void,
): void {
  const running = transfers.job(id);
  if (!running) return refuse(res, 404, 'no upload is waiting under this id (it finished, was cancelled, or never started)');
  if (!transfers.acceptUpload(id, req)) return refuse(res, 409, 'this upload was already received');
  // Answer when the import ends, not when the body does: a bad record or a
  // cancel ends it early, and the rest of the body is then not worth reading.
  running.ended
    .then((job) => {
      if (res.headersSent || res.destroyed) return;
      const status = job.state === 'done' ? 200 : job.state === 'cancelled' ? 499 : 422;
      respond(res, status, `${job.state}: ${job.message}`, { Connection: 'close' });
      res.once('finish', () => {
        if (!req.complete) req.destroy();
      });
    })
    .catch((err: Error) => report(`web mode: answering upload ${id} failed: ${err.stack ?? err.message}`));
}
