import type * as Engine from '@strata/engine';
import type { EngineEvent, EngineEventPayloads, EngineEventType, WriteStall } from '../../../shared/model/events';
import { compactionInputToWire, levelToWire, tableSummaryToWire, tableToWire, warningToWire } from './stats';

/** The payload each forwarded event carries, as the engine types it. */
type EnginePayloads = Pick<Engine.CollectionEvents, EngineEventType>;

const writeStall = (p: Engine.WriteStallEvent): WriteStall => ({
  phase: p.phase,
  reason: p.reason,
  startedAt: p.startedAt,
  endedAt: p.endedAt ?? null,
  durationMs: p.durationMs ?? null,
  level0Files: p.level0Files,
  immutableMemtables: p.immutableMemtables,
});

/** One mapping per forwarded event: its keys are the events the app listens to. */
const TO_WIRE: { [T in EngineEventType]: (payload: EnginePayloads[T]) => EngineEventPayloads[T] } = {
  'flush-start': (p) => ({
    id: p.id,
    reason: p.reason,
    walNumber: p.walNumber,
    entries: p.entries,
    memtableBytes: p.memtableBytes,
    startedAt: p.startedAt,
  }),
  'flush-end': (p) => ({
    ...tableToWire(p.id, p.level, p),
    durationMs: p.durationMs,
    reason: p.reason,
    walNumber: p.walNumber,
    memtableBytes: p.memtableBytes,
    outputs: p.outputs.map(tableSummaryToWire),
    startedAt: p.startedAt,
  }),
  'compaction-start': (p) => ({
    id: p.id,
    reason: p.reason,
    level: p.level,
    outputLevel: p.outputLevel,
    score: p.score,
    move: p.move === true,
    inputs: p.inputs.map(compactionInputToWire),
    inputTables: p.inputTables.map(tableSummaryToWire),
    inputBytes: p.inputBytes,
    startedAt: p.startedAt,
  }),
  'compaction-progress': (p) => ({
    id: p.id,
    reason: p.reason,
    level: p.level,
    outputLevel: p.outputLevel,
    bytesRead: p.bytesRead,
    bytesWritten: p.bytesWritten,
    entriesRead: p.entriesRead,
    inputBytes: p.inputBytes,
    progress: p.progress,
    startedAt: p.startedAt,
    elapsedMs: p.elapsedMs,
  }),
  'compaction-end': (p) => ({
    id: p.id,
    reason: p.reason,
    level: p.level,
    outputLevel: p.outputLevel,
    move: p.move === true,
    inputs: p.inputs.map(compactionInputToWire),
    inputTables: p.inputTables.map(tableSummaryToWire),
    inputBytes: p.inputBytes,
    outputs: p.outputs.map(tableSummaryToWire),
    outputBytes: p.outputBytes,
    bytesRead: p.bytesRead,
    bytesWritten: p.bytesWritten,
    entriesRead: p.entriesRead,
    entriesWritten: p.entriesWritten,
    droppedEntries: p.droppedEntries,
    droppedVersions: p.droppedVersions,
    droppedTombstones: p.droppedTombstones,
    startedAt: p.startedAt,
    durationMs: p.durationMs,
  }),
  'compaction-error': (p) => ({
    id: p.id,
    reason: p.reason,
    level: p.level,
    outputLevel: p.outputLevel,
    message: p.message,
    cancelled: p.cancelled,
    retryInMs: p.retryInMs ?? null,
    startedAt: p.startedAt,
    durationMs: p.durationMs,
  }),
  'write-stall': writeStall,
  version: (p) => ({ levels: p.levels.map(levelToWire) }),
  'background-error': (p) => ({ message: p.message, code: p.code ?? null }),
  'background-warning': (p) => warningToWire(p),
};

/** Every event the app forwards to the renderer. */
export const ENGINE_EVENT_TYPES = Object.keys(TO_WIRE) as EngineEventType[];

function watchOne<T extends EngineEventType>(collection: Engine.Collection, type: T, listener: (event: EngineEvent) => void): () => void {
  const toWire = TO_WIRE[type] as (payload: EnginePayloads[T]) => EngineEventPayloads[T];
  // The cast pairs `type` with its own payload, which the compiler cannot follow through a generic T.
  const handler = (payload: EnginePayloads[T]): void => listener({ type, at: Date.now(), payload: toWire(payload) } as EngineEvent);
  collection.on(type, handler);
  return () => void collection.off(type, handler);
}

/**
 * Listens to `types` of a collection's events and hands each on as the
 * app's wire event (stamped with when it arrived). Returns the function that
 * stops listening.
 */
export function watchEngineEvents(
  collection: Engine.Collection,
  types: readonly EngineEventType[],
  listener: (event: EngineEvent) => void,
): () => void {
  const stops = types.map((type) => watchOne(collection, type, listener));
  return () => {
    for (const stop of stops) stop();
  };
}
