import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to the web server. It listens on 127.0.0.1 only, but any web
 * page the user visits can also reach 127.0.0.1: the Origin check stops
 * those pages, the Host check stops DNS rebinding, and the session stops
 * other local users and programs. The token, printed once at start, is shown
 * once in the page's URL; the server answers it with an HttpOnly,
 * SameSite=Strict session cookie, and from then on the page, its socket and
 * its uploads carry only the cookie. Programs that are not a browser send the
 * token in an X-Strata-Token header instead. See doc/web-mode-security.md.
 */
export interface AccessPolicy {
  token: string;
  /** The session cookie's value: random, made at start, never printed. */
  session: string;
  port: number;
}

export type AccessDecision = { ok: true } | { ok: false; status: number; reason: string };

const OK: AccessDecision = { ok: true };

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** One header's value, or why it cannot be trusted: missing, or sent more than once (Node keeps only the first Host). */
function single(req: IncomingMessage, name: string): string | undefined | 'duplicate' {
  const values = req.headersDistinct[name];
  if (values === undefined || values.length === 0) return undefined;
  return values.length > 1 ? 'duplicate' : values[0];
}

export function checkHost(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = single(req, 'host');
  if (host === undefined) return { ok: false, status: 400, reason: 'missing Host header' };
  if (host === 'duplicate') return { ok: false, status: 400, reason: 'more than one Host header' };
  return allowedHosts(policy.port).includes(host)
    ? OK
    : { ok: false, status: 421, reason: `unexpected Host header "${host.slice(0, 100)}"` };
}

function checkOrigin(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const origin = single(req, 'origin');
  if (origin === undefined) return { ok: false, status: 403, reason: 'missing Origin header' };
  if (origin === 'duplicate') return { ok: false, status: 400, reason: 'more than one Origin header' };
  if (
    !allowedHosts(policy.port)
      .map((h) => `http://${h}`)
      .includes(origin)
  ) {
    return { ok: false, status: 403, reason: `foreign Origin "${origin.slice(0, 100)}"` };
  }
  return OK;
}

/** The WebSocket and uploads: this server's page only (Host, Origin), with the session cookie or the token header. */
export function checkSocketAccess(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = checkHost(req, policy);
  if (!host.ok) return host;
  const origin = checkOrigin(req, policy);
  if (!origin.ok) return origin;
  return checkSession(req, policy);
}

/**
 * Downloads are navigations, which carry no Origin: the Host check and the
 * session guard them here, and the route then wants the download's one-time
 * ticket as well.
 */
export function checkDownloadAccess(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = checkHost(req, policy);
  if (!host.ok) return host;
  return checkSession(req, policy);
}

/** The session cookie (a browser) or the X-Strata-Token header (any other program). */
export function checkSession(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const header = single(req, 'x-strata-token');
  if (header === 'duplicate') return { ok: false, status: 400, reason: 'more than one X-Strata-Token header' };
  if (header !== undefined) return sameSecret(header, policy.token) ? OK : { ok: false, status: 401, reason: 'wrong access token' };
  const cookie = sessionCookieOf(req, policy);
  if (cookie === undefined)
    return { ok: false, status: 401, reason: 'no session: open the address the server printed (it carries the access token)' };
  return sameSecret(cookie, policy.session)
    ? OK
    : { ok: false, status: 401, reason: 'session from an earlier run of the server: open the address it printed this time' };
}

/** Whether a page request's `?token=` is this server's token (then the response sets the session cookie). */
export function pageTokenMatches(token: string | null, policy: AccessPolicy): boolean {
  return token !== null && token !== '' && sameSecret(token, policy.token);
}

/**
 * Named for the port: cookies ignore ports, so two servers on one machine
 * would otherwise overwrite each other's session. No Max-Age: it ends with
 * the browser session, and the next server start makes a new one anyway.
 */
export function sessionCookieName(policy: AccessPolicy): string {
  return `strata-session-${policy.port}`;
}

export function sessionCookie(policy: AccessPolicy): string {
  return `${sessionCookieName(policy)}=${policy.session}; Path=/; HttpOnly; SameSite=Strict`;
}

function sessionCookieOf(req: IncomingMessage, policy: AccessPolicy): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  const name = sessionCookieName(policy);
  // Several cookies of this name (another path, an older run): any one that matches is enough, so take a matching one.
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    found = part.slice(eq + 1).trim();
    if (sameSecret(found, policy.session)) return found;
  }
  return found;
}

/** Compares digests, so neither the length nor the content of the secret shows in the time taken. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
