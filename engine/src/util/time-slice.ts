/** A turn of the event loop (setImmediate, so I/O callbacks run before the caller goes on). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * For long loops in the host process (recovery's and repair's reads of whole
 * files): `await slice()` after each step yields to the event loop once
 * `sliceMs` have passed since the last yield, so no step sequence blocks it
 * for longer than that plus one step.
 */
export function timeSlicer(sliceMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await yieldToEventLoop();
    since = performance.now();
  };
}
