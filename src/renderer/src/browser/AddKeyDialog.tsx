import { useState } from 'react';
import { useClient } from '../app/context';
import { Dialog } from '../ui/Dialog';
import { CancelAndSubmit, TextField } from '../ui/DialogParts';
import { useNotify } from '../ui/Toasts';

export function AddKeyDialog({
  collection,
  initialKey,
  onClose,
  onAdded,
}: {
  collection: string;
  initialKey: string;
  onClose(): void;
  onAdded(key: string): void;
}) {
  const client = useClient();
  const notify = useNotify();
  const [key, setKey] = useState(initialKey);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  // "Add" must not silently replace a value: the first submit over an existing key only warns.
  const [overwrite, setOverwrite] = useState<string | null>(null);

  const save = async () => {
    if (key === '' || busy) return;
    setBusy(true);
    try {
      if (overwrite !== key && (await client['keys.get']({ collection, key })) !== null) {
        setOverwrite(key);
        setBusy(false);
        return;
      }
      await client['keys.put']({ collection, key, value });
      notify('success', 'Key saved', key);
      onAdded(key);
    } catch (err) {
      notify.error(err, 'save the key');
      setBusy(false);
    }
  };

  const exists = overwrite === key;
  return (
    <Dialog
      title="Add key"
      onClose={onClose}
      onSubmit={save}
      actions={<CancelAndSubmit onCancel={onClose} label={exists ? 'Overwrite' : 'Add'} danger={exists} disabled={key === '' || busy} />}
    >
      <TextField label="Key" value={key} onChange={setKey} aria-label="New key" />
      {exists && (
        <p className="field-message error" role="alert">
          This key already exists. Press Overwrite to replace its value.
        </p>
      )}
      <label className="field">
        <span>Value</span>
        <textarea
          className="input mono"
          rows={6}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          spellCheck={false}
          aria-label="New value"
          onKeyDown={(e) => {
            // Enter inserts a newline in a value; Ctrl/Cmd+Enter submits.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void save();
            }
          }}
        />
      </label>
    </Dialog>
  );
}
