import type { JobProgress } from '../../../shared/ipc/types';
import { formatBytes, formatCount } from '../ui/format';

/** A running import or export: bytes through (a bar when the size is known), records so far, and Cancel. */
export function TransferProgress({ job, onCancel, cancelling }: { job: JobProgress; onCancel(): void; cancelling: boolean }) {
  const known = job.total !== null && job.total > 0;
  const pct = known ? Math.min(100, Math.round((job.done / job.total!) * 100)) : null;
  const verb = job.kind === 'import' ? 'imported' : 'exported';
  return (
    <div className="transfer-progress" role="status" data-testid="transfer-progress">
      <progress
        max={known ? job.total! : undefined}
        value={known ? job.done : undefined}
        aria-label={job.kind === 'import' ? 'Import progress' : 'Export progress'}
      />
      <div className="transfer-progress-line">
        <span data-testid="transfer-records">
          {formatCount(job.records ?? 0)} records {verb}
          {job.skipped ? `, ${formatCount(job.skipped)} skipped` : ''}
        </span>
        <span className="muted">
          {formatBytes(job.done)}
          {known ? ` of ${formatBytes(job.total!)} · ${pct}%` : ''}
        </span>
      </div>
      <div className="transfer-progress-actions">
        <button type="button" className="button" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
