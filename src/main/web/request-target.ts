/** The path and query of a request, from its request line. */
export interface RequestTarget {
  path: string;
  query: URLSearchParams;
}

/**
 * Parses an origin-form request target ("/path?query"). Anything else (an
 * absolute URL, "*", "host:port", a "//host" that URL parsing reads as an
 * authority, a target that no URL can hold) is undefined: the caller answers
 * 400 instead of throwing in the request handler.
 */
export function parseTarget(raw: string | undefined): RequestTarget | undefined {
  if (raw === undefined || !raw.startsWith('/')) return undefined;
  try {
    // A fixed authority in front: "//[/" is then a path, not a malformed host.
    const url = new URL(`http://strata.invalid${raw}`);
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return undefined;
  }
}
