import type { HistoryStep } from '../../../shared/model/history';
import type { TableShape } from '../../../shared/model/stats';
import type { GetExplanation } from '../../../shared/model/lookup';
import { memo, useCallback, useMemo, useRef, useState } from 'react';
import type { KeyFilter } from '../../../shared/ipc/types';
import { useClient } from '../app/context';
import { Tabs, type Tab } from '../ui/Tabs';
import { useNotify } from '../ui/Toasts';
import { TreeActions, Workload } from './Actions';
import { StatusStrip } from './Banners';
import { formatTime } from './format';
import { stepKey } from './history';
import { Charts, Timeline } from './History';
import { Inspector } from './Inspector';
import { Memtable } from './Memtable';
import { liveModel, stepModel } from './model';
import { TableView } from './TableView';
import { probedTables } from './trace';
import { TracePanel } from './TracePanel';
import { Tree } from './Tree';
import { useLevelsLive } from './useLevelsLive';
import '../styles/levels.css';

type Side = 'table' | 'trace';

const SIDES: Tab<Side>[] = [
  { id: 'table', label: 'SSTable', testId: 'side-table' },
  { id: 'trace', label: 'Where is this key?', testId: 'side-trace' },
];

/** The live picture of one collection's LSM tree: memtable, levels, compactions, history, and the tools to poke at it. */
export const LevelsView = memo(function LevelsView({ collection, onBrowse }: { collection: string; onBrowse(filter: KeyFilter): void }) {
  const client = useClient();
  const notify = useNotify();
  const { stats, history } = useLevelsLive(client, collection);
  const [viewing, setViewing] = useState<{ key: string; step: HistoryStep; levels: TableShape[][] } | null>(null);
  const [selected, setSelected] = useState<TableShape | null>(null);
  const [trace, setTrace] = useState<GetExplanation | null>(null);
  const [side, setSide] = useState<Side>('table');
  const [asTable, setAsTable] = useState(false);
  const [compacting, setCompacting] = useState(false);
  const [showStalls, setShowStalls] = useState(false);
  const steps = useMemo(() => (showStalls ? history.steps : history.steps.filter((s) => s.kind !== 'stall')), [history.steps, showStalls]);

  const model = useMemo(() => (viewing ? stepModel(viewing.levels) : stats ? liveModel(stats) : null), [viewing, stats]);
  const marks = useMemo(() => (trace && !viewing ? probedTables(trace) : null), [trace, viewing]);

  const select = useCallback((t: TableShape) => {
    setSelected(t);
    setSide('table');
  }, []);

  const onTrace = useCallback((e: GetExplanation | null) => setTrace(e), []);

  const compact = useCallback(
    async (range?: { gte: string; lt: string }) => {
      setCompacting(true);
      try {
        await client['lsm.compact']({ collection, ...(range ? { range } : {}) });
        notify(
          'success',
          range ? 'Range compacted' : 'Compacted',
          range ? `${range.gte} … ${range.lt.slice(0, -1)}` : 'Every level merged down',
        );
      } catch (err) {
        notify.error(err, 'compact');
      } finally {
        setCompacting(false);
      }
    },
    [client, collection, notify],
  );

  const view = useCallback(
    async (step: HistoryStep) => {
      const key = stepKey(step);
      if (viewing?.key === key) return setViewing(null);
      let levels = step.levels;
      if (!levels) {
        try {
          const h = await client['lsm.history']({ collection });
          levels = h.steps.find((s) => stepKey(s) === key)?.levels ?? null;
        } catch (err) {
          return notify.error(err, 'read the history');
        }
      }
      if (!levels) return notify('info', 'That tree is no longer kept', 'The history keeps the last 1,000 steps.');
      setViewing({ key, step, levels });
      setTrace(null);
    },
    [client, collection, notify, viewing],
  );

  // Stable callbacks for memoized children: the timeline rows and the side panel must not re-render on every stats update.
  const viewRef = useRef(view);
  viewRef.current = view;
  const onView = useCallback((s: HistoryStep) => void viewRef.current(s), []);
  const onCompactRange = useCallback((r: { gte: string; lt: string }) => void compact(r), [compact]);

  if (!stats || !model) return <div className="lv-view lv-loading muted">Reading the tree…</div>;

  const selectedLive = selected && model.levels.some((l) => l.files.some((f) => f.id === selected.id)) ? selected : null;

  return (
    <div className="lv-view" data-testid="levels-view" data-mode={viewing ? 'history' : 'live'}>
      <Workload collection={collection} />
      {viewing ? (
        <div className="lv-strip lv-strip-history" role="status" data-testid="history-banner">
          <span className="lv-ellipsis">
            <strong>Viewing history:</strong> the tree right after the {viewing.step.kind} at {formatTime(viewing.step.at)}. Live updates
            continue in the background.
          </span>
          <button type="button" className="button small primary" onClick={() => setViewing(null)} data-testid="back-to-live">
            Back to live
          </button>
        </div>
      ) : (
        <StatusStrip stats={stats} lastStall={history.lastStall} />
      )}
      <div className="lv-main">
        <section className={`lv-card lv-tree${viewing ? ' lv-historic' : ''}`} aria-label="LSM tree">
          <header className="lv-card-head">
            <h2>Tree</h2>
            <span
              className="small muted lv-head-stats"
              title="Flushes and compactions since the collection was opened; write amplification = bytes written to tables / bytes written by users"
            >
              {stats.totals.flushes} flushes · {stats.totals.compactions} compactions · write amp.{' '}
              {stats.totals.writeAmplification.toFixed(2)}×
            </span>
            <TreeActions collection={collection} compacting={compacting} onCompactAll={() => void compact()} />
            <label className="check lv-astable">
              <input type="checkbox" checked={asTable} onChange={(e) => setAsTable(e.target.checked)} data-testid="show-as-table" /> Show as
              table
            </label>
          </header>
          {!viewing && model.memtable && <Memtable memtable={model.memtable} immutables={model.immutables} />}
          {asTable ? (
            <TableView model={model} selected={selectedLive?.id ?? null} onSelect={select} />
          ) : (
            <Tree
              model={model}
              selected={selectedLive?.id ?? null}
              marks={marks}
              traceKey={trace && !viewing ? trace.key : null}
              onSelect={select}
            />
          )}
          <Legend />
        </section>
        <aside className="lv-card lv-side" aria-label="Details">
          <Tabs tabs={SIDES} selected={side} onSelect={setSide} className="lv-side-tabs" />
          {side === 'table' ? (
            selected ? (
              <Inspector collection={collection} table={selected} onBrowse={onBrowse} onCompact={onCompactRange} busy={compacting} />
            ) : (
              <p className="muted small lv-hint">
                Click a table in the tree to see its properties, its first entries, and to browse its keys.
              </p>
            )
          ) : (
            <TracePanel collection={collection} trace={trace} onTrace={onTrace} />
          )}
        </aside>
      </div>
      <section className="lv-card lv-history" aria-label="History">
        <header className="lv-card-head">
          <h2>History</h2>
          <span className="small muted">click a flush or compaction to see the tree as it was after it</span>
          <label className="check lv-astable">
            <input type="checkbox" checked={showStalls} onChange={(e) => setShowStalls(e.target.checked)} /> Show write stalls
          </label>
        </header>
        <Charts samples={history.samples} />
        <Timeline steps={steps} viewing={viewing?.key ?? null} onView={onView} />
      </section>
    </div>
  );
});

function Legend() {
  return (
    <div className="lv-legend small muted" aria-hidden>
      <span>
        <i className="lv-key lv-key-size" /> height: table size
      </span>
      <span>
        <i className="lv-key lv-key-tomb" /> tombstones
      </span>
      <span>
        <i className="lv-key lv-key-compacting" /> compaction input
      </span>
      <span>
        <i className="lv-key lv-key-probe" /> searched by a get
      </span>
      <span>
        <i className="lv-key lv-key-skip" /> skipped by a get
      </span>
    </div>
  );
}
