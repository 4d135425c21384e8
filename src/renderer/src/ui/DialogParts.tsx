import type { InputHTMLAttributes, ReactNode } from 'react';

/** The usual dialog footer: Cancel, then the button that submits the dialog's form. */
export function CancelAndSubmit({
  onCancel,
  label,
  disabled,
  danger = false,
  autoFocus,
}: {
  onCancel(): void;
  label: ReactNode;
  disabled?: boolean;
  /** A destructive action (overwrite, drop): the button says so by its colour. */
  danger?: boolean;
  autoFocus?: boolean;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={`button ${danger ? 'danger' : 'primary'}`} disabled={disabled} autoFocus={autoFocus}>
        {label}
      </button>
    </>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'className'>;

/** A dialog's one-line field for a key, a name or a path: focused, monospace, and free of spell check and autofill. */
export function TextField({
  label,
  value,
  onChange,
  ...input
}: { label: ReactNode; value: string; onChange(value: string): void } & InputProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        className="input mono"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoFocus
        spellCheck={false}
        autoComplete="off"
        {...input}
      />
    </label>
  );
}
