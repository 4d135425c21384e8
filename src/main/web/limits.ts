// Web mode's resource limits, each bounding what one client (or any local
// process, before it shows the token) can make the server hold. Why these
// numbers: doc/web-mode-security.md.

/** Open TCP connections, WebSockets included. A tab uses up to 7 (a browser opens 6 per host, plus its socket). */
export const MAX_CONNECTIONS = 64;

/** Open WebSockets: one per tab or script. Each may hold one maximal frame while it arrives, so this also bounds memory. */
export const MAX_SOCKETS = 16;

/** Calls one socket may have running at once; beyond that the server stops reading its frames until one ends. */
export const MAX_INFLIGHT_CALLS = 16;

/**
 * Bytes queued for one socket above which its pushes wait, coalesced, and
 * its frames are no longer read; both resume once the queue is under the
 * low-water mark.
 */
export const SEND_HIGH_WATER = 4 * 1024 * 1024;
export const SEND_LOW_WATER = 1024 * 1024;

/** Distinct pushes (one per collection, job or kind) waiting for a socket that does not read; beyond this it is disconnected. */
export const MAX_PENDING_PUSHES = 1024;

/** Engine events kept per collection while its pushes wait; older ones are dropped (the stats snapshot is always the newest). */
export const MAX_PENDING_ENGINE_EVENTS = 500;

/** Frames at least this large are parsed, and their call started, each in a turn of its own, so other clients' calls run in between. */
export const YIELD_FRAME_BYTES = 1024 * 1024;

/** A request must send its headers within this time (Node's default is 60 s), so half-open requests cannot hold connections for long. */
export const HEADERS_TIMEOUT_MS = 10_000;
