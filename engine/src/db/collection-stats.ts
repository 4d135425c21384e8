/**
 * Assembles stats() and the version event's levels from the parts of a
 * collection: each part keeps its own counters, and this is the one place
 * that knows the shape of CollectionStats (events/stats.ts).
 */
import type { CollectionStats, LevelStats, RecoveryReport, WarningStats } from '../events/stats.js';
import type { Memtable } from '../memtable/memtable.js';
import { type CollectionOptions, levelTargetBytes } from '../options/options.js';
import type { BlockCache } from '../table/block-cache.js';
import type { Version } from '../version/version.js';
import type { CommitQueue } from './commit-queue.js';
import type { CompactionReport } from './compactor.js';
import type { WriteGate } from './write-gate.js';

/** Everything stats() reports, as the collection's parts hold it. */
export interface StatsSources {
  name: string;
  options: Readonly<CollectionOptions>;
  lastSequence: number;
  mem: Memtable;
  imms: readonly Memtable[];
  version: Version;
  blocks: BlockCache;
  commits: CommitQueue;
  flushes: { count: number; bytes: number };
  compaction: CompactionReport;
  recovery: RecoveryReport;
  gate: WriteGate;
  openScans: number;
  flush: { onThread: boolean; threadStopped: string | undefined };
  warnings: WarningStats;
  writeError: string | undefined;
}

export function describeLevels(version: Version, options: Readonly<CollectionOptions>, compaction: CompactionReport): LevelStats[] {
  return version.levels.map((files, level) => ({
    level,
    fileCount: files.length,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    entries: files.reduce((n, f) => n + f.entries, 0),
    targetBytes: levelTargetBytes(level, options),
    score: compaction.levels[level].score,
    compactionBytesRead: compaction.levels[level].bytesRead,
    compactionBytesWritten: compaction.levels[level].bytesWritten,
    files: files.map((f) => ({ ...f })),
  }));
}

export function collectionStats(s: StatsSources): CollectionStats {
  const levels = describeLevels(s.version, s.options, s.compaction);
  const userBytes = s.commits.userBytesWritten;
  const compacted = s.compaction.bytesWritten;
  return {
    name: s.name,
    lastSequence: s.lastSequence,
    memtable: {
      bytes: s.mem.approximateBytes,
      entries: s.mem.size,
      limitBytes: s.options.memtableBytes,
      tombstones: s.mem.tombstones,
      walNumber: s.mem.walNumber,
    },
    immutableMemtables: s.imms.map((m) => ({
      bytes: m.approximateBytes,
      entries: m.size,
      tombstones: m.tombstones,
      walNumber: m.walNumber,
    })),
    levels,
    level0: {
      files: levels[0].fileCount,
      compactionTrigger: s.options.level0CompactionTrigger,
      slowdownTrigger: s.options.level0SlowdownTrigger,
      stopTrigger: s.options.level0StopTrigger,
    },
    blockCache: { capacityBytes: s.blocks.capacityBytes, usedBytes: s.blocks.usedBytes },
    totals: {
      userBytesWritten: userBytes,
      walBytesWritten: s.commits.walBytesWritten,
      walWrites: s.commits.walWrites,
      walSyncs: s.commits.walSyncs,
      flushes: s.flushes.count,
      bytesFlushed: s.flushes.bytes,
      compactions: s.compaction.completed,
      bytesCompacted: compacted,
      compactionBytesRead: s.compaction.levels.reduce((n, l) => n + l.bytesRead, 0),
      writeAmplification: userBytes === 0 ? 0 : (s.flushes.bytes + compacted) / userBytes,
    },
    liveBytes: levels.reduce((n, l) => n + l.bytes, 0),
    recovery: {
      tornWals: s.recovery.tornWals.map((t) => ({ ...t })),
      lostFiles: s.recovery.lostFiles.map((f) => ({ ...f })),
      ...(s.recovery.tornManifest && { tornManifest: { ...s.recovery.tornManifest } }),
      ...(s.recovery.gap === undefined ? {} : { gap: { ...s.recovery.gap } }),
    },
    stalls: { count: s.gate.stalls, totalMs: s.gate.totalStallMs, active: s.gate.stalled, current: s.gate.current },
    compaction: s.compaction.status,
    openScans: s.openScans,
    flush: { ...s.flush },
    warnings: s.warnings,
    writeError: s.writeError,
  };
}
