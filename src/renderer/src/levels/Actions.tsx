import { useState } from 'react';
import type { WorkloadPattern } from '../../../shared/model/workload';
import { useClient, useJobs } from '../app/context';
import { useNotify } from '../ui/Toasts';
import { formatCount } from '../ui/format';
import { percent } from './format';

const PATTERNS: { value: WorkloadPattern; label: string; hint: string }[] = [
  { value: 'random', label: 'Random', hint: 'keys spread over the key space: overlapping L0 tables, real merges' },
  { value: 'sequential', label: 'Sequential', hint: 'ascending keys: tables do not overlap, compactions become moves' },
  { value: 'overwrite', label: 'Overwrite-heavy', hint: 'a small working set rewritten: compaction drops old versions' },
  { value: 'delete-heavy', label: 'Delete-heavy', hint: 'half puts, half deletes: tombstones and their cleanup' },
];

/** "Flush now" and "Compact all", in the tree's header. */
export function TreeActions({ collection, compacting, onCompactAll }: { collection: string; compacting: boolean; onCompactAll(): void }) {
  const client = useClient();
  const notify = useNotify();
  const [flushing, setFlushing] = useState(false);
  const flush = async () => {
    setFlushing(true);
    try {
      await client['lsm.flush']({ collection });
    } catch (err) {
      notify.error(err, 'flush the memtable');
    } finally {
      setFlushing(false);
    }
  };
  return (
    <div className="lv-action-group" role="group" aria-label="Tree actions">
      <button
        type="button"
        className="button small"
        onClick={() => void flush()}
        disabled={flushing}
        data-testid="flush-now"
        title="Write the memtable to a new L0 table now"
      >
        Flush now
      </button>
      <button
        type="button"
        className="button small"
        onClick={onCompactAll}
        disabled={compacting}
        data-testid="compact-all"
        title="Merge every level down until nothing overlaps"
      >
        {compacting ? 'Compacting…' : 'Compact all'}
      </button>
    </div>
  );
}

/** The workload generator: N operations of a pattern at a rate, with its progress and a Stop button. */
export function Workload({ collection }: { collection: string }) {
  const client = useClient();
  const notify = useNotify();
  const jobs = useJobs();
  const [count, setCount] = useState(200_000);
  const [rate, setRate] = useState(0);
  const [pattern, setPattern] = useState<WorkloadPattern>('random');
  const [valueBytes, setValueBytes] = useState(100);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = jobId ? (jobs.get(jobId) ?? null) : null;
  const running = job?.state === 'running' || (jobId !== null && job === null);

  const start = async () => {
    try {
      const j = await client['jobs.workload']({ collection, count, rate, pattern, valueBytes, keyPrefix: 'key:' });
      setJobId(j.id);
    } catch (err) {
      notify.error(err, 'start the workload');
    }
  };

  const stop = async () => {
    if (!jobId) return;
    try {
      await client['jobs.cancel']({ id: jobId });
    } catch (err) {
      notify.error(err, 'stop the workload');
    }
  };

  const fraction = job && job.total ? job.done / job.total : 0;
  return (
    <div className="lv-actions">
      <form
        className="lv-action-group lv-workload"
        noValidate
        aria-label="Workload generator"
        onSubmit={(e) => {
          e.preventDefault();
          void (running ? stop() : start());
        }}
      >
        <span className="lv-workload-title">Workload</span>
        <span className="small muted">write</span>
        <input
          className="input lv-num"
          type="number"
          min={1}
          max={100_000_000}
          value={count}
          onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))}
          aria-label="Operations"
          data-testid="wl-count"
          disabled={running}
        />
        <select
          className="input"
          value={pattern}
          onChange={(e) => setPattern(e.target.value as WorkloadPattern)}
          aria-label="Pattern"
          data-testid="wl-pattern"
          disabled={running}
          title={PATTERNS.find((p) => p.value === pattern)?.hint}
        >
          {PATTERNS.map((p) => (
            <option key={p.value} value={p.value} title={p.hint}>
              {p.label}
            </option>
          ))}
        </select>
        <span className="small muted">keys of</span>
        <input
          className="input lv-num lv-num-small"
          type="number"
          min={0}
          max={65536}
          value={valueBytes}
          onChange={(e) => setValueBytes(Math.max(0, Math.min(65536, Number(e.target.value) || 0)))}
          aria-label="Value bytes"
          data-testid="wl-value"
          disabled={running}
        />
        <span className="small muted">B at</span>
        <input
          className="input lv-num"
          type="number"
          min={0}
          max={10_000_000}
          step={1000}
          value={rate}
          onChange={(e) => setRate(Math.max(0, Number(e.target.value) || 0))}
          aria-label="Operations per second (0 = as fast as possible)"
          title="Operations per second; 0 = as fast as possible"
          data-testid="wl-rate"
          disabled={running}
        />
        <span className="small muted">/s</span>
        <button type="submit" className={`button ${running ? 'danger' : 'primary'}`} data-testid={running ? 'wl-stop' : 'wl-start'}>
          {running ? 'Stop' : 'Start'}
        </button>
        {job && (
          <span className="lv-job" role="status" data-testid="wl-status" data-state={job.state}>
            {job.state === 'running' ? (
              <>
                <progress
                  max={1}
                  value={fraction}
                  aria-label="Workload progress"
                  title={`${formatCount(job.done)} of ${formatCount(job.total ?? 0)} operations`}
                />
                <span className="small mono">{percent(fraction)}</span>
              </>
            ) : (
              <span className="small muted lv-job-message" title={job.message}>
                {job.message}
              </span>
            )}
          </span>
        )}
      </form>
    </div>
  );
}
