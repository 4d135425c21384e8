import { useRef, useState } from 'react';
import type { ImportPreviewView, KeyFilter } from '../../../shared/ipc/types';
import { useClient, useInfo } from '../app/context';
import { useNotify } from '../ui/Toasts';
import { ExportDialog } from './ExportDialog';
import { ImportDialog, type ImportSource } from './ImportDialog';
import { readSample } from './upload';
import './transfer.css';

type Importing = { preview: ImportPreviewView; source: ImportSource };

/**
 * "Import…" and "Export…" for the key browser's toolbar. The desktop app
 * picks files in native dialogs (main reads and writes them); web mode uses
 * a hidden file input and a browser download.
 */
export function TransferButtons({ collection, filter, onImported }: { collection: string; filter: KeyFilter; onImported(): void }) {
  const client = useClient();
  const info = useInfo();
  const notify = useNotify();
  const input = useRef<HTMLInputElement>(null);
  const [importing, setImporting] = useState<Importing | null>(null);
  const [exporting, setExporting] = useState(false);
  const [busy, setBusy] = useState(false);

  const chooseImport = async () => {
    if (!info.nativeDialogs) return input.current?.click();
    setBusy(true);
    try {
      const preview = await client['transfer.chooseImportFile']({});
      if (preview?.path) setImporting({ preview, source: { kind: 'path', path: preview.path } });
    } catch (err) {
      notify.error(err, 'read the file');
    } finally {
      setBusy(false);
    }
  };

  const picked = async (file: File | undefined) => {
    if (input.current) input.current.value = ''; // so picking the same file again fires change
    if (!file) return;
    setBusy(true);
    try {
      const sample = await readSample(file);
      const preview = await client['transfer.previewSample']({ sample, fileName: file.name, sizeBytes: file.size });
      setImporting({ preview, source: { kind: 'file', file, sample } });
    } catch (err) {
      notify.error(err, `read “${file.name}”`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="button" onClick={() => void chooseImport()} disabled={busy}>
        Import…
      </button>
      <button type="button" className="button" onClick={() => setExporting(true)}>
        Export…
      </button>
      {!info.nativeDialogs && (
        <input ref={input} type="file" hidden data-testid="import-file-input" onChange={(e) => void picked(e.target.files?.[0])} />
      )}
      {importing && (
        <ImportDialog
          collection={collection}
          preview={importing.preview}
          source={importing.source}
          onClose={() => setImporting(null)}
          onFinished={onImported}
        />
      )}
      {exporting && <ExportDialog collection={collection} filter={filter} onClose={() => setExporting(false)} />}
    </>
  );
}
