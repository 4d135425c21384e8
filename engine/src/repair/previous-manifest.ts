/**
 * What repair can learn from the manifests it finds, without needing any of
 * them. Every manifest record is checksummed on its own, so each intact
 * edit is a fact even when records around it are damaged:
 *   - a table an edit deleted (and did not re-add, as a move does) was
 *     compacted away: its versions live on in newer tables or were
 *     superseded, and using it again could bring back keys deleted since;
 *   - WALs below any edit's log number were flushed into tables;
 *   - counters (next file number, last sequence) only grow.
 * Where each table sat (its level) is taken only from the state the named
 * manifest reads back to without a gap: an edit after a gap applies to a
 * state repair does not have. Levels tell which of two overlapping tables
 * is newer when their sequence ranges interleave (see arrange.ts).
 */
import type { FileSystem } from '../fs/file-system.js';
import { readWhole } from '../fs/read-whole.js';
import { ioError, StorageError } from '../errors.js';
import { readManifestLog } from '../log/log-format.js';
import { scanLog } from '../log/log-scan.js';
import { CURRENT_FILE, parseFileName, pathIn, tableFileName } from '../version/file-names.js';
import { decodeEdit, type VersionEdit } from '../version/version-edit.js';
import { deletedIds } from '../version/version-set.js';
import { Version, VersionInvariantError } from '../version/version.js';
import type { RepairReport } from './repair-report.js';

export interface PreviousManifests {
  report: RepairReport['previousManifest'];
  /** CURRENT could not name a manifest (missing, or not a manifest name): it is set aside unless missing. */
  currentUnusable: 'missing' | 'garbage' | undefined;
  deletedTables: Set<number>;
  /** Level of each table in the named manifest's gap-free state. */
  placement: Map<number, number>;
  logNumber: number;
  lastSequence: number;
  nextFileNumber: number;
  /** Every manifest file, and whether it reads cleanly (a torn last append allowed); damaged ones go to lost/. */
  files: { name: string; intact: boolean; detail?: string }[];
}

export async function readPreviousManifests(
  fs: FileSystem,
  dir: string,
  names: readonly string[],
  levelCount: number,
  pause: () => Promise<void>,
): Promise<PreviousManifests> {
  const out: PreviousManifests = {
    report: { file: undefined, state: 'missing', editsRead: 0, missingTables: [] },
    currentUnusable: undefined,
    deletedTables: new Set(),
    placement: new Map(),
    logNumber: 0,
    lastSequence: 0,
    nextFileNumber: 0,
    files: [],
  };
  const named = await readCurrent(fs, dir, out);
  const manifests = names
    .map((name) => ({ name, parsed: parseFileName(name) }))
    .filter((m) => m.parsed.type === 'manifest')
    .sort((a, b) => (a.parsed as { number: number }).number - (b.parsed as { number: number }).number)
    .map((m) => m.name);
  // Levels come from the manifest CURRENT names, else from the newest one.
  const placementFrom = named !== undefined && manifests.includes(named) ? named : manifests.at(-1);
  out.report.file = placementFrom;
  if (named !== undefined && !manifests.includes(named)) out.report.detail = `CURRENT names ${named}, which does not exist`;
  for (const name of manifests) {
    const path = pathIn(dir, name);
    const data = await readWhole(fs, path);
    let intact = true;
    let detail: string | undefined;
    try {
      readManifestLog(data, path);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      intact = false;
      detail = err.message;
    }
    out.files.push({ name, intact, detail });
    const scan = await scanLog(data, pause);
    let gapAt = scan.skipped.length === 0 ? Infinity : scan.skipped[0].offset;
    const edits: { offset: number; edit: VersionEdit }[] = [];
    for (const r of scan.records) {
      try {
        edits.push({ offset: r.offset, edit: decodeEdit(r.payload, path, r.offset) });
      } catch {
        gapAt = Math.min(gapAt, r.offset); // checksummed but not an edit: a gap like any other
      }
    }
    for (const { edit } of edits) {
      for (const id of deletedIds(edit)) out.deletedTables.add(id);
      out.logNumber = Math.max(out.logNumber, edit.logNumber ?? 0);
      out.lastSequence = Math.max(out.lastSequence, edit.lastSequence ?? 0);
      out.nextFileNumber = Math.max(out.nextFileNumber, edit.nextFileNumber ?? 0);
    }
    if (name === placementFrom) {
      out.report.state = intact ? 'intact' : 'damaged';
      out.report.editsRead = edits.length;
      if (detail !== undefined) out.report.detail = detail;
      const prefix = edits.filter((e) => e.offset < gapAt).map((e) => e.edit);
      // A state starts at a snapshot: without the first record there is none to build on.
      if (prefix.length > 0 && prefix[0].snapshot === true) {
        let version = Version.empty(levelCount);
        for (const edit of prefix) {
          if (edit.snapshot) version = Version.empty(levelCount);
          try {
            version = version.apply(edit.deleted ?? [], edit.added ?? []);
          } catch (err) {
            if (!(err instanceof VersionInvariantError)) throw err;
            // An edit that does not fit the state before it ends what can be trusted, as a gap does.
            out.report.detail ??= `an edit ${err.message}`;
            break;
          }
        }
        for (const f of version.files()) out.placement.set(f.id, f.level);
      }
    }
  }
  const present = new Set(names);
  for (const id of out.placement.keys()) {
    if (!present.has(tableFileName(id)) && !out.deletedTables.has(id)) out.report.missingTables.push(tableFileName(id));
  }
  return out;
}

async function readCurrent(fs: FileSystem, dir: string, out: PreviousManifests): Promise<string | undefined> {
  const path = pathIn(dir, CURRENT_FILE);
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', path, err);
    out.currentUnusable = 'missing';
    out.report.detail = 'CURRENT is missing';
    return undefined;
  }
  const m = /^(MANIFEST-\d+)\n$/.exec(text);
  if (m === null) {
    out.currentUnusable = 'garbage';
    out.report.detail = `CURRENT does not name a manifest (${JSON.stringify(text.slice(0, 40))})`;
    return undefined;
  }
  return m[1];
}
