import { TRANSFER_FORMATS, type TransferFormat } from '../../../shared/model/transfer';

const LABELS: Record<TransferFormat, string> = {
  ndjson: 'NDJSON (one JSON object per line)',
  json: 'JSON (one array)',
  csv: 'CSV (key,value)',
};

/** The format field of the import and export dialogs: every format the app offers, by name. */
export function FormatSelect({
  value,
  onChange,
  disabled,
  testId,
}: {
  value: TransferFormat;
  onChange(format: TransferFormat): void;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <label className="field">
      <span>Format</span>
      <select
        className="input"
        value={value}
        onChange={(e) => onChange(e.target.value as TransferFormat)}
        disabled={disabled}
        data-testid={testId}
      >
        {TRANSFER_FORMATS.map((f) => (
          <option key={f} value={f}>
            {LABELS[f]}
          </option>
        ))}
      </select>
    </label>
  );
}
