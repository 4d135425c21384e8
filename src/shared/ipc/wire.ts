import type { IpcErrorShape, PushEvent } from './types'

/** What every call returns across the boundary: errors travel as data so their code and message arrive intact. */
export type Envelope = { ok: true; result: unknown } | { ok: false; error: IpcErrorShape }

// Web mode's WebSocket protocol: JSON text frames.
//   client → server  { id, op, args }            one call
//   server → client  { id, ok, result | error }  the answer to call `id`
//                    { push: PushEvent }         events, unsolicited
export interface WireCall {
  id: number
  op: string
  args: unknown
}
export type WireReply = ({ id: number } & Envelope) | { push: PushEvent }

/** The WebSocket's path on the web server. */
export const SOCKET_PATH = '/ws'
