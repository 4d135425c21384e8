import { StorageError } from '../errors.js';
import type { Compression } from '../table/compression.js';
import { describe } from '../util/describe.js';

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
  /** Compact automatically when a level is over its trigger (manual compact() works either way). */
  autoCompaction: boolean;
  /** L0 file count that triggers an L0 -> L1 compaction. */
  level0CompactionTrigger: number;
  /** L0 file count at which each write group is delayed by 1 ms, so compaction can catch up. */
  level0SlowdownTrigger: number;
  /** L0 file count at which writes wait until compaction brings it down. */
  level0StopTrigger: number;
  /** Target size of L1; L2 is levelSizeMultiplier times larger, and so on. */
  level1TargetBytes: number;
  levelSizeMultiplier: number;
  /** Compaction outputs are cut at about this size. */
  targetFileBytes: number;
  /**
   * Codec for SSTable blocks written from now on. Tables keep the codec they
   * were written with, so a collection may hold a mix and reads any of them.
   */
  compression: Compression;
}

export const DEFAULT_OPTIONS: Readonly<CollectionOptions> = Object.freeze({
  memtableBytes: 4 * 1024 * 1024,
  blockBytes: 4096,
  bloomBitsPerKey: 10,
  blockCacheBytes: 32 * 1024 * 1024,
  maxImmutableMemtables: 2,
  autoCompaction: true,
  level0CompactionTrigger: 4,
  level0SlowdownTrigger: 8,
  level0StopTrigger: 12,
  level1TargetBytes: 10 * 1024 * 1024,
  levelSizeMultiplier: 10,
  targetFileBytes: 2 * 1024 * 1024,
  compression: 'snappy',
});

type NumericOption = Exclude<keyof CollectionOptions, 'autoCompaction' | 'compression'>;
const BOOLEANS = new Set<string>(['autoCompaction']);
const CHOICES: Record<string, readonly string[]> = { compression: ['snappy', 'none'] satisfies Compression[] };

const LIMITS: Record<NumericOption, [min: number, max: number]> = {
  memtableBytes: [1024, 512 * 1024 * 1024],
  blockBytes: [256, 1024 * 1024],
  bloomBitsPerKey: [0, 30],
  blockCacheBytes: [0, 64 * 1024 * 1024 * 1024],
  maxImmutableMemtables: [1, 64],
  level0CompactionTrigger: [2, 1000],
  level0SlowdownTrigger: [2, 1000],
  level0StopTrigger: [2, 1000],
  level1TargetBytes: [1024, 1024 ** 4],
  levelSizeMultiplier: [2, 1000],
  targetFileBytes: [1024, 1024 ** 3],
};

export const OPTION_NAMES = [...Object.keys(LIMITS), ...BOOLEANS, ...Object.keys(CHOICES)] as (keyof CollectionOptions)[];

/** Merges `given` over `base`, rejecting unknown names and out-of-range values by name. */
export function resolveOptions(given: unknown, base: Readonly<CollectionOptions> = DEFAULT_OPTIONS): CollectionOptions {
  const out: CollectionOptions = { ...base };
  if (given === undefined || given === null) return out;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new StorageError('INVALID_OPTIONS', `collection options must be an object, got ${describe(given)}`);
  }
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (BOOLEANS.has(name)) {
      if (typeof value !== 'boolean')
        throw new StorageError('INVALID_OPTIONS', `option ${name} must be true or false, got ${describe(value)}`);
      (out as unknown as Record<string, unknown>)[name] = value;
      continue;
    }
    if (name in CHOICES) {
      const choices = CHOICES[name];
      if (typeof value !== 'string' || !choices.includes(value)) {
        throw new StorageError(
          'INVALID_OPTIONS',
          `option ${name} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describe(value)}`,
        );
      }
      (out as unknown as Record<string, unknown>)[name] = value;
      continue;
    }
    if (!(name in LIMITS)) {
      throw new StorageError('INVALID_OPTIONS', `unknown collection option "${name}" (known: ${OPTION_NAMES.join(', ')})`);
    }
    const [min, max] = LIMITS[name as NumericOption];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new StorageError('INVALID_OPTIONS', `option ${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    out[name as NumericOption] = value;
  }
  if (!(out.level0CompactionTrigger <= out.level0SlowdownTrigger && out.level0SlowdownTrigger <= out.level0StopTrigger)) {
    throw new StorageError(
      'INVALID_OPTIONS',
      `L0 triggers must satisfy level0CompactionTrigger (${out.level0CompactionTrigger}) <= level0SlowdownTrigger (${out.level0SlowdownTrigger}) <= level0StopTrigger (${out.level0StopTrigger})`,
    );
  }
  return out;
}

/** Picks the collection options out of a larger object (e.g. StorageManager's options). */
export function pickOptions(from: Record<string, unknown>): Partial<CollectionOptions> {
  const out: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) if (from[name] !== undefined) out[name] = from[name];
  return out as Partial<CollectionOptions>;
}

/** A level's target size: L0 by its trigger's worth of memtables, L1 by level1TargetBytes, each deeper level levelSizeMultiplier times the one above. */
export function levelTargetBytes(level: number, options: CollectionOptions): number {
  if (level === 0) return options.level0CompactionTrigger * options.memtableBytes;
  return options.level1TargetBytes * options.levelSizeMultiplier ** (level - 1);
}
