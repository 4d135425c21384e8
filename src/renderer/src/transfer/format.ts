import type { ImportPreviewView } from '../../../shared/ipc/types';
import type { TransferFormat } from '../../../shared/model/transfer';

export const formatName = (f: TransferFormat): string => (f === 'ndjson' ? 'NDJSON' : f.toUpperCase());

/** Says why the preview chose its format, so a wrong guess is easy to spot and override. */
export function formatSource(from: ImportPreviewView['formatFrom']): string {
  if (from === 'option') return 'chosen by you';
  if (from === 'extension') return 'from the file name';
  return 'detected from the content';
}
