import type * as Engine from '@strata/engine';
import type { ImportPreviewView } from '../../../shared/ipc/types';
import type { TransferFormat } from '../../../shared/model/transfer';

/** Where the file came from, which the engine's preview does not know. */
type PreviewFile = Pick<ImportPreviewView, 'fileName' | 'sizeBytes'> & { path?: string };

export function previewToWire(p: Engine.ImportPreview, file: PreviewFile): ImportPreviewView {
  return {
    fileName: file.fileName,
    sizeBytes: file.sizeBytes,
    format: p.format,
    formatFrom: p.formatFrom,
    records: p.records.map((r) => ({ line: r.line, key: r.key, value: r.value })),
    problems: p.problems.map(badRecordToWire),
    sampleEnded: p.sampleEnded,
    ...(file.path === undefined ? {} : { path: file.path }),
  };
}

export const badRecordToWire = (b: Engine.BadRecord): { line: number; message: string } => ({ line: b.line, message: b.message });

// The app offers exactly the engine's formats: a format added to one and not the other fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type FormatsAgree = Expect<Same<TransferFormat, Engine.TransferFormat>>;
