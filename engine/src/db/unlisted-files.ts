/**
 * What an open does with the files in a collection directory that the
 * recovered manifest does not use. A file is removed only when it is
 * provably obsolete; anything else that could hold data goes to lost/ with a
 * reason, and is reported in stats().recovery.lostFiles. The rules, and why
 * each proof holds, are in doc/recovery.md ("Files the manifest does not
 * list"); in short:
 *   - a table a replayed edit deleted: obsolete (the edit that deleted it
 *     also installed what replaced it);
 *   - any other table: read, every block whose checksum holds, and judged
 *     key by key against the recovered state (the manifest's tables and the
 *     replayed WALs). It is obsolete if for each key the state already holds
 *     the same version (same sequence, kind and value) or a newer one, and
 *     it either verified whole or was never finished (no table magic: a
 *     crash cut its write short, and no edit lists a table before it is
 *     complete). That covers the tables every crash leaves: a flush output
 *     whose WAL is replayed, and compaction outputs whose inputs are live.
 *     Otherwise it may hold data the state lacks, or it is damaged: lost/.
 *   - a WAL below the manifest's log number: its writes were flushed into
 *     tables the manifest lists (the edit that raised the log number added
 *     them), so it is obsolete, unless it holds a sequence above the
 *     manifest's last sequence, which contradicts that: lost/.
 *   - another manifest: obsolete if numbered below the one CURRENT names
 *     (CURRENT moves only to a complete newer one), or if newer but holding
 *     nothing beyond its first snapshot (a roll that never switched
 *     CURRENT); a newer one with more edits: lost/.
 *   - *.tmp: obsolete (an atomic write that never reached its rename).
 * Also computed: the highest sequence any file here holds, kept or set
 * aside, so that new writes never reuse a sequence number that a file on
 * disk (or in lost/, should it come back through repair) already carries.
 */
import { StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { readWhole } from '../fs/read-whole.js';
import { readManifestLog } from '../log/log-format.js';
import { ValueKind } from '../log/write-batch.js';
import type { Memtable } from '../memtable/memtable.js';
import { BlockCache } from '../table/block-cache.js';
import { TableSalvage } from '../table/table-salvage.js';
import { timeSlicer } from '../util/time-slice.js';
import { readUtf8 } from '../util/utf8.js';
import { decodeEdit } from '../version/version-edit.js';
import type { VersionSet } from '../version/version-set.js';
import { manifestFileName, parseFileName, pathIn, walFileName } from '../version/file-names.js';
import { setAside } from './lost-files.js';
import { highestSequenceIn } from './wal-sequences.js';
import { newestVersion } from './newest-version.js';
import type { LostFile, TornWal } from '../events/stats.js';
import { TableCache } from './table-cache.js';

export interface UnlistedFilesInput {
  fs: FileSystem;
  dir: string;
  /** The directory listing taken at the start of recovery. */
  names: readonly string[];
  /** The recovered manifest (its current Version, deleted tables, log number, last sequence). */
  versions: VersionSet;
  /** Memtables rebuilt from the replayed WALs, oldest first. */
  recovered: readonly Memtable[];
  /** WALs replay cut short: the bytes after each cut are read for their sequence numbers. */
  tornWals: readonly TornWal[];
}

export interface UnlistedFilesOutcome {
  lostFiles: LostFile[];
  /** The highest sequence number found in any file looked at here (0 if none). */
  highestSequence: number;
}

/** Block cache for the judgement's lookups into live tables: enough for the index-and-block walks of one pass. */
const LOOKUP_CACHE_BYTES = 4 * 1024 * 1024;

export async function settleUnlistedFiles(input: UnlistedFilesInput): Promise<UnlistedFilesOutcome> {
  const { fs, dir, names, versions } = input;
  const live = new Set<number>();
  for (const f of versions.current.files()) live.add(f.id);
  const replayed = new Set(input.recovered.map((m) => m.walNumber));
  const torn = new Map(input.tornWals.map((t) => [t.path, t]));
  const currentManifest = parseFileName(versions.manifestFile);
  const currentNumber = currentManifest.type === 'manifest' ? currentManifest.number : 0;
  const lostFiles: LostFile[] = [];
  let highestSequence = 0;
  const tables = new TableCache(fs, dir, new BlockCache(LOOKUP_CACHE_BYTES));
  const slice = timeSlicer();
  try {
    for (const name of names) {
      const parsed = parseFileName(name);
      const path = pathIn(dir, name);
      let lostBecause: string | undefined;
      let obsolete = false;
      if (parsed.type === 'table' && !live.has(parsed.number)) {
        if (versions.deletedTables.has(parsed.number)) obsolete = true;
        else {
          const verdict = await judgeTable(fs, path, input.recovered, versions, tables, slice);
          highestSequence = Math.max(highestSequence, verdict.maxSequence);
          if (verdict.reason === undefined) obsolete = true;
          else lostBecause = verdict.reason;
        }
      } else if (parsed.type === 'wal') {
        const walPath = pathIn(dir, walFileName(parsed.number));
        const below = parsed.number < versions.logNumber;
        // A replayed WAL read whole is already in the state; any other's sequences are looked at.
        if (below || !replayed.has(parsed.number) || torn.has(walPath)) {
          const data = await readWhole(fs, path);
          const seq = await highestSequenceIn(data, path, slice);
          highestSequence = Math.max(highestSequence, seq);
          if (below) {
            if (seq > versions.manifestLastSequence) {
              lostBecause =
                `write-ahead log below the manifest's log number ${versions.logNumber} (so already flushed), ` +
                `yet it holds writes up to sequence ${seq}, newer than the manifest's last sequence ${versions.manifestLastSequence}: ` +
                'the manifest may have lost edits. To keep these writes, move the file back into the collection folder and repair the collection (REPAIR in lsm-cli)';
            } else obsolete = true;
          }
        }
      } else if (parsed.type === 'manifest' && parsed.number !== currentNumber) {
        if (parsed.number < currentNumber || (await isUnusedRoll(fs, path))) obsolete = true;
        else {
          lostBecause =
            `a manifest newer than ${manifestFileName(currentNumber)}, which CURRENT names, holding edits CURRENT never pointed at ` +
            '(CURRENT may have lost its last switch). Repairing the collection (REPAIR in lsm-cli) rebuilds the manifest from the tables themselves';
        }
      } else if (parsed.type === 'temp') {
        obsolete = true;
      }
      if (obsolete) await fs.remove(path);
      else if (lostBecause !== undefined) lostFiles.push(await setAside(fs, dir, name, lostBecause));
      await slice();
    }
  } finally {
    await tables.closeAll();
  }
  return { lostFiles, highestSequence };
}

interface TableVerdict {
  /** Why the table must be kept (in lost/); undefined if it is obsolete. */
  reason: string | undefined;
  maxSequence: number;
}

/** Judges a table the manifest does not list against the recovered state (see the top of this file). */
async function judgeTable(
  fs: FileSystem,
  path: string,
  memtables: readonly Memtable[],
  versions: VersionSet,
  tables: TableCache,
  slice: () => Promise<void>,
): Promise<TableVerdict> {
  const salvage = new TableSalvage(await fs.readFile(path), path);
  let newer = 0;
  let conflicting = 0;
  let newestSequence = 0;
  for (const block of salvage.blocks()) {
    if (block === undefined) {
      await slice();
      continue;
    }
    let previous: Buffer | undefined;
    for (const e of block.entries) {
      // Entries run newest first within a key: only the first of each key can be newer than the state.
      if (previous !== undefined && previous.equals(e.key)) continue;
      previous = e.key;
      const key = readUtf8(e.key, 0, e.key.length);
      const hit = newestVersion(memtables, versions.current, tables, key, e.key);
      if (hit === undefined) {
        // A tombstone for a key the state lacks hides nothing.
        if (e.kind === ValueKind.Put) {
          newer++;
          newestSequence = Math.max(newestSequence, e.sequence);
        }
      } else if (hit.sequence < e.sequence) {
        newer++;
        newestSequence = Math.max(newestSequence, e.sequence);
      } else if (hit.sequence === e.sequence && (hit.kind !== e.kind || !e.value.equals(Buffer.from(hit.value, 'utf8')))) {
        conflicting++;
      }
    }
    await slice();
  }
  const maxSequence = salvage.blockCount === 0 ? 0 : salvage.maxSequence;
  const readable = `${salvage.entryCount.toLocaleString('en-US')} entr${salvage.entryCount === 1 ? 'y' : 'ies'} in ${salvage.blockCount} readable block(s)`;
  const moveBack =
    'To keep its data, move it back into the collection folder and repair the collection (REPAIR in lsm-cli), which rebuilds the manifest from the tables';
  if (newer > 0) {
    return {
      reason: `table not in the manifest, holding ${newer.toLocaleString('en-US')} key(s) newer than the collection's state (sequences up to ${newestSequence}): the manifest may have lost the edit that listed it. ${moveBack}`,
      maxSequence,
    };
  }
  if (conflicting > 0) {
    return {
      reason: `table not in the manifest whose ${conflicting.toLocaleString('en-US')} key(s) differ from the collection's state at the same sequence numbers: it does not belong to this collection's history, or it is damaged in a way its checksums missed`,
      maxSequence,
    };
  }
  if (salvage.intact || salvage.cutShort) return { reason: undefined, maxSequence };
  if (!salvage.finished) {
    return {
      reason: `table not in the manifest, cut short and damaged before its end (${describeDamage(salvage)}); ${readable}. ${moveBack}`,
      maxSequence,
    };
  }
  return { reason: `table not in the manifest, and damaged (${describeDamage(salvage)}); ${readable}. ${moveBack}`, maxSequence };
}

function describeDamage(salvage: TableSalvage): string {
  const first = salvage.damaged[0];
  if (first === undefined) return 'its properties do not match its contents';
  const more = salvage.damaged.length > 1 ? `, and ${salvage.damaged.length - 1} more damaged range(s)` : '';
  return `at offset ${first.offset}: ${first.reason}${more}`;
}

/** A manifest holding only a snapshot record (or nothing complete): a roll that never switched CURRENT. */
async function isUnusedRoll(fs: FileSystem, path: string): Promise<boolean> {
  const data = await readWhole(fs, path);
  try {
    const { records } = readManifestLog(data, path);
    return records.length === 0 || (records.length === 1 && decodeEdit(records[0], path, 0).snapshot === true);
  } catch (err) {
    // A damaged manifest is no unused roll: it goes to lost/ like any file that may hold what CURRENT lacks.
    if (err instanceof StorageError && err.code === 'CORRUPTION') return false;
    throw err;
  }
}
