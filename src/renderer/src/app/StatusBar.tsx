import type { CollectionStats } from '../../../shared/model/stats';
import type { Connection } from '../api/connection';
import type { AppInfo, JobProgress } from '../../../shared/ipc/types';
import { formatBytes } from '../ui/format';

interface Props {
  info: AppInfo;
  connection: Connection | null;
  selected: string | null;
  stats: CollectionStats | null;
  jobs: ReadonlyMap<string, JobProgress>;
}

export function StatusBar({ info, connection, selected, stats, jobs }: Props) {
  const running = [...jobs.values()].filter((j) => j.state === 'running');
  return (
    <footer className="statusbar" aria-label="Status">
      <span className="status-item status-folder" title={info.dataDir} data-testid="data-dir">
        <span className="status-label">Folder</span> <span className="mono">{info.dataDir}</span>
      </span>
      {selected && stats && (
        <span className="status-item" data-testid="collection-stats">
          <span className="mono">{selected}</span> · seq {stats.lastSequence.toLocaleString('en-US')} · {formatBytes(stats.liveBytes)} in
          tables · memtable {formatBytes(stats.memtable.bytes)}
          {stats.compaction.running ? ' · compacting' : ''}
        </span>
      )}
      {selected && stats && stats.warnings.count > 0 && <WarningsBadge warnings={stats.warnings} />}
      {running.map((j) => (
        <span className="status-item" key={j.id}>
          {j.message || 'working…'}
        </span>
      ))}
      <span className="status-spacer" />
      {connection && <ConnectionBadge connection={connection} />}
      <span className="status-item muted">
        {info.mode === 'web' ? 'web mode' : 'desktop'} · v{info.version}
      </span>
    </footer>
  );
}

/**
 * Housekeeping the engine could not finish (a table it could not delete, …):
 * no data is at stake, but the user should know, and the tooltip says what.
 */
function WarningsBadge({ warnings }: { warnings: CollectionStats['warnings'] }) {
  const last = warnings.recent.at(-1);
  const lines = warnings.recent.map((w) => `${new Date(w.at).toLocaleTimeString()} ${w.operation} failed for ${w.path}: ${w.message}`);
  return (
    <span className="status-item status-warnings" role="status" data-testid="warnings" title={lines.join('\n')}>
      ⚠ {warnings.count.toLocaleString('en-US')} background warning{warnings.count === 1 ? '' : 's'}
      {last ? `: ${last.operation} failed` : ''}
    </span>
  );
}

function ConnectionBadge({ connection }: { connection: Connection }) {
  const text = connection.state === 'open' ? 'connected' : connection.state === 'connecting' ? 'reconnecting…' : 'disconnected, retrying…';
  return (
    <span
      className={`status-item connection connection-${connection.state}`}
      role="status"
      data-testid="connection"
      title={connection.detail}
    >
      <span className="dot" aria-hidden="true" /> {text}
    </span>
  );
}
