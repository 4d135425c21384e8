// The LSM history model, written once for both sides: main's recorder keeps
// the history of an open collection (lsm.history), and the renderer keeps
// its copy up to date from the pushed events. Both turn events into steps,
// trees into shapes and stats into samples with the functions below, under
// the same limits.
import type { CompactionEnd, CompactionError, EngineEvent, FlushEnd, WriteStall } from './events';
import type { CollectionStats, TableShape } from './stats';

/** What a step is, with the engine event's payload as emitted (reason, inputs, outputs, bytes, duration…). */
export type StepDetail =
  | { kind: 'flush'; detail: FlushEnd }
  | { kind: 'compaction' | 'move'; detail: CompactionEnd }
  | { kind: 'compaction-error'; detail: CompactionError }
  | { kind: 'stall'; detail: WriteStall };

export type StepKind = StepDetail['kind'];

/** A flush, compaction, trivial move, failed compaction or (ended) stall, with the tree as it was right after it. */
export type HistoryStep = StepDetail & {
  seq: number;
  at: number;
  /** Live tables per level after this step; null for steps that do not change the tree (stalls, errors), or when not known. */
  levels: TableShape[][] | null;
};

/** Sampled once a second while the collection is open: the Levels view's small charts. */
export interface HistorySample {
  at: number;
  userBytesWritten: number;
  writeAmplification: number;
  levelBytes: number[];
}

export interface LsmHistory {
  steps: HistoryStep[];
  samples: HistorySample[];
}

/** Enough history to scroll back through a long load without growing without bound. */
export const MAX_STEPS = 1000;
export const MAX_SAMPLES = 900;
export const SAMPLE_MS = 1000;

/** The engine events that become steps (the others never do). */
export const STEP_EVENTS = [
  'flush-end',
  'compaction-end',
  'compaction-error',
  'write-stall',
] as const satisfies readonly EngineEvent['type'][];

/** The step an event records, without its sequence number and tree; null for an event that is not a step (a stall's start, progress…). */
export function stepOf(event: EngineEvent): (StepDetail & { at: number }) | null {
  switch (event.type) {
    case 'flush-end':
      return { at: event.at, kind: 'flush', detail: event.payload };
    case 'compaction-end':
      return { at: event.at, kind: event.payload.move ? 'move' : 'compaction', detail: event.payload };
    case 'compaction-error':
      return { at: event.at, kind: 'compaction-error', detail: event.payload };
    case 'write-stall':
      return event.payload.phase === 'end' ? { at: event.at, kind: 'stall', detail: event.payload } : null;
    default:
      return null;
  }
}

/** Whether a step changed the set of tables (and so has a tree to show). */
export const changesTree = (kind: StepKind): boolean => kind === 'flush' || kind === 'compaction' || kind === 'move';

/** The live tables per level, as the Levels view draws them (without their sequence numbers: a history keeps a thousand trees). */
export function shapesOf(stats: Pick<CollectionStats, 'levels'>): TableShape[][] {
  return stats.levels.map((l) => l.files.map(({ minSequence: _min, maxSequence: _max, ...shape }) => shape));
}

export function sampleOf(stats: CollectionStats, at: number): HistorySample {
  return {
    at,
    userBytesWritten: stats.totals.userBytesWritten,
    writeAmplification: stats.totals.writeAmplification,
    levelBytes: stats.levels.map((l) => l.bytes),
  };
}

/** `list` with `items` appended, keeping the last `max`; a new array, so React sees the change. */
export function appendCapped<T>(list: readonly T[], items: readonly T[], max: number): T[] {
  const all = [...list, ...items];
  return all.length > max ? all.slice(all.length - max) : all;
}
