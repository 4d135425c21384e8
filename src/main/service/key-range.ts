import { compareKeys, type RangeOptions } from '@strata/engine';
import type { KeyFilter } from '../../shared/ipc/types';

export interface PageCursor {
  reverse: boolean;
  /** Continue strictly past this key, in the scan's direction. */
  after?: string;
  /** Start at this key (inclusive), in the scan's direction: "jump to key". */
  from?: string;
}

const larger = (a: string | undefined, b: string): string => (a === undefined || compareKeys(b, a) > 0 ? b : a);
const smaller = (a: string | undefined, b: string): string => (a === undefined || compareKeys(b, a) < 0 ? b : a);

/**
 * Turns the browser's filter plus a cursor into engine scan options. The
 * engine intersects prefix, gt/gte and lt/lte itself; only a cursor landing on
 * the same bound as the filter needs merging here, because an options object
 * holds one `gte`, one `lt` and one `lte`.
 */
export function scanOptions(filter: KeyFilter, cursor: PageCursor, limit?: number): RangeOptions {
  const options: RangeOptions = { reverse: cursor.reverse };
  if (filter.prefix) options.prefix = filter.prefix;
  if (filter.gte !== undefined && filter.gte !== '') options.gte = filter.gte;
  if (filter.lt !== undefined && filter.lt !== '') options.lt = filter.lt;
  if (filter.lte !== undefined && filter.lte !== '') options.lte = filter.lte;
  if (cursor.reverse) {
    if (cursor.after !== undefined) options.lt = smaller(options.lt, cursor.after);
    if (cursor.from !== undefined) options.lte = smaller(options.lte, cursor.from);
  } else {
    if (cursor.after !== undefined) options.gt = cursor.after;
    if (cursor.from !== undefined) options.gte = larger(options.gte, cursor.from);
  }
  if (limit !== undefined) options.limit = limit;
  return options;
}
