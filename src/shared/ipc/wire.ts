import type { ArgsOf, ResultOf } from './contract';
import type { Operation } from './operations';
import { LIMITS } from './limits';
import type { IpcErrorShape, PushEvent } from './types';

/** What every call returns across the boundary: errors travel as data so their code and message arrive intact. */
export type Envelope = { ok: true; result: unknown } | { ok: false; error: IpcErrorShape };

// Web mode's WebSocket protocol (doc/web-mode-security.md says why it looks like this).
//
// Text frames, JSON:
//   client → server  { id, op, args }            one call
//   server → client  { id, ok, result | error }  the answer to call `id`
//                    { push: PushEvent }         events, unsolicited
//
// Binary frames carry one call or reply whose single big string travels as
// raw UTF-8 instead of inside the JSON, where escaping could make it up to
// six times longer (a control character is "\u0001" in JSON):
//   [u32 big-endian: n][n bytes: header, UTF-8 JSON][the rest: body, UTF-8]
// The header is the call or reply without that string, plus `body`: the
// name of the field of `args` (a call) or `result` (a reply) the body fills.
// Only the fields in BODY_FIELDS may travel so.
export interface WireCall {
  id: number;
  op: string;
  args: unknown;
  /** Binary frames only: the field of `args` that the body fills. */
  body?: string;
}
export type WireReply = ({ id: number; body?: string } & Envelope) | { push: PushEvent };

/** The WebSocket's path on the web server. */
export const SOCKET_PATH = '/ws';
/** GET: 204 when the request carries this server's session cookie, 401 when not (the page asks before it connects). */
export const SESSION_PATH = '/session';

/**
 * Room for everything in a frame besides a maximal value: a binary frame's
 * length prefix and header (a 64 KiB key escaped to at most 384 KiB, the
 * collection name, id, op) or a text call's JSON structure.
 */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;
/** The largest frame the server accepts (its WebSocket maxPayload): a maximal put as a binary frame fits exactly. */
export const MAX_FRAME_BYTES = LIMITS.maxValueBytes + MAX_ENVELOPE_BYTES;
/** Strings at least this long travel as a binary body where BODY_FIELDS allows it; shorter ones stay in the JSON. */
export const BODY_MIN_CHARS = 64 * 1024;

type StringKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string ? K : never }[keyof T] & string;

/** Which operations may carry a string as a binary body, and where it goes: a call's argument or its reply's result. */
export const BODY_FIELDS: { readonly [K in Operation]?: { arg?: StringKeys<ArgsOf<K>>; result?: StringKeys<NonNullable<ResultOf<K>>> } } = {
  'keys.put': { arg: 'value' },
  'keys.get': { result: 'value' },
};

const UTF8 = new TextEncoder();

/**
 * The frame for `header` with `body` as its tail, in two parts: the length
 * prefix and header as bytes, and the body still as text. The sender joins
 * them however is cheapest where it runs (a Blob in the page, which encodes
 * the text itself; Buffers in Node). The body must be well formed (no lone
 * surrogates): UTF-8 cannot carry one, and encoders would quietly replace it.
 */
export function encodeBodyFrame(header: WireCall | Exclude<WireReply, { push: PushEvent }>, body: string): [Uint8Array, string] {
  const json = UTF8.encode(JSON.stringify(header));
  const head = new Uint8Array(4 + json.length);
  new DataView(head.buffer).setUint32(0, json.length);
  head.set(json, 4);
  return [head, body];
}

export class FrameError extends Error {}

/** Splits a binary frame into its parsed header and its body bytes (not yet decoded). Throws FrameError when malformed. */
export function splitBodyFrame(frame: Uint8Array): { header: unknown; body: Uint8Array } {
  if (frame.length < 4) throw new FrameError(`binary frame of ${frame.length} bytes has no header length`);
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (length > MAX_ENVELOPE_BYTES) throw new FrameError(`binary frame header of ${length} bytes; the limit is ${MAX_ENVELOPE_BYTES}`);
  if (4 + length > frame.length) throw new FrameError(`binary frame header of ${length} bytes runs past the frame's ${frame.length} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(STRICT_UTF8.decode(frame.subarray(4, 4 + length)));
  } catch (err) {
    throw new FrameError(`binary frame header is not UTF-8 JSON: ${(err as Error).message}`);
  }
  return { header, body: frame.subarray(4 + length) };
}

// ignoreBOM: a value that starts with U+FEFF must keep it (TextDecoder strips it by default).
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A body's text. Throws FrameError when the bytes are not UTF-8, rather than altering them. */
export function decodeBody(body: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(body);
  } catch {
    throw new FrameError('binary body is not valid UTF-8');
  }
}
