/**
 * Repair: rebuilds a collection's manifest from the files themselves, as
 * LevelDB's RepairDB does, keeping every intact table and every intact WAL
 * record, and moving what it cannot use into lost/ (never deleting a byte a
 * user might want). The caller holds the collection's lock. Steps:
 *   1. OPTIONS: kept if it reads, else set aside and rewritten with defaults.
 *   2. The old manifests are read for what they can tell (previous-manifest.ts);
 *      none is needed.
 *   3. Each table is verified block by block: kept whole, or its intact
 *      blocks rewritten and the file set aside (repair-tables.ts).
 *   4. Each WAL's intact records become an L0 table (repair-wals.ts).
 *   5. The tables are placed in levels so that no older version can shadow
 *      a newer one, merging where nothing else can decide (arrange.ts).
 *   6. A new manifest lists them, with lastSequence above every sequence
 *      seen and logNumber above every WAL, and CURRENT is switched to it.
 *   7. Only then are the files it replaces removed (converted WALs, merged
 *      tables, readable old manifests, temp files) or set aside (damaged
 *      files, tables compacted away, flushed WALs). A crash before step 6
 *      leaves the old files in place and extra tables repair reads again;
 *      a crash after it leaves files the next open removes as obsolete.
 * Everything runs in slices that yield to the event loop, so repairing in
 * the app's host process never blocks it for long.
 */
import { compareKeys } from '../util/key-order.js';
import { runCompaction } from '../compaction/merge.js';
import { setAside, LOST_DIR } from '../db/lost-files.js';
import { LEVEL_COUNT, readOptionsFile } from '../db/recovery.js';
import { DEFAULT_OPTIONS, type CollectionOptions, resolveOptions } from '../options/options.js';
import type { LostFile } from '../events/stats.js';
import { ioError, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { KeySpan } from '../util/key-span.js';
import { timeSlicer } from '../util/time-slice.js';
import { CURRENT_FILE, OPTIONS_FILE, parseFileName, pathIn, tableFileName } from '../version/file-names.js';
import { VersionSet } from '../version/version-set.js';
import { Version } from '../version/version.js';
import { arrange, type Candidate } from './arrange.js';
import { readPreviousManifests } from './previous-manifest.js';
import type { ManifestTable, RepairMerge, RepairProgress, RepairReport, RepairedTable, RepairedWal } from './repair-report.js';
import { repairTable } from './repair-tables.js';
import { repairWal } from './repair-wals.js';

export interface RepairOptions {
  onProgress?: (p: RepairProgress) => void;
}

export async function repairCollectionFiles(fs: FileSystem, dir: string, name: string, opts: RepairOptions = {}): Promise<RepairReport> {
  const started = performance.now();
  const pause = timeSlicer();
  const lostFiles: LostFile[] = [];
  const removedFiles: { file: string; reason: string }[] = [];
  /** Files to set aside or remove once the new manifest is in place. */
  const afterwards: { file: string; setAsideBecause?: string; removeBecause?: string }[] = [];

  const { options, state: optionsState } = await repairOptions(fs, dir, lostFiles);
  const names = (await fs.readdir(dir)).sort();
  const prev = await readPreviousManifests(fs, dir, names, LEVEL_COUNT, pause);
  if (prev.currentUnusable === 'garbage')
    lostFiles.push(await setAside(fs, dir, CURRENT_FILE, `CURRENT could not be used: ${prev.report.detail}`));

  // File numbers for what repair writes: above every number in the folder, in lost/, and in the old manifests.
  let next = Math.max(prev.nextFileNumber, highestNumber(names), highestNumber(await lostNames(fs, dir))) + 1;
  const newFileNumber = () => next++;

  const tables = names.flatMap((n) => {
    const p = parseFileName(n);
    return p.type === 'table' ? [{ name: n, number: p.number }] : [];
  });
  const wals = names.flatMap((n) => {
    const p = parseFileName(n);
    return p.type === 'wal' ? [{ name: n, number: p.number }] : [];
  });
  const totalBytes = await sizeOf(
    fs,
    dir,
    [...tables, ...wals].map((f) => f.name),
  );
  let doneBytes = 0;
  const progress = (phase: RepairProgress['phase']) => opts.onProgress?.({ phase, doneBytes, totalBytes });

  const candidates: Candidate[] = [];
  const tableReport: RepairedTable[] = [];
  const walReport: RepairedWal[] = [];
  let lastSequence = prev.lastSequence;
  const builderOptions = { blockBytes: options.blockBytes, bloomBitsPerKey: options.bloomBitsPerKey, compression: options.compression };
  for (const t of tables) {
    const r = await repairTable(
      fs,
      dir,
      t.name,
      t.number,
      prev.placement.get(t.number),
      prev.deletedTables.has(t.number),
      builderOptions,
      newFileNumber,
      pause,
    );
    tableReport.push(r.outcome);
    if (r.candidate) candidates.push(r.candidate);
    if (r.setAsideBecause) afterwards.push({ file: t.name, setAsideBecause: r.setAsideBecause });
    lastSequence = Math.max(lastSequence, r.maxSequence);
    doneBytes += await sizeOf(fs, dir, [t.name]);
    progress('reading');
  }
  for (const w of wals.sort((a, b) => a.number - b.number)) {
    const r = await repairWal(fs, dir, w.name, w.number, prev.logNumber, builderOptions, newFileNumber, pause);
    walReport.push(r.outcome);
    if (r.candidate) candidates.push(r.candidate);
    lastSequence = Math.max(lastSequence, r.outcome.maxSequence);
    afterwards.push(
      r.setAsideBecause
        ? { file: w.name, setAsideBecause: r.setAsideBecause }
        : {
            file: w.name,
            removeBecause: r.outcome.outcome === 'empty' ? 'an empty write-ahead log' : `every record is in ${r.outcome.writtenAs}`,
          },
    );
    doneBytes += await sizeOf(fs, dir, [w.name]);
    progress('reading');
  }

  progress('merging');
  const merges: RepairMerge[] = [];
  const merge = async (group: Candidate[], others: Candidate[]): Promise<Candidate[]> => {
    const outputs = await mergeTables(fs, dir, group, others, options, newFileNumber);
    merges.push({ inputs: group.map((c) => tableFileName(c.meta.id)), outputs: outputs.map((c) => tableFileName(c.meta.id)) });
    const into = outputs.map((o) => tableFileName(o.meta.id)).join(', ') || 'nothing (every entry was a tombstone no other table needed)';
    for (const c of group) afterwards.push({ file: tableFileName(c.meta.id), removeBecause: `merged into ${into}` });
    return outputs;
  };
  const placed = await arrange(candidates, LEVEL_COUNT, merge);

  progress('writing');
  for (const c of placed) lastSequence = Math.max(lastSequence, c.meta.maxSequence);
  await fs.syncDir(dir);
  const versions = new VersionSet(fs, dir, LEVEL_COUNT);
  versions.nextFileNumber = next;
  versions.current = Version.empty(LEVEL_COUNT).apply(
    [],
    placed.map((c) => c.meta),
  );
  versions.lastSequence = lastSequence;
  // No WAL there now is replayed again: each was converted into a table or set aside.
  versions.logNumber = next;
  try {
    await versions.writeSnapshotManifest();
  } finally {
    // The new manifest was synced by writeSnapshotManifest (or its error is thrown): closing it loses nothing.
    await versions.close().catch(() => {});
  }
  const manifestFile = versions.manifestFile;

  for (const m of prev.files) {
    if (m.name === manifestFile) continue;
    if (m.intact) afterwards.push({ file: m.name, removeBecause: `superseded by ${manifestFile}` });
    else afterwards.push({ file: m.name, setAsideBecause: `damaged manifest (${m.detail}), replaced by ${manifestFile}` });
  }
  for (const n of names)
    if (parseFileName(n).type === 'temp') afterwards.push({ file: n, removeBecause: 'an atomic write that never reached its rename' });
  for (const a of afterwards) {
    if (a.setAsideBecause !== undefined) lostFiles.push(await setAside(fs, dir, a.file, a.setAsideBecause));
    else if (a.removeBecause !== undefined) {
      await fs.remove(pathIn(dir, a.file));
      removedFiles.push({ file: a.file, reason: a.removeBecause });
    }
  }
  await fs.syncDir(dir);

  const origin = new Map(placed.map((c) => [c.meta.id, c.origin]));
  const listed: ManifestTable[] = placed
    .map((c) => c.meta)
    .sort((a, b) => a.level - b.level || compareKeys(a.minKey, b.minKey))
    .map((f) => ({
      file: tableFileName(f.id),
      level: f.level,
      entries: f.entries,
      bytes: f.bytes,
      minKey: f.minKey,
      maxKey: f.maxKey,
      minSequence: f.minSequence,
      maxSequence: f.maxSequence,
      origin: origin.get(f.id)!,
    }));
  return {
    collection: name,
    previousManifest: prev.report,
    options: optionsState,
    tables: tableReport,
    wals: walReport,
    merges,
    manifest: {
      file: manifestFile,
      tables: listed,
      lastSequence,
      nextFileNumber: versions.nextFileNumber,
      entries: listed.reduce((n, t) => n + t.entries, 0),
    },
    lostFiles,
    removedFiles,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The collection's options; a damaged or missing OPTIONS is set aside (if there) and rewritten with the defaults. */
async function repairOptions(
  fs: FileSystem,
  dir: string,
  lost: LostFile[],
): Promise<{ options: CollectionOptions; state: 'kept' | 'defaults' }> {
  try {
    return { options: await readOptionsFile(fs, dir), state: 'kept' };
  } catch (err) {
    if (!(err instanceof StorageError) || err.code !== 'CORRUPTION') throw err;
    if (await fs.exists(pathIn(dir, OPTIONS_FILE)))
      lost.push(await setAside(fs, dir, OPTIONS_FILE, `${err.message}; rewritten with the default options`));
    const options = resolveOptions(undefined, DEFAULT_OPTIONS);
    await fs.writeFileAtomic(pathIn(dir, OPTIONS_FILE), Buffer.from(`${JSON.stringify(options, null, 2)}\n`));
    return { options, state: 'defaults' };
  }
}

/** Merges `group` with runCompaction into a run of new tables; tombstones stay wherever a table outside the group overlaps their key. */
async function mergeTables(
  fs: FileSystem,
  dir: string,
  group: Candidate[],
  others: Candidate[],
  options: CollectionOptions,
  newFileNumber: () => number,
): Promise<Candidate[]> {
  const bytes = group.reduce((n, c) => n + c.meta.bytes, 0);
  // Outputs are cut at targetFileBytes of (compressed) table; inputs may have compressed better, so room for twice as many.
  const outputIds = Array.from({ length: 2 * Math.ceil(bytes / options.targetFileBytes) + 2 }, newFileNumber);
  const result = await runCompaction(fs, {
    id: 0,
    directory: dir,
    reason: 'repair',
    inputs: [{ level: 0, files: group.map((c) => ({ ...c.meta, level: 0 })) }],
    outputLevel: 0,
    outputIds,
    deeperSpans: [unionOfSpans(others)],
    grandparents: [],
    targetFileBytes: options.targetFileBytes,
    maxGrandparentOverlapBytes: Number.MAX_SAFE_INTEGER,
    blockBytes: options.blockBytes,
    bloomBitsPerKey: options.bloomBitsPerKey,
    compression: options.compression,
  });
  return result.outputs.map((meta) => ({ meta, origin: 'merged' as const, oldLevel: undefined }));
}

/** The key ranges of `tables` as sorted, disjoint spans (what mayExistBelow binary-searches). */
function unionOfSpans(tables: Candidate[]): KeySpan[] {
  const sorted = tables.map((t) => ({ minKey: t.meta.minKey, maxKey: t.meta.maxKey })).sort((a, b) => compareKeys(a.minKey, b.minKey));
  const out: KeySpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last !== undefined && compareKeys(s.minKey, last.maxKey) <= 0) {
      if (compareKeys(s.maxKey, last.maxKey) > 0) last.maxKey = s.maxKey;
    } else out.push({ ...s });
  }
  return out;
}

function highestNumber(names: readonly string[]): number {
  let n = 0;
  for (const name of names) {
    // A file set aside twice is named like 000012.sst.1: its number is still 12.
    const p = parseFileName(name.replace(/\.\d+$/, ''));
    if (p.type === 'table' || p.type === 'wal' || p.type === 'manifest') n = Math.max(n, p.number);
  }
  return n;
}

async function lostNames(fs: FileSystem, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(pathIn(dir, LOST_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError('list', pathIn(dir, LOST_DIR), err);
  }
}

async function sizeOf(fs: FileSystem, dir: string, files: string[]): Promise<number> {
  let total = 0;
  for (const f of files) {
    const path = pathIn(dir, f);
    let file;
    try {
      file = fs.openRead(path);
    } catch (err) {
      throw ioError('open', path, err);
    }
    total += file.size;
    await file.close();
  }
  return total;
}
