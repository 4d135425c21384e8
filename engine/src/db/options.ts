import { StorageError } from '../errors.js';

/**
 * Per-collection options. They are chosen at creation and persisted in the
 * collection's OPTIONS file, so a collection behaves the same whoever opens it.
 */
export interface CollectionOptions {
  /** Memtable size that triggers a flush to an L0 SSTable. */
  memtableBytes: number;
  /** Target size of an SSTable data block before its trailer. */
  blockBytes: number;
  /** Bloom filter bits per key; 0 disables filters. */
  bloomBitsPerKey: number;
  /** Capacity of the LRU cache of data blocks. */
  blockCacheBytes: number;
  /** Full memtables allowed to wait for flush before writes pause. */
  maxImmutableMemtables: number;
}

export const DEFAULT_OPTIONS: Readonly<CollectionOptions> = Object.freeze({
  memtableBytes: 4 * 1024 * 1024,
  blockBytes: 4096,
  bloomBitsPerKey: 10,
  blockCacheBytes: 32 * 1024 * 1024,
  maxImmutableMemtables: 2,
});

const LIMITS: Record<keyof CollectionOptions, [min: number, max: number]> = {
  memtableBytes: [1024, 1024 * 1024 * 1024],
  blockBytes: [256, 1024 * 1024],
  bloomBitsPerKey: [0, 30],
  blockCacheBytes: [0, 64 * 1024 * 1024 * 1024],
  maxImmutableMemtables: [1, 64],
};

export const OPTION_NAMES = Object.keys(LIMITS) as (keyof CollectionOptions)[];

/** Merges `given` over `base`, rejecting unknown names and out-of-range values by name. */
export function resolveOptions(given: unknown, base: Readonly<CollectionOptions> = DEFAULT_OPTIONS): CollectionOptions {
  const out: CollectionOptions = { ...base };
  if (given === undefined || given === null) return out;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new StorageError('INVALID_OPTIONS', `collection options must be an object, got ${describe(given)}`);
  }
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!(name in LIMITS)) {
      throw new StorageError('INVALID_OPTIONS', `unknown collection option "${name}" (known: ${OPTION_NAMES.join(', ')})`);
    }
    const [min, max] = LIMITS[name as keyof CollectionOptions];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new StorageError('INVALID_OPTIONS', `option ${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    out[name as keyof CollectionOptions] = value;
  }
  return out;
}

/** Picks the collection options out of a larger object (e.g. StorageManager's options). */
export function pickOptions(from: Record<string, unknown>): Partial<CollectionOptions> {
  const out: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) if (from[name] !== undefined) out[name] = from[name];
  return out as Partial<CollectionOptions>;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
