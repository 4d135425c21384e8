import { memo, useMemo, useState } from 'react';
import { changesTree, type HistorySample, type HistoryStep } from '../../../shared/model/history';
import { formatBytes } from '../ui/format';
import { formatMs, formatTime } from './format';
import { flowOf, stepKey } from './history';
import { levelSeries, sparkPath, throughput } from './sparkline';

/** Rows drawn by default; more on request (every row is layout and paint work on each new step). */
const SHOWN_STEPS = 40;
const MORE_STEPS = 400;

/** The small charts: write throughput, write amplification, and bytes per level over time. */
export const Charts = memo(function Charts({ samples }: { samples: HistorySample[] }) {
  const rate = useMemo(() => throughput(samples), [samples]);
  const wa = useMemo(() => samples.map((s) => s.writeAmplification), [samples]);
  const levels = useMemo(() => {
    let n = 0;
    for (const s of samples) n = Math.max(n, s.levelBytes.length);
    const out: { level: number; values: number[] }[] = [];
    for (let l = 0; l < n; l++) {
      const values = levelSeries(samples, l);
      if (values.some((v) => v > 0)) out.push({ level: l, values });
    }
    return out;
  }, [samples]);
  const span = samples.length > 1 ? formatMs(samples.at(-1)!.at - samples[0]!.at) : null;
  return (
    <div className="lv-charts" data-testid="charts">
      <Spark title="Write throughput" values={rate} format={(v) => `${formatBytes(v)}/s`} cls="lv-spark-rate" />
      <Spark title="Write amplification" values={wa} format={(v) => `${v.toFixed(2)}×`} cls="lv-spark-wa" />
      {levels.map((l) => (
        <Spark
          key={l.level}
          title={`L${l.level} bytes`}
          values={l.values}
          format={formatBytes}
          cls={`lv-spark-level lv-l${Math.min(l.level, 6)}`}
        />
      ))}
      {span && <span className="small muted lv-charts-span">last {span}</span>}
    </div>
  );
});

function Spark({ title, values, format, cls }: { title: string; values: number[]; format(v: number): string; cls: string }) {
  const w = 150;
  const h = 34;
  const { line, area, max } = sparkPath(values, w, h);
  const last = values.at(-1);
  return (
    <figure className={`lv-spark ${cls}`} title={`${title}: now ${last === undefined ? '—' : format(last)}, peak ${format(max)}`}>
      <figcaption>
        <span>{title}</span>
        <strong>{last === undefined ? '—' : format(last)}</strong>
      </figcaption>
      <svg width={w} height={h} aria-hidden>
        {line && <path d={area} className="lv-spark-area" />}
        {line && <path d={line} className="lv-spark-line" />}
      </svg>
    </figure>
  );
}

const KIND_LABEL: Record<HistoryStep['kind'], string> = {
  flush: 'Flush',
  compaction: 'Compaction',
  move: 'Move',
  'compaction-error': 'Failed',
  stall: 'Stall',
};

/** Newest first; a row with a tree can be clicked to see the tree as it was after that step. */
export const Timeline = memo(function Timeline({
  steps,
  viewing,
  onView,
}: {
  steps: HistoryStep[];
  viewing: string | null;
  onView(step: HistoryStep): void;
}) {
  const [limit, setLimit] = useState(SHOWN_STEPS);
  const shown = useMemo(() => steps.slice(-limit).reverse(), [steps, limit]);
  if (shown.length === 0)
    return <p className="muted small lv-timeline-empty">No flushes or compactions yet. Write some keys, or press “Flush now”.</p>;
  return (
    <div className="lv-timeline-wrap">
      <table className="lv-timeline" data-testid="timeline">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Reason</th>
            <th>In</th>
            <th>Out</th>
            <th className="num">Bytes in → out</th>
            <th className="num">Took</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((s) => (
            <Row key={stepKey(s) + s.seq} step={s} active={viewing === stepKey(s)} onView={onView} />
          ))}
        </tbody>
      </table>
      {steps.length > shown.length && (
        <button type="button" className="link small lv-more" onClick={() => setLimit(MORE_STEPS)}>
          {limit < MORE_STEPS
            ? `Show up to ${Math.min(steps.length, MORE_STEPS)} steps (of ${steps.length})`
            : `Showing the last ${shown.length} of ${steps.length} steps`}
        </button>
      )}
    </div>
  );
});

const Row = memo(function Row({ step, active, onView }: { step: HistoryStep; active: boolean; onView(s: HistoryStep): void }) {
  const f = flowOf(step);
  const clickable = changesTree(step.kind);
  const per = (xs: { level: number; files: number; bytes: number }[]) =>
    xs.length === 0 ? '—' : xs.map((x) => `L${x.level}×${x.files}`).join(' + ');
  return (
    <tr
      className={`lv-step-row lv-row-${step.kind}${active ? ' lv-active' : ''}${clickable ? ' lv-clickable' : ''}`}
      onClick={clickable ? () => onView(step) : undefined}
      tabIndex={clickable ? 0 : undefined}
      onKeyDown={clickable ? (e) => e.key === 'Enter' && onView(step) : undefined}
      aria-selected={active}
      title={clickable ? 'Show the tree as it was right after this step' : undefined}
      data-kind={step.kind}
    >
      <td className="mono small">{formatTime(step.at)}</td>
      <td>
        <span className={`lv-kind lv-kind-${step.kind}`}>{KIND_LABEL[step.kind]}</span>
      </td>
      <td className="small">{step.kind === 'compaction-error' ? step.detail.message : f.reason}</td>
      <td className="small mono">
        {step.kind === 'flush' ? 'memtable' : step.kind === 'stall' ? `L0 ${step.detail.level0Files} files` : per(f.inputs)}
      </td>
      <td className="small mono">{per(f.outputs)}</td>
      <td className="num small mono">
        {step.kind === 'stall' ? '' : `${formatBytes(f.bytesIn)} → ${step.kind === 'move' ? 'moved' : formatBytes(f.bytesOut)}`}
      </td>
      <td className="num small mono">{f.durationMs === null ? '' : formatMs(f.durationMs)}</td>
    </tr>
  );
});
