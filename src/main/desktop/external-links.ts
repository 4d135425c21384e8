/**
 * The hosts the desktop app may hand to the system browser. The renderer
 * links to no outside page today (it has no https link), so the list is
 * empty and every external link is refused. Add a host here, exactly as it
 * appears in the URL, when the page gains a link to it.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [];

export type LinkDecision = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Whether a URL the page asked to open may go to the system browser: https
 * only, a host on the list (no subdomains by implication), the default port
 * and no user name or password. Never throws; the URL it returns is the
 * parsed, normalised one, which is what gets opened.
 */
export function checkExternalLink(url: unknown, allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS): LinkDecision {
  if (typeof url !== 'string' || !URL.canParse(url)) return { ok: false, reason: 'not a valid absolute URL' };
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return { ok: false, reason: `scheme ${parsed.protocol} is not https:` };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, reason: 'the URL carries a user name or password' };
  if (parsed.port !== '') return { ok: false, reason: `port ${parsed.port} is not the default` };
  if (!allowedHosts.includes(parsed.hostname)) return { ok: false, reason: `host ${parsed.hostname} is not on the allow-list` };
  return { ok: true, url: parsed.href };
}

/**
 * Opens an allowed link in the system browser; logs and drops any other.
 * `open` is shell.openExternal; its failure (no browser, say) is logged too.
 */
export function openExternalIfAllowed(
  url: unknown,
  open: (url: string) => Promise<void>,
  allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS,
): boolean {
  const decision = checkExternalLink(url, allowedHosts);
  if (!decision.ok) {
    const shown = typeof url === 'string' ? JSON.stringify(url.slice(0, 200)) : `a ${typeof url}`;
    console.warn(`[strata] not opening ${shown}: ${decision.reason}`);
    return false;
  }
  open(decision.url).catch((err: Error) => console.warn(`[strata] the system browser did not open ${decision.url}: ${err.message}`));
  return true;
}
