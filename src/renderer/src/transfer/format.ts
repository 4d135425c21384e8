import type { ImportPreviewView } from '../../../shared/ipc/types';
import type { TransferFormat } from '../../../shared/model/transfer';

export const FORMATS: { value: TransferFormat; label: string }[] = [
  { value: 'ndjson', label: 'NDJSON (one JSON object per line)' },
  { value: 'json', label: 'JSON (one array)' },
  { value: 'csv', label: 'CSV (key,value)' },
];

export const formatName = (f: TransferFormat): string => (f === 'ndjson' ? 'NDJSON' : f.toUpperCase());

/** Says why the preview chose its format, so a wrong guess is easy to spot and override. */
export function formatSource(from: ImportPreviewView['formatFrom']): string {
  if (from === 'option') return 'chosen by you';
  if (from === 'extension') return 'from the file name';
  return 'detected from the content';
}

export const count = (n: number): string => n.toLocaleString('en-US');
export const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
