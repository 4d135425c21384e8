/**
 * What a compaction reports: its start, progress, end and error events, and
 * its stats().compaction.running row while it runs. Every one is built from
 * the start event, so the fields they share (which compaction, its inputs,
 * when it started) are written once.
 */
import type {
  CompactionEndEvent,
  CompactionErrorEvent,
  CompactionInput,
  CompactionProgressEvent,
  CompactionStartEvent,
} from '../events/events.js';
import type { RunningCompactionStats } from '../events/stats.js';
import type { TableSummary } from '../version/table-summary.js';
import type { MergeProgress } from './merge.js';
import { type PickedCompaction, sumBytes } from './picker.js';
import type { CompactionResult } from './protocol.js';

type Inputs = readonly { level: number; files: readonly TableSummary[] }[];

/** A compaction's inputs as events and stats report them: per level, file numbers and bytes. */
function describeInputs(inputs: Inputs): CompactionInput[] {
  return inputs.map((i) => ({ level: i.level, files: i.files.map((f) => f.id), bytes: sumBytes(i.files) }));
}

/** Each table at the level it is in: the shape of outputs. */
function tablesAt(files: readonly TableSummary[], level: number): TableSummary[] {
  return files.map((f) => ({ ...f, level }));
}

export function startEvent(id: number, picked: PickedCompaction, startedAt: number, move: boolean): CompactionStartEvent {
  return {
    id,
    reason: picked.reason,
    level: picked.level,
    outputLevel: picked.outputLevel,
    score: picked.score,
    ...(move ? { move: true as const } : {}),
    inputs: describeInputs(picked.inputs),
    inputTables: picked.inputs.flatMap((i) => tablesAt(i.files, i.level)),
    inputBytes: picked.inputs.reduce((n, i) => n + sumBytes(i.files), 0),
    startedAt,
  };
}

const fraction = (read: number, of: number) => (of === 0 ? 1 : Math.min(1, read / of));

export function progressEvent(start: CompactionStartEvent, p: MergeProgress, elapsedMs: number): CompactionProgressEvent {
  const { id, reason, level, outputLevel, inputBytes, startedAt } = start;
  return {
    id,
    reason,
    level,
    outputLevel,
    bytesRead: p.bytesRead,
    bytesWritten: p.bytesWritten,
    entriesRead: p.entriesRead,
    inputBytes,
    progress: fraction(p.bytesRead, inputBytes),
    startedAt,
    elapsedMs,
  };
}

/** The row stats() shows for the compaction in flight. */
export function runningStats(start: CompactionStartEvent, p: MergeProgress, elapsedMs: number): RunningCompactionStats {
  const { id, reason, level, outputLevel, score, inputs, inputTables, inputBytes, startedAt } = start;
  return {
    id,
    reason,
    level,
    outputLevel,
    score,
    inputs: inputs.map((i) => ({ ...i, files: [...i.files] })),
    inputTables: inputTables.map((t) => ({ ...t })),
    inputBytes,
    bytesRead: p.bytesRead,
    bytesWritten: p.bytesWritten,
    entriesRead: p.entriesRead,
    progress: fraction(p.bytesRead, inputBytes),
    startedAt,
    elapsedMs,
  };
}

/** A merge's end: what it wrote and dropped. */
export function endEvent(start: CompactionStartEvent, result: CompactionResult, durationMs: number): CompactionEndEvent {
  return {
    ...header(start),
    outputs: result.outputs.map((f) => ({ ...f })),
    outputBytes: sumBytes(result.outputs),
    bytesRead: result.bytesRead,
    bytesWritten: result.bytesWritten,
    entriesRead: result.entriesRead,
    entriesWritten: result.entriesWritten,
    droppedEntries: result.droppedVersions + result.droppedTombstones,
    droppedVersions: result.droppedVersions,
    droppedTombstones: result.droppedTombstones,
    startedAt: start.startedAt,
    durationMs,
  };
}

/** A trivial move's end: the input files, now one level down, and nothing read or written. */
export function moveEndEvent(start: CompactionStartEvent, moved: readonly TableSummary[], durationMs: number): CompactionEndEvent {
  return {
    ...header(start, true),
    outputs: tablesAt(moved, start.outputLevel),
    outputBytes: start.inputBytes,
    bytesRead: 0,
    bytesWritten: 0,
    entriesRead: 0,
    entriesWritten: 0,
    droppedEntries: 0,
    droppedVersions: 0,
    droppedTombstones: 0,
    startedAt: start.startedAt,
    durationMs,
  };
}

export function errorEvent(
  start: CompactionStartEvent,
  failure: { message: string; cancelled: boolean; retryInMs: number | undefined },
  durationMs: number,
): CompactionErrorEvent {
  const { id, reason, level, outputLevel, startedAt } = start;
  return { id, reason, level, outputLevel, ...failure, startedAt, durationMs };
}

/** What an end event repeats of the start: which compaction, and its inputs. */
function header(start: CompactionStartEvent, move = false) {
  const { id, reason, level, outputLevel, inputs, inputTables, inputBytes } = start;
  return { id, reason, level, outputLevel, ...(move ? { move: true as const } : {}), inputs, inputTables, inputBytes };
}
