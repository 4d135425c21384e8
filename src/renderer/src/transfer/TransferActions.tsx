import { CancelAndSubmit } from '../ui/DialogParts';
import type { TransferJob } from './useTransferJob';

/**
 * The footer of the import and export dialogs: Cancel and the submit button
 * before the job starts, nothing while it runs (its progress has the only
 * Cancel), Close once it ended.
 */
export function TransferActions({
  state,
  submitLabel,
  busy,
  onClose,
}: {
  state: TransferJob['state'];
  submitLabel: string;
  busy: boolean;
  onClose(): void;
}) {
  if (state === 'finished')
    return (
      <button type="submit" className="button primary">
        Close
      </button>
    );
  if (state === 'running') return null;
  return <CancelAndSubmit onCancel={onClose} label={submitLabel} disabled={busy} />;
}

/** The dialog's title as the job goes: "Import into “c”", "Importing…", then "Import finished" (cancelled, failed). */
export function transferTitle(noun: 'Import' | 'Export', transfer: TransferJob, idle: string): string {
  if (transfer.finished) {
    const { state } = transfer.finished;
    return `${noun} ${state === 'done' ? 'finished' : state}`;
  }
  return transfer.state === 'running' ? `${noun === 'Import' ? 'Importing' : 'Exporting'}…` : idle;
}
