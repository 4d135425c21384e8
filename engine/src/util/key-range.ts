import { StorageError } from '../errors.js';
import { describe } from './describe.js';
import { compareKeys } from './key-order.js';

/** Scan options as the public API takes them. */
export interface RangeOptions {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  prefix?: string;
  limit?: number;
  reverse?: boolean;
}

/** A normalized half-open-or-closed key range with direction and limit. */
export interface KeyRange {
  lower: string | undefined;
  lowerInclusive: boolean;
  upper: string | undefined;
  upperInclusive: boolean;
  reverse: boolean;
  /** Infinity when unlimited. */
  limit: number;
}

export function normalizeRange(options: unknown): KeyRange {
  const range: KeyRange = {
    lower: undefined,
    lowerInclusive: true,
    upper: undefined,
    upperInclusive: true,
    reverse: false,
    limit: Infinity,
  };
  if (options === undefined || options === null) return range;
  if (typeof options !== 'object' || Array.isArray(options))
    throw new StorageError('INVALID_ARGUMENT', `scan options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!['gt', 'gte', 'lt', 'lte', 'prefix', 'limit', 'reverse'].includes(name) && o[name] !== undefined) {
      throw new StorageError('INVALID_ARGUMENT', `unknown scan option "${name}" (known: gt, gte, lt, lte, prefix, limit, reverse)`);
    }
  }
  for (const name of ['gt', 'gte', 'lt', 'lte', 'prefix']) {
    if (o[name] !== undefined && typeof o[name] !== 'string') {
      throw new StorageError('INVALID_ARGUMENT', `scan option ${name} must be a string, got ${describe(o[name])}`);
    }
    if (typeof o[name] === 'string' && !(o[name] as string).isWellFormed()) {
      // No key can hold a lone surrogate, and it has no place in UTF-8 byte order.
      throw new StorageError('INVALID_ARGUMENT', `scan option ${name} contains a lone surrogate, which has no UTF-8 encoding`);
    }
  }
  if (o.reverse !== undefined && typeof o.reverse !== 'boolean')
    throw new StorageError('INVALID_ARGUMENT', `scan option reverse must be a boolean, got ${describe(o.reverse)}`);
  range.reverse = o.reverse === true;
  if (o.limit !== undefined && o.limit !== null) {
    const limit = o.limit;
    if (
      typeof limit !== 'number' ||
      Number.isNaN(limit) ||
      (limit < 0 && limit !== -1) ||
      (!Number.isInteger(limit) && limit !== Infinity)
    ) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `scan option limit must be a non-negative integer (or -1 for none), got ${describe(limit)}`,
      );
    }
    range.limit = limit === -1 ? Infinity : limit;
  }
  const tighterLower = (key: string, inclusive: boolean) => {
    const c = range.lower === undefined ? 1 : compareKeys(key, range.lower);
    if (c > 0 || (c === 0 && !inclusive)) {
      range.lower = key;
      range.lowerInclusive = inclusive;
    }
  };
  const tighterUpper = (key: string, inclusive: boolean) => {
    const c = range.upper === undefined ? -1 : compareKeys(key, range.upper);
    if (c < 0 || (c === 0 && !inclusive)) {
      range.upper = key;
      range.upperInclusive = inclusive;
    }
  };
  if (typeof o.gte === 'string') tighterLower(o.gte, true);
  if (typeof o.gt === 'string') tighterLower(o.gt, false);
  if (typeof o.lte === 'string') tighterUpper(o.lte, true);
  if (typeof o.lt === 'string') tighterUpper(o.lt, false);
  if (typeof o.prefix === 'string' && o.prefix !== '') {
    tighterLower(o.prefix, true);
    const after = prefixSuccessor(o.prefix);
    if (after !== undefined) tighterUpper(after, false);
  }
  return range;
}

/** The smallest string greater than every string that starts with `prefix` (undefined if none exists). */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next === 0xd800) next = 0xe000; // skip the surrogate range: not code points of their own
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

export function isEmptyRange(range: KeyRange): boolean {
  if (range.limit === 0) return true;
  if (range.lower === undefined || range.upper === undefined) return false;
  const c = compareKeys(range.lower, range.upper);
  return c > 0 || (c === 0 && !(range.lowerInclusive && range.upperInclusive));
}

/** True if `key` lies beyond the range's far end, in the scan's direction. */
export function pastEnd(range: KeyRange, key: string): boolean {
  if (range.reverse) {
    if (range.lower === undefined) return false;
    const c = compareKeys(key, range.lower);
    return c < 0 || (c === 0 && !range.lowerInclusive);
  }
  if (range.upper === undefined) return false;
  const c = compareKeys(key, range.upper);
  return c > 0 || (c === 0 && !range.upperInclusive);
}
