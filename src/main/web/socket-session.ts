import type { WebSocket } from 'ws';
import { LIMITS, type StrataApi } from '../../shared/ipc/contract';
import { isOperation } from '../../shared/ipc/operations';
import type { PushEvent } from '../../shared/ipc/types';
import {
  BODY_FIELDS,
  BODY_MIN_CHARS,
  decodeBody,
  encodeBodyFrame,
  FrameError,
  splitBodyFrame,
  type Envelope,
  type WireReply,
} from '../../shared/ipc/wire';
import { dispatch } from '../ipc/dispatch';
import { MAX_INFLIGHT_CALLS, MAX_PENDING_PUSHES, SEND_HIGH_WATER, SEND_LOW_WATER, YIELD_FRAME_BYTES } from './limits';
import { PushQueue } from './push-queue';

/** One socket's load, as the server sees it (tests and diagnostics). */
export interface SocketStats {
  /** Bytes queued to send to this client and not yet taken by the OS. */
  bufferedAmount: number;
  /** Coalesced pushes waiting for the client to read. */
  pendingPushes: number;
  droppedEngineEvents: number;
  /** Calls running, and frames received but not yet started. */
  inflight: number;
  queued: number;
  /** True while the server reads no more frames from this client. */
  paused: boolean;
}

interface Received {
  data: Buffer;
  isBinary: boolean;
}

interface Call {
  id: number;
  op: unknown;
  args: unknown;
}

// WebSocket close codes (RFC 6455 §7.4.1).
const UNSUPPORTED_DATA = 1003;
const INTERNAL_ERROR = 1011;

/**
 * One WebSocket client: its frames become contract calls, started in the
 * order they came; replies and pushes go back. What one client can make the
 * server hold is bounded (limits.ts): at most MAX_INFLIGHT_CALLS calls run
 * for it, and while it reads slower than it is sent to, its pushes wait
 * coalesced (PushQueue) and its next frames are not read. A frame that
 * cannot be a call closes the socket with a code saying why; a call with a
 * usable id that is wrong in any other way is answered with an error. No
 * frame can throw out of here: whatever a client sends, the other clients
 * and the process go on.
 */
export class SocketSession {
  private readonly queue: Received[] = [];
  private readonly pushes = new PushQueue();
  private inflight = 0;
  /** A big frame is being parsed, or its call started, in turns of its own. */
  private starting = false;
  private congested = false;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly api: StrataApi,
    subscribe: (listener: (event: PushEvent) => void) => () => void,
    private readonly report: (message: string) => void,
  ) {
    const unsubscribe = subscribe((event) => this.guarded(() => this.push(event)));
    ws.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      unsubscribe();
    });
    // ws has already started closing with the code for this error (1002 protocol, 1007 bad UTF-8, 1009 too big): nothing to add.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      this.queue.push({ data: data as Buffer, isBinary });
      this.guarded(() => this.pump());
    });
  }

  /** Drops the connection at once (the server is closing). */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }

  stats(): SocketStats {
    return {
      bufferedAmount: this.ws.bufferedAmount,
      pendingPushes: this.pushes.size,
      droppedEngineEvents: this.pushes.droppedEngineEvents,
      inflight: this.inflight,
      queued: this.queue.length,
      paused: this.ws.isPaused,
    };
  }

  /** Starts what may start now, then reads more frames only if this client may have more work. */
  private pump(): void {
    while (!this.closed && !this.starting && !this.congested && this.inflight < MAX_INFLIGHT_CALLS && this.queue.length > 0) {
      let received: Received | undefined = this.queue.shift()!;
      if (received.data.length < YIELD_FRAME_BYTES) {
        const call = this.parse(received);
        if (call) this.start(call);
        continue;
      }
      // A big frame: its parsing, and then its call, each wait for the event loop to poll for I/O once more,
      // so other clients' calls are read and run in between instead of after all of it.
      this.starting = true;
      afterIo(() =>
        this.guarded(() => {
          const call = this.closed ? undefined : this.parse(received!);
          received = undefined; // the frame's bytes can go as soon as the call holds its text
          afterIo(() =>
            this.guarded(() => {
              this.starting = false;
              if (call && !this.closed) this.start(call);
              this.pump();
            }),
          );
        }),
      );
    }
    const hold = this.starting || this.congested || this.inflight >= MAX_INFLIGHT_CALLS;
    if (hold && !this.ws.isPaused) this.ws.pause();
    else if (!hold && this.ws.isPaused) this.ws.resume();
  }

  /** The call in a frame; undefined when the frame was answered (an error) or the socket closed over it. */
  private parse({ data, isBinary }: Received): Call | undefined {
    let header: unknown;
    let body: Uint8Array | undefined;
    try {
      if (isBinary) ({ header, body } = splitBodyFrame(data));
      else header = JSON.parse(data.toString('utf8'));
    } catch (err) {
      // Without a call there is nobody to answer: a client this broken is disconnected.
      this.close(UNSUPPORTED_DATA, `malformed call: ${(err as Error).message}`);
      return undefined;
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      this.close(UNSUPPORTED_DATA, 'malformed call: not a JSON object');
      return undefined;
    }
    const { id, op, args, body: field, ...rest } = header as Record<string, unknown>;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      this.close(UNSUPPORTED_DATA, 'malformed call: "id" must be a non-negative integer');
      return undefined;
    }
    // From here the call has an id: what is wrong with it is answered, and the client stays.
    const name = typeof op === 'string' ? op.slice(0, 80) : String(op).slice(0, 80);
    const unexpected = Object.keys(rest)[0];
    if (unexpected !== undefined)
      return this.refuse(id, name, 'BAD_ARGUMENTS', `unexpected field ${JSON.stringify(unexpected.slice(0, 40))} in the call`);
    if (body === undefined) {
      if (field !== undefined) return this.refuse(id, name, 'BAD_ARGUMENTS', '"body" belongs in binary frames only');
      return { id, op, args };
    }
    const allowed = isOperation(op) ? BODY_FIELDS[op]?.arg : undefined;
    if (allowed === undefined) return this.refuse(id, name, 'BAD_ARGUMENTS', `${name} takes no binary body`);
    if (field !== allowed)
      return this.refuse(
        id,
        name,
        'BAD_ARGUMENTS',
        `the binary body of ${name} is its "${allowed}", not ${JSON.stringify(String(field).slice(0, 40))}`,
      );
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      return this.refuse(id, name, 'BAD_ARGUMENTS', `${name}: args must be an object`);
    if (Object.hasOwn(args, allowed))
      return this.refuse(id, name, 'BAD_ARGUMENTS', `${name}: "${allowed}" is both in args and in the binary body`);
    if (body.length > LIMITS.maxValueBytes)
      return this.refuse(id, name, 'TOO_LARGE', `${name}: ${allowed} is ${body.length} bytes; the limit is ${LIMITS.maxValueBytes}`);
    try {
      return { id, op, args: { ...args, [allowed]: decodeBody(body) } };
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      return this.refuse(id, name, 'BAD_ARGUMENTS', `${name}: ${allowed} is not valid UTF-8`);
    }
  }

  private start({ id, op, args }: Call): void {
    this.inflight++;
    void dispatch(this.api, op, args)
      .then((envelope) => this.reply(id, op, envelope))
      .catch((err: Error) => this.report(`web mode: answering call ${id} failed: ${err.stack ?? err.message}`))
      .finally(() => {
        this.inflight--;
        this.guarded(() => this.pump());
      });
  }

  private refuse(id: number, operation: string, code: string, message: string): undefined {
    this.sendJson({ id, ok: false, error: { operation, code, message } });
    return undefined;
  }

  /** Sends the reply; resolves once it is queued on the socket, which is when the call stops counting as in flight. */
  private reply(id: number, op: unknown, envelope: Envelope): Promise<void> | void {
    if (this.closed) return;
    const field = envelope.ok && isOperation(op) ? BODY_FIELDS[op]?.result : undefined;
    const result = envelope.ok ? (envelope.result as Record<string, unknown> | null) : null;
    const text = field !== undefined && typeof result === 'object' && result !== null ? result[field] : undefined;
    if (field === undefined || typeof text !== 'string' || text.length < BODY_MIN_CHARS || !text.isWellFormed()) {
      this.sendJson({ id, ...envelope });
      return;
    }
    // A big string goes as raw UTF-8 after a small JSON header, encoded in a turn of its own.
    const { [field]: _sent, ...rest } = result!;
    return new Promise((resolve) =>
      afterIo(() => {
        this.guarded(() => {
          if (this.closed) return;
          const [head, bodyText] = encodeBodyFrame({ id, ok: true, result: rest, body: field }, text);
          const bytes = Buffer.from(bodyText, 'utf8');
          // Two fragments of one message, sent in one turn: nothing can come between them.
          this.send(head, true, false);
          this.send(bytes, true, true);
        });
        resolve();
      }),
    );
  }

  private push(event: PushEvent): void {
    if (this.closed) return;
    if (!this.congested && this.pushes.size === 0) {
      this.sendJson({ push: event });
      return;
    }
    this.pushes.add(event);
    if (this.pushes.size > MAX_PENDING_PUSHES) {
      this.report(`web mode: disconnected a client that stopped reading (${this.pushes.size} kinds of update waiting for it)`);
      this.ws.terminate();
    }
  }

  private sendJson(message: WireReply): void {
    let json: string;
    try {
      json = JSON.stringify(message);
    } catch (err) {
      if (!('id' in message)) throw err;
      const operation = message.ok ? 'reply' : message.error.operation;
      json = JSON.stringify({
        id: message.id,
        ok: false,
        error: { operation, code: 'INTERNAL', message: `the result could not be sent: ${(err as Error).message}` },
      });
    }
    this.send(json, false, true);
  }

  private send(data: string | Uint8Array, binary: boolean, fin: boolean): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // The callback runs once the OS took the frame (or the socket closed, when the close handler has already cleaned up).
    this.ws.send(data, { binary, fin }, () => this.guarded(() => this.drained()));
    if (!this.congested && this.ws.bufferedAmount > SEND_HIGH_WATER) {
      this.congested = true;
      this.pump();
    }
  }

  private drained(): void {
    if (this.closed || !this.congested || this.ws.bufferedAmount > SEND_LOW_WATER) return;
    this.congested = false;
    while (!this.congested && this.pushes.size > 0) this.sendJson({ push: this.pushes.shift()! });
    this.pump();
  }

  private close(code: number, reason: string): void {
    this.closed = true;
    this.queue.length = 0;
    this.ws.close(code, closeReason(reason));
  }

  /** Runs `work`; a bug in it closes this one socket (1011) and is reported, instead of reaching the process. */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.report(`web mode: ${(err as Error).stack ?? String(err)}`);
      if (!this.closed) this.close(INTERNAL_ERROR, 'internal error; see the server log');
    }
  }
}

/**
 * Runs `work` after the event loop has polled for I/O at least once more. An
 * immediate queued from the poll phase runs in the check phase right after
 * it, before any new I/O is read; one queued from there waits a full turn.
 */
function afterIo(work: () => void): void {
  setImmediate(() => setImmediate(work));
}

/** A close reason must be at most 123 bytes of UTF-8 (ws throws otherwise): ASCII only, cut to fit. */
function closeReason(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 123);
}
