import { corruption, StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { pathIn, tableFileName } from '../version/file-names.js';
import { LevelSource } from '../table/level-source.js';
import { TableSource } from '../table/table-source.js';
import { ValueKind } from '../log/write-batch.js';
import { BlockCache } from '../table/block-cache.js';
import { TableBuilder } from '../table/table-builder.js';
import { TableReader } from '../table/table-reader.js';
import type { BlockCursor } from '../table/block-reader.js';
import { sortableKey } from '../util/key-order.js';
import { type TableSummary, summaryOf } from '../version/table-summary.js';
import { MinHeap } from './heap.js';
import type { CompactionJob, CompactionResult } from './protocol.js';
import { type KeySpan, someSpanCovers } from '../util/key-span.js';

type Source = TableSource | LevelSource<TableSummary>;

export interface MergeProgress {
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
}

const PROGRESS_EVERY_MS = 100;
const YIELD_EVERY_MS = 10;

/**
 * Runs one compaction job: a k-way merge of the input tables over a min-heap
 * ordered by (key ascending, sequence descending). For each key the newest
 * version wins and older versions are dropped (open scans keep reading the
 * input files they pinned, so they never need them). A winning tombstone is
 * dropped only when no level below the output can hold the key.
 *
 * Outputs are cut at job.targetFileBytes, and early where they would overlap
 * more than job.maxGrandparentOverlapBytes of the level below the output, and
 * only between keys, so a key never spans two files of one level. Each output
 * is fsynced, then the directory; the caller installs them in one manifest
 * edit. On failure the outputs written so far are removed.
 */
export async function runCompaction(
  fs: FileSystem,
  job: CompactionJob,
  onProgress: (p: MergeProgress) => void = () => {},
  /** Throws if the job must stop (e.g. the parent died); checked before each output file and every 1024 entries. */
  checkAlive: () => void = () => {},
): Promise<CompactionResult> {
  const cache = new BlockCache(0);
  const readers: TableReader[] = [];
  const open = (meta: TableSummary) => {
    const path = pathIn(job.directory, tableFileName(meta.id));
    let file;
    try {
      file = fs.openRead(path);
    } catch (err) {
      // An input the manifest lists must exist: its absence is damage, not a passing I/O error.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corruption(path, 'compaction input listed in the manifest is missing');
      throw err;
    }
    const reader = TableReader.open(file, meta.id, cache);
    if (reader.properties.entries !== meta.entries)
      throw corruption(path, `table holds ${reader.properties.entries} entries, the manifest says ${meta.entries}`);
    readers.push(reader);
    return reader;
  };
  const written: number[] = [];
  let outputsInProgress: OutputWriter | undefined;
  try {
    const sources: Source[] = [];
    let totalBytes = 0;
    let totalEntries = 0;
    for (const input of job.inputs) {
      for (const f of input.files) {
        totalBytes += f.bytes;
        totalEntries += f.entries;
      }
      if (input.level === 0) for (const f of input.files) sources.push(new TableSource(open(f), false).seek(undefined, true));
      else if (input.files.length > 0) sources.push(new LevelSource(input.files, open, false, undefined, true));
    }
    // Sort keys compare natively in key order (see sortableKey); one key's versions come newest first.
    const heap = new MinHeap<Source>((a, b) => {
      const ak = a.sortKey;
      const bk = b.sortKey;
      return ak < bk || (ak === bk && a.sequence > b.sequence);
    });
    for (const s of sources) if (s.valid) heap.push(s);

    const result: CompactionResult = {
      id: job.id,
      outputs: [],
      entriesRead: 0,
      entriesWritten: 0,
      droppedVersions: 0,
      droppedTombstones: 0,
      bytesRead: 0,
      bytesWritten: 0,
    };
    const outputs = new OutputWriter(fs, job, written, checkAlive);
    outputsInProgress = outputs;
    let lastKey: string | undefined;
    let lastReport = performance.now();
    let lastYield = lastReport;

    while (heap.size > 0) {
      const s = heap.peek()!;
      const sortKey = s.sortKey;
      result.entriesRead++;
      if (sortKey === lastKey) {
        result.droppedVersions++; // an older version of a key already decided
      } else {
        lastKey = sortKey;
        if (s.kind === ValueKind.Delete && !mayExistBelow(job.deeperSpans, s.key)) {
          result.droppedTombstones++;
        } else {
          // Awaited only when an output file is finished: an await per entry cost more than copying the entry.
          const cut = outputs.add(sortKey, s.sequence, s.kind, s.raw);
          if (cut !== undefined) await cut;
          result.entriesWritten++;
        }
      }
      s.next();
      if (s.valid) heap.replaceTop();
      else heap.pop();
      if ((result.entriesRead & 1023) === 0) checkAlive();
      if ((result.entriesRead & 255) === 0 && performance.now() - lastYield >= YIELD_EVERY_MS) {
        if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
          lastReport = performance.now();
          onProgress({
            bytesRead: Math.round((totalBytes * result.entriesRead) / Math.max(1, totalEntries)),
            bytesWritten: outputs.bytesWritten,
            entriesRead: result.entriesRead,
          });
        }
        // Lets the progress message go out, and keeps a merge run in-process (repair) from blocking its event loop.
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
    result.outputs = await outputs.finish();
    if (result.outputs.length > 0) await fs.syncDir(job.directory);
    result.bytesRead = totalBytes;
    result.bytesWritten = result.outputs.reduce((n, f) => n + f.bytes, 0);
    onProgress({ bytesRead: totalBytes, bytesWritten: result.bytesWritten, entriesRead: result.entriesRead });
    return result;
  } catch (err) {
    await outputsInProgress?.abandon();
    // Best effort: the scheduler removes every output again (and warns of what stays); a leftover is unlisted, and the next open removes it.
    for (const id of written) await fs.remove(pathIn(job.directory, tableFileName(id))).catch(() => {});
    throw err;
  } finally {
    // The inputs were only read: closing them loses nothing, and the merge's outcome is what the caller needs.
    await Promise.all(readers.map((r) => r.close().catch(() => {})));
  }
}

/** True if some file below the output level covers `key`, so a tombstone for it must stay. */
function mayExistBelow(levels: KeySpan[][], key: string): boolean {
  return levels.some((spans) => someSpanCovers(spans, key));
}

/** Writes merged entries into a sequence of output tables with pre-assigned numbers. */
class OutputWriter {
  private builder: TableBuilder | undefined;
  private builderId = 0;
  private next = 0;
  private readonly done: TableSummary[] = [];
  private grandparent = 0;
  private overlapped = 0;
  private seenKey = false;
  private finishedBytes = 0;
  /** The grandparents' max keys as sort keys, compared natively with each entry's. */
  private readonly grandparentEnds: string[];

  constructor(
    private readonly fs: FileSystem,
    private readonly job: CompactionJob,
    private readonly written: number[],
    private readonly checkAlive: () => void,
  ) {
    this.grandparentEnds = job.grandparents.map((g) => sortableKey(g.maxKey));
  }

  get bytesWritten(): number {
    return this.finishedBytes + (this.builder?.fileSizeEstimate ?? 0);
  }

  /**
   * Adds the entry `at` points to, copying its key and value bytes as they
   * lie in its block. Returns a promise only when the output before it had
   * to be finished first (the caller must await it before moving `at`).
   */
  add(sortKey: string, sequence: number, kind: ValueKind, at: BlockCursor): Promise<void> | undefined {
    const tooMuchOverlap = this.overlapsTooMuch(sortKey);
    if (this.builder !== undefined && (tooMuchOverlap || this.builder.fileSizeEstimate >= this.job.targetFileBytes)) {
      this.overlapped = 0;
      return this.close().then(() => this.append(sequence, kind, at));
    }
    this.append(sequence, kind, at);
    return undefined;
  }

  private append(sequence: number, kind: ValueKind, at: BlockCursor): void {
    if (this.builder === undefined) this.start();
    if (kind === ValueKind.Put)
      this.builder!.add(at.keyBuffer, at.keyByteLength, sequence, kind, at.blockBuffer, at.valueEnd - at.valueStart, at.valueStart);
    else this.builder!.add(at.keyBuffer, at.keyByteLength, sequence, kind, '', 0);
  }

  async finish(): Promise<TableSummary[]> {
    await this.close();
    return this.done;
  }

  /** Closes the unfinished output's file descriptor; the caller removes the files. */
  async abandon(): Promise<void> {
    const builder = this.builder;
    this.builder = undefined;
    await builder?.abandon();
  }

  /** LevelDB's "should stop before": counts grandparent bytes this output has passed. */
  private overlapsTooMuch(sortKey: string): boolean {
    const gps = this.job.grandparents;
    const ends = this.grandparentEnds;
    while (this.grandparent < gps.length && sortKey > ends[this.grandparent]) {
      if (this.seenKey) this.overlapped += gps[this.grandparent].bytes;
      this.grandparent++;
    }
    this.seenKey = true;
    return this.overlapped > this.job.maxGrandparentOverlapBytes;
  }

  private start(): void {
    this.checkAlive();
    if (this.next >= this.job.outputIds.length) {
      throw new StorageError(
        'IO_ERROR',
        `compaction ${this.job.id} needs more than its ${this.job.outputIds.length} assigned output files`,
      );
    }
    this.builderId = this.job.outputIds[this.next++];
    this.written.push(this.builderId);
    const file = this.fs.create(pathIn(this.job.directory, tableFileName(this.builderId)));
    this.builder = new TableBuilder(file, {
      blockBytes: this.job.blockBytes,
      bloomBitsPerKey: this.job.bloomBitsPerKey,
      compression: this.job.compression,
    });
  }

  private async close(): Promise<void> {
    const builder = this.builder;
    if (builder === undefined) return;
    this.builder = undefined;
    const built = await builder.finish();
    this.finishedBytes += built.fileSize;
    this.done.push(summaryOf(this.builderId, this.job.outputLevel, built));
  }
}
