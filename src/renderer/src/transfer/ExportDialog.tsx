import { useState } from 'react';
import type { KeyFilter } from '../../../shared/ipc/types';
import type { TransferFormat } from '../../../shared/model/transfer';
import { useClient, useInfo } from '../app/context';
import { describeFilter } from '../browser/describe-filter';
import { Dialog } from '../ui/Dialog';
import { useNotify } from '../ui/Toasts';
import { startDownload } from './download';
import { formatBytes, plural } from '../ui/format';
import { FormatSelect } from './FormatSelect';
import { TransferActions, transferTitle } from './TransferActions';
import { TransferProgress } from './TransferProgress';
import { useTransferJob } from './useTransferJob';

interface Props {
  collection: string;
  /** The key browser's current filter; empty when none is set. */
  filter: KeyFilter;
  onClose(): void;
}

/** Export: what (the current filter or every key) and in which format, then progress with Cancel, then the result. */
export function ExportDialog({ collection, filter, onClose }: Props) {
  const client = useClient();
  const notify = useNotify();
  const info = useInfo();
  const filtered = Object.keys(filter).length > 0;
  const [scope, setScope] = useState<'filter' | 'all'>(filtered ? 'filter' : 'all');
  const [format, setFormat] = useState<TransferFormat>('ndjson');
  const [busy, setBusy] = useState(false);
  const transfer = useTransferJob('Export');
  const { job, finished, track } = transfer;

  const start = async () => {
    if (busy || job) return;
    setBusy(true);
    const range = scope === 'filter' ? filter : {};
    try {
      if (info.nativeDialogs) {
        // null: the user closed the save dialog; stay here so they can change their mind.
        const started = await client['transfer.exportFile']({ collection, filter: range, format });
        if (started) track(started);
      } else {
        const started = await client['transfer.beginDownload']({ collection, filter: range, format });
        track(started.job);
        startDownload(started.downloadUrl);
      }
    } catch (err) {
      notify.error(err, 'start the export');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={transferTitle('Export', transfer, `Export “${collection}”`)}
      className="transfer-dialog export-dialog"
      onClose={() => transfer.state !== 'running' && onClose()}
      onSubmit={() => (finished ? onClose() : void start())}
      actions={
        <TransferActions state={transfer.state} submitLabel={info.nativeDialogs ? 'Export…' : 'Export'} busy={busy} onClose={onClose} />
      }
    >
      {!job && (
        <>
          <fieldset className="choice-group">
            <legend className="field-label">Keys</legend>
            <label>
              <input
                type="radio"
                name="export-scope"
                checked={scope === 'filter'}
                disabled={!filtered}
                onChange={() => setScope('filter')}
              />{' '}
              The current filter: {filtered ? describeFilter(filter) : <span className="muted">none set</span>}
            </label>
            <label>
              <input type="radio" name="export-scope" checked={scope === 'all'} onChange={() => setScope('all')} /> The whole collection
            </label>
          </fieldset>
          <FormatSelect value={format} onChange={setFormat} testId="export-format" />
          <p className="small">{info.nativeDialogs ? 'You choose where to save the file next.' : 'Your browser downloads the file.'}</p>
        </>
      )}
      {transfer.state === 'running' && job && <TransferProgress job={job} cancelling={transfer.cancelling} onCancel={transfer.cancel} />}
      {finished && (
        <div className="transfer-summary" data-testid="export-summary">
          <p className={`summary-headline ${finished.state}`}>
            {finished.state === 'done'
              ? `Exported ${plural(finished.records ?? 0, 'record')} (${formatBytes(finished.done)}).`
              : finished.message || 'Cancelled.'}
          </p>
          {finished.state === 'cancelled' && <p className="small">The file is incomplete; delete it.</p>}
        </div>
      )}
    </Dialog>
  );
}
