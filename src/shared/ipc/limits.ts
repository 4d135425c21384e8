// Size limits of the IPC contract, in a module of their own so the renderer
// can use them without bundling the contract's schema library.

/** Mirrors the engine's limits (MAX_KEY_BYTES, MAX_VALUE_BYTES); the engine re-checks UTF-8 byte length. */
export const LIMITS = {
  maxKeyChars: 64 * 1024,
  maxValueChars: 64 * 1024 * 1024,
  maxValueBytes: 64 * 1024 * 1024,
  maxPathChars: 4096,
  maxPageRows: 1000,
  maxKeysPerCall: 10_000,
  /**
   * The keys of one keys.delete call together: escaped as JSON (at most six
   * bytes a character) they still fit in one WebSocket frame (wire.ts).
   */
  maxKeysCharsPerCall: 8 * 1024 * 1024,
  maxCount: 10_000_000,
  maxWorkloadOps: 100_000_000,
  /** The import preview's sample: 64 KiB of text, a little more as UTF-16 may count. */
  previewSampleChars: 128 * 1024,
  previewChars: 200,
  /** Values above this are sent truncated unless the renderer asks for the full value. */
  fullValueChars: 1024 * 1024,
} as const;
