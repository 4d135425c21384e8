import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Who may talk to the web server. It listens on 127.0.0.1 only, but any web
 * page the user visits can also reach 127.0.0.1: the Origin check stops
 * those pages, the Host check stops DNS rebinding, and the token (printed
 * once, in the URL) stops other local users and programs.
 */
export interface AccessPolicy {
  token: string
  port: number
}

export type AccessDecision = { ok: true } | { ok: false; status: number; reason: string }

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

export function checkHost(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = req.headers.host ?? ''
  return allowedHosts(policy.port).includes(host) ? { ok: true } : { ok: false, status: 421, reason: `unexpected Host header "${host.slice(0, 100)}"` }
}

function checkOrigin(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const origin = req.headers.origin
  if (origin === undefined) return { ok: false, status: 403, reason: 'missing Origin header' }
  if (!allowedHosts(policy.port).map((h) => `http://${h}`).includes(origin)) {
    return { ok: false, status: 403, reason: `foreign Origin "${origin.slice(0, 100)}"` }
  }
  return { ok: true }
}

/** The WebSocket and uploads: this server's page only (Origin), with the token (query or X-Strata-Token header). */
export function checkSocketAccess(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = checkHost(req, policy)
  if (!host.ok) return host
  const origin = checkOrigin(req, policy)
  if (!origin.ok) return origin
  return checkToken(req, policy)
}

/**
 * Downloads are plain navigations, which carry no Origin: the token in the
 * query (which no other page can know) and the Host check guard them.
 */
export function checkDownloadAccess(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const host = checkHost(req, policy)
  if (!host.ok) return host
  return checkToken(req, policy)
}

function checkToken(req: IncomingMessage, policy: AccessPolicy): AccessDecision {
  const header = req.headers['x-strata-token']
  const token = typeof header === 'string' ? header : new URL(req.url ?? '/', 'http://x').searchParams.get('token')
  if (token === null || token === '') return { ok: false, status: 401, reason: 'missing access token' }
  if (!sameSecret(token, policy.token)) return { ok: false, status: 401, reason: 'wrong access token' }
  return { ok: true }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
