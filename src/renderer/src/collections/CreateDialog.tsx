import { useEffect, useId, useState } from 'react';
import { useClient } from '../app/context';
import { Dialog } from '../ui/Dialog';
import { CancelAndSubmit, TextField } from '../ui/DialogParts';
import { useNotify } from '../ui/Toasts';

/** Small enough to feel immediate while typing, large enough not to ask on every keystroke. */
const CHECK_DELAY_MS = 120;

export function CreateDialog({ onClose, onCreated }: { onClose(): void; onCreated(name: string): void }) {
  const client = useClient();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checkedName, setCheckedName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const messageId = useId();

  // The engine owns the naming rules: ask it, so the message is exactly what a create would fail with.
  useEffect(() => {
    if (name === '') {
      setProblem(null);
      setCheckedName('');
      return;
    }
    let current = true;
    const check = async () => {
      try {
        const message = await client['collections.checkName']({ name });
        if (current) {
          setProblem(message);
          setCheckedName(name);
        }
      } catch (err) {
        if (current) setProblem((err as Error).message);
      }
    };
    const timer = setTimeout(() => void check(), CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, name]);

  const checked = checkedName === name;
  const ready = name !== '' && checked && problem === null && !busy;

  const create = async () => {
    if (!ready) return;
    setBusy(true);
    try {
      await client['collections.create']({ name });
      notify('success', `Created “${name}”`);
      onCreated(name);
    } catch (err) {
      notify.error(err, `create "${name}"`);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="New collection"
      onClose={onClose}
      onSubmit={create}
      className="create-dialog"
      actions={<CancelAndSubmit onCancel={onClose} label="Create" disabled={!ready} />}
    >
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        aria-invalid={problem !== null}
        aria-describedby={messageId}
        placeholder="e.g. users"
      />
      <p
        id={messageId}
        className={`field-message${problem ? ' error' : ''}`}
        role={problem ? 'alert' : undefined}
        data-testid="name-message"
      >
        {problem ?? (name === '' ? 'Letters, digits, dots, dashes and underscores.' : checked ? 'Looks good.' : 'Checking…')}
      </p>
    </Dialog>
  );
}
