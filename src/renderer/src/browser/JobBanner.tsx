import type { JobProgress } from '../../../shared/ipc/types';

export function JobBanner({ job, onCancel }: { job: JobProgress; onCancel(): void }) {
  const pct = job.total ? Math.min(100, Math.round((job.done / job.total) * 100)) : null;
  return (
    <div className="job-banner" role="status" data-testid="job-banner">
      <span>{job.message || 'Deleting…'}</span>
      <progress max={job.total ?? undefined} value={job.total ? job.done : undefined} aria-label="Delete progress" />
      {pct !== null && <span className="muted">{pct}%</span>}
      <button type="button" className="button small" onClick={onCancel} disabled={job.state !== 'running'}>
        Cancel
      </button>
    </div>
  );
}
