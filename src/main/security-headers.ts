/**
 * The headers every page and file of Strata's renderer is served with, by
 * the web server (http://127.0.0.1) and by the desktop app's app:// protocol
 * alike, so both modes run the page under one policy.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Web mode's page URL carries the access token: never send it on as a referrer.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
