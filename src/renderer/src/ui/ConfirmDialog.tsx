import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog';
import { CancelAndSubmit, TextField } from './DialogParts';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** When set, the user must type this exactly before confirming (dropping a collection). */
  requireText?: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, requireText, busy, onConfirm, onCancel }: Props) {
  const [typed, setTyped] = useState('');
  const ready = !busy && (requireText === undefined || typed === requireText);
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      onSubmit={() => ready && onConfirm()}
      actions={
        <CancelAndSubmit onCancel={onCancel} label={confirmLabel} danger={danger} disabled={!ready} autoFocus={requireText === undefined} />
      }
    >
      {children}
      {requireText !== undefined && (
        <TextField
          label={
            <>
              Type <code>{requireText}</code> to confirm
            </>
          }
          value={typed}
          onChange={setTyped}
        />
      )}
    </Dialog>
  );
}
