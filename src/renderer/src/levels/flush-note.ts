import type { CollectionStats } from '../../../shared/model/stats';

/**
 * What the status strip says once a collection's flushes no longer run on
 * the flush thread because it stopped (it could not start, or died): writes
 * still flow, but each flush now builds its table on the main process's own
 * thread, until the collection is reopened. Undefined while nothing stopped.
 */
export function flushThreadNote(flush: CollectionStats['flush']): string | undefined {
  if (flush.threadStopped === null) return undefined;
  return `Flushing on the main thread until reopened (${flush.threadStopped})`;
}
