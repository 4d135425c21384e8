import type * as Engine from '@strata/engine';
import type {
  BackgroundWarning,
  CollectionStats,
  CompactionInput,
  LevelStats,
  RunningCompaction,
  TableStats,
} from '../../../shared/model/stats';
import { recoveryToWire } from './recovery';

/** The fields every description of a live table shares, from any engine object that has them. */
type EngineTable = Pick<Engine.TableSummary, 'bytes' | 'entries' | 'tombstones' | 'minKey' | 'maxKey' | 'minSequence' | 'maxSequence'>;

export const tableToWire = (id: number, level: number, t: EngineTable): TableStats => ({
  id,
  level,
  bytes: t.bytes,
  entries: t.entries,
  tombstones: t.tombstones,
  minKey: t.minKey,
  maxKey: t.maxKey,
  minSequence: t.minSequence,
  maxSequence: t.maxSequence,
});

export const levelToWire = (l: Engine.LevelStats): LevelStats => ({
  level: l.level,
  fileCount: l.fileCount,
  bytes: l.bytes,
  entries: l.entries,
  targetBytes: l.targetBytes,
  score: l.score,
  compactionBytesRead: l.compactionBytesRead,
  compactionBytesWritten: l.compactionBytesWritten,
  files: l.files.map((f) => tableToWire(f.id, l.level, f)),
});

/** A table an event names (a flush's output, a compaction's input or output): every field the engine gives it. */
export const tableSummaryToWire = (t: Engine.TableSummary): TableStats => tableToWire(t.id, t.level, t);

export const compactionInputToWire = (i: Engine.CompactionInput): CompactionInput => ({
  level: i.level,
  files: [...i.files],
  bytes: i.bytes,
});

function runningToWire(r: Engine.RunningCompactionStats): RunningCompaction {
  return {
    id: r.id,
    reason: r.reason,
    level: r.level,
    outputLevel: r.outputLevel,
    score: r.score,
    inputs: r.inputs.map(compactionInputToWire),
    inputTables: r.inputTables.map(tableSummaryToWire),
    inputBytes: r.inputBytes,
    bytesRead: r.bytesRead,
    bytesWritten: r.bytesWritten,
    entriesRead: r.entriesRead,
    progress: r.progress,
    startedAt: r.startedAt,
    elapsedMs: r.elapsedMs,
  };
}

export function statsToWire(s: Engine.CollectionStats): CollectionStats {
  const { memtable: m, totals: t, stalls, compaction: c } = s;
  return {
    name: s.name,
    lastSequence: s.lastSequence,
    memtable: { bytes: m.bytes, entries: m.entries, limitBytes: m.limitBytes, tombstones: m.tombstones, walNumber: m.walNumber },
    immutableMemtables: s.immutableMemtables.map((i) => ({
      bytes: i.bytes,
      entries: i.entries,
      tombstones: i.tombstones,
      walNumber: i.walNumber,
    })),
    levels: s.levels.map(levelToWire),
    level0: {
      files: s.level0.files,
      compactionTrigger: s.level0.compactionTrigger,
      slowdownTrigger: s.level0.slowdownTrigger,
      stopTrigger: s.level0.stopTrigger,
    },
    blockCache: { capacityBytes: s.blockCache.capacityBytes, usedBytes: s.blockCache.usedBytes },
    totals: {
      userBytesWritten: t.userBytesWritten,
      walBytesWritten: t.walBytesWritten,
      walWrites: t.walWrites,
      walSyncs: t.walSyncs,
      flushes: t.flushes,
      bytesFlushed: t.bytesFlushed,
      compactions: t.compactions,
      bytesCompacted: t.bytesCompacted,
      compactionBytesRead: t.compactionBytesRead,
      writeAmplification: t.writeAmplification,
    },
    liveBytes: s.liveBytes,
    recovery: recoveryToWire(s.recovery),
    stalls: {
      count: stalls.count,
      totalMs: stalls.totalMs,
      active: stalls.active,
      current: stalls.current
        ? { reason: stalls.current.reason, startedAt: stalls.current.startedAt, durationMs: stalls.current.durationMs }
        : null,
    },
    compaction: {
      running: c.running ? runningToWire(c.running) : null,
      pendingBytes: c.pendingBytes,
      errors: c.errors,
      lastError: c.lastError ?? null,
      workerPid: c.workerPid ?? null,
      workerStarts: c.workerStarts,
    },
    openScans: s.openScans,
    flush: { onThread: s.flush.onThread, threadStopped: s.flush.threadStopped ?? null },
    writeError: s.writeError ?? null,
    warnings: { count: s.warnings.count, recent: s.warnings.recent.map(warningToWire) },
  };
}

export const warningToWire = (w: Engine.BackgroundWarningEvent): BackgroundWarning => ({
  operation: w.operation,
  path: w.path,
  message: w.message,
  code: w.code ?? null,
  at: w.at,
});
