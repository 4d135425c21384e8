import type { CollectionStats, RunningCompaction } from '../../../shared/model/stats';
import { useEffect, useReducer } from 'react';
import type { HistoryState } from './history';
import { flushThreadNote } from './flush-note';
import { formatBytes } from '../ui/format';
import { formatMs, formatTime, percent } from './format';

const RECENT_STALL_MS = 8000;

/**
 * One fixed-height line under the toolbar: the compaction in flight (or
 * that none is), and whether writes flow or stall. It never appears or
 * disappears, so the tree below does not jump while the engine is busy.
 */
export function StatusStrip({ stats, lastStall }: { stats: CollectionStats; lastStall: HistoryState['lastStall'] }) {
  return (
    <div className="lv-strip" data-testid="status-strip">
      {stats.compaction.running ? (
        <CompactionStatus running={stats.compaction.running} />
      ) : (
        <div className="lv-cell muted">
          <span className="lv-dot" aria-hidden />
          <span className="lv-ellipsis">
            No compaction running{stats.compaction.pendingBytes > 0 ? ` · ${formatBytes(stats.compaction.pendingBytes)} pending` : ''}
            {stats.compaction.errors > 0 ? ` · ${stats.compaction.errors} failed` : ''}
          </span>
        </div>
      )}
      <StallStatus stats={stats} lastStall={lastStall} />
    </div>
  );
}

function CompactionStatus({ running }: { running: RunningCompaction }) {
  const perLevel = running.inputs.map((i) => `L${i.level}×${i.files.length}`).join(' + ');
  const text = `Compacting L${running.level} → L${running.outputLevel} (${running.reason}) · ${perLevel} · ${formatBytes(running.bytesRead)} of ${formatBytes(running.inputBytes)} read, ${formatBytes(running.bytesWritten)} written · ${formatMs(running.elapsedMs)}`;
  return (
    <div
      className="lv-cell lv-cell-compaction"
      role="status"
      data-testid="compaction-banner"
      data-progress={running.progress.toFixed(3)}
      title={text}
    >
      <span className="lv-dot lv-dot-busy" aria-hidden />
      <span className="lv-ellipsis">{text}</span>
      <span className="lv-progress" aria-hidden>
        <span className="lv-progress-fill" style={{ transform: `scaleX(${running.progress})` }} />
      </span>
      <span className="mono">{percent(running.progress)}</span>
    </div>
  );
}

function StallStatus({ stats, lastStall }: { stats: CollectionStats; lastStall: HistoryState['lastStall'] }) {
  // A recent stall shows for RECENT_STALL_MS; an idle collection sends no new stats to end that, so a timer does.
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!lastStall) return;
    const due = lastStall.endedAt + RECENT_STALL_MS - Date.now();
    if (due <= 0) return;
    const timer = setTimeout(rerender, due + 50);
    return () => clearTimeout(timer);
  }, [lastStall]);
  const current = stats.stalls.active ? stats.stalls.current : null;
  const totals =
    stats.stalls.count > 0
      ? `${stats.stalls.count} stall${stats.stalls.count === 1 ? '' : 's'}, ${formatMs(stats.stalls.totalMs)} in all`
      : 'no stalls';
  if (stats.writeError)
    return (
      <div className="lv-cell lv-cell-stall" role="alert">
        <span className="lv-ellipsis">Writes refused after a disk error: {stats.writeError}</span>
      </div>
    );
  if (current) {
    const text = `Writes stalled (${current.reason}) for ${formatMs(current.durationMs)}: L0 has ${stats.level0.files} tables (stops at ${stats.level0.stopTrigger}), ${stats.immutableMemtables.length} memtables wait for flush`;
    return <StallCell tone="stall" testId="stall-banner" text={text} />;
  }
  if (lastStall && Date.now() - lastStall.endedAt < RECENT_STALL_MS) {
    const text = `Writes were stalled (${lastStall.reason}) for ${formatMs(lastStall.durationMs)} until ${formatTime(lastStall.endedAt)} · ${totals}`;
    return <StallCell tone="warn" testId="stall-banner" text={text} />;
  }
  const note = flushThreadNote(stats.flush);
  if (note) {
    // The note first: the cell is narrow, and the reason at its end can be long (the whole text is in the tooltip).
    const text = `${note} · writes flowing · ${totals}`;
    return <StallCell tone="warn" testId="flush-thread-note" text={text} />;
  }
  return (
    <div className="lv-cell muted">
      <span className="lv-dot lv-dot-ok" aria-hidden />
      <span className="lv-ellipsis">Writes flowing · {totals}</span>
    </div>
  );
}

/** One line of the write status: a stall now (an alert), or something worth a look (a stall just over, flushes off their thread). */
function StallCell({ tone, testId, text }: { tone: 'stall' | 'warn'; testId: string; text: string }) {
  return (
    <div
      className={tone === 'stall' ? 'lv-cell lv-cell-stall' : 'lv-cell lv-cell-stalled'}
      role={tone === 'stall' ? 'alert' : 'status'}
      data-testid={testId}
      title={text}
    >
      <span className={tone === 'stall' ? 'lv-dot lv-dot-stall' : 'lv-dot lv-dot-warn'} aria-hidden />
      <span className="lv-ellipsis">{text}</span>
    </div>
  );
}
