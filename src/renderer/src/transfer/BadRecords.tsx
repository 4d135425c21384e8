import type { JobProgress } from '../../../shared/ipc/types';
import { formatCount } from '../ui/format';

/** The engine keeps the first 100 bad records; the list shows them (scrolling) and says how many more there were. */
export function BadRecords({ job }: { job: JobProgress }) {
  const listed = job.badRecords ?? [];
  if (listed.length === 0) return null;
  const more = Math.max(0, (job.skipped ?? 0) - listed.length);
  return (
    <div className="bad-records">
      <div className="field-label">Bad records{job.state === 'done' ? ' skipped' : ''}</div>
      <ul data-testid="bad-records">
        {listed.map((b, i) => (
          <li key={`${b.line}-${i}`}>
            <span className="bad-line mono">line {b.line}</span> <span>{b.message}</span>
          </li>
        ))}
      </ul>
      {more > 0 && <p className="small">and {formatCount(more)} more not listed</p>}
    </div>
  );
}
