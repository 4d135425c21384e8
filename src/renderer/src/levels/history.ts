import type { CollectionStats } from '@strata/engine';
import type { EngineEvent, HistorySample, HistoryStep, LsmHistory, TableShape } from '../../../shared/ipc/types';

/**
 * The view's history, kept up to date from push events rather than by
 * re-fetching lsm.history (whose steps each carry a whole tree: megabytes
 * after a long load). lsm.history is read once when the view opens; every
 * later step and sample comes from the coalesced pushes.
 */
export interface HistoryState {
  steps: HistoryStep[];
  samples: HistorySample[];
  /** The last stall that ended, for the banner's "stalled for …" note. */
  lastStall: { durationMs: number; reason: string; endedAt: number } | null;
}

export const MAX_STEPS = 1000;
export const MAX_SAMPLES = 900;
export const SAMPLE_MS = 1000;

export const emptyHistory: HistoryState = { steps: [], samples: [], lastStall: null };

export type HistoryAction =
  { type: 'loaded'; history: LsmHistory } | { type: 'push'; events: readonly EngineEvent[]; stats: CollectionStats | null; now: number };

export function shapesOf(stats: CollectionStats): TableShape[][] {
  return stats.levels.map((l) =>
    l.files.map((f) => ({
      id: f.id,
      level: l.level,
      bytes: f.bytes,
      entries: f.entries,
      tombstones: f.tombstones,
      minKey: f.minKey,
      maxKey: f.maxKey,
    })),
  );
}

/** Identifies one step whether it came from lsm.history or from a push. */
export const stepKey = (s: Pick<HistoryStep, 'kind' | 'detail'>): string =>
  `${s.kind}:${String(s.detail.id ?? '')}:${String(s.detail.startedAt ?? '')}`;

function stepOf(event: EngineEvent): Omit<HistoryStep, 'seq' | 'levels'> | null {
  const detail = (event.payload ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'flush-end':
      return { at: event.at, kind: 'flush', detail };
    case 'compaction-end':
      return { at: event.at, kind: detail.move ? 'move' : 'compaction', detail };
    case 'compaction-error':
      return { at: event.at, kind: 'compaction-error', detail };
    case 'write-stall':
      return detail.phase === 'end' ? { at: event.at, kind: 'stall', detail } : null;
    default:
      return null;
  }
}

const capped = <T>(list: T[], max: number): T[] => (list.length > max ? list.slice(list.length - max) : list);

export function historyReducer(state: HistoryState, action: HistoryAction): HistoryState {
  if (action.type === 'loaded') {
    // Steps pushed while lsm.history was in flight are kept when the answer does not have them yet.
    const known = new Set(action.history.steps.map(stepKey));
    const newer = state.steps.filter((s) => !known.has(stepKey(s)));
    const lastAt = action.history.samples.at(-1)?.at ?? 0;
    return {
      ...state,
      steps: capped([...action.history.steps, ...newer], MAX_STEPS),
      samples: capped([...action.history.samples, ...state.samples.filter((s) => s.at > lastAt)], MAX_SAMPLES),
    };
  }
  const { events, stats, now } = action;
  let steps = state.steps;
  let lastStall = state.lastStall;
  const added: HistoryStep[] = [];
  let seq = steps.at(-1)?.seq ?? 0;
  for (const e of events) {
    const step = stepOf(e);
    if (!step) continue;
    if (step.kind === 'stall') {
      const d = step.detail;
      lastStall = { durationMs: Number(d.durationMs ?? 0), reason: String(d.reason ?? ''), endedAt: Number(d.endedAt ?? e.at) };
    }
    added.push({ ...step, seq: ++seq, levels: null });
  }
  if (added.length > 0) {
    // The push's stats are the tree after its last event: exact for the last tree-changing step only;
    // earlier ones in the same push are looked up in lsm.history when someone asks to see them.
    for (let i = added.length - 1; i >= 0 && stats; i--) {
      const s = added[i]!;
      if (s.kind === 'flush' || s.kind === 'compaction' || s.kind === 'move') {
        s.levels = shapesOf(stats);
        break;
      }
    }
    steps = capped([...steps, ...added], MAX_STEPS);
  }
  let samples = state.samples;
  if (stats && now - (samples.at(-1)?.at ?? 0) >= SAMPLE_MS) {
    samples = capped(
      [
        ...samples,
        {
          at: now,
          userBytesWritten: stats.totals.userBytesWritten,
          writeAmplification: stats.totals.writeAmplification,
          levelBytes: stats.levels.map((l) => l.bytes),
        },
      ],
      MAX_SAMPLES,
    );
  }
  if (steps === state.steps && samples === state.samples && lastStall === state.lastStall) return state;
  return { steps, samples, lastStall };
}

/** Inputs and outputs of a step per level, for the timeline: "L0 4 → L1 3". */
export interface StepFlow {
  inputs: { level: number; files: number; bytes: number }[];
  outputs: { level: number; files: number; bytes: number }[];
  bytesIn: number;
  bytesOut: number;
  durationMs: number | null;
  reason: string;
}

interface TableLike {
  level?: number;
  bytes?: number;
}

export function flowOf(step: HistoryStep): StepFlow {
  const d = step.detail;
  const byLevel = (tables: TableLike[]) => {
    const m = new Map<number, { level: number; files: number; bytes: number }>();
    for (const t of tables) {
      const level = Number(t.level ?? 0);
      const e = m.get(level) ?? { level, files: 0, bytes: 0 };
      e.files++;
      e.bytes += Number(t.bytes ?? 0);
      m.set(level, e);
    }
    return [...m.values()].sort((a, b) => a.level - b.level);
  };
  const outputs = byLevel(Array.isArray(d.outputs) ? (d.outputs as TableLike[]) : []);
  let inputs: StepFlow['inputs'] = [];
  if (Array.isArray(d.inputTables)) inputs = byLevel(d.inputTables as TableLike[]);
  else if (Array.isArray(d.inputs))
    inputs = (d.inputs as { level: number; files: unknown[]; bytes: number }[]).map((i) => ({
      level: i.level,
      files: i.files.length,
      bytes: i.bytes,
    }));
  const bytesIn = step.kind === 'flush' ? Number(d.memtableBytes ?? 0) : inputs.reduce((n, i) => n + i.bytes, 0);
  const bytesOut = step.kind === 'move' ? 0 : outputs.reduce((n, o) => n + o.bytes, 0);
  return {
    inputs,
    outputs,
    bytesIn,
    bytesOut,
    durationMs: typeof d.durationMs === 'number' ? d.durationMs : null,
    reason: String(d.reason ?? ''),
  };
}
