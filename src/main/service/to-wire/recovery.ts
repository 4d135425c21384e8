import type * as Engine from '@strata/engine';
import type { LostFile, RecoveryReport } from '../../../shared/model/recovery';

export const lostFileToWire = (f: Engine.LostFile): LostFile => ({ file: f.file, movedTo: f.movedTo, reason: f.reason });

export function recoveryToWire(r: Engine.RecoveryReport): RecoveryReport {
  return {
    tornWals: r.tornWals.map((w) => ({ path: w.path, keptRecords: w.keptRecords, cutAt: w.cutAt, fileBytes: w.fileBytes })),
    lostFiles: r.lostFiles.map(lostFileToWire),
    tornManifest: r.tornManifest ? { path: r.tornManifest.path, cutAt: r.tornManifest.cutAt, fileBytes: r.tornManifest.fileBytes } : null,
    gap: r.gap ? { lastSequence: r.gap.lastSequence, wal: r.gap.wal, reason: r.gap.reason } : null,
  };
}
