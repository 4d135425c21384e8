import { useState } from 'react';
import type { AppInfo } from '../../../shared/ipc/types';
import { Dialog } from '../ui/Dialog';
import { CancelAndSubmit, TextField } from '../ui/DialogParts';
import { useNotify } from '../ui/Toasts';
import { useClient, useInfo } from './context';

/** Web mode's "Open folder…": a typed path (a browser cannot show the server's file system), plus recent folders. */
export function FolderDialog({ onClose, onOpened }: { onClose(): void; onOpened(info: AppInfo): void }) {
  const client = useClient();
  const info = useInfo();
  const notify = useNotify();
  const [path, setPath] = useState(info.dataDir);
  const [busy, setBusy] = useState(false);

  const open = async (target: string) => {
    if (target.trim() === '') return;
    setBusy(true);
    try {
      onOpened(await client['folder.open']({ path: target.trim() }));
      onClose();
    } catch (err) {
      notify.error(err, `open the folder "${target}"`);
      setBusy(false);
    }
  };

  const recent = info.recentDirs.filter((d) => d !== info.dataDir);
  return (
    <Dialog
      title="Open data folder"
      onClose={onClose}
      onSubmit={() => open(path)}
      actions={<CancelAndSubmit onCancel={onClose} label="Open" disabled={busy || path.trim() === ''} />}
    >
      <TextField label="Folder path on the machine running the server" value={path} onChange={setPath} />
      {recent.length > 0 && (
        <div className="recent">
          <span className="field-label">Recent</span>
          <ul>
            {recent.map((dir) => (
              <li key={dir}>
                <button type="button" className="link mono" onClick={() => open(dir)} disabled={busy}>
                  {dir}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
