import { useState } from 'react';
import type { ImportPreviewView, JobProgress } from '../../../shared/ipc/types';
import type { ImportMode, TransferFormat } from '../../../shared/model/transfer';
import { useClient } from '../app/context';
import { Dialog } from '../ui/Dialog';
import { useNotify } from '../ui/Toasts';
import { BadRecords } from './BadRecords';
import { formatCount, plural } from '../ui/format';
import { ImportPreview } from './ImportPreview';
import { TransferActions, transferTitle } from './TransferActions';
import { TransferProgress } from './TransferProgress';
import { uploadFile } from './upload';
import { useTransferJob } from './useTransferJob';

/** Where the records come from: a path main may read (the desktop app's native dialog) or a File the browser uploads. */
export type ImportSource = { kind: 'path'; path: string } | { kind: 'file'; file: File; sample: string };

interface Props {
  collection: string;
  preview: ImportPreviewView;
  source: ImportSource;
  onClose(): void;
  /** Called once the job ends, whatever the outcome: records may have been written even by a failed or cancelled import. */
  onFinished(): void;
}

/** Import in three steps in one dialog: preview and options, progress with Cancel, then the summary. */
export function ImportDialog({ collection, preview: initial, source, onClose, onFinished }: Props) {
  const client = useClient();
  const notify = useNotify();
  const [preview, setPreview] = useState(initial);
  const [format, setFormat] = useState<TransferFormat>(initial.format);
  const [onError, setOnError] = useState<ImportMode>('stop');
  const [busy, setBusy] = useState(false);
  const transfer = useTransferJob('Import', onFinished);
  const { job, finished, track, fail } = transfer;

  // The preview is read again in the chosen format: web mode from the sample it uploaded, the desktop app from the chosen file.
  const chooseFormat = async (next: TransferFormat) => {
    setFormat(next);
    setBusy(true);
    try {
      setPreview(
        source.kind === 'path'
          ? await client['transfer.previewFile']({ path: source.path, format: next })
          : await client['transfer.previewSample']({
              sample: source.sample,
              fileName: source.file.name,
              sizeBytes: source.file.size,
              format: next,
            }),
      );
    } catch (err) {
      notify.error(err, 'preview the file');
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (busy || job) return;
    setBusy(true);
    try {
      if (source.kind === 'path') {
        track(await client['transfer.importFile']({ collection, path: source.path, format, onError }));
      } else {
        const ticket = await client['transfer.beginUpload']({
          collection,
          fileName: source.file.name,
          sizeBytes: source.file.size,
          format,
          onError,
        });
        track(ticket.job);
        void upload(ticket.uploadPath, ticket.job);
      }
    } catch (err) {
      notify.error(err, 'start the import');
    } finally {
      setBusy(false);
    }
  };

  // The route answers when the import ends; only an answer the job cannot explain (refused, network) matters here.
  const upload = async (path: string, started: JobProgress) => {
    try {
      const outcome = await uploadFile(path, source.kind === 'file' ? source.file : new File([], ''));
      if (![200, 422, 499].includes(outcome.status)) {
        fail(`the server refused the upload: ${outcome.text}`);
        await client['jobs.cancel']({ id: started.id }).catch(() => undefined);
      }
    } catch (err) {
      fail(`the upload broke off: ${(err as Error).message}`);
      await client['jobs.cancel']({ id: started.id }).catch(() => undefined);
    }
  };

  return (
    <Dialog
      title={transferTitle('Import', transfer, `Import into “${collection}”`)}
      className="transfer-dialog import-dialog"
      // Closing while it runs would hide the only Cancel; Esc is ignored until the job ends.
      onClose={() => transfer.state !== 'running' && onClose()}
      onSubmit={() => (finished ? onClose() : void start())}
      actions={<TransferActions state={transfer.state} submitLabel="Import" busy={busy} onClose={onClose} />}
    >
      {!job && (
        <>
          <ImportPreview preview={preview} format={format} onFormat={(f) => void chooseFormat(f)} busy={busy} />
          <fieldset className="choice-group">
            <legend className="field-label">When a record is bad</legend>
            <label>
              <input type="radio" name="on-error" checked={onError === 'stop'} onChange={() => setOnError('stop')} /> Stop at the first bad
              record
            </label>
            <label>
              <input type="radio" name="on-error" checked={onError === 'skip'} onChange={() => setOnError('skip')} /> Skip bad records and
              report them
            </label>
          </fieldset>
          <p className="small">Existing keys with the same name are overwritten.</p>
        </>
      )}
      {transfer.state === 'running' && job && <TransferProgress job={job} onCancel={transfer.cancel} cancelling={transfer.cancelling} />}
      {finished && <ImportSummary job={finished} />}
    </Dialog>
  );
}

function ImportSummary({ job }: { job: JobProgress }) {
  const records = job.records ?? 0;
  return (
    <div className="transfer-summary" data-testid="import-summary">
      <p className={`summary-headline ${job.state}`}>
        {job.state === 'done' && <>Imported {plural(records, 'record')}.</>}
        {job.state === 'failed' && (
          <>
            Stopped: <span data-testid="import-error">{job.message}</span>
          </>
        )}
        {job.state === 'cancelled' && <>Cancelled.</>}
      </p>
      {job.state !== 'done' && (
        <p className="small">
          {records === 0
            ? 'No records were imported.'
            : `${formatCount(records)} records before that point were imported and stay in the collection.`}
        </p>
      )}
      {(job.skipped ?? 0) > 0 && <p className="small">{plural(job.skipped!, 'bad record')} skipped.</p>}
      <BadRecords job={job} />
    </div>
  );
}
