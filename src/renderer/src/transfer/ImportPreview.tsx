import type { ImportPreviewView } from '../../../shared/ipc/types';
import type { TransferFormat } from '../../../shared/model/transfer';
import { SAMPLE_BYTES } from './upload';
import { formatBytes, plural } from '../ui/format';
import { formatName, formatSource } from './format';
import { FormatSelect } from './FormatSelect';

/** How many sample records the preview shows: enough to recognise the data, few enough to fit the dialog. */
const SHOWN = 10;
const CELL_CHARS = 120;

/** One line per record: line breaks and tabs show as marks (the cell's title has the real text), spaces are kept. */
const clip = (s: string) => {
  const cut = s.length > CELL_CHARS ? `${s.slice(0, CELL_CHARS)}…` : s;
  return cut.replace(/\r?\n|\r/g, '↵').replace(/\t/g, '→');
};

interface Props {
  preview: ImportPreviewView;
  format: TransferFormat;
  onFormat(format: TransferFormat): void;
  busy: boolean;
}

/** The file, its format (detected or chosen) and its first records, before anything is written. */
export function ImportPreview({ preview, format, onFormat, busy }: Props) {
  const shown = preview.records.slice(0, SHOWN);
  const stale = format !== preview.format;
  return (
    <div className="import-preview" data-testid="import-preview">
      <div className="import-file">
        <span className="mono">{preview.fileName}</span>
        {preview.sizeBytes !== null && <span className="muted"> · {formatBytes(preview.sizeBytes)}</span>}
      </div>
      <FormatSelect value={format} onChange={onFormat} disabled={busy} testId="import-format" />
      <p className="small" data-testid="format-source">
        {/* Only while the preview in the new format is on its way, or if reading it failed. */}
        {stale
          ? `The preview below was read as ${formatName(preview.format)}; the import will read the file as ${formatName(format)}.`
          : `${formatName(preview.format)}, ${formatSource(preview.formatFrom)}.`}
      </p>
      {shown.length > 0 ? (
        <div className="preview-table-wrap">
          <table className="preview-table" data-testid="preview-records">
            <thead>
              <tr>
                <th className="num">Line</th>
                <th>Key</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.line}>
                  <td className="num muted">{r.line}</td>
                  <td className="mono" title={r.key}>
                    {clip(r.key)}
                  </td>
                  <td className="mono" title={r.value}>
                    {r.value === '' ? <span className="muted">(empty)</span> : clip(r.value)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="small">No records found in the first part of the file.</p>
      )}
      <p className="small muted">
        {preview.sampleEnded && preview.sizeBytes !== null && preview.sizeBytes <= SAMPLE_BYTES
          ? `The whole file: ${plural(shown.length, 'record')}.`
          : `The first ${plural(shown.length, 'record')} of the file.`}
      </p>
      {preview.problems.length > 0 && (
        <ul className="preview-problems" data-testid="preview-problems">
          {preview.problems.slice(0, 5).map((p) => (
            <li key={p.line}>
              line {p.line}: {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
