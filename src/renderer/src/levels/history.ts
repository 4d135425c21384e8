import type { EngineEvent } from '../../../shared/model/events';
import {
  appendCapped,
  changesTree,
  MAX_SAMPLES,
  MAX_STEPS,
  SAMPLE_MS,
  sampleOf,
  shapesOf,
  stepOf,
  type HistorySample,
  type HistoryStep,
  type LsmHistory,
} from '../../../shared/model/history';
import type { CollectionStats, TableSummary } from '../../../shared/model/stats';

/**
 * The view's history, kept up to date from push events rather than by
 * re-fetching lsm.history (whose steps each carry a whole tree: megabytes
 * after a long load). lsm.history is read once when the view opens; every
 * later step and sample comes from the coalesced pushes, turned into steps
 * and samples by the same shared model main's recorder uses.
 */
export interface HistoryState {
  steps: HistoryStep[];
  samples: HistorySample[];
  /** The last stall that ended, for the banner's "stalled for …" note. */
  lastStall: { durationMs: number; reason: string; endedAt: number } | null;
}

export const emptyHistory: HistoryState = { steps: [], samples: [], lastStall: null };

export type HistoryAction =
  { type: 'loaded'; history: LsmHistory } | { type: 'push'; events: readonly EngineEvent[]; stats: CollectionStats | null; now: number };

/** Identifies one step whether it came from lsm.history or from a push. */
export const stepKey = (s: HistoryStep): string => `${s.kind}:${'id' in s.detail ? s.detail.id : ''}:${s.detail.startedAt}`;

export function historyReducer(state: HistoryState, action: HistoryAction): HistoryState {
  if (action.type === 'loaded') {
    // Steps pushed while lsm.history was in flight are kept when the answer does not have them yet.
    const known = new Set(action.history.steps.map(stepKey));
    const newer = state.steps.filter((s) => !known.has(stepKey(s)));
    const lastAt = action.history.samples.at(-1)?.at ?? 0;
    return {
      ...state,
      steps: appendCapped(action.history.steps, newer, MAX_STEPS),
      samples: appendCapped(
        action.history.samples,
        state.samples.filter((s) => s.at > lastAt),
        MAX_SAMPLES,
      ),
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
      lastStall = { durationMs: d.durationMs ?? 0, reason: d.reason, endedAt: d.endedAt ?? step.at };
    }
    added.push({ ...step, seq: ++seq, levels: null });
  }
  if (added.length > 0) {
    // The push's stats are the tree after its last event: exact for the last tree-changing step only;
    // earlier ones in the same push are looked up in lsm.history when someone asks to see them.
    for (let i = added.length - 1; i >= 0 && stats; i--) {
      const s = added[i]!;
      if (changesTree(s.kind)) {
        s.levels = shapesOf(stats);
        break;
      }
    }
    steps = appendCapped(steps, added, MAX_STEPS);
  }
  let samples = state.samples;
  if (stats && now - (samples.at(-1)?.at ?? 0) >= SAMPLE_MS) samples = appendCapped(samples, [sampleOf(stats, now)], MAX_SAMPLES);
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

function byLevel(tables: readonly TableSummary[]): StepFlow['inputs'] {
  const m = new Map<number, { level: number; files: number; bytes: number }>();
  for (const t of tables) {
    const e = m.get(t.level) ?? { level: t.level, files: 0, bytes: 0 };
    e.files++;
    e.bytes += t.bytes;
    m.set(t.level, e);
  }
  return [...m.values()].sort((a, b) => a.level - b.level);
}

const sum = (xs: readonly { bytes: number }[]): number => xs.reduce((n, x) => n + x.bytes, 0);

export function flowOf(step: HistoryStep): StepFlow {
  switch (step.kind) {
    case 'flush': {
      const outputs = byLevel(step.detail.outputs);
      const { memtableBytes, durationMs, reason } = step.detail;
      return { inputs: [], outputs, bytesIn: memtableBytes, bytesOut: sum(outputs), durationMs, reason };
    }
    case 'compaction':
    case 'move': {
      const inputs = byLevel(step.detail.inputTables);
      const outputs = byLevel(step.detail.outputs);
      const bytesOut = step.kind === 'move' ? 0 : sum(outputs);
      return { inputs, outputs, bytesIn: sum(inputs), bytesOut, durationMs: step.detail.durationMs, reason: step.detail.reason };
    }
    case 'compaction-error':
    case 'stall':
      return { inputs: [], outputs: [], bytesIn: 0, bytesOut: 0, durationMs: step.detail.durationMs, reason: step.detail.reason };
  }
}
