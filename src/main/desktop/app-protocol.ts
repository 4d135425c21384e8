import { SECURITY_HEADERS } from '../security-headers';
import type { StaticFile } from '../web/static-files';

// The desktop page is served from app://strata/, not file://. A fixed host
// gives the page a real origin (file:// pages share one opaque origin with
// every other local file), and lets the packaged build turn off the
// GrantFileProtocolExtraPrivileges fuse. See doc/electron-security.md.
export const APP_SCHEME = 'app';
export const APP_HOST = 'strata';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registered before the app is ready. `standard`: the URL has an origin and
 * relative URLs resolve as on the web; `secure`: a secure context, as file://
 * was; `codeCache`: V8 keeps the compiled bundle between launches. Nothing
 * else: no CSP bypass, no CORS, fetch or service workers, which the page does
 * not use in the desktop app.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, codeCache: true },
} as const;

/** The two fields of a protocol request the handler reads. */
export interface AppRequest {
  url: string;
  method: string;
}

/**
 * The app:// handler over the built renderer, loaded into memory once by
 * loadStaticFiles (the same loader web mode uses). A request is answered only
 * from that map of the files found in the build folder, so a request path
 * never reaches the file system: "..", encoded dots or slashes, backslashes,
 * absolute paths and symlinks (the loader skips them) cannot escape it, and
 * anything not in the map is a 404.
 */
export function appProtocolHandler(files: ReadonlyMap<string, StaticFile>): (request: AppRequest) => Response {
  return (request) => {
    const path = requestPath(request.url);
    if (typeof path !== 'string') return plain(path.status, path.reason);
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, `method ${request.method} not allowed`);
    const file = files.get(path === '/' || path === '' ? '/index.html' : path);
    if (!file) return plain(404, 'not found');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Content-Length': String(file.body.length) },
    });
  };
}

/** Whether a frame's URL is the app's own page (any query or fragment). */
export function isAppPage(url: string): boolean {
  const parsed = parse(url);
  if (!parsed || !isAppOrigin(parsed)) return false;
  return parsed.pathname === '/index.html' || parsed.pathname === '/';
}

function requestPath(url: string): string | { status: number; reason: string } {
  const parsed = parse(url);
  if (!parsed) return { status: 400, reason: 'malformed URL' };
  if (!isAppOrigin(parsed)) return { status: 404, reason: 'not found' };
  try {
    return decodeURIComponent(parsed.pathname);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding in the path' };
  }
}

function isAppOrigin(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
}

function parse(url: string): URL | undefined {
  return URL.canParse(url) ? new URL(url) : undefined;
}

function plain(status: number, reason: string): Response {
  return new Response(`${status} ${reason}\n`, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
