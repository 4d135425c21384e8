import type { CollectionStats, RunningCompactionStats } from '@strata/engine'
import type { HistoryState } from './history'
import { formatBytes, formatMs, formatTime, percent } from './format'

const RECENT_STALL_MS = 8000

/** A write stall in progress (with its running duration), or the one that just ended. */
export function StallBanner({ stats, lastStall }: { stats: CollectionStats; lastStall: HistoryState['lastStall'] }) {
  const current = stats.stalls.active ? stats.stalls.current : undefined
  if (current) {
    return (
      <div className="lv-banner lv-banner-stall" role="alert" data-testid="stall-banner">
        <strong>Writes stalled</strong> ({current.reason}) for <span className="mono">{formatMs(current.durationMs)}</span>: L0 has {stats.level0.files} tables
        (stop at {stats.level0.stopTrigger}), {stats.immutableMemtables.length} memtables wait for flush. Compaction has to catch up.
      </div>
    )
  }
  if (lastStall && Date.now() - lastStall.endedAt < RECENT_STALL_MS) {
    return (
      <div className="lv-banner lv-banner-stall-ended" role="status" data-testid="stall-banner">
        Writes were stalled ({lastStall.reason}) for <span className="mono">{formatMs(lastStall.durationMs)}</span>, until {formatTime(lastStall.endedAt)}.
        {stats.stalls.count > 1 && ` ${stats.stalls.count} stalls, ${formatMs(stats.stalls.totalMs)} in all.`}
      </div>
    )
  }
  return null
}

/** The compaction in flight: what it merges and how far it is. */
export function CompactionBanner({ running }: { running: RunningCompactionStats }) {
  const perLevel = running.inputs.map((i) => `L${i.level} × ${i.files.length}`).join(' + ')
  return (
    <div className="lv-banner lv-banner-compaction" role="status" data-testid="compaction-banner" data-progress={running.progress.toFixed(3)}>
      <span>
        <strong>
          Compacting L{running.level} → L{running.outputLevel}
        </strong>{' '}
        <span className="muted">({running.reason})</span> · {perLevel} · {formatBytes(running.bytesRead)} of {formatBytes(running.inputBytes)} read,{' '}
        {formatBytes(running.bytesWritten)} written · {formatMs(running.elapsedMs)}
      </span>
      <span className="lv-progress" aria-hidden>
        <span className="lv-progress-fill" style={{ transform: `scaleX(${running.progress})` }} />
      </span>
      <span className="mono">{percent(running.progress)}</span>
    </div>
  )
}
