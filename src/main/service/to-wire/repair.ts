import type * as Engine from '@strata/engine';
import type { DamagedBytes, RepairReport } from '../../../shared/model/repair';
import { lostFileToWire } from './recovery';

const damagedToWire = (d: Engine.DamagedBytes): DamagedBytes => ({ offset: d.offset, bytes: d.bytes, reason: d.reason });

export function repairToWire(r: Engine.RepairReport): RepairReport {
  const p = r.previousManifest;
  return {
    collection: r.collection,
    previousManifest: {
      file: p.file ?? null,
      state: p.state,
      editsRead: p.editsRead,
      missingTables: [...p.missingTables],
      detail: p.detail ?? null,
    },
    options: r.options,
    tables: r.tables.map((t) => ({
      file: t.file,
      outcome: t.outcome,
      entries: t.entries,
      damaged: t.damaged.map(damagedToWire),
      writtenAs: t.writtenAs ?? null,
    })),
    wals: r.wals.map((w) => ({
      file: w.file,
      outcome: w.outcome,
      recordsKept: w.recordsKept,
      operationsKept: w.operationsKept,
      dropped: w.dropped.map(damagedToWire),
      minSequence: w.minSequence,
      maxSequence: w.maxSequence,
      writtenAs: w.writtenAs ?? null,
    })),
    merges: r.merges.map((m) => ({ inputs: [...m.inputs], outputs: [...m.outputs] })),
    manifest: {
      file: r.manifest.file,
      tables: r.manifest.tables.map((t) => ({
        file: t.file,
        level: t.level,
        entries: t.entries,
        bytes: t.bytes,
        minKey: t.minKey,
        maxKey: t.maxKey,
        minSequence: t.minSequence,
        maxSequence: t.maxSequence,
        origin: t.origin,
      })),
      lastSequence: r.manifest.lastSequence,
      nextFileNumber: r.manifest.nextFileNumber,
      entries: r.manifest.entries,
    },
    lostFiles: r.lostFiles.map(lostFileToWire),
    removedFiles: r.removedFiles.map((f) => ({ file: f.file, reason: f.reason })),
    durationMs: r.durationMs,
  };
}
