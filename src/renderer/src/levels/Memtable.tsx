import type { CollectionStats } from '../../../shared/model/stats';
import { formatBytes, formatCount } from '../ui/format';
import { percent } from './format';

/** The memtable as a fill bar against its flush limit, and the full memtables waiting for flush beside it. */
export function Memtable({
  memtable,
  immutables,
}: {
  memtable: CollectionStats['memtable'];
  immutables: CollectionStats['immutableMemtables'];
}) {
  const fill = memtable.limitBytes > 0 ? Math.min(1, memtable.bytes / memtable.limitBytes) : 0;
  return (
    <div className="lv-mem" data-testid="memtable">
      <div
        className="lv-label lv-label-static"
        title="Writes land in the memtable (and its write-ahead log); when it reaches its limit it becomes immutable and is flushed to a new L0 table"
      >
        <div className="lv-label-top">
          <span className="lv-level-name">Memtable</span>
        </div>
        <div className="lv-label-bytes">
          {formatBytes(memtable.bytes)} <span className="muted">/ {formatBytes(memtable.limitBytes)}</span>
        </div>
      </div>
      <div className="lv-mem-body">
        <div
          className="lv-mem-bar"
          role="meter"
          aria-label="Memtable fill"
          aria-valuemin={0}
          aria-valuemax={memtable.limitBytes}
          aria-valuenow={memtable.bytes}
          title={`${formatBytes(memtable.bytes)} of ${formatBytes(memtable.limitBytes)} (${percent(fill)}) · ${formatCount(memtable.entries)} entries · ${formatCount(memtable.tombstones)} tombstones · WAL ${memtable.walNumber}`}
        >
          <div className="lv-mem-fill" style={{ transform: `scaleX(${fill})` }} />
          <span className="lv-mem-text">
            {percent(fill)} · {formatCount(memtable.entries)} entries
          </span>
        </div>
        <div className="lv-imm" aria-label={`${immutables.length} memtables waiting for flush`}>
          {immutables.length === 0 ? (
            <span className="muted small">nothing waiting for flush</span>
          ) : (
            <>
              <span className="muted small">waiting for flush</span>
              {immutables.map((m) => (
                <span
                  key={m.walNumber}
                  className="lv-imm-block"
                  title={`Immutable memtable (WAL ${m.walNumber}): ${formatBytes(m.bytes)}, ${formatCount(m.entries)} entries, being flushed to L0`}
                />
              ))}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
