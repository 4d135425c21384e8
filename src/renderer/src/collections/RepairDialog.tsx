import { useState } from 'react';
import type { RepairReport } from '../../../shared/model/repair';
import { describeError } from '../api/errors';
import { useClient, useJobs } from '../app/context';
import { formatBytes } from '../ui/format';
import { Dialog } from '../ui/Dialog';
import { tableNote, walNote } from './repair-notes';
import '../styles/repair.css';

interface Props {
  name: string;
  /** Why the open failed: the engine's CORRUPTION message. */
  reason: string;
  onClose(): void;
  /** After a repair that succeeded: open the collection. */
  onOpen(): void;
}

/**
 * Offered when opening a collection fails with CORRUPTION: says what repair
 * does, runs it as a job (progress from the job's push events), shows the
 * report, and opens the collection.
 */
export function RepairDialog({ name, reason, onClose, onOpen }: Props) {
  const client = useClient();
  const jobs = useJobs();
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const job = jobId === null ? undefined : jobs.get(jobId);
  const phase =
    jobId === null
      ? 'offer'
      : job === undefined || job.state === 'running'
        ? 'running'
        : job.state === 'done' && job.repair
          ? 'done'
          : 'failed';

  const start = async () => {
    setStarting(true);
    try {
      setJobId((await client['collections.repair']({ name })).id);
    } catch (err) {
      setStartError(describeError(err, `repair "${name}"`).message);
    } finally {
      setStarting(false);
    }
  };

  const actions =
    phase === 'offer' ? (
      <>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={starting} autoFocus>
          Repair
        </button>
      </>
    ) : phase === 'done' ? (
      <>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="button primary" autoFocus>
          Open collection
        </button>
      </>
    ) : (
      <button type="button" className="button" onClick={onClose}>
        Close
      </button>
    );

  return (
    <Dialog
      title={phase === 'done' ? `Repaired “${name}”` : `Repair “${name}”`}
      className="repair-dialog"
      onClose={onClose}
      onSubmit={() => {
        if (phase === 'offer') void start();
        else if (phase === 'done') {
          onClose();
          onOpen();
        }
      }}
      actions={actions}
    >
      {phase === 'offer' && (
        <>
          <p className="repair-reason">
            “{name}” cannot be opened: <span className="mono">{reason}</span>
          </p>
          <p>Repair rebuilds the collection's manifest from its tables and write-ahead logs:</p>
          <ul className="repair-explain">
            <li>every table and every log record whose checksums still hold is kept;</li>
            <li>the intact blocks of a damaged table are copied into a new table;</li>
            <li>
              files it cannot use are moved to the <span className="mono">lost/</span> folder inside the collection's folder: nothing is
              deleted;
            </li>
            <li>a key whose newest write lay in the damaged bytes may read an older value afterwards, or be missing.</li>
          </ul>
          {startError && <p className="field-message error">{startError}</p>}
        </>
      )}
      {phase === 'running' && (
        <div className="repair-running" role="status">
          <span>{job?.message || 'Starting…'}</span>
          <progress max={job?.total || undefined} value={job?.total ? job.done : undefined} aria-label="Repair progress" />
          {job?.total ? (
            <span className="muted">
              {formatBytes(job.done)} of {formatBytes(job.total)}
            </span>
          ) : null}
        </div>
      )}
      {phase === 'failed' && <p className="field-message error">Repair failed: {job?.message}</p>}
      {phase === 'done' && job?.repair && <RepairReportView report={job.repair} />}
    </Dialog>
  );
}

function RepairReportView({ report }: { report: RepairReport }) {
  const m = report.manifest;
  const prev = report.previousManifest;
  return (
    <div className="repair-report" data-testid="repair-report">
      <p>
        <strong>
          {m.tables.length.toLocaleString('en-US')} table(s) holding {m.entries.toLocaleString('en-US')} entries
        </strong>{' '}
        are listed in the new manifest <span className="mono">{m.file}</span> (last sequence {m.lastSequence.toLocaleString('en-US')}).
      </p>
      <p>
        Old manifest: {prev.file ? <span className="mono">{prev.file}</span> : 'none found'}, {prev.state}
        {prev.state !== 'missing' && `, ${prev.editsRead} edit(s) read`}
        {prev.missingTables.length > 0 && `; it listed ${prev.missingTables.length} table(s) no longer on disk`}.
        {report.options === 'defaults' && ' OPTIONS was damaged or missing and was rewritten with the defaults.'}
      </p>
      <table className="repair-files">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Outcome</th>
            <th scope="col">Kept</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {report.tables.map((t) => (
            <tr key={t.file} data-outcome={t.outcome}>
              <td className="mono">{t.file}</td>
              <td>{t.outcome}</td>
              <td>{t.entries.toLocaleString('en-US')} entries</td>
              <td>{tableNote(t)}</td>
            </tr>
          ))}
          {report.wals.map((w) => (
            <tr key={w.file} data-outcome={w.outcome}>
              <td className="mono">{w.file}</td>
              <td>{w.outcome}</td>
              <td>{w.recordsKept.toLocaleString('en-US')} record(s)</td>
              <td>{walNote(w)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.merges.length > 0 && (
        <p>
          {report.merges.length} group(s) of tables whose versions interleave were merged, so that no older version can hide a newer one.
        </p>
      )}
      {report.lostFiles.length > 0 && (
        <>
          <p>
            Moved to <span className="mono">lost/</span> (not deleted):
          </p>
          <ul className="repair-lost">
            {report.lostFiles.map((f) => (
              <li key={f.movedTo}>
                <span className="mono">{f.file}</span>: {f.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">
        Total: {formatBytes(m.tables.reduce((n, t) => n + t.bytes, 0))} in tables; took {report.durationMs.toLocaleString('en-US')} ms.
      </p>
    </div>
  );
}
