import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RunningCompaction, TableShape } from '../../../shared/model/stats';
import { formatBytes, formatCount } from '../ui/format';
import { percent, shortKey } from './format';
import { layoutLevels, rowGeometry, type PlacedTable, type RowGeometry } from './layout';
import { visibleLevels, type LevelInfo, type TreeModel } from './model';
import { keyScale, type KeyScale } from './scale';
import type { ProbeOutcome } from './trace';
import { useWidth } from './useWidth';

export interface TreeProps {
  model: TreeModel;
  selected: number | null;
  /** The tables of the last lookup trace, with what happened in each. */
  marks: ReadonlyMap<number, ProbeOutcome> | null;
  traceKey: string | null;
  onSelect(table: TableShape): void;
}

const LANE_PAD = 6;
/** Horizontal gap between neighbouring tables, so adjacent ranges read as separate files. */
const GAP_PX = 1.5;

interface Box {
  table: TableShape;
  x: number;
  y: number;
  w: number;
  h: number;
  tomb: number;
}

function boxOf(p: PlacedTable, row: RowGeometry, width: number): Box {
  const x = p.x0 * width;
  const w = Math.max(2, (p.x1 - p.x0) * width - GAP_PX);
  const laneInner = row.laneHeight - 3;
  const h = Math.max(4, p.height * laneInner);
  const y = row.y + LANE_PAD + p.lane * row.laneHeight + (laneInner - h);
  return { table: p.table, x, y, w, h, tomb: p.tombstoneShare * h };
}

export const tableTitle = (t: TableShape): string =>
  `Table #${t.id} on L${t.level}\n${formatBytes(t.bytes)} · ${formatCount(t.entries)} entries · ${formatCount(t.tombstones)} tombstones\nkeys ${shortKey(t.minKey, 40)} … ${shortKey(t.maxKey, 40)}`;

export function Tree({ model, selected, marks, traceKey, onSelect }: TreeProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const levels = useMemo(() => visibleLevels(model.levels), [model.levels]);
  const sig = model.signature;
  // Layout depends only on which tables exist (the signature): a push that changes only counters re-uses it.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the signature, not on each new levels object
  const scale = useMemo(() => keyScale(levels.flatMap((l) => l.files)), [sig, levels.length]);
  const placed = useMemo(
    () =>
      layoutLevels(
        levels.map((l) => l.files),
        scale,
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new scale is made exactly when the tables change
    [scale],
  );
  const geometry = useMemo(() => rowGeometry(placed, 30, 24, 150, LANE_PAD), [placed]);
  const boxes = useMemo(
    () => (width > 0 ? placed.flatMap((p) => p.tables.map((t) => boxOf(t, geometry.rows[p.level]!, width))) : []),
    [placed, geometry, width],
  );
  // Under a heavy load the tree changes several times a second: then it snaps to each new layout
  // (no transitions, no fading ghosts), which is calmer to watch and costs no per-frame repaints.
  const busy = useChurn(sig);
  const ghosts = useGhosts(boxes, !busy);
  const runningId = model.running?.id;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the inputs change only with the running compaction's id
  const inputs = useMemo(() => new Set(model.running?.inputTables.map((t) => t.id) ?? []), [runningId]);
  const height = geometry.height;

  return (
    <div className="lv-tree-body">
      <div className="lv-labels" style={{ height }}>
        {levels.map((l) => (
          <LevelLabel
            key={l.level}
            info={l}
            row={geometry.rows[l.level]!}
            active={model.running !== null && (model.running.level === l.level || model.running.outputLevel === l.level)}
          />
        ))}
      </div>
      <div className="lv-canvas" ref={ref}>
        {width > 0 && (
          <svg
            width={width}
            height={height}
            className={`lv-svg${busy ? ' lv-snap' : ''}`}
            data-busy={busy}
            role="img"
            aria-label={describeTree(levels)}
          >
            {geometry.rows.map((r) => (
              <rect key={r.level} className="lv-row-bg" x={0} y={r.y} width={width} height={r.height} rx={6} />
            ))}
            {model.running && (
              <CompactionBand key={model.running.id} running={model.running} rows={geometry.rows} boxes={boxes} width={width} />
            )}
            <Tables boxes={boxes} selected={selected} marks={marks} inputs={inputs} onSelect={onSelect} />
            {ghosts.map((b) => (
              <g
                key={`ghost-${b.table.id}`}
                className={`lv-ghost lv-l${Math.min(b.table.level, 6)}`}
                style={{ transform: `translate(${b.x}px, ${b.y}px)` }}
                aria-hidden
              >
                <rect className="lv-body" width={b.w} height={b.h} rx={2} />
              </g>
            ))}
            {traceKey !== null && <TraceLine x={scale.at(traceKey) * width} height={height} />}
          </svg>
        )}
      </div>
      <div />
      <Axis scale={scale} />
    </div>
  );
}

/** The tables, re-rendered only when their boxes, the selection, the trace or the running compaction change. */
const Tables = memo(function Tables({
  boxes,
  selected,
  marks,
  inputs,
  onSelect,
}: {
  boxes: Box[];
  selected: number | null;
  marks: ReadonlyMap<number, ProbeOutcome> | null;
  inputs: ReadonlySet<number>;
  onSelect(t: TableShape): void;
}) {
  return (
    <g className="lv-tables">
      {boxes.map((b) => {
        const t = b.table;
        const mark = marks?.get(t.id);
        const cls = [
          'lv-table',
          `lv-l${Math.min(t.level, 6)}`,
          t.id === selected ? 'lv-selected' : '',
          inputs.has(t.id) ? 'lv-compacting' : '',
          mark ? `lv-probe lv-probe-${mark}` : '',
        ].join(' ');
        return (
          <g
            key={t.id}
            className={cls}
            style={{ transform: `translate(${b.x}px, ${b.y}px)` }}
            data-file={t.id}
            data-level={t.level}
            data-min-key={t.minKey}
            data-max-key={t.maxKey}
            role="button"
            tabIndex={0}
            aria-label={`Table ${t.id} on level ${t.level}, ${formatBytes(t.bytes)}, keys ${t.minKey} to ${t.maxKey}`}
            aria-pressed={t.id === selected}
            onClick={() => onSelect(t)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(t);
              }
            }}
          >
            <title>{tableTitle(t)}</title>
            <rect className="lv-body" style={{ width: b.w, height: b.h }} rx={2} />
            {b.tomb >= 1 && (
              <rect className="lv-tomb" style={{ width: b.w, height: b.tomb, transform: `translateY(${b.h - b.tomb}px)` }} rx={1} />
            )}
          </g>
        );
      })}
    </g>
  );
});

/** Whether the tables changed again less than `quietMs` after their previous change. */
export function useChurn(signature: string, quietMs = 1500): boolean {
  const last = useRef({ signature, at: -Infinity, busy: false });
  if (last.current.signature !== signature) {
    const now = performance.now();
    last.current = { signature, at: now, busy: now - last.current.at < quietMs };
  }
  return last.current.busy;
}

/** Tables that just disappeared (compaction inputs) stay a moment and fade out where they were. */
function useGhosts(boxes: Box[], enabled: boolean): Box[] {
  const prev = useRef<Map<number, Box>>(new Map());
  const [ghosts, setGhosts] = useState<Box[]>([]);
  useLayoutEffect(() => {
    const now = new Map(boxes.map((b) => [b.table.id, b]));
    const gone = [...prev.current.values()].filter((b) => !now.has(b.table.id));
    prev.current = now;
    if (!enabled) {
      setGhosts((g) => (g.length === 0 ? g : []));
      return;
    }
    if (gone.length === 0 || gone.length > 400) return;
    setGhosts((g) => [...g, ...gone]);
    const timer = setTimeout(() => setGhosts((g) => g.filter((x) => !gone.includes(x))), 650);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- ghosts are computed from the boxes a new layout replaced, once per layout
  }, [boxes]);
  return ghosts;
}

/** Re-rendered only when what it shows changes (stats arrive five times a second; a level's numbers change far less often). */
const LevelLabel = memo(
  function LevelLabel({ info, row, active }: { info: LevelInfo; row: RowGeometry; active: boolean }) {
    const fill = info.targetBytes ? Math.min(1, info.bytes / info.targetBytes) : 0;
    const due = info.score !== null && info.score >= 1;
    const scoreWhy = info.level === 0 ? 'L0 is scored by file count against its compaction trigger' : 'bytes against the level target';
    return (
      <div
        className={`lv-label${active ? ' lv-label-active' : ''}`}
        style={{ top: row.y, height: row.height }}
        title={`Level ${info.level}: ${info.files.length} tables, ${formatBytes(info.bytes)}, ${formatCount(info.entries)} entries${
          info.targetBytes ? `; target ${formatBytes(info.targetBytes)}` : ''
        }${info.score !== null ? `; score ${info.score.toFixed(2)} (${scoreWhy}; ≥ 1 means due for compaction)` : ''}`}
        data-testid={`level-label-${info.level}`}
      >
        <div className="lv-label-top">
          <span className={`lv-level-name lv-l${Math.min(info.level, 6)}`}>L{info.level}</span>
          <span className="lv-level-files">
            {info.files.length} {info.files.length === 1 ? 'table' : 'tables'}
          </span>
          {info.score !== null && <span className={`lv-score${due ? ' lv-due' : ''}`}>score {info.score.toFixed(2)}</span>}
        </div>
        <div className="lv-label-bytes">
          {formatBytes(info.bytes)}
          {info.targetBytes ? <span className="muted"> / {formatBytes(info.targetBytes)}</span> : null}
        </div>
        {info.targetBytes ? (
          <div className="lv-target" aria-hidden>
            <div className={`lv-target-fill${due ? ' lv-due' : ''}`} style={{ transform: `scaleX(${fill})` }} />
          </div>
        ) : null}
      </div>
    );
  },
  (a, b) =>
    a.active === b.active &&
    a.row === b.row &&
    a.info.files.length === b.info.files.length &&
    a.info.bytes === b.info.bytes &&
    a.info.entries === b.info.entries &&
    a.info.score === b.info.score &&
    a.info.targetBytes === b.info.targetBytes,
);

/** A funnel from the inputs' key range in the source level to the output level, with the compaction's progress. */
function CompactionBand({ running, rows, boxes, width }: { running: RunningCompaction; rows: RowGeometry[]; boxes: Box[]; width: number }) {
  const ids = new Set(running.inputTables.map((t) => t.id));
  const mine = boxes.filter((b) => ids.has(b.table.id));
  const src = rows[running.level];
  const dst = rows[running.outputLevel];
  if (mine.length === 0 || !src || !dst) return null;
  const span = (level: number): [number, number] | null => {
    const bs = mine.filter((b) => b.table.level === level);
    if (bs.length === 0) return null;
    return [Math.min(...bs.map((b) => b.x)), Math.max(...bs.map((b) => b.x + b.w))];
  };
  const [s0, s1] = span(running.level) ?? span(running.outputLevel)!;
  const [d0, d1] = span(running.outputLevel) ?? [s0, s1];
  const top = src.y + src.height;
  const bottom = dst.y;
  const barY = top + 14;
  const x0 = Math.min(s0, d0);
  const x1 = Math.max(s1, d1);
  const barW = Math.max(24, x1 - x0);
  const label = `L${running.level} → L${running.outputLevel} · ${percent(running.progress)}`;
  return (
    <g className="lv-band" data-testid="compaction-band">
      <path
        d={`M${s0},${src.y}L${s1},${src.y}L${s1},${top}L${d1},${bottom}L${d1},${dst.y + dst.height}L${d0},${dst.y + dst.height}L${d0},${bottom}L${s0},${top}Z`}
        className="lv-band-shape"
      />
      <rect x={x0} y={barY} width={barW} height={5} rx={2.5} className="lv-band-track" />
      <rect
        x={x0}
        y={barY}
        width={barW}
        height={5}
        rx={2.5}
        className="lv-band-fill"
        style={{ transform: `scaleX(${running.progress})`, transformOrigin: `${x0}px 0` }}
      />
      <text
        x={Math.min(width - 4, Math.max(x0, 4))}
        y={barY - 2.5}
        className="lv-band-label"
        textAnchor={x0 > width - 120 ? 'end' : 'start'}
      >
        {label}
      </text>
    </g>
  );
}

function TraceLine({ x, height }: { x: number; height: number }) {
  return <line className="lv-trace-line" x1={x} x2={x} y1={-4} y2={height + 4} />;
}

function Axis({ scale }: { scale: KeyScale }) {
  const keys = scale.keys;
  if (keys.length === 0) return <div className="lv-axis muted">No tables yet: writes are still in the memtable.</div>;
  return (
    <div
      className="lv-axis mono"
      title="Key space: every table boundary key across all levels gets an equal slot, so overlapping ranges line up"
    >
      <span>{shortKey(keys[0]!, 28)}</span>
      <span className="muted">key space (ranked table boundaries) →</span>
      <span>{shortKey(keys[keys.length - 1]!, 28)}</span>
    </div>
  );
}

function describeTree(levels: LevelInfo[]): string {
  return `LSM tree: ${levels.map((l) => `L${l.level} ${l.files.length} tables, ${formatBytes(l.bytes)}`).join('; ')}`;
}
