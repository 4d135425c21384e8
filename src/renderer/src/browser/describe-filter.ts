import type { KeyFilter } from '../../../shared/ipc/types';

/** The filter in words, for confirmations and the export dialog: "prefix “user:”, before “user:9”". */
export function describeFilter(filter: KeyFilter): string {
  const parts: string[] = [];
  if (filter.prefix) parts.push(`prefix “${filter.prefix}”`);
  if (filter.gte) parts.push(`from “${filter.gte}”`);
  if (filter.lt) parts.push(`before “${filter.lt}”`);
  if (filter.lte) parts.push(`through “${filter.lte}”`);
  return parts.length ? parts.join(', ') : 'no filter (every key)';
}
