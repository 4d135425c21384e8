/**
 * Child process for kill.test.ts: writes to a collection until it is killed.
 *
 *   node --import tsx src/testing/kill-writer.ts <baseDataPath> <seed> <mode> [workers]
 *
 * mode: "sync" (every write {sync:true}), "nosync", or "mixed" (about a third
 * sync). The seed picks the operations and is also the run number encoded
 * in values; workers (default 1) is how many writes are in flight at once.
 * Opens the collection "kv" (creating it with a 4 KiB memtable if needed, so
 * flushes keep happening while it is killed), prints the state it found, then
 * loops forever over puts, deletes and small batches on KEY_SPACE keys,
 * printing an attempt line before each write and an ack line after it
 * resolves. The line protocol is in kill-protocol.ts.
 *
 * STRATA_KILL_COMPACT=1 creates the collection (if it does not exist yet) with
 * COMPACT_OPTIONS, small enough that leveled compactions into L1 and L2 keep
 * running while the writer is killed, and prints CS/CE/CX lines for
 * compaction-start/-end/-error events.
 *
 * STRATA_KILL_SABOTAGE=buffer-wal makes WAL appends stay in memory until an
 * fdatasync, i.e. breaks the "acknowledged = in the OS" promise on purpose,
 * so the test can show that its checker notices lost writes.
 */
import { writeSync } from 'node:fs';
import type { AppendableFile, FileSystem } from '../fs/file-system.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { StorageManager } from '../manager/storage-manager.js';
import { COLLECTION, COMPACT_OPTIONS, encodeOps, KEY_SPACE, keyName, type Op, valueFor } from './kill-protocol.js';
import { seededRandom } from './random.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to stdout now (retrying if the pipe is momentarily full). */
function emit(text: string): void {
  const buf = Buffer.from(text);
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(1, buf, done, buf.length - done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

/** Sabotage for the checker's self-test: WAL appends are held in memory until sync(). */
class BufferedWalFileSystem extends NodeFileSystem {
  override create(path: string): AppendableFile {
    const file = super.create(path);
    return path.endsWith('.log') ? new BufferedFile(file) : file;
  }
}

class BufferedFile implements AppendableFile {
  private held: Buffer[] = [];
  private heldBytes = 0;
  constructor(private readonly file: AppendableFile) {}
  get path() {
    return this.file.path;
  }
  get size() {
    return this.file.size + this.heldBytes;
  }
  append(data: Uint8Array): void {
    this.held.push(Buffer.from(data));
    this.heldBytes += data.length;
  }
  truncate(size: number): void {
    this.release();
    this.file.truncate(size);
  }
  preallocate(ahead: number): void {
    this.file.preallocate(ahead);
  }
  async sync(): Promise<void> {
    this.release();
    await this.file.sync();
  }
  async close(): Promise<void> {
    this.release();
    await this.file.close();
  }
  private release(): void {
    if (this.heldBytes === 0) return;
    this.file.append(Buffer.concat(this.held));
    this.held = [];
    this.heldBytes = 0;
  }
}

async function main(): Promise<void> {
  const [base, seedText, mode = 'mixed', workersText = '1'] = process.argv.slice(2);
  const seed = Number(seedText);
  const workers = Number(workersText);
  if (!base || !Number.isInteger(seed) || !['sync', 'nosync', 'mixed'].includes(mode) || !(workers >= 1)) {
    throw new Error('usage: kill-writer.ts <baseDataPath> <seed> <sync|nosync|mixed> [workers]');
  }
  const fileSystem: FileSystem = process.env.STRATA_KILL_SABOTAGE === 'buffer-wal' ? new BufferedWalFileSystem() : new NodeFileSystem();
  const manager = new StorageManager({ baseDataPath: base, fileSystem });
  const compact = process.env.STRATA_KILL_COMPACT === '1';
  if (!(await manager.listCollections()).includes(COLLECTION)) {
    await manager.createCollection(COLLECTION, compact ? COMPACT_OPTIONS : { memtableBytes: 4096 });
  }
  const c = await manager.useCollection(COLLECTION);
  emit(`O ${seed}\n`);
  c.on('flush-start', (e: { id: number }) => emit(`FS ${e.id}\n`));
  c.on('flush-end', (e: { id: number }) => emit(`FE ${e.id}\n`));
  if (compact) {
    c.on('compaction-start', (e: { id: number; level: number; outputLevel: number; move?: boolean }) =>
      emit(`CS ${e.id} ${e.level} ${e.outputLevel} ${e.move ? 1 : 0}\n`),
    );
    c.on('compaction-end', (e: { id: number }) => emit(`CE ${e.id}\n`));
    c.on('compaction-error', (e: { id: number }) => emit(`CX ${e.id}\n`));
  }

  let dump = '';
  for await (const [k, v] of c.scan()) dump += `S ${k} ${v}\n`;
  emit(`${dump}R\n`);

  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const owned: string[][] = Array.from({ length: workers }, () => []);
  for (let i = 0; i < KEY_SPACE; i++) owned[i % workers].push(keyName(i));
  let counter = 0;

  async function worker(w: number): Promise<never> {
    const keys = owned[w];
    for (;;) {
      const r = rand();
      let ops: Op[];
      if (r < 0.65) ops = [{ type: 'put', key: pick(keys) }];
      else if (r < 0.8) ops = [{ type: 'delete', key: pick(keys) }];
      else {
        const chosen = new Set<string>();
        const size = 2 + Math.floor(rand() * 5);
        while (chosen.size < size) chosen.add(pick(keys));
        ops = [...chosen].map((key) => ({ type: rand() < 0.75 ? 'put' : 'delete', key }));
      }
      const sync = mode === 'sync' || (mode === 'mixed' && rand() < 0.35);
      const n = ++counter;
      emit(`A ${w} ${n} ${sync ? 1 : 0} ${encodeOps(ops)}\n`);
      try {
        if (ops.length > 1 || rand() < 0.1) {
          await c.batch(
            ops.map((o) =>
              o.type === 'put' ? { type: 'put', key: o.key, value: valueFor(o.key, seed, n) } : { type: 'delete', key: o.key },
            ),
            { sync },
          );
        } else if (ops[0].type === 'put') await c.put(ops[0].key, valueFor(ops[0].key, seed, n), { sync });
        else await c.delete(ops[0].key, { sync });
      } catch (err) {
        emit(`E ${(err as Error).message.replace(/\n/g, ' ')}\n`);
        process.exit(1);
      }
      emit(`K ${w} ${n}\n`);
    }
  }

  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
}

main().catch((err) => {
  emit(`E ${String((err as Error)?.stack ?? err).replace(/\n/g, ' | ')}\n`);
  process.exit(1);
});
