import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../security-headers';

/** A short plain-text answer; a response already under way is cut off instead (its status cannot change). */
export function respond(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

/** A refusal: the status and why, e.g. "401 wrong access token". */
export function refuse(res: ServerResponse, status: number, reason: string, headers?: Record<string, string>): void {
  respond(res, status, `${status} ${reason}`, headers);
}
