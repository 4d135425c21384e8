// What opening a collection had to do to bring it back (part of its stats),
// as the app receives it. Wire rule for every model/ type: plain data only
// (objects, arrays, strings, finite numbers, booleans, null); a field that
// may be absent is null, never undefined, so JSON and structured clone
// carry it alike. Main maps the engine's objects onto these types
// (src/main/service/to-wire/).

/** A write-ahead log that recovery cut at a torn tail. */
export interface TornWal {
  path: string;
  /** Records kept: everything before the cut. */
  keptRecords: number;
  /** Offset of the cut; the file held `fileBytes`. */
  cutAt: number;
  fileBytes: number;
}

/** A file that recovery or repair moved into the collection's `lost/` folder instead of using or deleting it. */
export interface LostFile {
  /** Its name in the collection directory. */
  file: string;
  /** Where it is now, relative to the collection directory (`lost/<name>`, with a suffix if taken). */
  movedTo: string;
  /** Why it was set aside, in words a user can act on. */
  reason: string;
}

/** A manifest whose last record a crash cut short while it was appended: that edit never took effect. */
export interface TornManifest {
  path: string;
  cutAt: number;
  fileBytes: number;
}

/** Where WAL replay stopped short (point-in-time recovery): the logs from `wal` on were not replayed and went to lost/. */
export interface RecoveryGap {
  /** The last sequence number replayed: the collection holds exactly the writes up to it. */
  lastSequence: number;
  /** The first log not replayed. */
  wal: string;
  reason: string;
}

/** What the last open did to bring the collection back: every cut and every file set aside. */
export interface RecoveryReport {
  tornWals: TornWal[];
  lostFiles: LostFile[];
  /** Set when the manifest ended in an unfinished append. */
  tornManifest: TornManifest | null;
  /** Set when replay stopped at a gap; later logs are in lostFiles. */
  gap: RecoveryGap | null;
}
