import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog';

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
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="submit"
            className={`button ${danger ? 'danger' : 'primary'}`}
            disabled={!ready}
            autoFocus={requireText === undefined}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {requireText !== undefined && (
        <label className="field">
          <span>
            Type <code>{requireText}</code> to confirm
          </span>
          <input
            className="input mono"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoFocus
            spellCheck={false}
            autoComplete="off"
          />
        </label>
      )}
    </Dialog>
  );
}
