import { corruption, ioError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { readLog } from '../log/log-format.js';
import { batchIntactBefore, ValueKind, visitBatch } from '../log/write-batch.js';
import type { Memtable } from '../memtable/memtable.js';
import { TableBuilder, type TableBuilderOptions } from '../table/table-builder.js';
import { readLatin1 } from '../util/utf8.js';
import { type FileMeta, fileMetaOf } from '../version/file-meta.js';
import { pathIn, tableFileName } from '../version/file-names.js';

/** Entries written between yields to the event loop, so a flush never blocks writers for long. */
const ENTRIES_PER_SLICE = 2048;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes an immutable memtable's newest versions to a new L0 table and
 * fsyncs it and its directory. On failure the partial file is removed.
 * Scans that still need older versions read the memtable object itself.
 */
export function writeLevel0Table(fs: FileSystem, dir: string, memtable: Memtable, id: number, options: TableBuilderOptions): Promise<FileMeta> {
  return writeTable(fs, dir, id, options, async (builder) => {
    let n = 0;
    for (const e of memtable.entries()) {
      builder.addString(e.key, e.sequence, e.kind, e.value);
      if (++n % ENTRIES_PER_SLICE === 0) await yieldToEventLoop();
    }
  });
}

/** What a flush from a WAL must produce, checked before the table is kept: the memtable's own counts. */
export interface Level0Expectation {
  /** Distinct keys (the memtable's size). */
  entries: number;
  maxSequence: number;
}

/**
 * Writes the same L0 table as writeLevel0Table, from the memtable's WAL
 * instead of the memtable: what lets a flush run on another thread, which
 * cannot see the memtable. A memtable that took writes only in this session
 * holds exactly its WAL's operations (appends are synchronous and precede
 * the memtable insert), and each key's newest version is the one with the
 * highest sequence, the last in the file. Keys and values are copied as the
 * bytes they are in the WAL; no string is made. If the WAL does not yield
 * exactly `expected`, the table is not kept and the flush fails.
 */
export function writeLevel0TableFromWal(fs: FileSystem, dir: string, walPath: string, id: number, options: TableBuilderOptions, expected: Level0Expectation): Promise<FileMeta> {
  return writeTable(fs, dir, id, options, async (builder) => {
    let data: Buffer;
    try {
      data = await fs.readFile(walPath);
    } catch (err) {
      throw ioError('read write-ahead log', walPath, err);
    }
    const log = readLog(data, walPath, batchIntactBefore);
    // Operation i: its kind, sequence, and key and value where they lie in `data`.
    const kinds: ValueKind[] = [];
    const sequences: number[] = [];
    const keyStarts: number[] = [];
    const keyLengths: number[] = [];
    const valueStarts: number[] = [];
    const valueLengths: number[] = [];
    /** Each key's bytes as a Latin-1 string (whose native order is byte order) -> its newest operation. */
    const newest = new Map<string, number>();
    // Whether keys first appeared in ascending order, as in a sequential fill: then the map's own (insertion) order is key order, and no sort is needed.
    let ascending = true;
    let lastNewKey = '';
    let maxSequence = 0;
    for (const payload of log.records) {
      const base = payload.byteOffset - data.byteOffset;
      visitBatch(payload, walPath, (kind, sequence, keyStart, keyBytes, valueStart, valueBytes) => {
        const key = readLatin1(data, base + keyStart, base + keyStart + keyBytes);
        const keys = newest.size;
        newest.set(key, kinds.length);
        if (newest.size > keys) {
          if (key <= lastNewKey && keys > 0) ascending = false;
          lastNewKey = key;
        }
        kinds.push(kind);
        sequences.push(sequence);
        keyStarts.push(base + keyStart);
        keyLengths.push(keyBytes);
        valueStarts.push(base + valueStart);
        valueLengths.push(valueBytes);
        if (sequence > maxSequence) maxSequence = sequence;
      });
    }
    if (log.tornTail || newest.size !== expected.entries || maxSequence !== expected.maxSequence) {
      throw corruption(
        walPath,
        `holds ${newest.size} keys up to sequence ${maxSequence}${log.tornTail ? ' before a torn tail' : ''}, but its memtable holds ${expected.entries} up to ${expected.maxSequence}`,
      );
    }
    let key = Buffer.allocUnsafe(256);
    const add = (i: number) => {
      const keyLength = keyLengths[i];
      // The builder takes a key from offset 0: copied to reused space rather than a view per entry.
      if (key.length < keyLength) key = Buffer.allocUnsafe(keyLength * 2);
      const from = keyStarts[i];
      for (let j = 0; j < keyLength; j++) key[j] = data[from + j];
      if (kinds[i] === ValueKind.Put) builder.add(key, keyLength, sequences[i], ValueKind.Put, data, valueLengths[i], valueStarts[i]);
      else builder.add(key, keyLength, sequences[i], ValueKind.Delete, '', 0);
    };
    // UTF-8 byte order is code point order: the order the memtable keeps.
    if (ascending) newest.forEach(add);
    else for (const bytes of [...newest.keys()].sort()) add(newest.get(bytes)!);
  });
}

/** Creates table `id` in `dir`, lets `fill` add its entries, then fsyncs it and the directory; on failure removes the partial file. */
async function writeTable(fs: FileSystem, dir: string, id: number, options: TableBuilderOptions, fill: (builder: TableBuilder) => Promise<void>): Promise<FileMeta> {
  const path = pathIn(dir, tableFileName(id));
  let file;
  try {
    file = fs.create(path);
  } catch (err) {
    throw ioError('create SSTable', path, err);
  }
  const builder = new TableBuilder(file, options);
  try {
    await fill(builder);
    const built = await builder.finish();
    await fs.syncDir(dir);
    return fileMetaOf(id, 0, built);
  } catch (err) {
    await builder.abandon();
    await fs.remove(path).catch(() => {});
    throw ioError('write SSTable', path, err);
  }
}
